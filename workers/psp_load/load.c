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
#include "ordered.h"
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
 * process-wide and takes no context, hence this thread-local: each parsing
 * thread points it at the item it parses. One scan at a time per process.
 */
static _Thread_local struct rf_arena *json_arena;

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

/* "name:where" in arena a: each record's source. */
static const char *source(struct rf_arena *a, const char *name, const char *where)
{
    size_t n = strlen(name), w = strlen(where);
    char *out = rf_arena_alloc(a, n + 1 + w + 1);

    memcpy(out, name, n);
    out[n] = ':';
    memcpy(out + n + 1, where, w + 1);
    return out;
}

/* Checks a mapped record: false (and the reason in message) when the layout refuses it. */
static bool check(const struct rf_psp_record *r, char *message, size_t size)
{
    const char *field, *reason;

    if (rf_psp_record_check(r, &field, &reason))
        return true;
    snprintf(message, size, "%s: %s", field, reason);
    return false;
}

/* Hands a checked record (its strings in arena a) to the sink. */
static void deliver(struct scan *s, struct rf_arena *a, const struct rf_psp_record *r)
{
    struct rf_error e;

    rf_error_clear(&e);
    if (s->sink->record(s->sink->arg, a, r, &e) != RF_OK) {
        s->stop = true;
        s->stop_code = e.code;
        *s->err = e;
        return;
    }
    s->counts->records++;
}

/*
 * Objects travel to the parsing threads in batches: handing one over costs a
 * lock and a wake-up, more than parsing a small object.
 */
#define BATCH_OBJECTS 64
#define BATCH_BYTES   (256 * 1024)

/* One object of a batch: where it is, then what parsing it came to. */
struct json_object_result {
    size_t off, len; /* in the item's text */
    long line;
    char where[32];
    enum { J_RECORD, J_SKIPPED, J_FAULT } kind;
    struct rf_psp_record record;
    char fault[RF_ERROR_MESSAGE_MAX];
};

_Static_assert(sizeof((struct json_object_result *)0)->where ==
                   sizeof((struct rf_json_item *)0)->where,
               "an item's place is copied whole");

struct json_batch {
    int n;
    struct json_object_result obj[BATCH_OBJECTS];
};

/* Parses, maps and checks one object (strings in arena a). Reads only the options. */
static void parse_object(const struct rf_load_options *o, struct rf_arena *a, const char *text,
                         struct json_object_result *res)
{
    struct rf_stripe_context sctx = {
        .provider = o->provider != NULL ? o->provider : "stripe",
        .taken_at_us = o->taken_at_us,
        .source = source(a, o->name, res->where),
    };
    struct rf_error e;
    json_error_t jerr;
    json_t *obj;
    bool skipped;

    obj = json_loadb(text, res->len, JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL) {
        res->kind = J_FAULT;
        snprintf(res->fault, sizeof res->fault, "invalid JSON on line %ld: %s",
                 res->line + (jerr.line > 0 ? jerr.line - 1 : 0), jerr.text);
        return;
    }
    rf_error_clear(&e);
    if (rf_stripe_map(a, obj, &sctx, &res->record, &skipped, &e) != RF_OK) {
        res->kind = J_FAULT;
        snprintf(res->fault, sizeof res->fault, "%s", e.message);
    } else if (skipped) {
        res->kind = J_SKIPPED;
    } else {
        res->kind = check(&res->record, res->fault, sizeof res->fault) ? J_RECORD : J_FAULT;
    }
    json_decref(obj);
}

/* The pool's work: every object of a batch. */
static void parse_batch(void *ctx, struct rf_ordered_item *it)
{
    struct json_batch *b = it->result;

    json_arena = it->arena;
    for (int i = 0; i < b->n; i++)
        parse_object(ctx, it->arena, it->text + b->obj[i].off, &b->obj[i]);
    json_arena = NULL;
}

/* Takes the results of one batch, in file order. */
static void consume(struct scan *s, struct rf_ordered_item *it)
{
    const struct json_batch *b = it->result;

    for (int i = 0; i < b->n && !s->stop; i++) {
        const struct json_object_result *res = &b->obj[i];

        s->counts->items++;
        if (res->kind == J_FAULT)
            fault(s, res->where, res->fault);
        else if (res->kind == J_SKIPPED)
            s->counts->skipped++;
        else
            deliver(s, it->arena, &res->record);
    }
}

/* Takes every batch that is ready (with wait, also the oldest one that is not). */
static void take_results(struct scan *s, struct rf_ordered *pool, bool wait)
{
    struct rf_ordered_item *it;

    while ((it = rf_ordered_next(pool, wait)) != NULL) {
        consume(s, it);
        rf_ordered_release(pool);
        wait = false;
    }
}

/*
 * The splitter runs here, parsing and mapping on the pool's threads, and the
 * results are taken back in file order: faults, sources and the spool come
 * out as with one thread.
 */
static void scan_json(struct scan *s, FILE *f)
{
    struct rf_json_stream *js = rf_json_stream_open(f, 0);
    struct rf_ordered *pool;
    struct rf_ordered_item *cur = NULL; /* the batch being filled */
    struct json_batch *b = NULL;
    struct rf_json_item item;
    struct rf_error e;
    json_malloc_t old_malloc;
    json_free_t old_free;
    enum rf_read got = RF_READ_ITEM;
    int threads = s->o->threads > 0 ? s->o->threads : 0;

    json_object_seed(0); /* before any thread: jansson sets its hash seed once */
    json_get_alloc_funcs(&old_malloc, &old_free);
    json_set_alloc_funcs(json_arena_alloc, json_arena_free);
    pool = rf_ordered_create(threads, threads > 0 ? 4 * (size_t)threads : 1,
                             sizeof(struct json_batch), parse_batch, (void *)s->o);
    rf_error_clear(&e);
    while (!s->stop) {
        take_results(s, pool, false);
        if (cur == NULL) {
            if ((cur = rf_ordered_slot(pool)) == NULL) {
                take_results(s, pool, true);
                continue;
            }
            rf_ordered_clear(cur);
            b = cur->result;
            b->n = 0;
        }
        got = rf_json_stream_next(js, &item, &e);
        if (got != RF_READ_ITEM)
            break;
        b->obj[b->n].off = rf_ordered_append(cur, item.text, item.len);
        b->obj[b->n].len = item.len;
        b->obj[b->n].line = item.line;
        memcpy(b->obj[b->n].where, item.where, sizeof b->obj[b->n].where);
        if (++b->n == BATCH_OBJECTS || cur->len >= BATCH_BYTES) {
            rf_ordered_submit(pool);
            cur = NULL;
        }
    }
    if (cur != NULL && b->n > 0 && !s->stop)
        rf_ordered_submit(pool);
    while (rf_ordered_next(pool, true) != NULL)
        take_results(s, pool, true);
    /* The splitter's fault comes after every object before it. */
    if (got == RF_READ_ERROR && !s->stop)
        reader_fault(s, item.where, &e);
    rf_ordered_destroy(pool);
    json_set_alloc_funcs(old_malloc, old_free);
    rf_json_stream_close(js);
}

/* Maps one CSV row of the file's format; *skipped for rows that are not refunds. */
static enum rf_code map_row(struct scan *s, const struct rf_csv_row *row, const char *where,
                            const void *cols, struct rf_psp_record *r, bool *skipped,
                            struct rf_error *e)
{
    const char *src = source(s->a, s->o->name, where);
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
    char where[32], message[RF_ERROR_MESSAGE_MAX];
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
        else if (!check(&r, message, sizeof message))
            fault(s, where, message);
        else
            deliver(s, s->a, &r);
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
