/*
 * Writes provider records into the Redis cache (layout: refunds/psp.h,
 * docs/provider-cache.md) with the newer-wins rule, atomically per record:
 * one Lua script call per record, sent as EVALSHA in pipelines of `batch`
 * calls per round trip. Then the snapshot hash, whose taken_at only moves
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

/* A writer on c (not owned) sending batch calls per round trip. Free with rf_psp_writer_destroy. */
struct rf_psp_writer *rf_psp_writer_create(struct rf_cache *c, size_t batch);

/* Frees the writer; what was added and not flushed is dropped. NULL is a no-op. */
void rf_psp_writer_destroy(struct rf_psp_writer *w);

/*
 * Builds the record script's keys and arguments for r (which must pass
 * rf_psp_record_check) in arena a: the record's key, its day index's key,
 * its id, created_at in Unix seconds, then the values of the hash fields in
 * rf_psp_field_names order. *argv and *argvlen get the list, the return
 * value its length.
 */
int rf_psp_writer_args(struct rf_arena *a, const struct rf_psp_record *r, const char ***argv,
                       size_t **argvlen);

/*
 * The record script's call for r as the bytes Redis reads (EVALSHA with
 * rf_psp_writer_args), in arena a; *len gets their length. What
 * rf_psp_writer_add takes, so that a command can be built early (and
 * spooled) and sent later with no more work.
 */
const char *rf_psp_writer_command(struct rf_arena *a, const struct rf_psp_record *r, size_t *len);

/*
 * Queues one record's command (from rf_psp_writer_command; copied) and sends
 * the batch when it is full. Errors as rf_psp_writer_flush.
 */
enum rf_code rf_psp_writer_add(struct rf_psp_writer *w, const char *command, size_t len,
                               struct rf_error *err);

/*
 * Sends what is queued and counts the results. UNAVAILABLE when Redis cannot
 * be reached (some calls of the batch may have run: each is whole, and
 * sending them again changes nothing); INTERNAL when Redis refuses a call
 * (the first refusal is in err->detail).
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
