/*
 * The generic CSV mapper (see generic.h): the column table, then each value
 * parsed with the shared parsers (status names from refunds/psp.h, times
 * from refunds/timeutil.h) and the record checked by rf_psp_record_check,
 * whose field names are the column names.
 */
#include <string.h>

#include "generic.h"
#include "refunds/money.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

static const char *const names[RF_GEN_COLUMNS] = {
    [RF_GEN_PROVIDER] = "provider",
    [RF_GEN_PROVIDER_REFUND_ID] = "provider_refund_id",
    [RF_GEN_PAYMENT_REF] = "payment_ref",
    [RF_GEN_STATUS] = "status",
    [RF_GEN_AMOUNT_MINOR] = "amount_minor",
    [RF_GEN_CURRENCY] = "currency",
    [RF_GEN_REFERENCE] = "reference",
    [RF_GEN_REFERENCE_TYPE] = "reference_type",
    [RF_GEN_REFERENCE_STATUS] = "reference_status",
    [RF_GEN_CREATED_AT] = "created_at",
    [RF_GEN_UPDATED_AT] = "updated_at",
    [RF_GEN_PENDING_REASON] = "pending_reason",
    [RF_GEN_FAILURE_REASON] = "failure_reason",
};

enum rf_code rf_generic_columns_find(const struct rf_csv_row *header,
                                     struct rf_generic_columns *cols, struct rf_error *err)
{
    cols->n = header->n;
    for (int i = 0; i < RF_GEN_COLUMNS; i++) {
        cols->at[i] = rf_csv_column(header, names[i]);
        if (cols->at[i] == -2)
            return rf_fail(err, RF_INVALID_ARGUMENT, "header: column \"%s\" appears twice",
                           names[i]);
        if (cols->at[i] == -1 && i < RF_GEN_PENDING_REASON)
            return rf_fail(err, RF_INVALID_ARGUMENT, "header: missing column \"%s\"", names[i]);
    }
    for (size_t f = 0; f < header->n; f++) {
        bool known = false;

        for (int i = 0; i < RF_GEN_COLUMNS && !known; i++)
            known = cols->at[i] == (int)f;
        if (!known)
            return rf_fail(err, RF_INVALID_ARGUMENT,
                           "header: unknown column \"%.64s\" (the generic format's columns are in "
                           "docs/provider-cache.md)",
                           header->fields[f]);
    }
    return RF_OK;
}

static enum rf_code bad(struct rf_error *err, enum rf_generic_column c, const char *reason)
{
    return rf_fail(err, RF_INVALID_ARGUMENT, "%s: %s", names[c], reason);
}

/* The value of column c, copied into the arena; "" for an optional column the file lacks. */
static const char *value(struct rf_arena *a, const struct rf_csv_row *row,
                         const struct rf_generic_columns *cols, enum rf_generic_column c)
{
    if (cols->at[c] < 0)
        return "";
    return rf_arena_strndup(a, row->fields[cols->at[c]], row->lens[cols->at[c]]);
}

static bool minor_units(const char *s, int64_t *out)
{
    int64_t x = 0;

    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || x > RF_MONEY_MAX_MINOR)
            return false;
        x = x * 10 + (*s - '0');
    }
    *out = x;
    return true;
}

enum rf_code rf_generic_map(struct rf_arena *a, const struct rf_csv_row *row,
                            const struct rf_generic_columns *cols,
                            const struct rf_generic_context *ctx, struct rf_psp_record *out,
                            struct rf_error *err)
{
    const char *field, *reason;

    if (row->n != cols->n)
        return rf_fail(err, RF_INVALID_ARGUMENT, "the row has %zu fields; the header has %zu",
                       row->n, cols->n);
    memset(out, 0, sizeof *out);
    out->provider = ctx->provider != NULL ? ctx->provider : value(a, row, cols, RF_GEN_PROVIDER);
    out->provider_refund_id = value(a, row, cols, RF_GEN_PROVIDER_REFUND_ID);
    out->payment_ref = value(a, row, cols, RF_GEN_PAYMENT_REF);
    out->reference = value(a, row, cols, RF_GEN_REFERENCE);
    out->reference_type = value(a, row, cols, RF_GEN_REFERENCE_TYPE);
    out->pending_reason = value(a, row, cols, RF_GEN_PENDING_REASON);
    out->failure_reason = value(a, row, cols, RF_GEN_FAILURE_REASON);
    out->destination_type = out->card_refund_type = "";
    out->source = ctx->source;
    if (!rf_slug_valid(out->provider, RF_PSP_PROVIDER_MAX))
        return bad(err, RF_GEN_PROVIDER, "must be 1 to 32 characters of a-z, 0-9, '_' and '-'");
    if (!rf_psp_status_parse(value(a, row, cols, RF_GEN_STATUS), &out->status))
        return bad(err, RF_GEN_STATUS,
                   "must be one of pending, requires_action, succeeded, failed, canceled, "
                   "reversed, not_cleared");
    if (!minor_units(value(a, row, cols, RF_GEN_AMOUNT_MINOR), &out->amount_minor) ||
        out->amount_minor == 0)
        return bad(err, RF_GEN_AMOUNT_MINOR, "must be a positive integer of minor units");
    if (row->lens[cols->at[RF_GEN_CURRENCY]] != 3)
        return bad(err, RF_GEN_CURRENCY, "must be an ISO 4217 code in upper case");
    memcpy(out->currency, row->fields[cols->at[RF_GEN_CURRENCY]], 4);
    if (!rf_psp_ref_status_parse(value(a, row, cols, RF_GEN_REFERENCE_STATUS),
                                 &out->reference_status))
        return bad(err, RF_GEN_REFERENCE_STATUS,
                   "must be pending, available, unavailable or empty");
    if (!rf_time_parse_rfc3339(value(a, row, cols, RF_GEN_CREATED_AT), &out->created_at_us))
        return bad(err, RF_GEN_CREATED_AT, "must be an RFC 3339 time (2026-11-22T10:00:00Z)");
    if (!rf_time_parse_rfc3339(value(a, row, cols, RF_GEN_UPDATED_AT), &out->updated_at_us))
        return bad(err, RF_GEN_UPDATED_AT, "must be an RFC 3339 time (2026-11-22T10:00:00Z)");
    if (!rf_psp_record_check(out, &field, &reason))
        return rf_fail(err, RF_INVALID_ARGUMENT, "%s: %s", field, reason);
    return RF_OK;
}
