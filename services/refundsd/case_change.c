/*
 * The shared steps of every change of an existing case (see case_change.h).
 * No SQL here (case_store.c) and no RPC of its own: the files of RPCs call
 * these around their one change statement.
 */
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_validate.h"
#include "refunds/audit.h"

enum rf_code rf_case_load(struct rf_call *call, const char *name, bool full,
                          struct rf_case_row *row)
{
    char id[RF_UUID_TEXT_LEN + 1];

    rf_case_name_parse(name, id);
    call->resource = rf_arena_strdup(call->ctx.arena, name);
    return rf_case_store_get(&call->ctx, id, full, row);
}

enum rf_code rf_case_prepare_change(struct rf_call *call, const struct rf_case_row *row,
                                    const char *etag, const enum rf_case_event *event,
                                    struct rf_case_change *ch)
{
    long long version = 0;

    if (etag != NULL && (!rf_etag_parse(etag, &version) || version != row->version))
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "etag \"%s\" is stale: %s has changed since it was read (its etag is now "
                       "\"%lld\"); read it again",
                       etag, row->pb->name, row->version);
    ch->to = row->state;
    if (event != NULL && !rf_case_next(row->state, *event, &ch->to)) {
        char allowed[160];

        rf_case_event_sources(*event, allowed, sizeof allowed);
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s is %s; %s needs a case that is %s", row->pb->name,
                       rf_case_state_name(row->state), call->ctx.method, allowed);
    }
    ch->before = row;
    rf_audit_link_next(&call->ctx, row->id, row->audit_seq, row->audit_head,
                       rf_case_state_name(row->state), rf_case_state_name(ch->to), &ch->audit);
    return RF_OK;
}

enum rf_code rf_case_load_for_change(struct rf_call *call, const char *name, const char *etag,
                                     const enum rf_case_event *event, struct rf_case_row *row,
                                     struct rf_case_change *ch)
{
    enum rf_code code = rf_case_load(call, name, false, row);

    return code != RF_OK ? code : rf_case_prepare_change(call, row, etag, event, ch);
}

/* What the on-commit hook of a change needs: which case to drop from which cache. */
struct dropped_case {
    struct rf_case_cache *cache;
    char id[RF_UUID_TEXT_LEN + 1];
};

static void drop_cached_case(void *arg)
{
    struct dropped_case *d = arg;

    rf_case_cache_invalidate(d->cache, d->id);
}

static void drop_on_commit(struct rf_call *call, struct rf_case_cache *cache, const char *case_id)
{
    struct dropped_case *d = rf_arena_alloc(call->ctx.arena, sizeof *d);

    d->cache = cache;
    snprintf(d->id, sizeof d->id, "%s", case_id);
    rf_call_on_commit(call, drop_cached_case, d);
}

void rf_case_changed(struct rf_call *call, const char *case_id)
{
    drop_on_commit(call, rf_cases(call)->cache, case_id);
}

/* The part of finishing a change both ways share: the outcome, and the cached copy dropped. */
static enum rf_code finish(struct rf_call *call, enum rf_code code,
                           const struct rf_case_row *before, bool applied)
{
    if (code != RF_OK)
        return code;
    if (!applied)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s was changed by another call while this one ran; read it again",
                       before->pb->name);
    /* Before the reply leaves, once committed: whoever made the change reads it back. */
    rf_case_changed(call, before->id);
    return RF_OK;
}

enum rf_code rf_case_finish_change(struct rf_call *call, enum rf_code code,
                                   const struct rf_case_row *before, bool applied,
                                   Refunds__V1__Case *out)
{
    struct rf_case_row now;

    code = finish(call, code, before, applied);
    if (code == RF_OK)
        code = rf_case_store_get(&call->ctx, before->id, true, &now);
    if (code == RF_OK)
        *out = *now.pb;
    return code;
}

enum rf_code rf_case_finish_change_as(struct rf_call *call, enum rf_code code,
                                      const struct rf_case_row *before, bool applied,
                                      const Refunds__V1__Case *after, Refunds__V1__Case *out)
{
    code = finish(call, code, before, applied);
    if (code == RF_OK)
        *out = *after;
    return code;
}

enum rf_code rf_case_record_event(struct rf_call *call, struct rf_case_cache *cache,
                                  const char *case_id)
{
    struct rf_case_row row;
    struct rf_audit_link link;
    const char *state;
    bool applied = false;
    enum rf_code code = rf_case_store_get(&call->ctx, case_id, false, &row);

    if (code != RF_OK)
        return code;
    state = rf_case_state_name(row.state);
    rf_audit_link_next(&call->ctx, row.id, row.audit_seq, row.audit_head, state, state, &link);
    code = rf_audit_append(&call->ctx, row.id, &link, &applied);
    if (code == RF_OK && !applied)
        return rf_fail(&call->ctx.err, RF_ABORTED, "%s changed while this call ran; retry the call",
                       row.pb->name);
    if (code == RF_OK)
        drop_on_commit(call, cache, row.id);
    return code;
}

void rf_case_replayed(struct rf_call *call, const ProtobufCMessage *in)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(in->descriptor, "name");
    char id[RF_UUID_TEXT_LEN + 1];

    if (f != NULL && f->type == PROTOBUF_C_TYPE_STRING &&
        rf_case_name_parse(*(char *const *)(const void *)((const char *)in + f->offset), id))
        rf_case_cache_invalidate(rf_cases(call)->cache, id);
}
