/*
 * The generic provider CSV (docs/provider-cache.md), for every provider that
 * has no mapper of its own: a header row of our column names, then one
 * refund per row, already in our terms (status names, minor units, RFC 3339
 * times). Columns are found by name in any order; an unknown column is an
 * error, so that a misspelt optional column is not silently dropped. Pure:
 * the CSV reading is csv.c's.
 */
#ifndef REFUNDS_PSP_LOAD_GENERIC_H
#define REFUNDS_PSP_LOAD_GENERIC_H

#include "csv.h"
#include "refunds/arena.h"
#include "refunds/psp.h"
#include "refunds/status.h"

enum rf_generic_column {
    RF_GEN_PROVIDER,
    RF_GEN_PROVIDER_REFUND_ID,
    RF_GEN_PAYMENT_REF,
    RF_GEN_STATUS,
    RF_GEN_AMOUNT_MINOR,
    RF_GEN_CURRENCY,
    RF_GEN_REFERENCE,
    RF_GEN_REFERENCE_TYPE,
    RF_GEN_REFERENCE_STATUS,
    RF_GEN_CREATED_AT,
    RF_GEN_UPDATED_AT,
    RF_GEN_PENDING_REASON, /* optional from here on */
    RF_GEN_FAILURE_REASON,
    RF_GEN_COLUMNS,
};

/* Where each column is; -1 for an optional column the file does not have. */
struct rf_generic_columns {
    size_t n; /* fields of the header, which every row must have */
    int at[RF_GEN_COLUMNS];
};

struct rf_generic_context {
    const char *provider; /* --provider: replaces every row's provider; NULL to keep them */
    const char *source;   /* "other-psp.csv:7" */
};

/*
 * Finds the columns in the header row: INVALID_ARGUMENT naming a missing,
 * repeated or unknown column otherwise.
 */
enum rf_code rf_generic_columns_find(const struct rf_csv_row *header,
                                     struct rf_generic_columns *cols, struct rf_error *err);

/*
 * Maps one row into *out (strings in arena a). INVALID_ARGUMENT with
 * "<column>: <reason>" when a value is not what the format says.
 */
enum rf_code rf_generic_map(struct rf_arena *a, const struct rf_csv_row *row,
                            const struct rf_generic_columns *cols,
                            const struct rf_generic_context *ctx, struct rf_psp_record *out,
                            struct rf_error *err);

#endif
