/*
 * refunds.v1.Policies: the versioned guidelines — read a version (with what
 * changed from another), list the versions, store a new one (admin), and the
 * policy report of outcomes and trends (step 7 of the process) — with their
 * request checks and the service's method table. The service is bound with
 * the process's struct rf_policy_cache. Documents are parsed strictly and
 * written canonically by policy.c, compared by policy_diff.c; SQL is in
 * policy_store.c and report_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "field_check.h"
#include "page_token.h"
#include "policy.h"
#include "policy_cache.h"
#include "policy_store.h"
#include "refunds/pb.h"
#include "refunds/validate.h"
#include "refunds/v1/policy.pb-c.h"
#include "report_store.h"
#include "services.h"

/* The longest document UpdatePolicy takes. */
#define DOCUMENT_MAX_BYTES (256 * 1024)
/* The id part of a policy-versions page token: versions are numbers, not ids. */
#define NO_ID "00000000-0000-0000-0000-000000000000"

static struct rf_policy_cache *policies(struct rf_call *call)
{
    return call->service;
}

/* The canonical text of stored version v (the form hashed and compared), in the call's arena. */
static enum rf_code canonical(struct rf_call *call, int64_t v, const char **text)
{
    const struct rf_policy *p;
    enum rf_code code = rf_policy_cache_get(policies(call), &call->ctx, v, &p);

    if (code == RF_OK)
        *text = rf_policy_canonical_json(p, call->ctx.arena);
    return code;
}

static Refunds__V1__Policy *policy_message(struct rf_call *call, const struct rf_policy_row *row)
{
    Refunds__V1__Policy *p = rf_pb_new(call->ctx.arena, &refunds__v1__policy__descriptor);

    p->version = row->version;
    p->author = (char *)row->author;
    p->create_time = rf_pb_timestamp(call->ctx.arena, row->created_us);
    p->note = (char *)row->note;
    p->current = row->current;
    return p;
}

/* The changes from version from (canonical text old_text) to new_text, into out. */
static enum rf_code changes(struct rf_call *call, const char *old_text, const char *new_text,
                            Refunds__V1__Policy *out)
{
    struct rf_policy_change *ch;
    size_t n = 0;
    enum rf_code code = rf_policy_diff(old_text, strlen(old_text), new_text, strlen(new_text),
                                       call->ctx.arena, &ch, &n, &call->ctx.err);

    if (code != RF_OK)
        return code;
    out->changes = rf_arena_calloc(call->ctx.arena, n + 1, sizeof *out->changes);
    for (size_t i = 0; i < n; i++) {
        Refunds__V1__PolicyChange *c =
            rf_pb_new(call->ctx.arena, &refunds__v1__policy_change__descriptor);

        c->path = (char *)ch[i].path;
        c->old_value = (char *)(ch[i].old_value != NULL ? ch[i].old_value : "");
        c->new_value = (char *)(ch[i].new_value != NULL ? ch[i].new_value : "");
        c->added = ch[i].old_value == NULL;
        c->removed = ch[i].new_value == NULL;
        out->changes[out->n_changes++] = c;
    }
    return RF_OK;
}

RF_HANDLER(get_policy, Refunds__V1__GetPolicyRequest, Refunds__V1__Policy)
{
    struct rf_policy_row row;
    const char *text = NULL, *old_text = NULL;
    enum rf_code code = rf_policy_store_get(&call->ctx, in->version, &row);

    if (code == RF_OK)
        code = canonical(call, row.version, &text);
    if (code == RF_OK && in->compare_to > 0)
        code = canonical(call, in->compare_to, &old_text);
    if (code != RF_OK)
        return code;
    call->resource = rf_arena_printf(call->ctx.arena, "policies/%lld", (long long)row.version);
    *out = *policy_message(call, &row);
    out->document = (char *)text;
    if (in->compare_to > 0) {
        out->compared_to = in->compare_to;
        code = changes(call, old_text, text, out);
    }
    return code;
}

RF_HANDLER(list_policy_versions, Refunds__V1__ListPolicyVersionsRequest,
           Refunds__V1__ListPolicyVersionsResponse)
{
    const char *parts[] = {"ListPolicyVersions"};
    int limit = rf_page_size(in->page_size) + 1;
    struct rf_policy_row *rows;
    struct rf_page pg;
    size_t n = 0;
    enum rf_code code = rf_page_begin(parts, 1, in->page_token, &pg, &call->ctx.err);

    if (code == RF_OK)
        code = rf_policy_store_list(&call->ctx, pg.has_cursor ? pg.cursor.time_us : 0, limit, &rows,
                                    &n);
    if (code != RF_OK)
        return code;
    if (n == (size_t)limit) {
        n--;
        out->next_page_token = rf_page_next_token(call->ctx.arena, &pg, rows[n - 1].version, NO_ID);
    }
    out->policies = rf_arena_calloc(call->ctx.arena, n + 1, sizeof *out->policies);
    for (size_t i = 0; i < n; i++)
        out->policies[out->n_policies++] = policy_message(call, &rows[i]);
    return RF_OK;
}

RF_HANDLER(update_policy, Refunds__V1__UpdatePolicyRequest, Refunds__V1__Policy)
{
    struct rf_policy *parsed;
    struct rf_policy_row row;
    const char *text;
    enum rf_code code = rf_policy_parse(call->ctx.arena, in->document, strlen(in->document),
                                        &parsed, &call->ctx.err);

    /* A document with any error is refused whole, every error named by its path. */
    if (code != RF_OK)
        return code;
    text = rf_policy_canonical_json(parsed, call->ctx.arena);
    code = rf_policy_store_insert(&call->ctx, text, in->note, in->base_version, &row);
    if (code != RF_OK)
        return code;
    call->resource = rf_arena_printf(call->ctx.arena, "policies/%lld", (long long)row.version);
    *out = *policy_message(call, &row);
    out->document = (char *)text;
    return RF_OK;
}

RF_HANDLER(get_policy_report, Refunds__V1__GetPolicyReportRequest, Refunds__V1__PolicyReport)
{
    int dims[RF_REPORT_DIMS_MAX];
    int64_t from = 0, to = 0;

    for (size_t i = 0; i < in->n_group_by; i++)
        dims[i] = in->group_by[i];
    rf_pb_timestamp_us(in->start_time, &from);
    rf_pb_timestamp_us(in->end_time, &to);
    out->start_time = in->start_time;
    out->end_time = in->end_time;
    out->n_group_by = in->n_group_by;
    out->group_by = in->group_by;
    return rf_report_store_policy(&call->ctx, from, to, dims, in->n_group_by,
                                  (int)call->settings->report_work_mem_mb, out);
}

static void validate_get_policy(const Refunds__V1__GetPolicyRequest *in, int64_t now_us,
                                struct rf_error *err)
{
    (void)now_us;
    if (in->version < 0)
        rf_violation_add(err, "version", "must be a version (1, 2, ...) or 0 for the current one");
    if (in->compare_to < 0)
        rf_violation_add(err, "compare_to", "must be a version (1, 2, ...), or 0 for none");
}

static void validate_list_policy_versions(const Refunds__V1__ListPolicyVersionsRequest *in,
                                          int64_t now_us, struct rf_error *err)
{
    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
}

static void validate_update_policy(const Refunds__V1__UpdatePolicyRequest *in, int64_t now_us,
                                   struct rf_error *err)
{
    size_t len = strlen(in->document);

    (void)now_us;
    if (len == 0)
        rf_violation_add(err, "document", "is required: the whole policy as JSON");
    else if (len > DOCUMENT_MAX_BYTES)
        rf_violation_add(err, "document", "must be at most %d bytes", DOCUMENT_MAX_BYTES);
    rf_check_text(err, "note", in->note, RF_MAX_SHORT_TEXT_CHARS, true, RF_TEXT_MULTILINE);
    if (in->base_version < 0)
        rf_violation_add(err, "base_version", "must be a version (1, 2, ...), or 0 for none");
}

static void validate_get_policy_report(const Refunds__V1__GetPolicyReportRequest *in,
                                       int64_t now_us, struct rf_error *err)
{
    int64_t from = 0, to = 0;
    bool from_ok = false, to_ok = false;

    (void)now_us;
    if (in->start_time == NULL)
        rf_violation_add(err, "start_time", "is required: the first moment of the range");
    else
        from_ok = rf_check_time(err, "start_time", in->start_time, &from);
    if (in->end_time == NULL)
        rf_violation_add(err, "end_time", "is required: the moment after the range");
    else
        to_ok = rf_check_time(err, "end_time", in->end_time, &to);
    if (from_ok && to_ok && to <= from)
        rf_violation_add(err, "end_time", "must be after start_time");
    if (in->n_group_by == 0 || in->n_group_by > RF_REPORT_DIMS_MAX) {
        rf_violation_add(err, "group_by",
                         "must name one or two of reason, category, channel, policy_version, "
                         "tier (got %zu)",
                         in->n_group_by);
        return;
    }
    for (size_t i = 0; i < in->n_group_by; i++) {
        char path[32];

        snprintf(path, sizeof path, "group_by[%zu]", i);
        rf_check_enum(err, path, &refunds__v1__report_dimension__descriptor, in->group_by[i], true);
        if (i > 0 && in->group_by[i] == in->group_by[0])
            rf_violation_add(err, path, "repeats group_by[0]");
    }
}

RF_VALIDATOR(validate_get_policy, Refunds__V1__GetPolicyRequest);
RF_VALIDATOR(validate_list_policy_versions, Refunds__V1__ListPolicyVersionsRequest);
RF_VALIDATOR(validate_update_policy, Refunds__V1__UpdatePolicyRequest);
RF_VALIDATOR(validate_get_policy_report, Refunds__V1__GetPolicyReportRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "GetPolicy",
        .input = &refunds__v1__get_policy_request__descriptor,
        .output = &refunds__v1__policy__descriptor,
        .validate = validate_get_policy_entry,
        .handler = get_policy_entry,
        .roles = RF_ROLES_ALL,
    },
    {
        .name = "ListPolicyVersions",
        .input = &refunds__v1__list_policy_versions_request__descriptor,
        .output = &refunds__v1__list_policy_versions_response__descriptor,
        .validate = validate_list_policy_versions_entry,
        .handler = list_policy_versions_entry,
        .roles = RF_ROLES_ALL,
    },
    {
        .name = "UpdatePolicy",
        .input = &refunds__v1__update_policy_request__descriptor,
        .output = &refunds__v1__policy__descriptor,
        .validate = validate_update_policy_entry,
        .handler = update_policy_entry,
        .roles = RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
    },
    {
        .name = "GetPolicyReport",
        .input = &refunds__v1__get_policy_report_request__descriptor,
        .output = &refunds__v1__policy_report__descriptor,
        .validate = validate_get_policy_report_entry,
        .handler = get_policy_report_entry,
        .roles = RF_ROLES_APPROVERS | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
};

RF_METHOD_PART(rf_policies_methods, methods);
