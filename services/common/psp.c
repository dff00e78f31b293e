/*
 * Provider records and their Redis layout (see include/refunds/psp.h): the
 * status names, the key builders, the rules every record obeys and the
 * hash encoding both ways. Pure functions; the commands that write the
 * layout live in workers/psp_load/writer.c, and nothing here knows a
 * provider's own file formats.
 */
#include <stdio.h>
#include <string.h>

#include "refunds/money.h"
#include "refunds/psp.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

static const char *const status_names[] = {
    [RF_PSP_PENDING] = "pending",         [RF_PSP_REQUIRES_ACTION] = "requires_action",
    [RF_PSP_SUCCEEDED] = "succeeded",     [RF_PSP_FAILED] = "failed",
    [RF_PSP_CANCELED] = "canceled",       [RF_PSP_REVERSED] = "reversed",
    [RF_PSP_NOT_CLEARED] = "not_cleared",
};

static const char *const ref_status_names[] = {
    [RF_PSP_REF_NONE] = "",
    [RF_PSP_REF_PENDING] = "pending",
    [RF_PSP_REF_AVAILABLE] = "available",
    [RF_PSP_REF_UNAVAILABLE] = "unavailable",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const rf_psp_field_names[RF_PSP_FIELDS] = {
    "status",           "pending_reason", "failure_reason", "amount_minor",     "currency",
    "payment_ref",      "reference",      "reference_type", "reference_status", "destination_type",
    "card_refund_type", "created_at",     "updated_at",     "succeeded_at",     "source",
};

/* Indexes into rf_psp_field_names. */
enum field {
    F_STATUS,
    F_PENDING_REASON,
    F_FAILURE_REASON,
    F_AMOUNT_MINOR,
    F_CURRENCY,
    F_PAYMENT_REF,
    F_REFERENCE,
    F_REFERENCE_TYPE,
    F_REFERENCE_STATUS,
    F_DESTINATION_TYPE,
    F_CARD_REFUND_TYPE,
    F_CREATED_AT,
    F_UPDATED_AT,
    F_SUCCEEDED_AT,
    F_SOURCE,
};

const char *rf_psp_status_name(enum rf_psp_status s)
{
    if ((unsigned)s >= COUNT(status_names))
        return "unknown";
    return status_names[s];
}

/* The index of s in names[0..n), or -1. */
static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0)
            return (int)i;
    }
    return -1;
}

bool rf_psp_status_parse(const char *s, enum rf_psp_status *out)
{
    int i = name_index(status_names, COUNT(status_names), s);

    if (i < 0)
        return false;
    *out = (enum rf_psp_status)i;
    return true;
}

const char *rf_psp_ref_status_name(enum rf_psp_ref_status s)
{
    if ((unsigned)s >= COUNT(ref_status_names))
        return "";
    return ref_status_names[s];
}

bool rf_psp_ref_status_parse(const char *s, enum rf_psp_ref_status *out)
{
    int i = name_index(ref_status_names, COUNT(ref_status_names), s);

    if (i < 0)
        return false;
    *out = (enum rf_psp_ref_status)i;
    return true;
}

/* The NUL-terminated concatenation of n strings, in arena a (keys are built once per record). */
static char *concat(struct rf_arena *a, int n, const char *const *parts)
{
    size_t lens[4], total = 0;
    char *out, *p;

    for (int i = 0; i < n; i++)
        total += lens[i] = strlen(parts[i]);
    out = p = rf_arena_alloc(a, total + 1);
    for (int i = 0; i < n; i++) {
        memcpy(p, parts[i], lens[i]);
        p += lens[i];
    }
    *p = '\0';
    return out;
}

char *rf_psp_key_refund(struct rf_arena *a, const char *provider, const char *provider_refund_id)
{
    const char *parts[] = {"psp:", provider, ":refund:", provider_refund_id};

    return concat(a, 4, parts);
}

char *rf_psp_key_created(struct rf_arena *a, const char *provider, int64_t created_at_us)
{
    char t[40];
    const char *parts[] = {"psp:", provider, ":created:", t};

    rf_psp_time_format(created_at_us, t, sizeof t);
    t[10] = '\0'; /* the date */
    return concat(a, 4, parts);
}

char *rf_psp_key_snapshot(struct rf_arena *a, const char *provider)
{
    const char *parts[] = {"psp:", provider, ":snapshot"};

    return concat(a, 3, parts);
}

int rf_psp_time_format(int64_t us, char *buf, size_t size)
{
    /*
     * The last two seconds formatted, per thread: a file's records share
     * updated_at (its taken_at), and a record's created_at is formatted for
     * its day key and its field. snprintf was most of the cost.
     */
    static _Thread_local struct {
        int64_t sec;
        char text[20]; /* "YYYY-MM-DDTHH:MM:SS" */
    } memo[2] = {{INT64_MIN, ""}, {INT64_MIN, ""}};
    static _Thread_local int next;
    int64_t sec = us / RF_USEC_PER_SEC, frac = us % RF_USEC_PER_SEC;
    char t[RF_PSP_TIME_LEN + 1];
    const char *prefix = NULL;

    if (us < RF_TIME_MIN_US || us > RF_TIME_MAX_US)
        return snprintf(buf, size, "%s", "");
    if (frac < 0) {
        frac += RF_USEC_PER_SEC;
        sec -= 1;
    }
    for (int i = 0; i < 2 && prefix == NULL; i++) {
        if (memo[i].sec == sec)
            prefix = memo[i].text;
    }
    if (prefix == NULL) {
        char full[40];

        rf_time_format_rfc3339(sec * RF_USEC_PER_SEC, full, sizeof full);
        memcpy(memo[next].text, full, 19);
        memo[next].text[19] = '\0';
        memo[next].sec = sec;
        prefix = memo[next].text;
        next ^= 1;
    }
    memcpy(t, prefix, 19);
    t[19] = '.';
    for (int i = 25; i > 19; i--, frac /= 10)
        t[i] = (char)('0' + frac % 10);
    t[26] = 'Z';
    t[27] = '\0';
    if (size > 0) {
        size_t k = RF_PSP_TIME_LEN < size ? RF_PSP_TIME_LEN : size - 1;

        memcpy(buf, t, k);
        buf[k] = '\0';
    }
    return RF_PSP_TIME_LEN;
}

const char *rf_psp_text_problem(const char *s, size_t max)
{
    if (strlen(s) > max)
        return max == RF_PSP_TEXT_MAX ? "is longer than 255 bytes" : "is too long";
    switch (rf_text_check(s, max, 0)) {
    case RF_TEXT_OK:
        return NULL;
    case RF_TEXT_BAD_UTF8:
        return "is not valid UTF-8";
    case RF_TEXT_CONTROL:
        return "contains a control character";
    case RF_TEXT_BIDI:
        return "contains a bidirectional control character";
    case RF_TEXT_TOO_LONG:
        break;
    }
    return "is too long";
}

static bool time_ok(int64_t us)
{
    return us > 0 && us <= RF_TIME_MAX_US;
}

bool rf_psp_record_check(const struct rf_psp_record *r, const char **field, const char **reason)
{
    const struct {
        const char *name;
        const char *value;
    } texts[] = {
        {"pending_reason", r->pending_reason},     {"failure_reason", r->failure_reason},
        {"payment_ref", r->payment_ref},           {"reference", r->reference},
        {"reference_type", r->reference_type},     {"destination_type", r->destination_type},
        {"card_refund_type", r->card_refund_type},
    };
    const char *why;

#define REFUSE(f, why_)                                                                            \
    do {                                                                                           \
        *field = (f);                                                                              \
        *reason = (why_);                                                                          \
        return false;                                                                              \
    } while (0)

    if (!rf_slug_valid(r->provider, RF_PSP_PROVIDER_MAX))
        REFUSE("provider", "must be 1 to 32 characters of a-z, 0-9, '_' and '-'");
    if (r->provider_refund_id[0] == '\0')
        REFUSE("provider_refund_id", "is empty");
    if ((why = rf_psp_text_problem(r->provider_refund_id, RF_PSP_TEXT_MAX)) != NULL)
        REFUSE("provider_refund_id", why);
    if ((unsigned)r->status >= COUNT(status_names))
        REFUSE("status", "is not a known status");
    for (size_t i = 0; i < COUNT(texts); i++) {
        if ((why = rf_psp_text_problem(texts[i].value, RF_PSP_TEXT_MAX)) != NULL)
            REFUSE(texts[i].name, why);
    }
    if (r->amount_minor <= 0)
        REFUSE("amount_minor", "must be positive");
    if (r->amount_minor > RF_MONEY_MAX_MINOR)
        REFUSE("amount_minor", "is larger than 10^15");
    if (!rf_currency_valid(r->currency))
        REFUSE("currency", "is not an active ISO 4217 code in upper case");
    if ((unsigned)r->reference_status >= COUNT(ref_status_names))
        REFUSE("reference_status", "is not a known reference status");
    if (!time_ok(r->created_at_us))
        REFUSE("created_at", "must be a time from 1970 to 9999");
    if (!time_ok(r->updated_at_us))
        REFUSE("updated_at", "must be a time from 1970 to 9999");
    if (r->succeeded_at_us != 0 && !time_ok(r->succeeded_at_us))
        REFUSE("succeeded_at", "must be a time from 1970 to 9999");
    if ((why = rf_psp_text_problem(r->source, RF_PSP_SOURCE_MAX)) != NULL)
        REFUSE("source", why);
    return true;
#undef REFUSE
}

static const char *time_value(struct rf_arena *a, int64_t us)
{
    char *buf;

    if (us == 0)
        return "";
    buf = rf_arena_alloc(a, RF_PSP_TIME_LEN + 8);
    rf_psp_time_format(us, buf, RF_PSP_TIME_LEN + 8);
    return buf;
}

size_t rf_psp_record_encode(struct rf_arena *a, const struct rf_psp_record *r,
                            const char *argv[2 * RF_PSP_FIELDS], size_t argvlen[2 * RF_PSP_FIELDS])
{
    const char *v[RF_PSP_FIELDS];

    v[F_STATUS] = rf_psp_status_name(r->status);
    v[F_PENDING_REASON] = r->pending_reason;
    v[F_FAILURE_REASON] = r->failure_reason;
    v[F_AMOUNT_MINOR] = rf_psp_decimal(a, r->amount_minor);
    v[F_CURRENCY] = rf_arena_strdup(a, r->currency);
    v[F_PAYMENT_REF] = r->payment_ref;
    v[F_REFERENCE] = r->reference;
    v[F_REFERENCE_TYPE] = r->reference_type;
    v[F_REFERENCE_STATUS] = rf_psp_ref_status_name(r->reference_status);
    v[F_DESTINATION_TYPE] = r->destination_type;
    v[F_CARD_REFUND_TYPE] = r->card_refund_type;
    v[F_CREATED_AT] = time_value(a, r->created_at_us);
    v[F_UPDATED_AT] = time_value(a, r->updated_at_us);
    v[F_SUCCEEDED_AT] = time_value(a, r->succeeded_at_us);
    v[F_SOURCE] = r->source;
    for (size_t i = 0; i < RF_PSP_FIELDS; i++) {
        argv[2 * i] = rf_psp_field_names[i];
        argvlen[2 * i] = strlen(rf_psp_field_names[i]);
        argv[2 * i + 1] = v[i];
        argvlen[2 * i + 1] = strlen(v[i]);
    }
    return 2 * RF_PSP_FIELDS;
}

char *rf_psp_decimal(struct rf_arena *a, int64_t v)
{
    char digits[24], *out;
    int n = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        digits[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    out = rf_arena_alloc(a, (size_t)n + 2);
    if (v < 0)
        *out++ = '-';
    for (int i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    out[n] = '\0';
    return v < 0 ? out - 1 : out;
}

static int field_index(const char *name, size_t len)
{
    for (int i = 0; i < RF_PSP_FIELDS; i++) {
        if (strlen(rf_psp_field_names[i]) == len && memcmp(rf_psp_field_names[i], name, len) == 0)
            return i;
    }
    return -1;
}

/* Parses a non-negative decimal integer without sign or spaces. */
static bool parse_int64(const char *s, int64_t *out)
{
    int64_t x = 0;

    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || x > (INT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (*s - '0');
    }
    *out = x;
    return true;
}

bool rf_psp_record_decode(struct rf_arena *a, const char *provider, const char *id, size_t n,
                          const char *const *items, const size_t *lens, struct rf_psp_record *out,
                          const char **field, const char **reason)
{
    const char *v[RF_PSP_FIELDS] = {NULL};
    static const int required[] = {F_STATUS, F_AMOUNT_MINOR, F_CURRENCY, F_CREATED_AT,
                                   F_UPDATED_AT};

    memset(out, 0, sizeof *out);
    if (n % 2 != 0) {
        *field = "";
        *reason = "the reply has an odd number of items";
        return false;
    }
    for (size_t i = 0; i < n; i += 2) {
        int f = field_index(items[i], lens[i]);

        if (f < 0)
            continue;
        if (memchr(items[i + 1], '\0', lens[i + 1]) != NULL) {
            *field = rf_psp_field_names[f];
            *reason = "contains a NUL byte";
            return false;
        }
        v[f] = rf_arena_strndup(a, items[i + 1], lens[i + 1]);
    }
    for (size_t i = 0; i < COUNT(required); i++) {
        if (v[required[i]] == NULL) {
            *field = rf_psp_field_names[required[i]];
            *reason = "is missing";
            return false;
        }
    }
    for (int i = 0; i < RF_PSP_FIELDS; i++) {
        if (v[i] == NULL)
            v[i] = "";
    }
#define REFUSE(f, why_)                                                                            \
    do {                                                                                           \
        *field = rf_psp_field_names[f];                                                            \
        *reason = (why_);                                                                          \
        return false;                                                                              \
    } while (0)
    if (!rf_psp_status_parse(v[F_STATUS], &out->status))
        REFUSE(F_STATUS, "is not a known status");
    if (!parse_int64(v[F_AMOUNT_MINOR], &out->amount_minor))
        REFUSE(F_AMOUNT_MINOR, "is not a decimal integer");
    if (strlen(v[F_CURRENCY]) != 3)
        REFUSE(F_CURRENCY, "is not a three-letter code");
    memcpy(out->currency, v[F_CURRENCY], 4);
    if (!rf_psp_ref_status_parse(v[F_REFERENCE_STATUS], &out->reference_status))
        REFUSE(F_REFERENCE_STATUS, "is not pending, available, unavailable or empty");
    if (!rf_time_parse_rfc3339(v[F_CREATED_AT], &out->created_at_us))
        REFUSE(F_CREATED_AT, "is not an RFC 3339 time");
    if (!rf_time_parse_rfc3339(v[F_UPDATED_AT], &out->updated_at_us))
        REFUSE(F_UPDATED_AT, "is not an RFC 3339 time");
    if (v[F_SUCCEEDED_AT][0] != '\0' &&
        !rf_time_parse_rfc3339(v[F_SUCCEEDED_AT], &out->succeeded_at_us))
        REFUSE(F_SUCCEEDED_AT, "is not an RFC 3339 time");
#undef REFUSE
    out->provider = rf_arena_strdup(a, provider);
    out->provider_refund_id = rf_arena_strdup(a, id);
    out->pending_reason = v[F_PENDING_REASON];
    out->failure_reason = v[F_FAILURE_REASON];
    out->payment_ref = v[F_PAYMENT_REF];
    out->reference = v[F_REFERENCE];
    out->reference_type = v[F_REFERENCE_TYPE];
    out->destination_type = v[F_DESTINATION_TYPE];
    out->card_refund_type = v[F_CARD_REFUND_TYPE];
    out->source = v[F_SOURCE];
    return rf_psp_record_check(out, field, reason);
}

const char *rf_psp_reference_type_short(const char *type)
{
    static const struct {
        const char *provider, *bank;
    } known[] = {
        {"acquirer_reference_number", "ARN"},
        {"retrieval_reference_number", "RRN"},
        {"system_trace_audit_number", "STAN"},
    };

    if (type == NULL || type[0] == '\0')
        return "reference";
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(type, known[i].provider) == 0)
            return known[i].bank;
    return type;
}
