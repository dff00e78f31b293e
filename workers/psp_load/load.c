/*
 * The validating pass over one file (see load.h): a loop per kind of input
 * (JSON objects, CSV rows) that maps each item, checks the record and hands
 * it on, and one place that words faults. One arena per item, reset after
 * it, keeps the pass in constant memory.
 */
#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "adyen.h"
#include "csv.h"
#include "generic.h"
#include "json_stream.h"
#include "load.h"
#include "stripe.h"

#define DEFAULT_MAX_FAULTS 10

struct scan {
    const struct rf_load_options *o;
    const struct rf_load_sink *sink;
    struct rf_load_counts *counts;
    struct rf_error *err; /* the first fault, or what stopped the scan */
    struct rf_arena *a;   /* per item */
    int max_faults;
    bool stop;
    enum rf_code stop_code; /* why it stopped other than faults (RF_OK if it did not) */
};

/*
 * jansson's allocations while a JSON file is scanned come from the item's
 * arena and are freed all at once when it is reset: per-value malloc and
 * free were a fifth of the time of the pass. jansson's allocator is
 * process-wide and takes no context, hence this static (the scan is not
 * reentrant across threads; the loader has one).
 */
static struct rf_arena *json_arena;

static void *json_arena_alloc(size_t n)
{
    return rf_arena_alloc(json_arena, n);
}

static void json_arena_free(void *p)
{
    (void)p; /* freed with the arena */
}

bool rf_load_format_parse(const char *s, enum rf_load_format *out)
{
    static const char *const names[] = {
        [RF_LOAD_STRIPE] = "stripe",
        [RF_LOAD_ADYEN] = "adyen",
        [RF_LOAD_GENERIC] = "generic",
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum rf_load_format)i;
            return true;
        }
    }
    return false;
}

/* Reports a fault at where ("[3]", "12"; NULL for the file as a whole). */
static void fault(struct scan *s, const char *where, const char *message)
{
    char line[RF_ERROR_MESSAGE_MAX + 128];

    if (where != NULL)
        snprintf(line, sizeof line, "%s:%s: %s", s->o->name, where, message);
    else
        snprintf(line, sizeof line, "%s: %s", s->o->name, message);
    if (s->counts->faults++ == 0)
        rf_fail(s->err, RF_INVALID_ARGUMENT, "%s", line);
    if (s->sink->fault != NULL)
        s->sink->fault(s->sink->arg, line);
    if (s->counts->faults >= s->max_faults)
        s->stop = true;
}

/* A reader's fault: malformed input stops the scan, a read error stops it as UNAVAILABLE. */
static void reader_fault(struct scan *s, const char *where, const struct rf_error *e)
{
    fault(s, where, e->message);
    s->stop = true;
    if (e->code == RF_UNAVAILABLE) {
        s->stop_code = RF_UNAVAILABLE;
        rf_fail(s->err, RF_UNAVAILABLE, "%s: %s", s->o->name, e->message);
    }
}

/* "name:where" in the item's arena: each record's source. */
static const char *source(struct scan *s, const char *where)
{
    size_t n = strlen(s->o->name), w = strlen(where);
    char *out = rf_arena_alloc(s->a, n + 1 + w + 1);

    memcpy(out, s->o->name, n);
    out[n] = ':';
    memcpy(out + n + 1, where, w + 1);
    return out;
}

/* Checks a mapped record and hands it to the sink. */
static void deliver(struct scan *s, const struct rf_psp_record *r, const char *where)
{
    const char *field, *reason;
    char message[RF_PSP_TEXT_MAX];
    struct rf_error e;

    if (!rf_psp_record_check(r, &field, &reason)) {
        snprintf(message, sizeof message, "%s: %s", field, reason);
        fault(s, where, message);
        return;
    }
    rf_error_clear(&e);
    if (s->sink->record(s->sink->arg, s->a, r, &e) != RF_OK) {
        s->stop = true;
        s->stop_code = e.code;
        *s->err = e;
        return;
    }
    s->counts->records++;
}

static void scan_json(struct scan *s, FILE *f)
{
    struct rf_json_stream *js = rf_json_stream_open(f, 0);
    struct rf_json_item item;
    struct rf_error e;
    json_malloc_t old_malloc;
    json_free_t old_free;

    json_get_alloc_funcs(&old_malloc, &old_free);
    json_arena = s->a;
    json_set_alloc_funcs(json_arena_alloc, json_arena_free);

    while (!s->stop) {
        struct rf_stripe_context ctx = {
            .provider = s->o->provider != NULL ? s->o->provider : "stripe",
            .taken_at_us = s->o->taken_at_us,
        };
        struct rf_psp_record r;
        json_error_t jerr;
        json_t *obj;
        bool skipped;
        enum rf_read got;

        rf_arena_reset(s->a);
        rf_error_clear(&e);
        got = rf_json_stream_next(js, &item, &e);
        if (got == RF_READ_END)
            break;
        if (got == RF_READ_ERROR) {
            reader_fault(s, item.where, &e);
            break;
        }
        s->counts->items++;
        obj = json_loadb(item.text, item.len, JSON_REJECT_DUPLICATES, &jerr);
        if (obj == NULL) {
            char message[RF_ERROR_MESSAGE_MAX];

            snprintf(message, sizeof message, "invalid JSON on line %ld: %s",
                     item.line + (jerr.line > 0 ? jerr.line - 1 : 0), jerr.text);
            fault(s, item.where, message);
            continue;
        }
        ctx.source = source(s, item.where);
        if (rf_stripe_map(s->a, obj, &ctx, &r, &skipped, &e) != RF_OK)
            fault(s, item.where, e.message);
        else if (skipped)
            s->counts->skipped++;
        else
            deliver(s, &r, item.where);
        json_decref(obj);
    }
    json_set_alloc_funcs(old_malloc, old_free);
    json_arena = NULL;
    rf_json_stream_close(js);
}

/* Maps one CSV row of the file's format; *skipped for rows that are not refunds. */
static enum rf_code map_row(struct scan *s, const struct rf_csv_row *row, const char *where,
                            const void *cols, struct rf_psp_record *r, bool *skipped,
                            struct rf_error *e)
{
    const char *src = source(s, where);
    struct rf_adyen_context adyen = {
        .provider = s->o->provider != NULL ? s->o->provider : "adyen",
        .taken_at_us = s->o->taken_at_us,
        .source = src,
    };
    struct rf_generic_context generic = {.provider = s->o->provider, .source = src};

    *skipped = false;
    if (s->o->format == RF_LOAD_ADYEN)
        return rf_adyen_map(s->a, row, cols, &adyen, r, skipped, e);
    return rf_generic_map(s->a, row, cols, &generic, r, e);
}

static void scan_csv(struct scan *s, FILE *f)
{
    struct rf_csv *csv = rf_csv_open(f);
    struct rf_adyen_columns adyen;
    struct rf_generic_columns generic;
    const void *cols =
        s->o->format == RF_LOAD_ADYEN ? (const void *)&adyen : (const void *)&generic;
    struct rf_csv_row row;
    struct rf_error e;
    char where[32];
    enum rf_read got;

    rf_error_clear(&e);
    got = rf_csv_next(csv, &row, &e);
    if (got == RF_READ_END) {
        fault(s, NULL, "the file is empty: it needs a header row");
        goto out;
    }
    snprintf(where, sizeof where, "%ld", row.line);
    if (got == RF_READ_ERROR) {
        reader_fault(s, where, &e);
        goto out;
    }
    if ((s->o->format == RF_LOAD_ADYEN ? rf_adyen_columns_find(&row, &adyen, &e)
                                       : rf_generic_columns_find(&row, &generic, &e)) != RF_OK) {
        snprintf(where, sizeof where, "%ld", row.line);
        fault(s, where, e.message);
        goto out;
    }
    while (!s->stop) {
        struct rf_psp_record r;
        bool skipped;

        rf_arena_reset(s->a);
        rf_error_clear(&e);
        got = rf_csv_next(csv, &row, &e);
        snprintf(where, sizeof where, "%ld", row.line);
        if (got == RF_READ_END)
            break;
        if (got == RF_READ_ERROR) {
            reader_fault(s, where, &e);
            break;
        }
        s->counts->items++;
        if (map_row(s, &row, where, cols, &r, &skipped, &e) != RF_OK)
            fault(s, where, e.message);
        else if (skipped)
            s->counts->skipped++;
        else
            deliver(s, &r, where);
    }
out:
    rf_csv_close(csv);
}

enum rf_code rf_load_scan(FILE *f, const struct rf_load_options *o, const struct rf_load_sink *sink,
                          struct rf_load_counts *counts, struct rf_error *err)
{
    struct scan s = {
        .o = o,
        .sink = sink,
        .counts = counts,
        .err = err,
        .a = rf_arena_create(64 * 1024),
        .max_faults = o->max_faults > 0 ? o->max_faults : DEFAULT_MAX_FAULTS,
    };

    memset(counts, 0, sizeof *counts);
    if (o->format == RF_LOAD_STRIPE)
        scan_json(&s, f);
    else
        scan_csv(&s, f);
    rf_arena_destroy(s.a);
    if (s.stop_code != RF_OK)
        return s.stop_code;
    return counts->faults > 0 ? RF_INVALID_ARGUMENT : RF_OK;
}
