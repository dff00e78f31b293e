/*
 * The Redis writer (see writer.h): the two Lua scripts and the batching of
 * their calls. The scripts are the newer-wins rule of docs/provider-cache.md
 * and run inside Redis, so that two loaders (or a loader and a webhook
 * ingester) writing the same refund cannot interleave between the compare
 * and the write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refunds/timeutil.h"
#include "writer.h"

/*
 * a < b for two times in the hash's fixed-width form. Compared byte by
 * byte: Lua's `<` on strings follows the server's collation locale.
 */
#define LUA_BEFORE                                                                                 \
    "local function before(a, b)\n"                                                                \
    "  for i = 1, math.max(#a, #b) do\n"                                                           \
    "    local x, y = string.byte(a, i) or -1, string.byte(b, i) or -1\n"                          \
    "    if x ~= y then return x < y end\n"                                                        \
    "  end\n"                                                                                      \
    "  return false\n"                                                                             \
    "end\n"

/*
 * One record. KEYS[1] its hash, KEYS[2] the day index of its created_at;
 * ARGV[1] the refund id, ARGV[2] created_at in Unix seconds, then the values
 * of the fields in rf_psp_field_names order (the names are the script's own:
 * sending them with every call cost Redis a tenth of its time). Returns 1
 * written, 0 same updated_at stored, -1 newer stored. A stored success is
 * never forgotten: succeeded_at is kept, and a failure reported after it
 * means the money bounced back (reversed). Built once from
 * rf_psp_field_names (build_record_script), so the two cannot disagree;
 * the %d of the head are the ARGV places of the values the rule reads.
 */
static const char record_head[] =
    "-- refunds-psp-load: one provider record, newer wins (docs/provider-cache.md)\n" LUA_BEFORE
    "local s = redis.call('HMGET', KEYS[1], 'updated_at', 'status', 'succeeded_at', "
    "'created_at')\n"
    "local status, created, updated, succeeded = ARGV[%d], ARGV[%d], ARGV[%d], ARGV[%d]\n"
    "if s[1] then\n"
    "  if s[1] == updated then return 0 end\n"
    "  if before(updated, s[1]) then return -1 end\n"
    "end\n"
    "local succeeded_at = s[3] or ''\n"
    "if succeeded_at == '' and s[2] == 'succeeded' then succeeded_at = s[1] or '' end\n"
    "if succeeded_at ~= '' and status == 'failed' then ARGV[%d] = 'reversed' end\n"
    "if succeeded_at == '' then succeeded_at = succeeded end\n"
    "if succeeded_at == '' and status == 'succeeded' then succeeded_at = updated end\n"
    "ARGV[%d] = succeeded_at\n";
static const char record_tail[] =
    "if s[4] ~= created then\n"
    "  if s[4] and string.sub(s[4], 1, 10) ~= string.sub(created, 1, 10) then\n"
    "    redis.call('ZREM', string.sub(KEYS[2], 1, -11) .. string.sub(s[4], 1, 10), ARGV[1])\n"
    "  end\n"
    "  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])\n"
    "end\n"
    "return 1\n";

static char record_source[4096];
static struct rf_cache_script record_script = RF_CACHE_SCRIPT_INIT(record_source);

#define RECORD_KEYS  2
#define RECORD_FIRST 3 /* ARGV place of the first field's value */
#define RECORD_ARGC  (RECORD_KEYS + 2 + RF_PSP_FIELDS)

/* The ARGV place of a field's value. */
static int place(const char *field)
{
    for (int i = 0; i < RF_PSP_FIELDS; i++) {
        if (strcmp(rf_psp_field_names[i], field) == 0)
            return RECORD_FIRST + i;
    }
    abort(); /* the script names a field psp.h does not have */
}

static void build_record_script(void)
{
    size_t n;

    if (record_source[0] != '\0')
        return;
    n = (size_t)snprintf(record_source, sizeof record_source, record_head, place("status"),
                         place("created_at"), place("updated_at"), place("succeeded_at"),
                         place("status"), place("succeeded_at"));
    n +=
        (size_t)snprintf(record_source + n, sizeof record_source - n, "redis.call('HSET', KEYS[1]");
    for (int i = 0; i < RF_PSP_FIELDS; i++)
        n += (size_t)snprintf(record_source + n, sizeof record_source - n, ", '%s', ARGV[%d]",
                              rf_psp_field_names[i], RECORD_FIRST + i);
    n += (size_t)snprintf(record_source + n, sizeof record_source - n, ")\n%s", record_tail);
    if (n >= sizeof record_source)
        abort();
}

/*
 * The snapshot. KEYS[1] its hash; ARGV taken_at, loaded_at, records.
 * taken_at only moves forward. Returns 1 when it was set to ARGV[1].
 */
static struct rf_cache_script snapshot_script = RF_CACHE_SCRIPT_INIT(
    "-- refunds-psp-load: a provider's snapshot, taken_at only moves forward\n" LUA_BEFORE
    "local stored = redis.call('HGET', KEYS[1], 'taken_at')\n"
    "local taken, moved = ARGV[1], 1\n"
    "if stored and not before(stored, ARGV[1]) then taken, moved = stored, 0 end\n"
    "redis.call('HSET', KEYS[1], 'taken_at', taken, 'loaded_at', ARGV[2], 'records', ARGV[3])\n"
    "return moved\n");

/*
 * Two batches are in flight at most: while Redis runs one, the next is
 * built and sent, so that neither side waits for the other.
 */
struct rf_psp_writer {
    struct rf_cache *cache;
    struct rf_arena *arena[2];
    int cur;                            /* the arena of pipe */
    struct rf_cache_pipeline *pipe;     /* being filled */
    struct rf_cache_pipeline *inflight; /* sent, replies not read; on the other arena */
    size_t batch;
    struct rf_psp_writer_stats stats;
};

struct rf_psp_writer *rf_psp_writer_create(struct rf_cache *c, size_t batch)
{
    struct rf_psp_writer *w = calloc(1, sizeof *w);

    if (w == NULL)
        abort();
    build_record_script();
    w->cache = c;
    w->batch = batch ? batch : 1000;
    w->arena[0] = rf_arena_create(256 * 1024);
    w->arena[1] = rf_arena_create(256 * 1024);
    w->pipe = rf_cache_pipeline_begin(c, w->arena[0]);
    return w;
}

void rf_psp_writer_destroy(struct rf_psp_writer *w)
{
    if (w == NULL)
        return;
    if (w->inflight != NULL)
        rf_cache_disconnect(w->cache); /* its arena goes now: the cache must forget it */
    rf_arena_destroy(w->arena[0]);
    rf_arena_destroy(w->arena[1]);
    free(w);
}

const struct rf_psp_writer_stats *rf_psp_writer_stats(const struct rf_psp_writer *w)
{
    return &w->stats;
}

int rf_psp_writer_args(struct rf_arena *a, const struct rf_psp_record *r, const char ***argv,
                       size_t **argvlen)
{
    const char **v = rf_arena_alloc(a, RECORD_ARGC * sizeof *v);
    size_t *l = rf_arena_alloc(a, RECORD_ARGC * sizeof *l);
    const char *pairs[2 * RF_PSP_FIELDS];
    size_t lens[2 * RF_PSP_FIELDS];

    v[0] = rf_psp_key_refund(a, r->provider, r->provider_refund_id);
    v[1] = rf_psp_key_created(a, r->provider, r->created_at_us);
    v[2] = r->provider_refund_id;
    v[3] = rf_psp_decimal(a, r->created_at_us / RF_USEC_PER_SEC);
    for (int i = 0; i < 4; i++)
        l[i] = strlen(v[i]);
    rf_psp_record_encode(a, r, pairs, lens);
    for (int i = 0; i < RF_PSP_FIELDS; i++) {
        v[4 + i] = pairs[2 * i + 1];
        l[4 + i] = lens[2 * i + 1];
    }
    *argv = v;
    *argvlen = l;
    return RECORD_ARGC;
}

static enum rf_code send_batch(struct rf_psp_writer *w, struct rf_error *err);

const char *rf_psp_writer_command(struct rf_arena *a, const struct rf_psp_record *r, size_t *len)
{
    const char **argv;
    size_t *argvlen;
    int argc = rf_psp_writer_args(a, r, &argv, &argvlen);

    build_record_script();
    return rf_cache_format_script(a, &record_script, RECORD_KEYS, argc, argv, argvlen, len);
}

enum rf_code rf_psp_writer_add(struct rf_psp_writer *w, const char *command, size_t len,
                               struct rf_error *err)
{
    char *copy = rf_arena_alloc(w->arena[w->cur], len);

    memcpy(copy, command, len);
    rf_cache_pipeline_add_formatted(w->pipe, &record_script, copy, len);
    if (rf_cache_pipeline_count(w->pipe) >= w->batch)
        return send_batch(w, err);
    return RF_OK;
}

/* Fails for a reply that is not what the script returns. */
static enum rf_code refused(struct rf_psp_writer *w, struct rf_error *err, const redisReply *r)
{
    rf_error_detail(err, "%s", r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply type");
    return rf_fail(err, RF_INTERNAL, "Redis at %s refused a record: %.200s",
                   rf_cache_address(w->cache),
                   r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
}

/* Reads the replies of the batch in flight, counts them and frees its arena. */
static enum rf_code collect(struct rf_psp_writer *w, struct rf_error *err)
{
    struct rf_cache_pipeline *p = w->inflight;
    size_t n = rf_cache_pipeline_count(p);
    redisReply **replies;
    enum rf_code code = rf_cache_pipeline_receive(p, &replies, err);

    for (size_t i = 0; code == RF_OK && i < n; i++) {
        const redisReply *r = replies[i];

        if (r->type != REDIS_REPLY_INTEGER || r->integer < -1 || r->integer > 1)
            code = refused(w, err, r);
        else if (r->integer == 1)
            w->stats.written++;
        else if (r->integer == 0)
            w->stats.unchanged++;
        else
            w->stats.older++;
    }
    w->inflight = NULL;
    rf_arena_reset(w->arena[1 - w->cur]);
    return code;
}

/* After a failure: forget what is in flight (the cache drops it with the connection) and start
 * afresh. */
static enum rf_code give_up(struct rf_psp_writer *w, enum rf_code code)
{
    rf_cache_disconnect(w->cache);
    w->inflight = NULL;
    rf_arena_reset(w->arena[0]);
    rf_arena_reset(w->arena[1]);
    w->cur = 0;
    w->pipe = rf_cache_pipeline_begin(w->cache, w->arena[0]);
    return code;
}

/* Sends the batch being filled, then reads the one sent before it. */
static enum rf_code send_batch(struct rf_psp_writer *w, struct rf_error *err)
{
    if (rf_cache_pipeline_send(w->pipe, err) != RF_OK)
        return give_up(w, err->code);
    if (w->inflight != NULL && collect(w, err) != RF_OK)
        return give_up(w, err->code);
    w->inflight = w->pipe;
    w->cur = 1 - w->cur;
    w->pipe = rf_cache_pipeline_begin(w->cache, w->arena[w->cur]);
    return RF_OK;
}

enum rf_code rf_psp_writer_flush(struct rf_psp_writer *w, struct rf_error *err)
{
    if (rf_cache_pipeline_count(w->pipe) > 0 && send_batch(w, err) != RF_OK)
        return err->code;
    if (w->inflight != NULL) {
        /* The batch in flight is on the other arena; collect resets that one. */
        if (collect(w, err) != RF_OK)
            return give_up(w, err->code);
    }
    return RF_OK;
}

enum rf_code rf_psp_writer_snapshot(struct rf_psp_writer *w, const char *provider,
                                    int64_t taken_at_us, int64_t loaded_at_us, long records,
                                    bool *moved, struct rf_error *err)
{
    char taken[RF_PSP_TIME_LEN + 8], loaded[RF_PSP_TIME_LEN + 8], count[24];
    const char *argv[4];
    size_t argvlen[4];
    redisReply **replies;
    enum rf_code code;

    if (rf_psp_writer_flush(w, err) != RF_OK)
        return err->code;
    argv[0] = rf_psp_key_snapshot(w->arena[w->cur], provider);
    argv[1] = taken;
    argv[2] = loaded;
    argv[3] = count;
    rf_psp_time_format(taken_at_us, taken, sizeof taken);
    rf_psp_time_format(loaded_at_us, loaded, sizeof loaded);
    snprintf(count, sizeof count, "%ld", records);
    for (int i = 0; i < 4; i++)
        argvlen[i] = strlen(argv[i]);
    rf_cache_pipeline_add_script(w->pipe, &snapshot_script, 1, 4, argv, argvlen);
    code = rf_cache_pipeline_run(w->pipe, &replies, err);
    if (code == RF_OK && replies[0]->type != REDIS_REPLY_INTEGER)
        code = refused(w, err, replies[0]);
    if (code == RF_OK && moved != NULL)
        *moved = replies[0]->integer == 1;
    rf_arena_reset(w->arena[w->cur]);
    w->pipe = rf_cache_pipeline_begin(w->cache, w->arena[w->cur]);
    return code;
}
