/*
 * refundctl's human output of the guidelines and their use (see print.h):
 * a case's evaluation with every factor and the sentence to read aloud, the
 * list of a case's evaluations, a policy version (its document, or what
 * changed from another), the list of versions, and the policy report as
 * tables (its figures per group, then its amounts per group and currency)
 * and as CSV. The --json form is json.c's.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "print.h"
#include "print_util.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/policy.pb-c.h"

/* "+40", "0", "-12": an effect on the score. */
static const char *signed_int(struct rf_arena *a, int v)
{
    return v > 0 ? rf_arena_printf(a, "+%d", v) : rf_arena_printf(a, "%d", v);
}

void rf_print_evaluation(FILE *out, struct rf_arena *a, const Refunds__V1__Evaluation *ev)
{
    const Refunds__V1__EvaluationHistory *h = ev->history;

    pr_row(out, "Evaluation",
           rf_arena_printf(a, "#%d by %s at %s, policy version %lld", ev->number, ev->evaluated_by,
                           pr_when(a, ev->evaluate_time), (long long)ev->policy_version));
    pr_row(out, "Recommendation",
           rf_arena_printf(a, "%s (score %d); decided by %s; priority %s",
                           pr_word(a, &refunds__v1__recommendation__descriptor, ev->recommendation),
                           ev->score, pr_word(a, &refunds__v1__tier__descriptor, ev->tier),
                           pr_word(a, &refunds__v1__priority__descriptor, ev->priority)));
    pr_row(out, "Outside policy",
           rf_arena_printf(a, "%s, %d %s past the window (limit %d for %s)",
                           pr_money(a, ev->amount_outside_policy), ev->days_past_window,
                           ev->days_past_window == 1 ? "day" : "days", ev->max_days_past_window,
                           pr_one_line(a, ev->category)));
    if (h != NULL)
        pr_row(out, "History",
               rf_arena_printf(a,
                               "earlier cases %d; in the window: exceptions %d (%s), denials %d; "
                               "open findings %d; contacts on this case %d",
                               h->previous_cases, h->previous_exceptions,
                               pr_money(a, h->refunded_in_window), h->previous_denials,
                               h->open_findings, h->interactions));
    if (ev->n_factors > 0)
        fputs("Factors\n", out);
    for (size_t i = 0; i < ev->n_factors; i++) {
        const Refunds__V1__EvaluationFactor *f = ev->factors[i];

        fprintf(out, "  %-20s %4s  ", pr_one_line(a, f->name), signed_int(a, f->effect));
        pr_text(out, f->observed, 29);
        fprintf(out, "\n%29s", "");
        pr_text(out, f->sentence, 29);
        fputc('\n', out);
    }
}

static void print_evaluations(FILE *out, struct rf_arena *a,
                              const Refunds__V1__ListEvaluationsResponse *r)
{
    if (r->n_evaluations == 0)
        fputs("Not evaluated yet.\n", out);
    for (size_t i = 0; i < r->n_evaluations; i++) {
        if (i > 0)
            fputc('\n', out);
        rf_print_evaluation(out, a, r->evaluations[i]);
    }
}

static void print_policy(FILE *out, struct rf_arena *a, const Refunds__V1__Policy *p)
{
    pr_row(out, "Policy version",
           rf_arena_printf(a, "%lld%s", (long long)p->version, p->current ? " (current)" : ""));
    pr_row(out, "Stored", rf_arena_printf(a, "%s by %s", pr_when(a, p->create_time), p->author));
    pr_row(out, "Note", p->note);
    if (p->compared_to > 0) {
        static const char *const head[] = {"PATH", "FROM", "TO"};
        static const bool right[] = {false, false, false};
        const char **cells = rf_arena_calloc(a, p->n_changes * 3 + 1, sizeof *cells);

        fprintf(out, "Changes from version %lld: %zu\n", (long long)p->compared_to, p->n_changes);
        for (size_t i = 0; i < p->n_changes; i++) {
            const Refunds__V1__PolicyChange *c = p->changes[i];

            cells[i * 3] = pr_one_line(a, c->path);
            cells[i * 3 + 1] = c->added ? "(added)" : pr_one_line(a, c->old_value);
            cells[i * 3 + 2] = c->removed ? "(removed)" : pr_one_line(a, c->new_value);
        }
        if (p->n_changes > 0)
            pr_table(out, head, right, 3, cells, p->n_changes);
        return;
    }
    if (!pr_empty(p->document)) {
        /* Indented for people (and for editing into the next version); --json keeps the
         * canonical text as it is stored. */
        json_t *doc = json_loads(p->document, 0, NULL);
        char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;

        pr_text(out, text != NULL ? text : p->document, 0);
        fputc('\n', out);
        free(text);
        json_decref(doc);
    }
}

static void print_versions(FILE *out, struct rf_arena *a,
                           const Refunds__V1__ListPolicyVersionsResponse *r)
{
    static const char *const head[] = {"VERSION", "STORED", "AUTHOR", "NOTE"};
    static const bool right[] = {true, false, false, false};
    const char **cells = rf_arena_calloc(a, r->n_policies * 4 + 1, sizeof *cells);

    for (size_t i = 0; i < r->n_policies; i++) {
        const Refunds__V1__Policy *p = r->policies[i];

        cells[i * 4] = rf_arena_printf(a, "%lld%s", (long long)p->version, p->current ? "*" : "");
        cells[i * 4 + 1] = pr_when(a, p->create_time);
        cells[i * 4 + 2] = pr_one_line(a, p->author);
        cells[i * 4 + 3] = pr_one_line(a, p->note);
    }
    pr_table(out, head, right, 4, cells, r->n_policies);
    pr_next_page(out, a, r->next_page_token);
}

/* A duration for people: "45s", "3h 20m", "2d 4h"; "-" when there is none. */
static const char *duration(struct rf_arena *a, int64_t seconds, bool any)
{
    if (!any)
        return "-";
    if (seconds < 60)
        return rf_arena_printf(a, "%llds", (long long)seconds);
    if (seconds < 3600)
        return rf_arena_printf(a, "%lldm", (long long)(seconds / 60));
    if (seconds < 86400)
        return rf_arena_printf(a, "%lldh %lldm", (long long)(seconds / 3600),
                               (long long)(seconds % 3600 / 60));
    return rf_arena_printf(a, "%lldd %lldh", (long long)(seconds / 86400),
                           (long long)(seconds % 86400 / 3600));
}

static const char *percent(struct rf_arena *a, double share, bool any)
{
    return any ? rf_arena_printf(a, "%.1f%%", share * 100.0) : "-";
}

/* The keys of a row as the report's dimensions show them; "all" for the total. */
static const char *row_key(struct rf_arena *a, const Refunds__V1__PolicyReportRow *r, size_t i)
{
    return i < r->n_keys ? pr_one_line(a, r->keys[i]) : "all";
}

#define REPORT_FIGURES 12

/* The figures of one row, after its keys. */
static void report_cells(struct rf_arena *a, const Refunds__V1__PolicyReportRow *r,
                         const char **cell)
{
    int64_t decided = r->approved_full + r->approved_partial + r->denied + r->alternative_offered;

    cell[0] = rf_arena_printf(a, "%lld", (long long)r->cases);
    cell[1] = rf_arena_printf(a, "%lld+%lld", (long long)r->approved_full,
                              (long long)r->approved_partial);
    cell[2] = rf_arena_printf(a, "%lld", (long long)r->denied);
    cell[3] = rf_arena_printf(a, "%lld/%lld", (long long)r->alternative_accepted,
                              (long long)r->alternative_offered);
    cell[4] = rf_arena_printf(a, "%lld/%lld", (long long)r->withdrawn, (long long)r->undecided);
    cell[5] = percent(a, r->approval_rate, decided > 0);
    cell[6] = rf_arena_printf(a, "%s / %s", duration(a, r->decision_p50_seconds, decided > 0),
                              duration(a, r->decision_p90_seconds, decided > 0));
    cell[7] =
        rf_arena_printf(a, "%lld/%lld", (long long)r->sla_breaches, (long long)r->overdue_pending);
    cell[8] =
        rf_arena_printf(a, "%s / %s", duration(a, r->money_p50_seconds, r->money_confirmed > 0),
                        duration(a, r->money_p90_seconds, r->money_confirmed > 0));
    cell[9] = rf_arena_printf(a, "%lld", (long long)r->refunds);
    cell[10] = percent(a, r->finding_share, r->refunds > 0);
    cell[11] =
        r->has_nps ? rf_arena_printf(a, "%+.0f (%lld)", r->nps, (long long)r->nps_answers) : "-";
}

static const char *dimension_head(struct rf_arena *a, int d)
{
    const char *w = pr_word(a, &refunds__v1__report_dimension__descriptor, d);
    char *up = rf_arena_strdup(a, w);

    for (char *p = up; *p != '\0'; p++)
        *p = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
    return up;
}

static void print_report(FILE *out, struct rf_arena *a, const Refunds__V1__PolicyReport *r)
{
    static const char *const figures[REPORT_FIGURES] = {
        "CASES",    "APPROVED",           "DENIED",           "ALT ACC/OFF",     "WDR/OPEN",
        "RATE",     "DECISION P50 / P90", "SLA LATE/OVERDUE", "MONEY P50 / P90", "REFUNDS",
        "FINDINGS", "NPS (ANSWERS)"};
    size_t nd = r->n_group_by, ncols = nd + REPORT_FIGURES, nrows = r->n_rows + 1;
    const char **head = rf_arena_calloc(a, ncols, sizeof *head);
    bool *right = rf_arena_calloc(a, ncols, sizeof *right);
    const char **cells = rf_arena_calloc(a, ncols * nrows, sizeof *cells);
    static const char *const amount_cols[] = {"CURRENCY", "CASES", "REQUESTED", "APPROVED",
                                              "REFUNDED"};
    size_t n_amount_rows = 0, acols = nd + 5;
    const char **acells, **ahead;
    bool *aright;

    pr_row(out, "Cases contacted",
           rf_arena_printf(a, "%s to %s", pr_when(a, r->start_time), pr_when(a, r->end_time)));
    pr_row(out, "Computed", pr_when(a, r->compute_time));
    for (size_t i = 0; i < nd; i++)
        head[i] = dimension_head(a, r->group_by[i]);
    for (size_t i = 0; i < REPORT_FIGURES; i++) {
        head[nd + i] = figures[i];
        right[nd + i] = true;
    }
    for (size_t i = 0; i < nrows; i++) {
        const Refunds__V1__PolicyReportRow *row = i < r->n_rows ? r->rows[i] : r->total;

        for (size_t k = 0; k < nd; k++)
            cells[i * ncols + k] = row_key(a, row, k);
        report_cells(a, row, cells + i * ncols + nd);
        n_amount_rows += row->n_amounts;
    }
    pr_table(out, head, right, ncols, cells, nrows);
    if (n_amount_rows == 0)
        return;
    /* The amounts, per group and currency: money of different currencies never adds up. */
    acells = rf_arena_calloc(a, acols * n_amount_rows, sizeof *acells);
    ahead = rf_arena_calloc(a, acols, sizeof *ahead);
    aright = rf_arena_calloc(a, acols, sizeof *aright);
    for (size_t i = 0; i < nd; i++)
        ahead[i] = head[i];
    for (size_t i = 0; i < 5; i++) {
        ahead[nd + i] = amount_cols[i];
        aright[nd + i] = i > 0;
    }
    for (size_t i = 0, at = 0; i < nrows; i++) {
        const Refunds__V1__PolicyReportRow *row = i < r->n_rows ? r->rows[i] : r->total;

        for (size_t m = 0; m < row->n_amounts; m++, at++) {
            const Refunds__V1__ReportAmounts *x = row->amounts[m];
            const char **cell = acells + at * acols;
            Refunds__V1__Money money = REFUNDS__V1__MONEY__INIT;

            for (size_t k = 0; k < nd; k++)
                cell[k] = row_key(a, row, k);
            money.currency = x->currency;
            cell[nd] = pr_one_line(a, x->currency);
            cell[nd + 1] = rf_arena_printf(a, "%lld", (long long)x->cases);
            money.amount_minor = x->requested_minor;
            cell[nd + 2] = pr_money(a, &money);
            money.amount_minor = x->approved_minor;
            cell[nd + 3] = pr_money(a, &money);
            money.amount_minor = x->refunded_minor;
            cell[nd + 4] = pr_money(a, &money);
        }
    }
    fputc('\n', out);
    pr_table(out, ahead, aright, acols, acells, n_amount_rows);
}

bool rf_print_policy_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a)
{
    const ProtobufCMessageDescriptor *d = reply->descriptor;

    if (d == &refunds__v1__policy__descriptor)
        print_policy(out, a, (const Refunds__V1__Policy *)reply);
    else if (d == &refunds__v1__list_policy_versions_response__descriptor)
        print_versions(out, a, (const Refunds__V1__ListPolicyVersionsResponse *)reply);
    else if (d == &refunds__v1__policy_report__descriptor)
        print_report(out, a, (const Refunds__V1__PolicyReport *)reply);
    else if (d == &refunds__v1__list_evaluations_response__descriptor)
        print_evaluations(out, a, (const Refunds__V1__ListEvaluationsResponse *)reply);
    else
        return false;
    return true;
}
