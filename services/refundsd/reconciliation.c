/*
 * refunds.v1.Reconciliation: the reconciler's runs and findings, read by
 * finance (and by agents, for findings), and the service's method table.
 * The reconciler (workers/reconciler) writes them; this file only reads. SQL
 * is in recon_store.c. These handlers do not use the service's state (the
 * audit checkpoints' key, for audit_rpc.c).
 */
#include <string.h>

#include "page_token.h"
#include "recon_store.h"
#include "recon_validate.h"
#include "refunds/names.h"
#include "refunds/pb.h"
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

RF_HANDLER(list_findings, Refunds__V1__ListFindingsRequest, Refunds__V1__ListFindingsResponse)
{
    const char *kind =
        in->kind ? rf_pb_enum_short_name(&refunds__v1__finding_kind__descriptor, in->kind) : NULL;
    const char *state =
        in->state ? rf_pb_enum_short_name(&refunds__v1__finding_state__descriptor, in->state)
                  : NULL;
    char case_id[RF_UUID_TEXT_LEN + 1];
    const char *parts[] = {"ListFindings", kind ? kind : "", state ? state : "",
                           in->provider,   in->currency,     in->case_};
    struct rf_finding_filter f = {
        .kind = kind,
        .state = state,
        .provider = in->provider[0] ? in->provider : NULL,
        .currency = in->currency[0] ? in->currency : NULL,
        .case_id = in->case_[0] && rf_name_parse(in->case_, "cases", case_id) ? case_id : NULL,
        .limit = rf_page_size(in->page_size) + 1,
    };
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 6, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
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

RF_VALIDATOR(rf_validate_list_runs, Refunds__V1__ListRunsRequest);
RF_VALIDATOR(rf_validate_get_run, Refunds__V1__GetRunRequest);
RF_VALIDATOR(rf_validate_list_findings, Refunds__V1__ListFindingsRequest);

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
        .roles = RF_ROLE_FINANCE | RF_ROLE_ADMIN | RF_ROLE_AGENT | RF_ROLE_APPROVER,
    },
};

RF_METHOD_PART(rf_reconciliation_methods, methods);
