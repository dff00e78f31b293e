/*
 * Reading one provider file in one format into valid records: the streaming
 * pass that validates everything before anything is written. It drives the
 * readers (json_stream.c, csv.c) and the mappers (stripe.c, adyen.c,
 * generic.c), gives each record its source ("file:[3]", "file:12") and
 * reports each fault with its file, position and field
 * ("refunds.json:[3]: amount: must be a positive integer"). JSON objects may
 * be parsed on several threads (ordered.c); records and faults still come in
 * file order, from the calling thread. What happens to the records is the
 * caller's (main.c spools them for writer.c).
 */
#ifndef REFUNDS_PSP_LOAD_LOAD_H
#define REFUNDS_PSP_LOAD_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "refunds/arena.h"
#include "refunds/psp.h"
#include "refunds/status.h"

enum rf_load_format { RF_LOAD_STRIPE, RF_LOAD_ADYEN, RF_LOAD_GENERIC };

/* Parses "stripe", "adyen" or "generic". */
bool rf_load_format_parse(const char *s, enum rf_load_format *out);

struct rf_load_options {
    enum rf_load_format format;
    const char *provider; /* --provider, or NULL: "stripe", "adyen", or each generic row's own */
    int64_t taken_at_us;  /* when the file's data was current */
    const char *name;     /* the file's name in sources and messages */
    int max_faults;       /* faults reported before the scan gives up (0: 10) */
    int threads;          /* threads parsing JSON objects; 0: the calling thread parses */
};

struct rf_load_counts {
    long items;   /* objects or rows read (a CSV header not counted) */
    long records; /* valid records handed to the sink */
    long skipped; /* items that are not refunds (other event or journal types) */
    long faults;  /* items refused */
};

/* Where the scan's results go. */
struct rf_load_sink {
    /*
     * Called for each valid record, in file order; r's strings and arena a are
     * reset after the call. A code other than RF_OK stops the scan with it.
     */
    enum rf_code (*record)(void *arg, struct rf_arena *a, const struct rf_psp_record *r,
                           struct rf_error *err);
    /* Called for each fault with the whole message ("name:[3]: amount: ..."). */
    void (*fault)(void *arg, const char *message);
    void *arg;
};

/*
 * Reads f to its end (or to max_faults faults, or to the first fault that
 * leaves the rest unreadable: malformed CSV, a JSON layout error). RF_OK when
 * every item was valid; INVALID_ARGUMENT (err holding the first fault) when
 * any was not; the sink's code, or UNAVAILABLE for a read error, otherwise.
 */
enum rf_code rf_load_scan(FILE *f, const struct rf_load_options *o, const struct rf_load_sink *sink,
                          struct rf_load_counts *counts, struct rf_error *err);

#endif
