/*
 * refundctl's human output of following the money (see print.h): the refund
 * trace an agent reads with the customer on the phone (timeline, each
 * refund's transfer reference set apart, its window, open findings, what to
 * give the bank, and the script), follow-up tasks and a finding.
 */
#include <string.h>
#include <unistd.h>

#include "print.h"
#include "print_util.h"
#include "refunds/names.h"
#include "refunds/psp.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"

/* Bold on a terminal, so that the reference stands out; as it is elsewhere. */
static void put_strong(FILE *out, const char *s)
{
    bool tty = isatty(fileno(out));

    fputs(tty ? "\033[1m" : "", out);
    pr_text(out, s, PR_LABEL_WIDTH);
    fputs(tty ? "\033[0m" : "", out);
}

static void print_item(FILE *out, struct rf_arena *a, const Refunds__V1__RefundTraceItem *it)
{
    const Refunds__V1__Refund *r = it->refund;
    const Refunds__V1__ArrivalWindow *w = it->window;

    fputc('\n', out);
    pr_row(out, "Refund", r->name);
    pr_row(out, "Provider",
           pr_one_line(a, rf_arena_printf(a, "%s %s: %s, %s", r->provider, r->provider_refund_id,
                                          pr_word(a, &refunds__v1__provider_status__descriptor,
                                                  r->provider_status),
                                          pr_money(a, r->amount))));
    pr_row(out, "Pending because", it->pending_reason);
    pr_row(out, "Failed because", it->failure_reason);
    fprintf(out, "%-*s", PR_LABEL_WIDTH, "REFERENCE");
    if (!pr_empty(it->reference)) {
        put_strong(out, rf_arena_printf(a, "%s %s", rf_psp_reference_type_short(it->reference_type),
                                        it->reference));
        if (!pr_empty(it->reference_status))
            fprintf(out, " (%s)", pr_one_line(a, it->reference_status));
    } else {
        pr_text(out, pr_empty(it->reference_note) ? "none yet" : it->reference_note,
                PR_LABEL_WIDTH);
    }
    fputc('\n', out);
    if (w != NULL)
        pr_row(out, "Window",
               rf_arena_printf(a, "%.10s to %.10s (%d-%d business days): %s",
                               pr_when(a, w->start_time), pr_when(a, w->end_time),
                               w->from_business_days, w->to_business_days,
                               pr_word(a, &refunds__v1__window_position__descriptor, w->position)));
    for (size_t i = 0; i < it->n_open_findings; i++) {
        const Refunds__V1__Finding *f = it->open_findings[i];

        pr_row(out, i == 0 ? "Open findings" : "",
               rf_arena_printf(a, "%s (%s): %s",
                               pr_word(a, &refunds__v1__finding_kind__descriptor, f->kind),
                               rf_name_id(f->name), f->suggested_action));
    }
    if (it->bank != NULL) {
        const Refunds__V1__BankDetails *b = it->bank;

        pr_row(out, "For the bank",
               rf_arena_printf(a, "reference %s %s\namount %s\nrefunded on %s\nmerchant %s",
                               pr_empty(b->reference_type) ? "" : b->reference_type,
                               pr_empty(b->reference) ? "(none yet)" : b->reference,
                               b->amount_text, b->refund_date_text, b->merchant_name));
    }
}

static void print_trace(FILE *out, struct rf_arena *a, const Refunds__V1__RefundTrace *t)
{
    const Refunds__V1__Approval *ap = t->approval;

    pr_row(out, "Case", rf_arena_printf(a, "%s (%s)", t->case_,
                                        pr_word(a, &refunds__v1__case_state__descriptor, t->state)));
    if (ap != NULL && ap->decision == REFUNDS__V1__DECISION__DECISION_APPROVE)
        pr_row(out, "Approved",
               rf_arena_printf(a, "%s by %s at %s", pr_money(a, ap->approved_amount),
                               ap->decided_by, pr_when(a, ap->decide_time)));
    pr_row(out, "Status", t->status_note);
    if (t->n_timeline > 0) {
        fputs("\nTimeline\n", out);
        for (size_t i = 0; i < t->n_timeline; i++) {
            fprintf(out, "  %-22s", pr_when(a, t->timeline[i]->time));
            pr_text(out, t->timeline[i]->text, 24);
            fputc('\n', out);
        }
    }
    for (size_t i = 0; i < t->n_refunds; i++)
        print_item(out, a, t->refunds[i]);
    if (t->script != NULL) {
        fprintf(out, "\nScript (%s, %s v%d)\n  ", pr_one_line(a, t->script->language),
                pr_one_line(a, t->script->situation), t->script->template_version);
        pr_text(out, t->script->text, 2);
        fputc('\n', out);
    }
}

static void print_follow_up(FILE *out, struct rf_arena *a, const Refunds__V1__FollowUp *f)
{
    pr_row(out, "Follow-up", f->name);
    pr_row(out, "Case", f->case_);
    pr_row(out, "Kind", pr_word(a, &refunds__v1__follow_up_kind__descriptor, f->kind));
    pr_row(out, "State", pr_word(a, &refunds__v1__follow_up_state__descriptor, f->state));
    pr_row(out, "Due", rf_arena_printf(a, "%s%s", pr_when(a, f->due_time),
                                       f->overdue ? " (overdue)" : ""));
    pr_row(out, "Assignee", f->assignee);
    pr_row(out, "Finding", f->finding);
    pr_row(out, "What to do", f->reason);
    pr_row(out, "Outcome", f->outcome);
    rf_print_satisfaction(out, a, f->satisfaction);
    if (f->close_time != NULL)
        pr_row(out, "Closed",
               rf_arena_printf(a, "%s by %s", pr_when(a, f->close_time), f->closed_by));
}

static void print_follow_ups(FILE *out, struct rf_arena *a,
                             const Refunds__V1__ListDueFollowUpsResponse *r)
{
    static const char *const head[] = {"ID", "DUE", "KIND", "CASE", "WHAT TO DO"};
    static const bool right[] = {false, false, false, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_follow_ups * ncols, sizeof *cells);

    if (r->n_follow_ups == 0) {
        fputs("Nothing due.\n", out);
        pr_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_follow_ups; i++) {
        const Refunds__V1__FollowUp *f = r->follow_ups[i];
        const char **cell = cells + i * ncols;

        cell[0] = pr_one_line(a, rf_name_id(f->name));
        cell[1] = rf_arena_printf(a, "%s%s", pr_when(a, f->due_time), f->overdue ? " !" : "");
        cell[2] = pr_word(a, &refunds__v1__follow_up_kind__descriptor, f->kind);
        cell[3] = pr_one_line(a, pr_empty(f->case_) ? "-" : rf_name_id(f->case_));
        cell[4] = pr_one_line(a, f->reason);
    }
    pr_table(out, head, right, ncols, cells, r->n_follow_ups);
    pr_next_page(out, a, r->next_page_token);
}

static void print_finding(FILE *out, struct rf_arena *a, const Refunds__V1__Finding *f)
{
    pr_row(out, "Finding", f->name);
    pr_row(out, "Kind", pr_word(a, &refunds__v1__finding_kind__descriptor, f->kind));
    pr_row(out, "State", pr_word(a, &refunds__v1__finding_state__descriptor, f->state));
    pr_row(out, "Case", f->case_);
    pr_row(out, "Refund", pr_one_line(a, rf_arena_printf(a, "%s %s", f->provider,
                                                         f->provider_refund_id)));
    pr_row(out, "Amount", pr_money(a, f->amount));
    pr_row(out, "Reference", f->transfer_reference);
    pr_row(out, "Opened", pr_when(a, f->open_time));
    pr_row(out, "Next action", f->suggested_action);
    if (f->resolution != 0) {
        pr_row(out, "Resolution",
               rf_arena_printf(a, "%s by %s at %s",
                               pr_word(a, &refunds__v1__resolution__descriptor, f->resolution),
                               f->resolved_by, pr_when(a, f->resolve_time)));
        pr_row(out, "Note", f->resolution_note);
    } else if (f->close_time != NULL) {
        pr_row(out, "Closed",
               rf_arena_printf(a, "%s: %s", pr_when(a, f->close_time), f->close_reason));
    }
}

bool rf_print_money_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a)
{
    const ProtobufCMessageDescriptor *d = reply->descriptor;

    if (d == &refunds__v1__refund_trace__descriptor)
        print_trace(out, a, (const Refunds__V1__RefundTrace *)reply);
    else if (d == &refunds__v1__follow_up__descriptor)
        print_follow_up(out, a, (const Refunds__V1__FollowUp *)reply);
    else if (d == &refunds__v1__list_due_follow_ups_response__descriptor)
        print_follow_ups(out, a, (const Refunds__V1__ListDueFollowUpsResponse *)reply);
    else if (d == &refunds__v1__finding__descriptor)
        print_finding(out, a, (const Refunds__V1__Finding *)reply);
    else
        return false;
    return true;
}
