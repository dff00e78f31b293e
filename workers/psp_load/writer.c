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
 * Many records in one call, each applied in turn by the newer-wins rule of
 * docs/provider-cache.md: a script call costs Redis more than the rule's
 * own commands, so one call per record was a third of Redis's time. Record
 * r (from 0) has KEYS[2r+1] its hash and KEYS[2r+2] the day index of its
 * created_at, and RECORD_ARGS places of ARGV from RECORD_ARGS*r: the refund
 * id, created_at in Unix seconds, then the values of the fields in
 * rf_psp_field_names order (the names are the script's own: sending them
 * with every record cost Redis a tenth of its time). Returns one integer per
 * record: 1 written, 0 same updated_at stored, -1 newer stored. A stored
 * success is never forgotten: succeeded_at is kept, and a failure reported
 * after it means the money bounced back (reversed). A call runs whole
 * (Redis runs one script at a time), so each record is applied whole, and
 * in order: a later record of the same refund in the call sees the earlier
 * one. Built once from rf_psp_field_names (build_record_script), so the two
 * cannot disagree; the %d of the head are the places (from 1, within the
 * record) of the values the rule reads.
 */
static const char record_head[] =
    "-- refunds-psp-load: provider records, newer wins per record "
    "(docs/provider-cache.md)\n" LUA_BEFORE "local n, out = #KEYS / 2, {}\n"
    "if #KEYS %% 2 ~= 0 or #ARGV ~= %d * n then\n"
    "  return redis.error_reply('ERR refunds-psp-load: keys and arguments do not make whole "
    "records')\n"
    "end\n"
    "for r = 0, n - 1 do\n"
    "  local key, day, a = KEYS[2 * r + 1], KEYS[2 * r + 2], %d * r\n"
    "  local s = redis.call('HMGET', key, 'updated_at', 'status', 'succeeded_at', 'created_at')\n"
    "  local st, created, updated, succeeded = ARGV[a + %d], ARGV[a + %d], ARGV[a + %d], "
    "ARGV[a + %d]\n"
    "  local res = 1\n"
    "  if s[1] then\n"
    "    if s[1] == updated then res = 0 elseif before(updated, s[1]) then res = -1 end\n"
    "  end\n"
    "  if res == 1 then\n"
    "    local sa = s[3] or ''\n"
    "    if sa == '' and s[2] == 'succeeded' then sa = s[1] or '' end\n"
    "    if sa ~= '' and st == 'failed' then st = 'reversed' end\n"
    "    if sa == '' then sa = succeeded end\n"
    "    if sa == '' and st == 'succeeded' then sa = updated end\n";
static const char record_tail[] =
    "    if s[4] ~= created then\n"
    "      if s[4] and string.sub(s[4], 1, 10) ~= string.sub(created, 1, 10) then\n"
    "        redis.call('ZREM', string.sub(day, 1, -11) .. string.sub(s[4], 1, 10), ARGV[a + 1])\n"
    "      end\n"
    "      redis.call('ZADD', day, ARGV[a + 2], ARGV[a + 1])\n"
    "    end\n"
    "  end\n"
    "  out[r + 1] = res\n"
    "end\n"
    "return out\n";

static char record_source[8192];
static struct rf_cache_script record_script = RF_CACHE_SCRIPT_INIT(record_source);

#define RECORD_KEYS  2
#define RECORD_FIRST 3 /* place (from 1) of the first field's value among a record's arguments */
#define RECORD_ARGS  (2 + RF_PSP_FIELDS)
#define RECORD_ARGC  (RECORD_KEYS + RECORD_ARGS)

/* The place (from 1) of a field's value among a record's arguments. */
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
    n = (size_t)snprintf(record_source, sizeof record_source, record_head, RECORD_ARGS, RECORD_ARGS,
                         place("status"), place("created_at"), place("updated_at"),
                         place("succeeded_at"));
    n +=
        (size_t)snprintf(record_source + n, sizeof record_source - n, "    redis.call('HSET', key");
    for (int i = 0; i < RF_PSP_FIELDS; i++) {
        const char *f = rf_psp_field_names[i];

        if (strcmp(f, "status") == 0 || strcmp(f, "succeeded_at") == 0)
            n += (size_t)snprintf(record_source + n, sizeof record_source - n, ", '%s', %s", f,
                                  strcmp(f, "status") == 0 ? "st" : "sa");
        else
            n += (size_t)snprintf(record_source + n, sizeof record_source - n,
                                  ", '%s', ARGV[a + %d]", f, RECORD_FIRST + i);
    }
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
 * built and sent, so that neither side waits for the other. A batch is
 * about `batch` records in calls of `per_call` records; the records of the
 * call being filled wait in pending (their bytes copied to the arena of
 * pipe).
 */
struct rf_psp_writer {
    struct rf_cache *cache;
    struct rf_arena *arena[2];
    int cur;                            /* the arena of pipe */
    struct rf_cache_pipeline *pipe;     /* being filled */
    struct rf_cache_pipeline *inflight; /* sent, replies not read; on the other arena */
    size_t batch, per_call;
    size_t pipe_records; /* records in the calls of pipe */
    struct rf_psp_writer_record *pending;
    size_t n_pending;
    struct rf_psp_writer_stats stats;
};

struct rf_psp_writer *rf_psp_writer_create(struct rf_cache *c, size_t batch, size_t per_call)
{
    struct rf_psp_writer *w = calloc(1, sizeof *w);

    if (w == NULL)
        abort();
    build_record_script();
    w->cache = c;
    w->batch = batch ? batch : 1000;
    w->per_call = per_call ? per_call : 100;
    if (w->per_call > RF_PSP_WRITER_CALL_MAX)
        w->per_call = RF_PSP_WRITER_CALL_MAX;
    w->pending = calloc(w->per_call, sizeof *w->pending);
    if (w->pending == NULL)
        abort();
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
    free(w->pending);
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

void rf_psp_writer_encode(struct rf_arena *a, const struct rf_psp_record *r,
                          struct rf_psp_writer_record *out)
{
    const char **argv;
    size_t *argvlen;

    rf_psp_writer_args(a, r, &argv, &argvlen);
    out->keys = rf_cache_format_bulks(a, RECORD_KEYS, argv, argvlen, &out->keys_len);
    out->args = rf_cache_format_bulks(a, RECORD_ARGS, argv + RECORD_KEYS, argvlen + RECORD_KEYS,
                                      &out->args_len);
}

const char *rf_psp_writer_call(struct rf_arena *a, size_t n,
                               const struct rf_psp_writer_record *recs, size_t *len)
{
    size_t total = RF_CACHE_SCRIPT_HEAD_MAX, at;
    char *out;

    build_record_script();
    for (size_t i = 0; i < n; i++)
        total += recs[i].keys_len + recs[i].args_len;
    out = rf_arena_alloc(a, total);
    at = rf_cache_format_script_head(&record_script, (int)(RECORD_KEYS * n), (int)(RECORD_ARGC * n),
                                     out);
    for (size_t i = 0; i < n; i++) {
        memcpy(out + at, recs[i].keys, recs[i].keys_len);
        at += recs[i].keys_len;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(out + at, recs[i].args, recs[i].args_len);
        at += recs[i].args_len;
    }
    *len = at;
    return out;
}

static enum rf_code send_batch(struct rf_psp_writer *w, struct rf_error *err);

/* Makes the pending records one call of pipe. */
static void close_call(struct rf_psp_writer *w)
{
    size_t len;
    const char *cmd;

    if (w->n_pending == 0)
        return;
    cmd = rf_psp_writer_call(w->arena[w->cur], w->n_pending, w->pending, &len);
    rf_cache_pipeline_add_formatted(w->pipe, &record_script, cmd, len);
    w->pipe_records += w->n_pending;
    w->n_pending = 0;
}

enum rf_code rf_psp_writer_add(struct rf_psp_writer *w, const struct rf_psp_writer_record *rec,
                               struct rf_error *err)
{
    struct rf_psp_writer_record *p = &w->pending[w->n_pending++];
    char *copy = rf_arena_alloc(w->arena[w->cur], rec->keys_len + rec->args_len);

    memcpy(copy, rec->keys, rec->keys_len);
    memcpy(copy + rec->keys_len, rec->args, rec->args_len);
    p->keys = copy;
    p->keys_len = rec->keys_len;
    p->args = copy + rec->keys_len;
    p->args_len = rec->args_len;
    if (w->n_pending < w->per_call)
        return RF_OK;
    close_call(w);
    if (w->pipe_records >= w->batch)
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

/* Counts one call's reply: an integer per record. */
static enum rf_code count(struct rf_psp_writer *w, struct rf_error *err, const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY)
        return refused(w, err, r);
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];

        if (e->type != REDIS_REPLY_INTEGER || e->integer < -1 || e->integer > 1)
            return refused(w, err, e);
        if (e->integer == 1)
            w->stats.written++;
        else if (e->integer == 0)
            w->stats.unchanged++;
        else
            w->stats.older++;
    }
    return RF_OK;
}

/* Reads the replies of the batch in flight, counts them and frees its arena. */
static enum rf_code collect(struct rf_psp_writer *w, struct rf_error *err)
{
    struct rf_cache_pipeline *p = w->inflight;
    size_t n = rf_cache_pipeline_count(p);
    redisReply **replies;
    enum rf_code code = rf_cache_pipeline_receive(p, &replies, err);

    for (size_t i = 0; code == RF_OK && i < n; i++)
        code = count(w, err, replies[i]);
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
    w->n_pending = 0;
    w->pipe_records = 0;
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
    w->pipe_records = 0;
    return RF_OK;
}

enum rf_code rf_psp_writer_flush(struct rf_psp_writer *w, struct rf_error *err)
{
    close_call(w);
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
