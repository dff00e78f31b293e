/*
 * PostgreSQL arrays in the binary wire format (array_recv's), built element
 * by element in an arena and sent as binary parameters of the reconciler's
 * bulk statements (UPDATE ... FROM unnest($2::uuid[], $3::timestamptz[], ...)).
 * Where refunds/db.h's rf_array writes the text literal, which the worker
 * formats and PostgreSQL parses back element by element (timestamps cost the
 * most), these carry each element as PostgreSQL holds it: a batch's arrays
 * cost neither side more than a copy. The element type must be the one the
 * statement casts the parameter to ($n::uuid[] takes RF_RECON_ARRAY_UUID), or
 * PostgreSQL refuses the parameter ("wrong element type"). Not for results.
 */
#ifndef REFUNDS_RECON_ARRAY_H
#define REFUNDS_RECON_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/arena.h"
#include "refunds/db.h"

/* The element types the reconciler sends. */
enum rf_recon_array_type {
    RF_RECON_ARRAY_TEXT,        /* text[]: the bytes as they are (UTF-8) */
    RF_RECON_ARRAY_INT8,        /* bigint[] */
    RF_RECON_ARRAY_INT4,        /* int[] */
    RF_RECON_ARRAY_TIMESTAMPTZ, /* timestamptz[]: microseconds since the Unix epoch */
    RF_RECON_ARRAY_UUID,        /* uuid[]: from the 36-character text form */
};

/* One array being built; initialise with rf_recon_array_init. */
struct rf_recon_array {
    struct rf_arena *arena;
    enum rf_recon_array_type type;
    unsigned char *buf; /* the header's room, then the elements */
    size_t len, cap;
    int n;
    bool has_null;
};

/*
 * Starts an empty array of type in arena a, with room for about expect
 * elements (it grows past them, leaving the smaller buffer in the arena).
 */
void rf_recon_array_init(struct rf_recon_array *arr, struct rf_arena *a,
                         enum rf_recon_array_type type, size_t expect);

/* Appends a text element; NULL appends SQL NULL. */
void rf_recon_array_text(struct rf_recon_array *arr, const char *s);

/* Appends an integer element to an INT8 or INT4 array (the value must fit an INT4's). */
void rf_recon_array_int(struct rf_recon_array *arr, long long v);

/* Appends a time in microseconds since the Unix epoch; 0 appends SQL NULL (as rf_array_time). */
void rf_recon_array_time(struct rf_recon_array *arr, int64_t us);

/*
 * Appends a UUID given in its text form ("0190c8a4-..."; dashes anywhere are
 * skipped); NULL appends SQL NULL. Aborts on text that is not 32 hex digits:
 * every UUID the reconciler sends came from PostgreSQL or rf_uuid_v7.
 */
void rf_recon_array_uuid(struct rf_recon_array *arr, const char *text);

/* Elements appended so far. */
int rf_recon_array_count(const struct rf_recon_array *arr);

/*
 * Finishes the array (it takes no more elements) and appends it to p as a
 * binary parameter; its bytes stay in the arena, which must outlive the
 * statement.
 */
void rf_recon_array_param(struct rf_params *p, struct rf_recon_array *arr);

#endif
