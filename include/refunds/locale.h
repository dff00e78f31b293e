/*
 * Language tags and the customer-facing formats that depend on the language:
 * dates ("1 December 2026", "1 de diciembre de 2026", "1. Dezember 2026") and
 * lists ("A, B and C"). Money is formatted by rf_money_format_lang in money.h
 * with the separators held here. Pure code and data: nothing here calls the C
 * library's locale functions (setlocale, strftime, localeconv), so the output
 * is the same on every machine and in every thread.
 *
 * Languages known here: en, es, de, and de-AT (German with "Jänner"). Any
 * other tag falls back along its subtags (de-CH -> de, es-MX -> es) and then
 * to English; a tag that is not a BCP 47 tag at all is English too. This is
 * the formatting side only: which message templates exist is render.h's
 * business, and a language with templates but no entry here is formatted in
 * English. Dates are UTC calendar dates; the customer's time zone is not
 * known here. Not for parsing dates or numbers typed by people.
 */
#ifndef REFUNDS_LOCALE_H
#define REFUNDS_LOCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rf_arena;

/* Room for the longest tag rf_language_tag_valid accepts (35 characters) and its NUL. */
#define RF_LANG_TAG_MAX 36

/* What the formatting of one language needs. */
struct rf_locale {
    const char *lang;        /* its tag, canonical case: "en", "de-AT" */
    const char *group;       /* between groups of three integer digits: "," or "." */
    const char *decimal;     /* before the minor digits: "." or "," */
    bool symbol_first;       /* "€1.00" (en) rather than "1,00 €" (es, de) */
    const char *months[12];  /* month names as written in a date, UTF-8 */
    const char *after_day;   /* between day and month: " ", " de ", ". " */
    const char *after_month; /* between month and year: " ", " de " */
    const char *and_word;    /* before a list's last item: " and ", " y ", " und " */
    const char *and_i_word;  /* es: " e " before a word with the sound i; NULL elsewhere */
};

/*
 * Writes tag in canonical case into buf ("DE_at" -> "de-AT", "zh-hant-tw" ->
 * "zh-Hant-TW", "ES-419" -> "es-419"): language lower case, a four-letter
 * script title case, a two-letter region upper case, anything else lower
 * case; '_' is read as '-'. Returns false, leaving buf an empty string when
 * size allows, if tag is NULL, is not a BCP 47 tag of the form
 * rf_language_tag_valid accepts, or does not fit in size bytes.
 */
bool rf_lang_normalize(const char *tag, char *buf, size_t size);

/*
 * Shortens a canonical tag in place by its last subtag ("de-AT" -> "de",
 * "zh-Hant-TW" -> "zh-Hant") and returns true; returns false and leaves tag
 * alone when it has a single subtag. Repeated calls walk the fallback chain
 * of RFC 4647 lookup, before the final fallback to "en".
 */
bool rf_lang_parent(char *tag);

/*
 * The formatting rules for tag: the entry of tag itself, else of its nearest
 * parent, else English. Never NULL; tag NULL or malformed gives English. The
 * result is static.
 */
const struct rf_locale *rf_locale_get(const char *tag);

/*
 * Writes the UTC calendar date of us in the language of lang into buf:
 * en "1 December 2026" (day first, as in British and international English;
 * no US variant), es "1 de diciembre de 2026", de "1. März 2026", de-AT
 * "1. Jänner 2026". Returns what snprintf returns: the length of the whole
 * text even when buf is too small (then buf holds a NUL-terminated prefix).
 */
int rf_date_format_lang(int64_t us, const char *lang, char *buf, size_t size);

/*
 * Joins n items into a list in the arena: "" for none, "A", "A and B",
 * "A, B and C" (no serial comma), es "A, B y C" (and "e" instead of "y"
 * before a word that starts with the sound i: "Pedro e Isabel", but "agua y
 * hielo"), de "A, B und C". Items are copied as they are (no escaping: the
 * result is plain text to give to the renderer as a value). Never NULL.
 */
char *rf_list_format_lang(struct rf_arena *a, const char *const *items, size_t n, const char *lang);

/*
 * The payment method, as arrival windows name it ("card", "bank_transfer",
 * "store_credit"; refunds/arrival.h), in words of lang for a customer: en
 * "card", es "tarjeta", de "Karte"; "PayPal" in every language. For messages
 * that have no label of the customer's own card or account (Payment.label).
 * An unknown method reads as "payment method" in lang. Never NULL; static.
 */
const char *rf_payment_method_text(const char *method, const char *lang);

#endif
