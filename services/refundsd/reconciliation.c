/*
 * refunds.v1.Reconciliation: the reconciler's runs and findings, read by
 * finance (and by agents, for findings), and findings resolved by people.
 * The reconciler (workers/reconciler) writes runs and findings; a resolution
 * is the one change made here, audited in the finding's case's chain. SQL is
 * in recon_store.c; the service's state is reconciliation.h's. The trace of
 * a case's money is trace.c.
 */
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_store.h"
#include "field_check.h"
#include "page_token.h"
#include "reconciliation.h"
#include "recon_store.h"
#include "recon_validate.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/validate.h"
#include "services.h"

RF_HANDLER(list_runs, Refunds__V1__ListRunsRequest, Refunds__V1__ListRunsResponse)
{
    const char *parts[] = {"ListRuns"};
    int limit = rf_page_size(in->page_size) + 1;
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 1, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
    code = rf_run_store_list(&call->ctx, pg.cursor.time_us, pg.has_cursor ? pg.cursor.id : NULL,
                             limit, &out->runs, &out->n_runs);
    if (code == RF_OK && out->n_runs == (size_t)limit) {
        const Refunds__V1__Run *last = out->runs[--out->n_runs - 1];
        int64_t started = 0;

        rf_pb_timestamp_us(last->start_time, &started);
        out->next_page_token =
            rf_page_next_token(call->ctx.arena, &pg, started, rf_name_id(last->name));
    }
    return code;
}

RF_HANDLER(get_run, Refunds__V1__GetRunRequest, Refunds__V1__Run)
{
    char id[RF_UUID_TEXT_LEN + 1];
    Refunds__V1__Run *run;
    enum rf_code code;

    rf_name_parse(in->name, "runs", id);
    call->resource = in->name;
    code = rf_run_store_get(&call->ctx, id, &run);
    if (code == RF_OK)
        *out = *run;
    return code;
}

/* The filters of ListFindings and ExportFindings as the store takes them (case_id the buffer). */
static struct rf_finding_filter finding_filter(int kind, int state, const char *provider,
                                               const char *currency, const char *case_name,
                                               char case_id[RF_UUID_TEXT_LEN + 1])
{
    struct rf_finding_filter f = {
        .kind = kind ? rf_pb_enum_short_name(&refunds__v1__finding_kind__descriptor, kind) : NULL,
        .state =
            state ? rf_pb_enum_short_name(&refunds__v1__finding_state__descriptor, state) : NULL,
        .provider = provider[0] ? provider : NULL,
        .currency = currency[0] ? currency : NULL,
        .case_id = case_name[0] && rf_name_parse(case_name, "cases", case_id) ? case_id : NULL,
    };

    return f;
}

RF_HANDLER(list_findings, Refunds__V1__ListFindingsRequest, Refunds__V1__ListFindingsResponse)
{
    char case_id[RF_UUID_TEXT_LEN + 1];
    struct rf_finding_filter f =
        finding_filter(in->kind, in->state, in->provider, in->currency, in->case_, case_id);
    const char *parts[] = {"ListFindings", f.kind ? f.kind : "", f.state ? f.state : "",
                           in->provider,   in->currency,         in->case_};
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 6, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
    f.limit = rf_page_size(in->page_size) + 1;
    if (pg.has_cursor) {
        f.before_us = pg.cursor.time_us;
        f.before_id = pg.cursor.id;
    }
    code = rf_finding_store_list(&call->ctx, &f, &out->findings, &out->n_findings);
    if (code == RF_OK && out->n_findings == (size_t)f.limit) {
        const Refunds__V1__Finding *last = out->findings[--out->n_findings - 1];
        int64_t opened = 0;

        rf_pb_timestamp_us(last->open_time, &opened);
        out->next_page_token =
            rf_page_next_token(call->ctx.arena, &pg, opened, rf_name_id(last->name));
    }
    return code;
}

/* Rows per ExportFindings message: about 200 KB. */
#define EXPORT_CHUNK 1000

/*
 * Streams the findings in chunks read by keyset (open time, id), oldest first:
 * no transaction stays open while the client reads, each chunk is one short
 * query, and the chunk's memory is freed once gRPC has taken it. A client
 * that cancels ends the loop at its next send: no further query runs.
 */
RF_STREAM_HANDLER(export_findings, Refunds__V1__ExportFindingsRequest)
{
    char case_id[RF_UUID_TEXT_LEN + 1], after_id[RF_UUID_TEXT_LEN + 1] = "";
    struct rf_finding_filter f =
        finding_filter(in->kind, in->state, in->provider, in->currency, in->case_, case_id);
    int64_t after_us = INT64_MIN, before_us = INT64_MAX;
    enum rf_code code;

    call->resource = "findings";
    f.limit = EXPORT_CHUNK;
    if (in->open_after != NULL)
        rf_pb_timestamp_us(in->open_after, &after_us);
    if (in->open_before != NULL)
        rf_pb_timestamp_us(in->open_before, &before_us);
    for (;;) {
        struct rf_ctx chunk = call->ctx;
        Refunds__V1__ExportFindingsResponse msg = REFUNDS__V1__EXPORT_FINDINGS_RESPONSE__INIT;
        const Refunds__V1__FindingRow *last;

        chunk.arena = rf_stream_arena(out);
        code = rf_finding_store_export(&chunk, &f, after_us, after_id[0] ? after_id : NULL,
                                       before_us, &msg.rows, &msg.n_rows);
        if (code != RF_OK) {
            call->ctx.err = chunk.err;
            return code;
        }
        if (msg.n_rows == 0)
            return RF_OK;
        last = msg.rows[msg.n_rows - 1];
        rf_pb_timestamp_us(last->open_time, &after_us);
        snprintf(after_id, sizeof after_id, "%s", rf_name_id(last->finding));
        code = rf_stream_send(out, &msg.base);
        if (code != RF_OK || msg.n_rows < EXPORT_CHUNK)
            return code;
    }
}

static const char *state_word(Refunds__V1__FindingState s)
{
    return s == REFUNDS__V1__FINDING_STATE__FINDING_STATE_RESOLVED ? "resolved" : "closed";
}

/*
 * Finance and admins resolve any finding; an agent only one of a case assigned
 * to them (an orphan, with no case, is finance's).
 */
static enum rf_code may_resolve(struct rf_call *call, const char *name, const char *case_id)
{
    struct rf_case_row kase;
    enum rf_code code;

    if (call->ctx.actor.role != RF_ROLE_AGENT)
        return RF_OK;
    if (case_id[0] == '\0')
        return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                       "%s is about a refund at the provider that no case has: finance resolves "
                       "it",
                       name);
    code = rf_case_store_get(&call->ctx, case_id, false, &kase);
    if (code == RF_OK && strcmp(kase.pb->assignee, call->ctx.actor.subject) != 0)
        code = rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                       "%s is about %s, which is assigned to %s: an agent resolves findings of "
                       "their own cases, finance any",
                       name, kase.pb->name, kase.pb->assignee);
    return code;
}

RF_HANDLER(resolve_finding, Refunds__V1__ResolveFindingRequest, Refunds__V1__Finding)
{
    char id[RF_UUID_TEXT_LEN + 1], case_id[RF_UUID_TEXT_LEN + 1];
    const char *resolution =
        rf_pb_enum_short_name(&refunds__v1__resolution__descriptor, in->resolution);
    Refunds__V1__Finding *f;
    bool applied = false;
    enum rf_code code;

    rf_name_parse(in->name, "findings", id);
    call->resource = in->name;
    code = rf_finding_store_get(&call->ctx, id, &f, case_id);
    if (code == RF_OK)
        code = may_resolve(call, in->name, case_id);
    if (code != RF_OK)
        return code;
    if (f->state != REFUNDS__V1__FINDING_STATE__FINDING_STATE_OPEN)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s is %s already (%s); only an open finding can be resolved", in->name,
                       state_word(f->state),
                       f->state == REFUNDS__V1__FINDING_STATE__FINDING_STATE_RESOLVED
                           ? f->resolution_note
                           : f->close_reason);
    code = rf_finding_store_resolve(&call->ctx, id, resolution, in->note, &applied);
    if (code == RF_OK && !applied)
        return rf_fail(&call->ctx.err, RF_ABORTED, "%s changed while this call ran; retry",
                       in->name);
    /* Who decided what about the money belongs to the case's chain. */
    if (code == RF_OK && case_id[0] != '\0')
        code = rf_case_record_event(call, rf_recon(call)->cache, case_id);
    if (code == RF_OK)
        code = rf_finding_store_get(&call->ctx, id, &f, case_id);
    if (code == RF_OK)
        *out = *f;
    return code;
}

static void validate_resolve(const Refunds__V1__ResolveFindingRequest *in, int64_t now_us,
                             struct rf_error *err)
{
    char id[RF_UUID_TEXT_LEN + 1];

    (void)now_us;
    if (in->name[0] == '\0')
        rf_violation_add(err, "name", "is required");
    else if (!rf_name_parse(in->name, "findings", id))
        rf_violation_add(err, "name", "must be findings/{id}, as ListFindings names them");
    rf_check_enum(err, "resolution", &refunds__v1__resolution__descriptor, in->resolution, true);
    rf_check_text(err, "note", in->note, RF_MAX_LONG_TEXT_CHARS, true, RF_TEXT_MULTILINE);
}

RF_VALIDATOR(validate_resolve, Refunds__V1__ResolveFindingRequest);
RF_VALIDATOR(rf_validate_list_runs, Refunds__V1__ListRunsRequest);
RF_VALIDATOR(rf_validate_get_run, Refunds__V1__GetRunRequest);
RF_VALIDATOR(rf_validate_list_findings, Refunds__V1__ListFindingsRequest);
RF_VALIDATOR(rf_validate_export_findings, Refunds__V1__ExportFindingsRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "ListRuns",
        .input = &refunds__v1__list_runs_request__descriptor,
        .output = &refunds__v1__list_runs_response__descriptor,
        .validate = rf_validate_list_runs_entry,
        .handler = list_runs_entry,
        .roles = RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
    {
        .name = "GetRun",
        .input = &refunds__v1__get_run_request__descriptor,
        .output = &refunds__v1__run__descriptor,
        .validate = rf_validate_get_run_entry,
        .handler = get_run_entry,
        .roles = RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
    {
        .name = "ListFindings",
        .input = &refunds__v1__list_findings_request__descriptor,
        .output = &refunds__v1__list_findings_response__descriptor,
        .validate = rf_validate_list_findings_entry,
        .handler = list_findings_entry,
        .roles = RF_ROLE_FINANCE | RF_ROLE_ADMIN | RF_ROLE_AGENT | RF_ROLES_APPROVERS,
    },
    {
        /* Server streaming: served by the streaming threads (server.c), not the workers. */
        .name = "ExportFindings",
        .input = &refunds__v1__export_findings_request__descriptor,
        .output = &refunds__v1__export_findings_response__descriptor,
        .validate = rf_validate_export_findings_entry,
        .stream = export_findings_entry,
        .roles = RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
    {
        .name = "ResolveFinding",
        .input = &refunds__v1__resolve_finding_request__descriptor,
        .output = &refunds__v1__finding__descriptor,
        .validate = validate_resolve_entry,
        .handler = resolve_finding_entry,
        .roles = RF_ROLE_FINANCE | RF_ROLE_ADMIN | RF_ROLE_AGENT,
        .flags = RF_METHOD_MUTATION,
    },
};

RF_METHOD_PART(rf_reconciliation_methods, methods);
