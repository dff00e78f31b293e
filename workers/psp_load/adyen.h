/*
 * Adyen's Settlement details report (CSV) to provider records. The header
 * row is read by column name (Adyen adds and reorders columns); each line
 * of journal type Refunded or RefundedReversed becomes a record, every other
 * type (Settled, Fee, MerchantPayout, Chargeback...) is skipped. Amounts are
 * in major units and converted exactly (amount.h); Creation Date is local
 * time in the line's TimeZone. Pure: the CSV reading is csv.c's.
 */
#ifndef REFUNDS_PSP_LOAD_ADYEN_H
#define REFUNDS_PSP_LOAD_ADYEN_H

#include <stdbool.h>
#include <stdint.h>

#include "csv.h"
#include "refunds/arena.h"
#include "refunds/psp.h"
#include "refunds/status.h"

/* Where the columns that are used are (indexes into a row). */
struct rf_adyen_columns {
    size_t n; /* fields of the header, which every line must have */
    int psp_reference, modification_reference, type, creation_date, timezone;
    int gross_currency, gross_debit, gross_credit;
};

struct rf_adyen_context {
    const char *provider; /* "adyen" unless --provider */
    int64_t taken_at_us;  /* when the report was current: the records' updated_at */
    const char *source;   /* "settlement_detail_report_batch_4.csv:12" */
};

/*
 * Finds the columns in the header row. INVALID_ARGUMENT naming the column
 * ("missing column \"Type\"", "column \"Type\" appears twice") otherwise.
 */
enum rf_code rf_adyen_columns_find(const struct rf_csv_row *header, struct rf_adyen_columns *cols,
                                   struct rf_error *err);

/*
 * Maps one line. Refunded gives status succeeded and the Gross Debit (GC)
 * amount; RefundedReversed gives reversed and the Gross Credit (GC) amount,
 * stamped one microsecond after taken_at so that it wins over the Refunded
 * line of the same report. Other types set *skipped. provider_refund_id is
 * the Modification Reference, payment_ref the Psp Reference, created_at the
 * Creation Date in UTC; reference_status stays empty (the report carries no
 * references). Strings in arena a. INVALID_ARGUMENT with "<column>: <reason>"
 * otherwise.
 */
enum rf_code rf_adyen_map(struct rf_arena *a, const struct rf_csv_row *row,
                          const struct rf_adyen_columns *cols, const struct rf_adyen_context *ctx,
                          struct rf_psp_record *out, bool *skipped, struct rf_error *err);

/*
 * The UTC offset in minutes of a TimeZone value: UTC, GMT, the common fixed
 * abbreviations (CET, CEST, BST, EST, PDT, AEST, JST, SGT...), or a numeric
 * offset ("+01:00", "-0530", "UTC+1", "GMT+05:30"). False for anything else,
 * ambiguous abbreviations (IST) included.
 */
bool rf_adyen_zone_offset(const char *zone, int *minutes);

#endif
