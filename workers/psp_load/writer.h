/*
 * Writes provider records into the Redis cache (layout: refunds/psp.h,
 * docs/provider-cache.md) with the newer-wins rule, atomically per record:
 * Lua script calls of up to `per_call` records each, applied one after the
 * other in the script, sent as EVALSHA in pipelines of about `batch`
 * records per round trip. Then the snapshot hash, whose taken_at only moves
 * forward. The only file of the loader that talks to Redis; parsing and
 * validation happen before anything reaches it.
 */
#ifndef REFUNDS_PSP_LOAD_WRITER_H
#define REFUNDS_PSP_LOAD_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "refunds/arena.h"
#include "refunds/cache.h"
#include "refunds/psp.h"
#include "refunds/status.h"

/* What the record script did, per call. */
struct rf_psp_writer_stats {
    long written;   /* the record was new or newer than the stored one */
    long unchanged; /* the stored record has the same updated_at: nothing written */
    long older;     /* the stored record is newer: nothing written */
};

struct rf_psp_writer;

/* The most records one script call carries. */
#define RF_PSP_WRITER_CALL_MAX 1000

/*
 * A writer on c (not owned) sending script calls of per_call records (0:
 * 100; at most RF_PSP_WRITER_CALL_MAX), about batch records (0: 1000) per
 * round trip. Free with rf_psp_writer_destroy.
 */
struct rf_psp_writer *rf_psp_writer_create(struct rf_cache *c, size_t batch, size_t per_call);

/* Frees the writer; what was added and not flushed is dropped. NULL is a no-op. */
void rf_psp_writer_destroy(struct rf_psp_writer *w);

/*
 * Builds one record's keys and arguments for the record script, for r
 * (which must pass rf_psp_record_check) in arena a: the record's key, its
 * day index's key, its id, created_at in Unix seconds, then the values of
 * the hash fields in rf_psp_field_names order. *argv and *argvlen get the
 * list, the return value its length.
 */
int rf_psp_writer_args(struct rf_arena *a, const struct rf_psp_record *r, const char ***argv,
                       size_t **argvlen);

/*
 * One record's share of a script call, as the bytes Redis reads (RESP bulk
 * strings): its two keys, and its arguments. A call lists the keys of all
 * its records, then their arguments, so the two travel apart.
 */
struct rf_psp_writer_record {
    const char *keys;
    size_t keys_len;
    const char *args;
    size_t args_len;
};

/*
 * Formats r (rf_psp_writer_args) into *out, the bytes in arena a: what
 * rf_psp_writer_add takes, so that a record can be formatted early (and
 * spooled) and sent later with no more work than copying it.
 */
void rf_psp_writer_encode(struct rf_arena *a, const struct rf_psp_record *r,
                          struct rf_psp_writer_record *out);

/*
 * The script call (EVALSHA) for the n records recs, in that order, as the
 * bytes Redis reads, in arena a; *len gets their length.
 */
const char *rf_psp_writer_call(struct rf_arena *a, size_t n,
                               const struct rf_psp_writer_record *recs, size_t *len);

/*
 * Queues one record (from rf_psp_writer_encode; copied): it goes out in a
 * call once per_call records are queued, and the batch is sent once it
 * holds batch records. Errors as rf_psp_writer_flush.
 */
enum rf_code rf_psp_writer_add(struct rf_psp_writer *w, const struct rf_psp_writer_record *rec,
                               struct rf_error *err);

/*
 * Sends what is queued and counts the results. UNAVAILABLE when Redis cannot
 * be reached (some calls of the batch may have run: each is whole, and
 * sending them again changes nothing); INTERNAL when Redis refuses a call
 * (the first refusal is in err->detail): Redis refuses a script for lack of
 * memory before its first write, so such a call has written nothing; one that
 * fails later (a key of the wrong type) keeps what it wrote before the
 * failure, as one call per record did.
 */
enum rf_code rf_psp_writer_flush(struct rf_psp_writer *w, struct rf_error *err);

/*
 * Flushes, then records a load of provider's data: taken_at (kept if the
 * stored one is later), loaded_at, and records, the number of records of the
 * load. *moved (may be NULL) says whether taken_at was set to this one.
 */
enum rf_code rf_psp_writer_snapshot(struct rf_psp_writer *w, const char *provider,
                                    int64_t taken_at_us, int64_t loaded_at_us, long records,
                                    bool *moved, struct rf_error *err);

/* The counts so far. */
const struct rf_psp_writer_stats *rf_psp_writer_stats(const struct rf_psp_writer *w);

#endif
