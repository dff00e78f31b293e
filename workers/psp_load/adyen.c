/*
 * The Adyen mapper (see adyen.h): the columns by name, the journal types
 * that are refunds, the time zone table, and one line to one record. The
 * zone table holds fixed abbreviations only; names of regions
 * ("Europe/Amsterdam") would need a time zone database, which this pure code
 * does not consult.
 */
#include <stdio.h>
#include <string.h>

#include "adyen.h"
#include "amount.h"
#include "refunds/money.h"
#include "refunds/timeutil.h"

struct zone {
    const char *name;
    int minutes;
};

/*
 * Abbreviations with one meaning in practice. CST is North American Central
 * (with CDT), not China; BST is British Summer Time, as in Adyen's own
 * samples. AST (Atlantic or Arabia), GST and IST have several and are refused.
 */
static const struct zone zones[] = {
    {"UTC", 0},    {"GMT", 0},     {"UT", 0},      {"Z", 0},      {"WET", 0},    {"WEST", 60},
    {"BST", 60},   {"CET", 60},    {"CEST", 120},  {"MET", 60},   {"MEST", 120}, {"EET", 120},
    {"EEST", 180}, {"MSK", 180},   {"PKT", 300},   {"ICT", 420},  {"WIB", 420},  {"SGT", 480},
    {"HKT", 480},  {"AWST", 480},  {"PHT", 480},   {"JST", 540},  {"KST", 540},  {"ACST", 570},
    {"ACDT", 630}, {"AEST", 600},  {"AEDT", 660},  {"NZST", 720}, {"NZDT", 780}, {"EST", -300},
    {"EDT", -240}, {"CST", -360},  {"CDT", -300},  {"MST", -420}, {"MDT", -360}, {"PST", -480},
    {"PDT", -420}, {"AKST", -540}, {"AKDT", -480}, {"HST", -600}, {"BRT", -180}, {"ART", -180},
    {"NST", -210}, {"NDT", -150},  {"SAST", 120},  {"WAT", 60},   {"EAT", 180},
};

static bool two_digits(const char *s, int *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

/* "+01:00", "+0100", "+01", "+1" (after an optional UTC/GMT prefix). */
static bool numeric_offset(const char *s, int *minutes)
{
    int sign, h = 0, m = 0;
    size_t n;

    if (strncmp(s, "UTC", 3) == 0 || strncmp(s, "GMT", 3) == 0)
        s += 3;
    if (*s != '+' && *s != '-')
        return false;
    sign = *s++ == '-' ? -1 : 1;
    n = strlen(s);
    if (n == 1 && s[0] >= '0' && s[0] <= '9')
        h = s[0] - '0';
    else if (n == 2 && two_digits(s, &h))
        ;
    else if (n == 4 && two_digits(s, &h) && two_digits(s + 2, &m))
        ;
    else if (n == 5 && s[2] == ':' && two_digits(s, &h) && two_digits(s + 3, &m))
        ;
    else
        return false;
    if (h > 14 || m > 59 || h * 60 + m > 14 * 60)
        return false;
    *minutes = sign * (h * 60 + m);
    return true;
}

bool rf_adyen_zone_offset(const char *zone, int *minutes)
{
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        if (strcmp(zone, zones[i].name) == 0) {
            *minutes = zones[i].minutes;
            return true;
        }
    }
    return numeric_offset(zone, minutes);
}

enum rf_code rf_adyen_columns_find(const struct rf_csv_row *header, struct rf_adyen_columns *cols,
                                   struct rf_error *err)
{
    const struct {
        const char *name;
        int *slot;
    } want[] = {
        {"Psp Reference", &cols->psp_reference},
        {"Modification Reference", &cols->modification_reference},
        {"Type", &cols->type},
        {"Creation Date", &cols->creation_date},
        {"TimeZone", &cols->timezone},
        {"Gross Currency", &cols->gross_currency},
        {"Gross Debit (GC)", &cols->gross_debit},
        {"Gross Credit (GC)", &cols->gross_credit},
    };

    cols->n = header->n;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int at = rf_csv_column(header, want[i].name);

        if (at == -1)
            return rf_fail(err, RF_INVALID_ARGUMENT,
                           "header: missing column \"%s\" (is this a Settlement details report?)",
                           want[i].name);
        if (at == -2)
            return rf_fail(err, RF_INVALID_ARGUMENT, "header: column \"%s\" appears twice",
                           want[i].name);
        *want[i].slot = at;
    }
    return RF_OK;
}

static enum rf_code bad(struct rf_error *err, const char *column_name, const char *reason)
{
    return rf_fail(err, RF_INVALID_ARGUMENT, "%s: %s", column_name, reason);
}

/* "YYYY-MM-DD HH:MM:SS" in zone, to UTC microseconds. */
static enum rf_code creation_time(const struct rf_csv_row *row, const struct rf_adyen_columns *cols,
                                  int64_t *us, struct rf_error *err)
{
    const char *date = row->fields[cols->creation_date];
    const char *zone = row->fields[cols->timezone];
    char text[40];
    int minutes;

    if (strlen(date) != 19 || date[10] != ' ')
        return bad(err, "Creation Date", "must be YYYY-MM-DD HH:MM:SS");
    snprintf(text, sizeof text, "%.10sT%sZ", date, date + 11);
    if (!rf_time_parse_rfc3339(text, us))
        return bad(err, "Creation Date", "must be YYYY-MM-DD HH:MM:SS");
    if (zone[0] == '\0')
        return bad(err, "TimeZone", "is empty");
    if (!rf_adyen_zone_offset(zone, &minutes))
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "TimeZone: unknown time zone \"%.40s\" (use UTC, an abbreviation such as "
                       "CET or an offset such as +01:00)",
                       zone);
    *us -= (int64_t)minutes * 60 * RF_USEC_PER_SEC;
    return RF_OK;
}

/* Checks and copies the text field of a column. */
static enum rf_code text(struct rf_arena *a, const struct rf_csv_row *row, int col,
                         const char *name, const char **out, struct rf_error *err)
{
    const char *why = rf_psp_text_problem(row->fields[col], RF_PSP_TEXT_MAX);

    if (why != NULL)
        return bad(err, name, why);
    *out = rf_arena_strndup(a, row->fields[col], row->lens[col]);
    return RF_OK;
}

enum rf_code rf_adyen_map(struct rf_arena *a, const struct rf_csv_row *row,
                          const struct rf_adyen_columns *cols, const struct rf_adyen_context *ctx,
                          struct rf_psp_record *out, bool *skipped, struct rf_error *err)
{
    const char *type, *currency, *amount_column, *amount_text;
    char why[96];
    int digits;
    bool reversed;

    *skipped = false;
    if (row->n != cols->n)
        return rf_fail(err, RF_INVALID_ARGUMENT, "the line has %zu fields; the header has %zu",
                       row->n, cols->n);
    type = row->fields[cols->type];
    if (type[0] == '\0')
        return bad(err, "Type", "is empty");
    reversed = strcmp(type, "RefundedReversed") == 0;
    if (!reversed && strcmp(type, "Refunded") != 0) {
        *skipped = true;
        return RF_OK;
    }
    memset(out, 0, sizeof *out);
    out->provider = ctx->provider;
    out->source = ctx->source;
    out->status = reversed ? RF_PSP_REVERSED : RF_PSP_SUCCEEDED;
    out->updated_at_us = ctx->taken_at_us + (reversed ? 1 : 0);
    out->pending_reason = out->failure_reason = out->reference = out->reference_type = "";
    out->destination_type = out->card_refund_type = "";
    out->reference_status = RF_PSP_REF_NONE;
    if (text(a, row, cols->modification_reference, "Modification Reference",
             &out->provider_refund_id, err) != RF_OK ||
        text(a, row, cols->psp_reference, "Psp Reference", &out->payment_ref, err) != RF_OK)
        return err->code;
    if (out->provider_refund_id[0] == '\0')
        return bad(err, "Modification Reference", "is empty");
    if (creation_time(row, cols, &out->created_at_us, err) != RF_OK)
        return err->code;
    currency = row->fields[cols->gross_currency];
    digits = rf_currency_digits(currency);
    if (digits < 0)
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "Gross Currency: \"%.8s\" is not an active ISO 4217 code", currency);
    memcpy(out->currency, currency, 4);
    amount_column = reversed ? "Gross Credit (GC)" : "Gross Debit (GC)";
    amount_text = row->fields[reversed ? cols->gross_credit : cols->gross_debit];
    if (amount_text[0] == '\0')
        return bad(err, amount_column,
                   reversed ? "is empty (a RefundedReversed line credits the amount)"
                            : "is empty (a Refunded line debits the amount)");
    if (!rf_amount_from_major(amount_text, digits, &out->amount_minor, why, sizeof why))
        return rf_fail(err, RF_INVALID_ARGUMENT, "%s: \"%.32s\" %s", amount_column, amount_text,
                       why);
    if (out->amount_minor == 0)
        return bad(err, amount_column, "must be more than zero");
    return RF_OK;
}
