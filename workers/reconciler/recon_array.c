/*
 * Binary PostgreSQL arrays (see recon_array.h). The layout is array_recv's
 * (src/backend/utils/adt/arrayfuncs.c): int32 dimensions, int32 flags (1
 * when an element is NULL), the element type's OID, then per dimension its
 * length and lower bound, then each element as int32 length (-1 for NULL)
 * and the element's own binary form; every integer in network byte order.
 * An array with no element is sent with no dimension, as PostgreSQL sends
 * '{}'. The header's 20 bytes are kept at the front and written at the end,
 * once the count is known.
 */
#include <stdlib.h>
#include <string.h>

#include "recon_array.h"
#include "refunds/encode.h"

#define HEADER 20 /* ndim, flags, element OID, length, lower bound */
/* Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 00:00 UTC. */
#define PG_EPOCH_US (946684800LL * 1000000LL)

/* Element OIDs (pg_type.dat; fixed since PostgreSQL 7). */
static const uint32_t oids[] = {
    [RF_RECON_ARRAY_TEXT] = 25,          [RF_RECON_ARRAY_INT8] = 20,   [RF_RECON_ARRAY_INT4] = 23,
    [RF_RECON_ARRAY_TIMESTAMPTZ] = 1184, [RF_RECON_ARRAY_UUID] = 2950,
};

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

/* Room for need more bytes. */
static void reserve(struct rf_recon_array *arr, size_t need)
{
    unsigned char *bigger;

    if (arr->len + need <= arr->cap)
        return;
    while (arr->len + need > arr->cap)
        arr->cap *= 2;
    bigger = rf_arena_alloc(arr->arena, arr->cap);
    memcpy(bigger, arr->buf, arr->len);
    arr->buf = bigger;
}

/* Appends an element's length word and returns where its len bytes go. */
static unsigned char *element(struct rf_recon_array *arr, size_t len)
{
    unsigned char *at;

    reserve(arr, 4 + len);
    put32(arr->buf + arr->len, (uint32_t)len);
    at = arr->buf + arr->len + 4;
    arr->len += 4 + len;
    arr->n++;
    return at;
}

static void null(struct rf_recon_array *arr)
{
    reserve(arr, 4);
    put32(arr->buf + arr->len, UINT32_MAX); /* -1 */
    arr->len += 4;
    arr->n++;
    arr->has_null = true;
}

void rf_recon_array_init(struct rf_recon_array *arr, struct rf_arena *a,
                         enum rf_recon_array_type type, size_t expect)
{
    static const size_t element_bytes[] = {
        [RF_RECON_ARRAY_TEXT] = 4 + 24, [RF_RECON_ARRAY_INT8] = 4 + 8,
        [RF_RECON_ARRAY_INT4] = 4 + 4,  [RF_RECON_ARRAY_TIMESTAMPTZ] = 4 + 8,
        [RF_RECON_ARRAY_UUID] = 4 + 16,
    };

    arr->arena = a;
    arr->type = type;
    arr->cap = HEADER + (expect > 0 ? expect : 1) * element_bytes[type];
    arr->buf = rf_arena_alloc(a, arr->cap);
    arr->len = HEADER;
    arr->n = 0;
    arr->has_null = false;
}

void rf_recon_array_text(struct rf_recon_array *arr, const char *s)
{
    size_t n;

    if (s == NULL) {
        null(arr);
        return;
    }
    n = strlen(s);
    memcpy(element(arr, n), s, n);
}

void rf_recon_array_int(struct rf_recon_array *arr, long long v)
{
    if (arr->type == RF_RECON_ARRAY_INT4)
        put32(element(arr, 4), (uint32_t)(int32_t)v);
    else
        put64(element(arr, 8), (uint64_t)v);
}

void rf_recon_array_time(struct rf_recon_array *arr, int64_t us)
{
    if (us == 0)
        null(arr);
    else
        put64(element(arr, 8), (uint64_t)(us - PG_EPOCH_US));
}

void rf_recon_array_uuid(struct rf_recon_array *arr, const char *text)
{
    char digits[33];
    size_t n = 0;

    if (text == NULL) {
        null(arr);
        return;
    }
    for (const char *s = text; *s != '\0'; s++) {
        if (*s == '-')
            continue;
        if (n == 32)
            abort(); /* not a UUID: see recon_array.h */
        digits[n++] = *s;
    }
    digits[n] = '\0';
    if (!rf_hex_decode(digits, element(arr, 16), 16))
        abort();
}

int rf_recon_array_count(const struct rf_recon_array *arr)
{
    return arr->n;
}

void rf_recon_array_param(struct rf_params *p, struct rf_recon_array *arr)
{
    unsigned char *h = arr->buf;

    if (arr->n == 0) {
        /* No dimension: ndim 0, flags 0, the element type, and nothing else. */
        put32(h, 0);
        put32(h + 4, 0);
        put32(h + 8, oids[arr->type]);
        rf_param_bytea(p, h, 12);
        return;
    }
    put32(h, 1);
    put32(h + 4, arr->has_null ? 1 : 0);
    put32(h + 8, oids[arr->type]);
    put32(h + 12, (uint32_t)arr->n);
    put32(h + 16, 1);
    rf_param_bytea(p, h, arr->len);
}
