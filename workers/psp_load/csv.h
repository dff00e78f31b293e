/*
 * A streaming RFC 4180 CSV reader: one row at a time from a FILE, in memory
 * bounded by the longest row. Quoted fields may hold commas, doubled quotes
 * and line breaks; lines end in CRLF or LF (a lone CR too); a UTF-8 byte
 * order mark at the start is skipped; lines with nothing on them are
 * skipped. Rows may have different numbers of fields ("ragged"): the reader
 * reports how many, the caller decides. Headers are found by name
 * (rf_csv_column); what the fields mean is the mappers' business (adyen.c,
 * generic.c).
 */
#ifndef REFUNDS_PSP_LOAD_CSV_H
#define REFUNDS_PSP_LOAD_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "read.h"
#include "refunds/status.h"

/* Limits: a longer row, or one with more fields, is an error. */
#define RF_CSV_ROW_MAX    (1 << 20)
#define RF_CSV_FIELDS_MAX 1024

struct rf_csv;

/* One row; everything in it belongs to the reader and is valid until the next rf_csv_next. */
struct rf_csv_row {
    size_t n;                  /* number of fields, at least 1 */
    const char *const *fields; /* each NUL-terminated (a field with a NUL byte is an error) */
    const size_t *lens;
    long line; /* the physical line the row starts on, from 1; on error, the line of the fault */
};

/* Starts reading f (not owned: the caller closes it). Aborts when out of memory. */
struct rf_csv *rf_csv_open(FILE *f);

/* Frees the reader; NULL is a no-op. */
void rf_csv_close(struct rf_csv *c);

/*
 * Reads the next row into *row. RF_READ_END at the end of the input;
 * RF_READ_ERROR with INVALID_ARGUMENT and the reason in err (row->line says
 * where) for malformed CSV, or UNAVAILABLE when the file cannot be read.
 * After an error the reader must not be used again.
 */
enum rf_read rf_csv_next(struct rf_csv *c, struct rf_csv_row *row, struct rf_error *err);

/*
 * True when field i of row is name, spaces and tabs around it aside (which
 * spreadsheet tools add to headers).
 */
bool rf_csv_field_is(const struct rf_csv_row *row, size_t i, const char *name);

/* The index of the header's column named name (rf_csv_field_is); -1 if none, -2 if twice. */
int rf_csv_column(const struct rf_csv_row *header, const char *name);

#endif
