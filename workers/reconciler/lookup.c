/*
 * The reconciler's reads of the provider cache (see lookup.h): one pipeline
 * per batch for the refunds' records and their providers' snapshots, the
 * per-day index of a provider's refunds, and the records of candidates for
 * orphans. Turning the cache's layout (refunds/psp.h) into the classifier's
 * input (classify.h) is here too; deciding anything is not.
 */
#include <string.h>

#include "lookup.h"
#include "refunds/log.h"
#include "refunds/psp.h"
#include "refunds/timeutil.h"

/* Fills *out from a HGETALL reply of key provider/id; false when it is not a record. */
static bool decode_record(struct rf_arena *a, const char *provider, const char *id,
                          const redisReply *r, struct rf_recon_provider *out)
{
    const char **items;
    size_t *lens;
    struct rf_psp_record rec;
    const char *field = NULL, *reason = NULL;
    enum rf_recon_status st;

    memset(out, 0, sizeof *out);
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0)
        return true; /* absent */
    out->present = true;
    out->status = RF_RECON_UNKNOWN; /* a record we cannot read is unknown, never missing */
    items = rf_arena_calloc(a, r->elements, sizeof *items);
    lens = rf_arena_calloc(a, r->elements, sizeof *lens);
    for (size_t i = 0; i < r->elements; i++) {
        if (r->element[i]->type != REDIS_REPLY_STRING)
            return false;
        items[i] = r->element[i]->str;
        lens[i] = r->element[i]->len;
    }
    if (!rf_psp_record_decode(a, provider, id, r->elements, items, lens, &rec, &field, &reason)) {
        rf_log_msg(RF_LOG_WARN, "lookup", "psp:%s:refund:%s: %s %s: treated as unknown", provider,
                   id, field != NULL ? field : "?", reason != NULL ? reason : "");
        return false;
    }
    if (rf_recon_status_parse(rf_psp_status_name(rec.status), &st))
        out->status = st;
    out->pending_reason = rec.pending_reason;
    out->failure_reason = rec.failure_reason;
    out->amount_minor = rec.amount_minor;
    out->currency = rf_arena_strdup(a, rec.currency);
    out->reference = rec.reference;
    out->reference_type = rec.reference_type;
    out->reference_status = rf_psp_ref_status_name(rec.reference_status);
    out->destination_type = rec.destination_type;
    out->card_refund_type = rec.card_refund_type;
    out->created_at_us = rec.created_at_us;
    out->updated_at_us = rec.updated_at_us;
    out->succeeded_at_us = rec.succeeded_at_us;
    return true;
}

/*
 * Fills *out from a HGETALL of a snapshot hash: present with taken_at when it
 * has one, and its loaded_at when readable.
 */
static void decode_snapshot(const redisReply *r, struct rf_recon_snapshot *out)
{
    memset(out, 0, sizeof *out);
    if (r->type != REDIS_REPLY_ARRAY)
        return;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (strcmp(k->str, "taken_at") == 0)
            out->present = rf_time_parse_rfc3339(v->str, &out->taken_at_us);
        else if (strcmp(k->str, "loaded_at") == 0 &&
                 !rf_time_parse_rfc3339(v->str, &out->loaded_at_us))
            out->loaded_at_us = 0;
    }
}

/* Appends HGETALL key to p; key lives in the arena. */
static void add_hgetall(struct rf_cache_pipeline *p, const char *key)
{
    const char *argv[2] = {"HGETALL", key};
    size_t argvlen[2] = {7, strlen(key)};

    rf_cache_pipeline_add(p, 2, argv, argvlen);
}

enum rf_code rf_recon_lookup(struct rf_cache *cache, struct rf_arena *a,
                             const struct rf_claimed *refunds, size_t n,
                             struct rf_recon_provider *providers,
                             struct rf_recon_snapshot *snapshots, struct rf_error *err)
{
    struct rf_cache_pipeline *p = rf_cache_pipeline_begin(cache, a);
    const char **names = rf_arena_calloc(a, n + 1, sizeof *names);
    size_t *which = rf_arena_calloc(a, n + 1, sizeof *which), n_names = 0;
    redisReply **replies;
    struct rf_recon_snapshot *snap;
    enum rf_code code;

    /* The distinct providers of the batch (a handful), each snapshot read once. */
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        while (k < n_names && strcmp(names[k], refunds[i].ours.provider) != 0)
            k++;
        if (k == n_names)
            names[n_names++] = refunds[i].ours.provider;
        which[i] = k;
    }
    for (size_t i = 0; i < n; i++)
        add_hgetall(
            p, rf_psp_key_refund(a, refunds[i].ours.provider, refunds[i].ours.provider_refund_id));
    for (size_t k = 0; k < n_names; k++)
        add_hgetall(p, rf_psp_key_snapshot(a, names[k]));
    code = rf_cache_pipeline_run(p, &replies, err);
    if (code != RF_OK)
        return code;
    for (size_t i = 0; i < n + n_names; i++) {
        if (replies[i]->type == REDIS_REPLY_ERROR)
            return rf_fail(err, RF_UNAVAILABLE, "Redis refused a lookup: %.200s", replies[i]->str);
    }
    snap = rf_arena_calloc(a, n_names + 1, sizeof *snap);
    for (size_t k = 0; k < n_names; k++)
        decode_snapshot(replies[n + k], &snap[k]);
    for (size_t i = 0; i < n; i++) {
        decode_record(a, refunds[i].ours.provider, refunds[i].ours.provider_refund_id, replies[i],
                      &providers[i]);
        snapshots[i] = snap[which[i]];
    }
    return RF_OK;
}

enum rf_code rf_recon_snapshots(struct rf_cache *cache, struct rf_arena *a,
                                const char *const *providers, size_t n,
                                struct rf_recon_snapshot *out, struct rf_error *err)
{
    struct rf_cache_pipeline *p = rf_cache_pipeline_begin(cache, a);
    redisReply **replies;
    enum rf_code code;

    for (size_t i = 0; i < n; i++)
        add_hgetall(p, rf_psp_key_snapshot(a, providers[i]));
    code = rf_cache_pipeline_run(p, &replies, err);
    for (size_t i = 0; code == RF_OK && i < n; i++) {
        if (replies[i]->type == REDIS_REPLY_ERROR)
            return rf_fail(err, RF_UNAVAILABLE, "Redis refused a lookup: %.200s", replies[i]->str);
        decode_snapshot(replies[i], &out[i]);
    }
    return code;
}

enum rf_code rf_recon_day_index(struct rf_cache *cache, struct rf_arena *a, const char *provider,
                                int64_t day_us, long start, long count, const char ***ids,
                                size_t *n, struct rf_error *err)
{
    const char *key = rf_psp_key_created(a, provider, day_us);
    const char *from = rf_arena_printf(a, "%ld", start),
               *to = rf_arena_printf(a, "%ld", start + count - 1);
    const char *argv[4] = {"ZRANGE", key, from, to};
    size_t argvlen[4] = {6, strlen(key), strlen(from), strlen(to)};
    redisReply *r;
    enum rf_code code = rf_cache_command(cache, a, err, &r, 4, argv, argvlen);

    *n = 0;
    if (code != RF_OK)
        return code;
    if (r->type != REDIS_REPLY_ARRAY)
        return rf_fail(err, RF_UNAVAILABLE, "Redis answered ZRANGE %s with no list", key);
    *ids = rf_arena_calloc(a, r->elements + 1, sizeof **ids);
    for (size_t i = 0; i < r->elements; i++) {
        if (r->element[i]->type == REDIS_REPLY_STRING)
            (*ids)[(*n)++] = r->element[i]->str;
    }
    return RF_OK;
}

enum rf_code rf_recon_records(struct rf_cache *cache, struct rf_arena *a, const char *provider,
                              const char *const *ids, size_t n, struct rf_recon_provider *out,
                              struct rf_error *err)
{
    struct rf_cache_pipeline *p = rf_cache_pipeline_begin(cache, a);
    redisReply **replies;
    enum rf_code code;

    for (size_t i = 0; i < n; i++)
        add_hgetall(p, rf_psp_key_refund(a, provider, ids[i]));
    code = rf_cache_pipeline_run(p, &replies, err);
    for (size_t i = 0; code == RF_OK && i < n; i++)
        decode_record(a, provider, ids[i], replies[i], &out[i]);
    return code;
}
