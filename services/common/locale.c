/*
 * Language tags, dates and lists in the customer's language (see
 * include/refunds/locale.h). The languages are one table of data; the code
 * only walks a tag's fallback chain to an entry of the table. Adding a
 * language for formatting is adding an entry here (templates are separate
 * files, see docs/messages.md). Not for money: money.c formats amounts with
 * the separators of these entries.
 */
#include <stdio.h>
#include <string.h>

#include "refunds/arena.h"
#include "refunds/locale.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

/* German and Austrian German differ only in the name of January. */
#define GERMAN(tag, january)                                                                       \
    {                                                                                              \
        .lang = tag, .group = ".", .decimal = ",", .symbol_first = false,                          \
        .months = {january, "Februar", "März",      "April",   "Mai",      "Juni",                 \
                   "Juli",  "August",  "September", "Oktober", "November", "Dezember"},            \
        .after_day = ". ", .after_month = " ", .and_word = " und ",                                \
    }

static const struct rf_locale locales[] = {
    {
        .lang = "en",
        .group = ",",
        .decimal = ".",
        .symbol_first = true,
        .months = {"January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"},
        .after_day = " ",
        .after_month = " ",
        .and_word = " and ",
    },
    {
        .lang = "es",
        .group = ".",
        .decimal = ",",
        .symbol_first = false,
        .months = {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                   "septiembre", "octubre", "noviembre", "diciembre"},
        .after_day = " de ",
        .after_month = " de ",
        .and_word = " y ",
        .and_i_word = " e ",
    },
    GERMAN("de", "Januar"),
    /* Austrian German writes January as "Jänner" in letters and contracts. */
    GERMAN("de-AT", "Jänner"),
};

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool rf_lang_normalize(const char *tag, char *buf, size_t size)
{
    char tmp[RF_LANG_TAG_MAX];
    size_t len, start = 0;

    if (size > 0)
        buf[0] = '\0';
    if (tag == NULL || (len = strlen(tag)) >= sizeof tmp || len >= size)
        return false;
    for (size_t i = 0; i <= len; i++)
        tmp[i] = tag[i] == '_' ? '-' : tag[i];
    if (!rf_language_tag_valid(tmp))
        return false;
    /* Case each subtag by its kind: the first is the language, then script or region. */
    for (size_t i = 0; i <= len; i++) {
        size_t n;
        bool alpha = true;

        if (tmp[i] != '-' && tmp[i] != '\0')
            continue;
        n = i - start;
        for (size_t k = start; k < i; k++)
            alpha = alpha && is_alpha(tmp[k]);
        for (size_t k = start; k < i; k++) {
            if (start > 0 && alpha && n == 2)
                tmp[k] = upper(tmp[k]);
            else if (start > 0 && alpha && n == 4 && k == start)
                tmp[k] = upper(tmp[k]);
            else
                tmp[k] = lower(tmp[k]);
        }
        start = i + 1;
    }
    memcpy(buf, tmp, len + 1);
    return true;
}

bool rf_lang_parent(char *tag)
{
    char *dash = strrchr(tag, '-');

    if (dash == NULL)
        return false;
    *dash = '\0';
    return true;
}

const struct rf_locale *rf_locale_get(const char *tag)
{
    char t[RF_LANG_TAG_MAX];

    if (!rf_lang_normalize(tag, t, sizeof t))
        return &locales[0];
    do {
        for (size_t i = 0; i < sizeof locales / sizeof locales[0]; i++) {
            if (strcmp(locales[i].lang, t) == 0)
                return &locales[i];
        }
    } while (rf_lang_parent(t));
    return &locales[0];
}

int rf_date_format_lang(int64_t us, const char *lang, char *buf, size_t size)
{
    const struct rf_locale *l = rf_locale_get(lang);
    int64_t year;
    unsigned month, day;

    rf_time_civil_date(us, &year, &month, &day);
    return snprintf(buf, size, "%u%s%s%s%lld", day, l->after_day, l->months[month - 1],
                    l->after_month, (long long)year);
}

/*
 * True when Spanish says "e" rather than "y" before word: it starts with the
 * vowel sound i, written i, í, hi or hí (any case), except where that i opens
 * a diphthong with the next vowel ("hielo", "hiato"), which keeps "y".
 */
static bool spanish_i_sound(const char *word)
{
    const unsigned char *p = (const unsigned char *)word;

    if (*p == 'h' || *p == 'H')
        p++;
    if (*p == 'i' || *p == 'I')
        p++;
    else if (p[0] == 0xc3 && (p[1] == 0xad || p[1] == 0x8d)) /* í, Í */
        p += 2;
    else
        return false;
    return strchr("aeouAEOU", *p) == NULL || *p == '\0';
}

char *rf_list_format_lang(struct rf_arena *a, const char *const *items, size_t n, const char *lang)
{
    const struct rf_locale *l = rf_locale_get(lang);
    const char *last_sep = l->and_word;
    size_t len = 0, pos = 0;
    char *out;

    if (n == 0)
        return rf_arena_strdup(a, "");
    if (l->and_i_word != NULL && spanish_i_sound(items[n - 1]))
        last_sep = l->and_i_word;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + strlen(", ") + strlen(last_sep);
    out = rf_arena_alloc(a, len + 1);
    for (size_t i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? last_sep : ", ";
        size_t sl = strlen(sep), il = strlen(items[i]);

        memcpy(out + pos, sep, sl);
        memcpy(out + pos + sl, items[i], il);
        pos += sl + il;
    }
    out[pos] = '\0';
    return out;
}

/* Method names in each language with its own words; others fall back like formats do. */
static const struct {
    const char *method;
    const char *en, *es, *de;
} method_words[] = {
    {"card", "card", "tarjeta", "Karte"},
    {"bank_transfer", "bank account", "cuenta bancaria", "Bankkonto"},
    {"direct_debit", "direct debit", "domiciliación bancaria", "Lastschrift"},
    {"paypal", "PayPal", "PayPal", "PayPal"},
    {"wallet", "digital wallet", "monedero digital", "digitale Geldbörse"},
    {"cash", "cash", "efectivo", "Bargeld"},
    {"store_credit", "store credit", "saldo en tienda", "Guthaben"},
    {"other", "payment method", "medio de pago", "Zahlungsmittel"},
};

const char *rf_payment_method_text(const char *method, const char *lang)
{
    const char *base = rf_locale_get(lang)->lang;
    size_t n = sizeof method_words / sizeof method_words[0], i = n - 1;

    for (size_t k = 0; method != NULL && k < n; k++)
        if (strcmp(method_words[k].method, method) == 0)
            i = k;
    if (strncmp(base, "es", 2) == 0)
        return method_words[i].es;
    if (strncmp(base, "de", 2) == 0)
        return method_words[i].de;
    return method_words[i].en;
}
