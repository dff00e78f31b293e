/*
 * Human output of refundctl (see print.h). Enum values are shown the way the
 * command line takes them ("pending-approval"), amounts with rf_money_format,
 * times in RFC 3339 UTC to the second (--json has full precision). Which
 * printer runs is decided by the reply's descriptor, so the command table
 * does not need to name one.
 */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "json.h"
#include "print.h"
#include "print_util.h"
#include "refunds/money.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"
#include "refunds/names.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"











static void print_approval(FILE *out, struct rf_arena *a, const Refunds__V1__Approval *ap)
{
    const char *sla = ap->sla_breached ? "SLA breached" : "within SLA";
    bool decided = ap->decision != REFUNDS__V1__DECISION__DECISION_UNSPECIFIED;

    pr_row(out, "Approval", pr_word(a, &refunds__v1__approval_state__descriptor, ap->state));
    if (ap->self_approved) {
        pr_row(out, "Self-approved", "by the agent, within the self-approval limit");
    } else {
        pr_row(out, "Escalated",
               rf_arena_printf(a, "by %s at %s", ap->escalated_by, pr_when(a, ap->escalate_time)));
        pr_row(out, "Due", rf_arena_printf(a, "%s (%s)", pr_when(a, ap->due_time), sla));
    }
    if (ap->tier != 0)
        pr_row(out, "Decided by",
               rf_arena_printf(a, "%s (priority %s, policy version %lld)",
                               pr_word(a, &refunds__v1__tier__descriptor, ap->tier),
                               pr_word(a, &refunds__v1__priority__descriptor, ap->priority),
                               (long long)ap->policy_version));
    pr_row(out, "Escalation note", ap->escalation_note);
    if (decided) {
        const char *d = pr_word(a, &refunds__v1__decision__descriptor, ap->decision);

        pr_row(out, "Decision",
            ap->approved_amount != NULL
                ? rf_arena_printf(a, "%s %s, by %s at %s", d, pr_money(a, ap->approved_amount),
                                  ap->decided_by, pr_when(a, ap->decide_time))
                : rf_arena_printf(a, "%s, by %s at %s", d, ap->decided_by,
                                  pr_when(a, ap->decide_time)));
    }
    pr_row(out, "Decision reason", ap->decision_reason);
    if (ap->n_alternatives > 0) {
        /* Joined in one pass: a reply may carry many (a hostile server), never quadratic. */
        const char **words = rf_arena_calloc(a, ap->n_alternatives, sizeof *words);
        size_t len = 0, at = 0;
        char *list;

        for (size_t i = 0; i < ap->n_alternatives; i++) {
            words[i] = pr_word(a, &refunds__v1__alternative__descriptor, ap->alternatives[i]);
            len += strlen(words[i]) + 2;
        }
        list = rf_arena_alloc(a, len + 1);
        for (size_t i = 0; i < ap->n_alternatives; i++) {
            size_t n = strlen(words[i]);

            if (i > 0) {
                memcpy(list + at, ", ", 2);
                at += 2;
            }
            memcpy(list + at, words[i], n);
            at += n;
        }
        list[at] = '\0';
        pr_row(out, "Alternatives", list);
    }
    if (ap->alternative_offer != NULL) {
        const Refunds__V1__AlternativeOffer *o = ap->alternative_offer;
        const char *what = o->amount != NULL ? pr_money(a, o->amount) : o->product;

        pr_row(out, "Offered",
               rf_arena_printf(a, "%s %s instead of a refund",
                               pr_word(a, &refunds__v1__alternative__descriptor, o->alternative),
                               what));
    }
}

static void print_interaction(FILE *out, struct rf_arena *a, const Refunds__V1__Interaction *it)
{
    const char *slash = it->name != NULL ? strrchr(it->name, '/') : NULL;
    const char *kind = pr_word(a, &refunds__v1__interaction_kind__descriptor, it->kind);

    fprintf(out, "  #%s  %s  %s", slash != NULL ? pr_one_line(a, slash + 1) : "?",
            pr_when(a, it->create_time), kind);
    if (it->channel != 0)
        fprintf(out, " via %s", pr_word(a, &refunds__v1__channel__descriptor, it->channel));
    fputs(", by ", out);
    pr_text(out, it->author != NULL ? it->author : "", 0);
    fputs("\n      ", out);
    pr_text(out, it->summary != NULL ? it->summary : "", 6);
    fputc('\n', out);
}

/* One refund of a case: provider and id, amount, what the provider says, reference, receipt. */
static void print_refund(FILE *out, struct rf_arena *a, const Refunds__V1__Refund *r)
{
    fprintf(out, "  %s %s  %s  issued %s  provider: %s", pr_one_line(a, r->provider),
            pr_one_line(a, r->provider_refund_id), pr_money(a, r->amount), pr_when(a, r->issue_time),
            pr_word(a, &refunds__v1__provider_status__descriptor, r->provider_status));
    if (!pr_empty(r->transfer_reference))
        fprintf(out, "  reference %s", pr_one_line(a, r->transfer_reference));
    if (r->receipt_confirm_time != NULL)
        fprintf(out, "  received %s", pr_when(a, r->receipt_confirm_time));
    if (r->exceeds_approved)
        fputs("  [more than approved]", out);
    if (r->currency_differs)
        fputs("  [other currency]", out);
    fputc('\n', out);
}

static void print_case(FILE *out, struct rf_arena *a, const Refunds__V1__Case *c)
{
    const Refunds__V1__Customer *cu = c->customer;
    const Refunds__V1__Product *pr = c->product;
    const Refunds__V1__Payment *pay = c->payment;

    pr_row(out, "Case", c->name);
    pr_row(out, "State", pr_word(a, &refunds__v1__case_state__descriptor, c->state));
    pr_row(out, "Etag", c->etag);
    pr_row(out, "Channel",
        rf_arena_printf(a, "%s, acknowledged %s",
                        pr_word(a, &refunds__v1__channel__descriptor, c->channel),
                        pr_when(a, c->acknowledge_time)));
    if (cu != NULL) {
        pr_row(out, "Customer", rf_arena_printf(a, "%s <%s>", cu->name, cu->email));
        pr_row(out, "Phone", cu->phone);
        pr_row(out, "Language", cu->preferred_language);
    }
    if (pr != NULL) {
        pr_row(out, "Product",
            rf_arena_printf(a, "%s (SKU %s, category %s)", pr->name, pr->sku, pr->category));
        pr_row(out, "Order", pr->order_id);
    }
    pr_row(out, "Purchased", pr_when(a, c->purchase_time));
    if (pay != NULL) {
        const char *paid =
            rf_arena_printf(a, "%s by %s", pr_money(a, c->amount_paid),
                            pr_word(a, &refunds__v1__payment_method__descriptor, pay->method));

        if (!pr_empty(pay->provider))
            paid = rf_arena_printf(a, "%s via %s", paid, pay->provider);
        if (!pr_empty(pay->provider_payment_id))
            paid = rf_arena_printf(a, "%s, payment %s", paid, pay->provider_payment_id);
        pr_row(out, "Paid", paid);
    } else {
        pr_row(out, "Paid", pr_money(a, c->amount_paid));
    }
    pr_row(out, "Requested", pr_money(a, c->requested_amount));
    pr_row(out, "Reason", pr_word(a, &refunds__v1__reason_code__descriptor, c->reason_code));
    pr_row(out, "Reason text", c->reason_text);
    pr_row(out, "Opened by", c->opened_by);
    pr_row(out, "Assignee", c->assignee);
    pr_row(out, "Created", pr_when(a, c->create_time));
    pr_row(out, "Updated", pr_when(a, c->update_time));
    pr_row(out, "Withdraw reason", c->withdraw_reason);
    if (c->evaluation != NULL)
        rf_print_evaluation(out, a, c->evaluation);
    if (c->approval != NULL)
        print_approval(out, a, c->approval);
    if (c->n_refunds > 0) {
        fprintf(out, "Refunds (%zu)\n", c->n_refunds);
        for (size_t i = 0; i < c->n_refunds; i++)
            print_refund(out, a, c->refunds[i]);
    }
    rf_print_case_messages(out, a, c);
    if (c->n_interactions > 0) {
        fprintf(out, "Interactions (%zu)\n", c->n_interactions);
        for (size_t i = 0; i < c->n_interactions; i++)
            print_interaction(out, a, c->interactions[i]);
    }
}



static void print_list(FILE *out, struct rf_arena *a, const Refunds__V1__ListCasesResponse *r)
{
    static const char *const head[] = {"ID",     "STATE",    "CUSTOMER", "REQUESTED",
                                       "REASON", "ASSIGNEE", "UPDATED"};
    static const bool right[] = {false, false, false, true, false, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_cases * ncols, sizeof *cells);

    if (r->n_cases == 0) {
        fputs("No cases.\n", out);
        pr_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_cases; i++) {
        const Refunds__V1__Case *c = r->cases[i];
        const char **cell = cells + i * ncols;
        const char *name = c->name != NULL ? c->name : "";

        cell[0] = pr_one_line(a, strncmp(name, "cases/", 6) == 0 ? name + 6 : name);
        cell[1] = pr_word(a, &refunds__v1__case_state__descriptor, c->state);
        cell[2] = pr_one_line(a, c->customer != NULL ? c->customer->email : "");
        cell[3] = pr_one_line(a, pr_money(a, c->requested_amount));
        cell[4] = pr_word(a, &refunds__v1__reason_code__descriptor, c->reason_code);
        cell[5] = pr_one_line(a, c->assignee);
        cell[6] = pr_when(a, c->update_time);
    }
    pr_table(out, head, right, ncols, cells, r->n_cases);
    pr_next_page(out, a, r->next_page_token);
}

/* "breached", or how long is left until the approval is due ("4h 12m left"). */
static const char *sla_text(struct rf_arena *a, const Refunds__V1__Approval *ap, int64_t now_us)
{
    int64_t due, left_min;

    if (ap == NULL)
        return "-";
    if (ap->sla_breached)
        return "BREACHED";
    if (ap->due_time == NULL || !rf_pb_timestamp_us(ap->due_time, &due) || due <= now_us)
        return "ok";
    left_min = (due - now_us) / (60 * RF_USEC_PER_SEC);
    if (left_min >= 24 * 60)
        return rf_arena_printf(a, "ok, %lldd %lldh left", (long long)(left_min / (24 * 60)),
                               (long long)(left_min / 60 % 24));
    return rf_arena_printf(a, "ok, %lldh %lldm left", (long long)(left_min / 60),
                           (long long)(left_min % 60));
}

/* The server's clock of an entry: "4h 12m left", "OVERDUE 1d 2h". */
static const char *time_left(struct rf_arena *a, const Refunds__V1__ApprovalQueueEntry *e)
{
    long long s = e->seconds_left < 0 ? -e->seconds_left : e->seconds_left;
    const char *span = s >= 86400 ? rf_arena_printf(a, "%lldd %lldh", s / 86400, s % 86400 / 3600)
                                  : rf_arena_printf(a, "%lldh %lldm", s / 3600, s % 3600 / 60);

    return e->overdue ? rf_arena_printf(a, "OVERDUE %s", span)
                      : rf_arena_printf(a, "%s left", span);
}

static void print_queue(FILE *out, struct rf_arena *a,
                        const Refunds__V1__ListApprovalQueueResponse *r, int64_t now_us)
{
    static const char *const head[] = {"ID",     "DUE",    "SLA",          "REQUESTED", "TIER",
                                       "ADVICE", "REASON", "ESCALATED BY", "CUSTOMER"};
    static const bool right[] = {false, false, false, true, false, false, false, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_cases * ncols, sizeof *cells);

    if (r->n_cases == 0) {
        fputs("The approval queue is empty.\n", out);
        pr_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_cases; i++) {
        const Refunds__V1__Case *c = r->cases[i];
        const Refunds__V1__Approval *ap = c->approval;
        const char **cell = cells + i * ncols;
        const char *name = c->name != NULL ? c->name : "";

        const Refunds__V1__ApprovalQueueEntry *e = i < r->n_entries ? r->entries[i] : NULL;

        cell[0] = pr_one_line(a, strncmp(name, "cases/", 6) == 0 ? name + 6 : name);
        cell[1] = ap != NULL ? pr_when(a, ap->due_time) : "-";
        cell[2] = e != NULL ? time_left(a, e) : sla_text(a, ap, now_us);
        cell[3] = pr_one_line(a, pr_money(a, c->requested_amount));
        cell[4] = e != NULL ? pr_word(a, &refunds__v1__tier__descriptor, e->tier) : "-";
        cell[5] = e != NULL
                      ? pr_word(a, &refunds__v1__recommendation__descriptor, e->recommendation)
                      : "-";
        cell[6] = pr_word(a, &refunds__v1__reason_code__descriptor, c->reason_code);
        cell[7] = pr_one_line(a, ap != NULL ? ap->escalated_by : "");
        cell[8] = pr_one_line(a, c->customer != NULL ? c->customer->email : "");
    }
    pr_table(out, head, right, ncols, cells, r->n_cases);
    pr_next_page(out, a, r->next_page_token);
}

static void print_run(FILE *out, struct rf_arena *a, const Refunds__V1__Run *r)
{
    pr_row(out, "Run", r->name);
    pr_row(out, "Worker", r->worker);
    pr_row(out, "State", pr_word(a, &refunds__v1__run_state__descriptor, r->state));
    pr_row(out, "Started", pr_when(a, r->start_time));
    pr_row(out, "Ended", r->end_time != NULL ? pr_when(a, r->end_time) : "-");
    pr_row(out, "Checked",
        rf_arena_printf(a, "%lld refunds (%lld unknown) in %lld batches, %.0f/s",
                        (long long)r->refunds_checked, (long long)r->unknown, (long long)r->batches,
                        r->refunds_per_second));
    pr_row(out, "Woken",
        rf_arena_printf(a, "%lld refunds checked again: their provider's data had come",
                        (long long)r->refunds_woken));
    pr_row(out, "Lag", rf_arena_printf(a, "%lld s", (long long)r->lag_seconds));
    pr_row(out, "Orphans",
        rf_arena_printf(a, "%lld of %lld provider refunds scanned", (long long)r->orphans,
                        (long long)r->provider_refunds_scanned));
    for (size_t i = 0; i < r->n_findings; i++)
        pr_row(out, i == 0 ? "Findings" : "",
            rf_arena_printf(a, "%s: %lld opened, %lld closed",
                            pr_word(a, &refunds__v1__finding_kind__descriptor, r->findings[i]->kind),
                            (long long)r->findings[i]->opened, (long long)r->findings[i]->closed));
    for (size_t i = 0; i < r->n_amounts; i++) {
        Refunds__V1__Money m = REFUNDS__V1__MONEY__INIT;

        m.amount_minor = r->amounts[i]->amount_minor;
        m.currency = r->amounts[i]->currency;
        pr_row(out, i == 0 ? "Amounts" : "",
            rf_arena_printf(a, "%s in %lld refunds", pr_money(a, &m),
                            (long long)r->amounts[i]->refunds));
    }
}

static void print_runs(FILE *out, struct rf_arena *a, const Refunds__V1__ListRunsResponse *r)
{
    static const char *const head[] = {"ID",      "STATE",  "STARTED", "CHECKED",
                                       "UNKNOWN", "RATE/S", "WORKER"};
    static const bool right[] = {false, false, false, true, true, true, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_runs * ncols, sizeof *cells);

    if (r->n_runs == 0) {
        fputs("No runs.\n", out);
        pr_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_runs; i++) {
        const Refunds__V1__Run *run = r->runs[i];
        const char **cell = cells + i * ncols;

        cell[0] = pr_one_line(a, rf_name_id(run->name != NULL ? run->name : ""));
        cell[1] = pr_word(a, &refunds__v1__run_state__descriptor, run->state);
        cell[2] = pr_when(a, run->start_time);
        cell[3] = rf_arena_printf(a, "%lld", (long long)run->refunds_checked);
        cell[4] = rf_arena_printf(a, "%lld", (long long)run->unknown);
        cell[5] = rf_arena_printf(a, "%.0f", run->refunds_per_second);
        cell[6] = pr_one_line(a, run->worker);
    }
    pr_table(out, head, right, ncols, cells, r->n_runs);
    pr_next_page(out, a, r->next_page_token);
}

static void print_findings(FILE *out, struct rf_arena *a,
                           const Refunds__V1__ListFindingsResponse *r)
{
    static const char *const head[] = {"KIND", "STATE",  "PROVIDER REFUND", "AMOUNT",
                                       "CASE", "OPENED", "NEXT ACTION"};
    static const bool right[] = {false, false, false, true, false, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_findings * ncols, sizeof *cells);

    if (r->n_findings == 0) {
        fputs("No findings.\n", out);
        pr_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_findings; i++) {
        const Refunds__V1__Finding *f = r->findings[i];
        const char **cell = cells + i * ncols;

        cell[0] = pr_word(a, &refunds__v1__finding_kind__descriptor, f->kind);
        cell[1] = pr_word(a, &refunds__v1__finding_state__descriptor, f->state);
        cell[2] = pr_one_line(a, rf_arena_printf(a, "%s %s", f->provider, f->provider_refund_id));
        cell[3] = pr_one_line(a, pr_money(a, f->amount));
        cell[4] = pr_one_line(a, pr_empty(f->case_) ? "-" : rf_name_id(f->case_));
        cell[5] = pr_when(a, f->open_time);
        cell[6] = pr_one_line(a, f->suggested_action);
    }
    pr_table(out, head, right, ncols, cells, r->n_findings);
    pr_next_page(out, a, r->next_page_token);
}

/* What was checked, then the faults as a table, and whether the verification is complete. */
static void print_verify(FILE *out, struct rf_arena *a,
                         const Refunds__V1__VerifyAuditChainResponse *r)
{
    static const char *const head[] = {"FAULT", "CASE", "SEQ", "CHECKPOINT", "WHAT"};
    static const bool right[] = {false, false, true, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_faults * ncols, sizeof *cells);
    bool done = pr_empty(r->next_page_token);

    pr_row(out, "Cases checked",
        rf_arena_printf(a, "%lld (%lld events)", (long long)r->cases_checked,
                        (long long)r->events_checked));
    pr_row(out, "Checkpoints",
        rf_arena_printf(a, "%lld checked (%lld heads)", (long long)r->checkpoints_checked,
                        (long long)r->heads_checked));
    if (!pr_empty(r->latest_checkpoint))
        pr_row(out, "Last checkpoint",
            pr_one_line(a, rf_arena_printf(a, "%s, hash %s", r->latest_checkpoint,
                                        r->latest_checkpoint_hash)));
    pr_row(out, "Faults", rf_arena_printf(a, "%lld", (long long)r->faults_found));
    for (size_t i = 0; i < r->n_faults; i++) {
        const Refunds__V1__AuditFault *f = r->faults[i];
        const char **cell = cells + i * ncols;

        cell[0] = pr_word(a, &refunds__v1__audit_fault_kind__descriptor, f->kind);
        cell[1] = pr_one_line(a, pr_empty(f->case_) ? "-" : rf_name_id(f->case_));
        cell[2] = f->seq > 0 ? rf_arena_printf(a, "%d", f->seq) : "-";
        cell[3] = pr_one_line(a, pr_empty(f->checkpoint) ? "-" : rf_name_id(f->checkpoint));
        cell[4] = pr_one_line(a, f->message);
    }
    if (r->n_faults > 0)
        pr_table(out, head, right, ncols, cells, r->n_faults);
    if (done && r->faults_found == 0)
        fputs("Every chain and checkpoint verifies.\n", out);
    else if (!done)
        fputs("Not complete: verify the next page too (or use --all).\n", out);
    pr_next_page(out, a, r->next_page_token);
}

int rf_print_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a, int64_t now_us)
{
    const ProtobufCMessageDescriptor *d = reply->descriptor;

    if (d == &refunds__v1__case__descriptor) {
        print_case(out, a, (const Refunds__V1__Case *)reply);
    } else if (d == &refunds__v1__list_cases_response__descriptor) {
        print_list(out, a, (const Refunds__V1__ListCasesResponse *)reply);
    } else if (d == &refunds__v1__list_approval_queue_response__descriptor) {
        print_queue(out, a, (const Refunds__V1__ListApprovalQueueResponse *)reply, now_us);
    } else if (d == &refunds__v1__run__descriptor) {
        print_run(out, a, (const Refunds__V1__Run *)reply);
    } else if (d == &refunds__v1__list_runs_response__descriptor) {
        print_runs(out, a, (const Refunds__V1__ListRunsResponse *)reply);
    } else if (d == &refunds__v1__list_findings_response__descriptor) {
        print_findings(out, a, (const Refunds__V1__ListFindingsResponse *)reply);
    } else if (d == &refunds__v1__verify_audit_chain_response__descriptor) {
        print_verify(out, a, (const Refunds__V1__VerifyAuditChainResponse *)reply);
    } else if (rf_print_money_reply(out, reply, a) || rf_print_comm_reply(out, reply, a) ||
               rf_print_policy_reply(out, reply, a)) {
        /* printed */
    } else if (d == &grpc__health__v1__health_check_response__descriptor) {
        int status = ((const Grpc__Health__V1__HealthCheckResponse *)reply)->status;
        const char *name = rf_pb_enum_name(
            &grpc__health__v1__health_check_response__serving_status__descriptor, status);

        if (name != NULL)
            fprintf(out, "%s\n", name);
        else
            fprintf(out, "%d\n", status);
    } else {
        json_t *j = rf_json_message(reply);
        int rc = rf_json_write(out, j, true);

        json_decref(j);
        return rc;
    }
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}

void rf_print_error(FILE *out, const struct rf_error *err)
{
    int n = err->n_violations < RF_VIOLATIONS_MAX ? err->n_violations : RF_VIOLATIONS_MAX;

    fprintf(out, "refundctl: %s", rf_code_name(err->code));
    if (err->message[0] != '\0') {
        fputs(": ", out);
        pr_text(out, err->message, 2);
    }
    fputc('\n', out);
    for (int i = 0; i < n; i++) {
        fputs("  ", out);
        pr_text(out, err->violations[i].field, 4);
        fputs(": ", out);
        pr_text(out, err->violations[i].description, 4);
        fputc('\n', out);
    }
    if (err->n_violations > n)
        fprintf(out, "  (and %d more)\n", err->n_violations - n);
}
