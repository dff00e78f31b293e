/*
 * refunds-psp-load: loads payment providers' refund records into the Redis
 * cache the reconciler reads (docs/provider-cache.md).
 *
 *   refunds-psp-load --format stripe|adyen|generic [--provider NAME]
 *                    [--taken-at RFC3339] FILE...        ("-" reads stdin)
 *
 * Each file is loaded on its own, in two passes: the first reads and
 * validates all of it (load.c) and spools each record's keys and script
 * arguments as the bytes Redis reads (spool.c); only when every item is
 * valid does the second send them, many records to a script call
 * (writer.c), then the provider's snapshot. So nothing of a bad file is
 * written. This file holds the options, the per-file steps and the report.
 * Environment: REFUNDS_REDIS_URL (redis://127.0.0.1:6379),
 * REFUNDS_REDIS_CONNECT_TIMEOUT_MS (2000), REFUNDS_REDIS_TIMEOUT_MS (10000),
 * REFUNDS_PSP_LOAD_BATCH (1000 records per round trip),
 * REFUNDS_PSP_LOAD_CALL_RECORDS (100 records per script call), REFUNDS_PSP_LOAD_THREADS
 * (threads parsing JSON; the number of CPUs), REFUNDS_LOG_LEVEL.
 * JSON log lines go to stdout, faults and the human summary to stderr.
 * Exit status: 0 every file loaded, 1 a file failed, 2 a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load.h"
#include "refunds/cache.h"
#include "refunds/config.h"
#include "refunds/log.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"
#include "spool.h"
#include "writer.h"

#define EXIT_FILE_FAILED 1
#define EXIT_USAGE       2
#define PROVIDERS_MAX    64
#define NAME_MAX_BYTES   200

struct options {
    enum rf_load_format format;
    const char *format_name;
    const char *provider;
    int64_t taken_at_us; /* 0: each file's modification time */
    int threads;         /* threads parsing JSON objects */
};

struct provider_count {
    char name[RF_PSP_PROVIDER_MAX + 1];
    long records;
};

/* One file's load: the spool of its commands and its records per provider. */
struct job {
    struct rf_spool *spool;
    struct provider_count providers[PROVIDERS_MAX];
    int n_providers;
};

struct totals {
    int files, failed;
    long items, records;
    double seconds;
};

static const char usage_text[] =
    "usage: refunds-psp-load --format stripe|adyen|generic [--provider NAME]\n"
    "                        [--taken-at RFC3339] FILE...\n"
    "\n"
    "Loads provider refund records into the Redis cache (docs/provider-cache.md).\n"
    "  --format      stripe: refund objects (a list envelope, an array, or events one per line);\n"
    "                adyen: the Settlement details report (CSV); generic: our CSV\n"
    "  --provider    the provider's name in the cache (default: stripe, adyen, or each\n"
    "                generic row's own)\n"
    "  --taken-at    when the files' data was current (default: each file's modification time)\n"
    "  FILE          a file to load; - reads standard input\n"
    "Redis: REFUNDS_REDIS_URL (default redis://127.0.0.1:6379).\n"
    "Exit status: 0 loaded, 1 a file failed (nothing of it written if it was invalid), 2 usage.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("refunds-psp-load: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'refunds-psp-load --help'.\n", stderr);
    return EXIT_USAGE;
}

/* The file's name for sources and messages: its last component, control characters replaced. */
static void display_name(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = 0;

    if (strcmp(path, "-") == 0)
        path = "stdin";
    else if (slash != NULL && slash[1] != '\0')
        path = slash + 1;
    for (; *path != '\0' && n + 1 < size; path++) {
        unsigned char c = (unsigned char)*path;

        out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[n] = '\0';
    if (!rf_utf8_valid(out, n)) {
        for (size_t i = 0; i < n; i++)
            out[i] = (unsigned char)out[i] >= 0x80 ? '?' : out[i];
    }
}

static enum rf_code on_record(void *arg, struct rf_arena *a, const struct rf_psp_record *r,
                              struct rf_error *err)
{
    struct job *job = arg;
    struct provider_count *p = NULL;
    struct rf_psp_writer_record rec;

    for (int i = 0; i < job->n_providers && p == NULL; i++) {
        if (strcmp(job->providers[i].name, r->provider) == 0)
            p = &job->providers[i];
    }
    if (p == NULL) {
        if (job->n_providers == PROVIDERS_MAX)
            return rf_fail(err, RF_INVALID_ARGUMENT, "more than %d providers in one file",
                           PROVIDERS_MAX);
        p = &job->providers[job->n_providers++];
        snprintf(p->name, sizeof p->name, "%s", r->provider);
        p->records = 0;
    }
    p->records++;
    rf_psp_writer_encode(a, r, &rec);
    return rf_spool_put(job->spool, 2, (const char *const[]){rec.keys, rec.args},
                        (const size_t[]){rec.keys_len, rec.args_len}, err);
}

static void on_fault(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "refunds-psp-load: %s\n", message);
}

/* Sends the spooled commands, then each provider's snapshot. */
static enum rf_code write_job(struct rf_psp_writer *w, struct job *job, int64_t taken_at_us,
                              struct rf_error *err)
{
    struct rf_arena *a = rf_arena_create(16 * 1024);
    enum rf_code code = rf_spool_rewind(job->spool, err);

    while (code == RF_OK) {
        const char **argv;
        size_t *argvlen;
        int argc;
        enum rf_read got;

        rf_arena_reset(a);
        got = rf_spool_get(job->spool, a, &argc, &argv, &argvlen, err);
        if (got == RF_READ_END)
            break;
        if (got == RF_READ_ITEM && argc != 2) {
            code = rf_fail(err, RF_DATA_LOSS, "the temporary spool file is damaged");
        } else if (got == RF_READ_ITEM) {
            struct rf_psp_writer_record rec = {
                .keys = argv[0], .keys_len = argvlen[0], .args = argv[1], .args_len = argvlen[1]};

            code = rf_psp_writer_add(w, &rec, err);
        } else {
            code = err->code;
        }
    }
    if (code == RF_OK)
        code = rf_psp_writer_flush(w, err);
    for (int i = 0; code == RF_OK && i < job->n_providers; i++)
        code = rf_psp_writer_snapshot(w, job->providers[i].name, taken_at_us, rf_now_us(),
                                      job->providers[i].records, NULL, err);
    rf_arena_destroy(a);
    return code;
}

static void log_failure(const char *name, const struct rf_error *err, long written)
{
    struct rf_logline l;

    rf_log_begin(&l, RF_LOG_ERROR, "file_failed");
    rf_log_str(&l, "file", name);
    rf_log_str(&l, "code", rf_code_name(err->code));
    rf_log_str(&l, "error", err->message);
    if (err->detail[0] != '\0')
        rf_log_str(&l, "detail", err->detail);
    rf_log_int(&l, "written", written);
    rf_log_end(&l);
}

/* Reports a loaded file; scan_s and write_s are the times of its two passes. */
static void report(const char *name, const struct options *o, const struct rf_load_counts *c,
                   const struct rf_psp_writer_stats *d, size_t spool_bytes, double seconds,
                   double scan_s, double write_s)
{
    double rate = seconds > 0 ? (double)c->items / seconds : 0;
    struct rf_logline l;

    fprintf(stderr,
            "refunds-psp-load: %s: %ld records (%ld items, %ld skipped): %ld written, %ld "
            "unchanged, %ld older; %.2f s (validating %.2f s, writing %.2f s), %.0f rows/s\n",
            name, c->records, c->items, c->skipped, d->written, d->unchanged, d->older, seconds,
            scan_s, write_s, rate);
    rf_log_begin(&l, RF_LOG_INFO, "file_loaded");
    rf_log_str(&l, "file", name);
    rf_log_str(&l, "format", o->format_name);
    rf_log_int(&l, "items", c->items);
    rf_log_int(&l, "records", c->records);
    rf_log_int(&l, "skipped", c->skipped);
    rf_log_int(&l, "written", d->written);
    rf_log_int(&l, "unchanged", d->unchanged);
    rf_log_int(&l, "older", d->older);
    rf_log_int(&l, "spool_bytes", (long long)spool_bytes);
    rf_log_ms(&l, "elapsed_ms", seconds * 1000.0);
    rf_log_ms(&l, "validate_ms", scan_s * 1000.0);
    rf_log_ms(&l, "write_ms", write_s * 1000.0);
    rf_log_int(&l, "rows_per_s", (long long)rate);
    rf_log_end(&l);
}

/* Loads one file; false when it failed (the reason already printed and logged). */
static bool load_file(const char *path, const struct options *o, struct rf_psp_writer *w,
                      struct totals *t)
{
    char name[NAME_MAX_BYTES];
    struct rf_load_options lo = {
        .format = o->format, .provider = o->provider, .name = name, .threads = o->threads};
    struct rf_load_sink sink = {.record = on_record, .fault = on_fault};
    struct rf_psp_writer_stats before = *rf_psp_writer_stats(w), d;
    struct rf_load_counts counts = {0};
    struct job *job = calloc(1, sizeof *job);
    int64_t start = rf_monotonic_us(), scanned = start;
    struct rf_error err;
    struct stat st;
    bool is_stdin = strcmp(path, "-") == 0, ok = false;
    FILE *f;

    if (job == NULL)
        abort();
    rf_error_clear(&err);
    display_name(path, name, sizeof name);
    sink.arg = job;
    f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        rf_fail(&err, RF_NOT_FOUND, "could not open %s: %s", path, strerror(errno));
        fprintf(stderr, "refunds-psp-load: %s\n", err.message);
        log_failure(name, &err, 0);
        goto out;
    }
    lo.taken_at_us = o->taken_at_us;
    if (lo.taken_at_us == 0) {
        if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
            lo.taken_at_us =
                (int64_t)st.st_mtim.tv_sec * RF_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
        else
            lo.taken_at_us = rf_now_us(); /* a pipe: its data is current now */
    }
    if ((job->spool = rf_spool_create(&err)) == NULL) {
        fprintf(stderr, "refunds-psp-load: %s: %s\n", name, err.message);
        log_failure(name, &err, 0);
        goto out;
    }
    /* Providers of the format are snapshotted even when the file holds no refund. */
    if (o->format != RF_LOAD_GENERIC || o->provider != NULL) {
        snprintf(job->providers[0].name, sizeof job->providers[0].name, "%s",
                 o->provider != NULL ? o->provider
                                     : (o->format == RF_LOAD_STRIPE ? "stripe" : "adyen"));
        job->n_providers = 1;
    }
    if (rf_load_scan(f, &lo, &sink, &counts, &err) != RF_OK) {
        if (err.code == RF_INVALID_ARGUMENT)
            fprintf(stderr,
                    "refunds-psp-load: %s: not loaded: %ld fault%s in %ld items read%s; nothing "
                    "of it was written\n",
                    name, counts.faults, counts.faults == 1 ? "" : "s", counts.items,
                    counts.faults >= 10 ? " (reading stopped at 10)" : "");
        else
            fprintf(stderr, "refunds-psp-load: %s: %s; nothing of it was written\n", name,
                    err.message);
        log_failure(name, &err, 0);
        goto out;
    }
    scanned = rf_monotonic_us();
    if (write_job(w, job, lo.taken_at_us, &err) != RF_OK) {
        long written = rf_psp_writer_stats(w)->written - before.written;

        fprintf(stderr,
                "refunds-psp-load: %s: %s (%s); %ld records were written, each whole, and the "
                "snapshot was not: load the file again to complete it\n",
                name, err.message, err.detail, written);
        log_failure(name, &err, written);
        goto out;
    }
    d = *rf_psp_writer_stats(w);
    d.written -= before.written;
    d.unchanged -= before.unchanged;
    d.older -= before.older;
    report(name, o, &counts, &d, rf_spool_size(job->spool),
           (double)(rf_monotonic_us() - start) / 1e6, (double)(scanned - start) / 1e6,
           (double)(rf_monotonic_us() - scanned) / 1e6);
    ok = true;
out:
    t->files++;
    t->failed += !ok;
    t->items += counts.items;
    t->records += ok ? counts.records : 0;
    t->seconds += (double)(rf_monotonic_us() - start) / 1e6;
    if (f != NULL && !is_stdin)
        fclose(f);
    rf_spool_destroy(job->spool);
    free(job);
    return ok;
}

/* Parses the command line into *o; returns the index of the first file, or -1 (usage printed). */
static int parse_args(int argc, char **argv, struct options *o, int *exit_code)
{
    static const struct option longs[] = {
        {"format", required_argument, NULL, 'f'},
        {"provider", required_argument, NULL, 'p'},
        {"taken-at", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:p:t:h", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!rf_load_format_parse(optarg, &o->format)) {
                *exit_code =
                    usage_error("--format must be stripe, adyen or generic, not \"%s\"", optarg);
                return -1;
            }
            o->format_name = optarg;
            break;
        case 'p':
            if (!rf_slug_valid(optarg, RF_PSP_PROVIDER_MAX)) {
                *exit_code = usage_error("--provider must be 1 to 32 characters of a-z, 0-9, '_' "
                                         "and '-', not \"%s\"",
                                         optarg);
                return -1;
            }
            o->provider = optarg;
            break;
        case 't':
            if (!rf_time_parse_rfc3339(optarg, &o->taken_at_us) || o->taken_at_us <= 0) {
                *exit_code = usage_error(
                    "--taken-at must be an RFC 3339 time such as 2026-11-22T10:00:00Z, not \"%s\"",
                    optarg);
                return -1;
            }
            break;
        case 'h':
            fputs(usage_text, stdout);
            *exit_code = 0;
            return -1;
        case ':':
            *exit_code = usage_error("%s needs a value", argv[optind - 1]);
            return -1;
        default:
            *exit_code = usage_error("unknown option %s", argv[optind - 1]);
            return -1;
        }
    }
    if (o->format_name == NULL) {
        *exit_code = usage_error("--format is required");
        return -1;
    }
    if (optind == argc) {
        *exit_code = usage_error("no file to load (use - for standard input)");
        return -1;
    }
    return optind;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    struct totals t = {0};
    struct rf_error err;
    struct rf_cache *cache;
    struct rf_psp_writer *w;
    struct rf_logline l;
    long long connect_ms, timeout_ms, batch, per_call, threads;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    enum rf_log_level level;
    int first, code = 0;

    /*
     * The parsing threads' arenas free and take back the same megabytes for
     * every batch of objects: with glibc's defaults each round trip went to
     * the kernel (trimmed heap tops, page faults, zeroed pages).
     */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    rf_error_clear(&err);
    if ((first = parse_args(argc, argv, &o, &code)) < 0)
        return code;
    if (!rf_log_level_parse(rf_env_str("REFUNDS_LOG_LEVEL", "info"), &level))
        return usage_error("REFUNDS_LOG_LEVEL must be debug, info, warn or error");
    rf_log_init("refunds-psp-load", level);
    if (rf_env_int("REFUNDS_REDIS_CONNECT_TIMEOUT_MS", 2000, 1, 600000, &connect_ms, &err) ||
        rf_env_int("REFUNDS_REDIS_TIMEOUT_MS", 10000, 1, 3600000, &timeout_ms, &err) ||
        rf_env_int("REFUNDS_PSP_LOAD_BATCH", 1000, 1, 100000, &batch, &err) ||
        rf_env_int("REFUNDS_PSP_LOAD_CALL_RECORDS", 100, 1, RF_PSP_WRITER_CALL_MAX, &per_call,
                   &err) ||
        rf_env_int("REFUNDS_PSP_LOAD_THREADS", cpus > 1 ? (cpus < 16 ? cpus : 16) : 0, 0, 64,
                   &threads, &err))
        return usage_error("%s", err.message);
    o.threads = (int)threads;
    cache = rf_cache_create(rf_env_str("REFUNDS_REDIS_URL", "redis://127.0.0.1:6379"),
                            (int)connect_ms, (int)timeout_ms, &err);
    if (cache == NULL)
        return usage_error("REFUNDS_REDIS_URL: %s", err.message);
    w = rf_psp_writer_create(cache, (size_t)batch, (size_t)per_call);
    for (int i = first; i < argc; i++)
        load_file(argv[i], &o, w, &t);
    fprintf(stderr,
            "refunds-psp-load: total: %d file%s, %d failed: %ld records; %.2f s, %.0f rows/s\n",
            t.files, t.files == 1 ? "" : "s", t.failed, t.records, t.seconds,
            t.seconds > 0 ? (double)t.items / t.seconds : 0);
    rf_log_begin(&l, t.failed ? RF_LOG_WARN : RF_LOG_INFO, "load_done");
    rf_log_int(&l, "files", t.files);
    rf_log_int(&l, "failed", t.failed);
    rf_log_int(&l, "records", t.records);
    rf_log_ms(&l, "elapsed_ms", t.seconds * 1000.0);
    rf_log_int(&l, "rows_per_s", t.seconds > 0 ? (long long)((double)t.items / t.seconds) : 0);
    rf_log_end(&l);
    rf_psp_writer_destroy(w);
    rf_cache_destroy(cache);
    return t.failed ? EXIT_FILE_FAILED : 0;
}
