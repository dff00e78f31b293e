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
#include "refunds/money.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"
#include "refunds/names.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"

#define LABEL_WIDTH 17
#define COLS_MAX    8

/* Is p a control character (C0, DEL, a C1 or bidirectional control in UTF-8)? Its length, or 0. */
static size_t control_len(const unsigned char *p)
{
    if (*p < 0x20 || *p == 0x7f)
        return 1;
    if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        return 2;
    return rf_bidi_control_len((const char *)p);
}

/*
 * Writes s to out with control characters neutralised: a newline starts a
 * new line indented by indent columns, other controls become a space (tab)
 * or '?', and CR is dropped.
 */
static void put_text(FILE *out, const char *s, int indent)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        size_t n = control_len(p);

        if (n == 0)
            fputc(*p, out);
        else if (*p == '\n')
            fprintf(out, "\n%*s", indent, "");
        else if (*p == '\t')
            fputc(' ', out);
        else if (*p != '\r')
            fputc('?', out);
        p += n > 1 ? n - 1 : 0;
    }
}

/* A one-line copy of s in the arena, controls (newlines too) turned into spaces or '?'. */
static char *one_line(struct rf_arena *a, const char *s)
{
    char *copy = rf_arena_strdup(a, s == NULL ? "" : s);
    size_t out = 0;

    for (const unsigned char *p = (const unsigned char *)copy; *p != '\0'; p++) {
        size_t n = control_len(p);

        if (n == 0)
            copy[out++] = (char)*p;
        else
            copy[out++] = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : '?';
        p += n > 1 ? n - 1 : 0;
    }
    copy[out] = '\0';
    return copy;
}

/* Columns s takes on a terminal, counted as UTF-8 code points. */
static size_t width(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* The command-line spelling of value in desc ("pending-approval"), or its number. */
static const char *word(struct rf_arena *a, const ProtobufCEnumDescriptor *desc, int value)
{
    const char *s = rf_pb_enum_short_name(desc, value);
    char *w;

    if (value == 0)
        return "-";
    if (s == NULL)
        return rf_arena_printf(a, "%d", value);
    w = rf_arena_strdup(a, s);
    for (char *p = w; *p != '\0'; p++)
        *p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
    return w;
}

/* ts in RFC 3339 to the second, or "-" when unset or out of range. */
static const char *when(struct rf_arena *a, const Google__Protobuf__Timestamp *ts)
{
    char *buf = rf_arena_alloc(a, 40);
    int64_t us;

    if (ts == NULL || !rf_pb_timestamp_us(ts, &us))
        return "-";
    rf_time_format_rfc3339(us - (us % RF_USEC_PER_SEC + RF_USEC_PER_SEC) % RF_USEC_PER_SEC, buf,
                           40);
    return buf;
}

static const char *money(struct rf_arena *a, const Refunds__V1__Money *m)
{
    char *buf = rf_arena_alloc(a, 64);

    if (m == NULL)
        return "-";
    rf_money_format(m->amount_minor, m->currency, buf, 64);
    return buf;
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* One "Label            value" line of a block; the value's own lines are indented under it. */
static void row(FILE *out, const char *label, const char *value)
{
    if (empty(value))
        return;
    fprintf(out, "%-*s", LABEL_WIDTH, label);
    put_text(out, value, LABEL_WIDTH);
    fputc('\n', out);
}

static void print_approval(FILE *out, struct rf_arena *a, const Refunds__V1__Approval *ap)
{
    const char *sla = ap->sla_breached ? "SLA breached" : "within SLA";
    bool decided = ap->decision != REFUNDS__V1__DECISION__DECISION_UNSPECIFIED;

    row(out, "Approval", word(a, &refunds__v1__approval_state__descriptor, ap->state));
    row(out, "Escalated",
        rf_arena_printf(a, "by %s at %s", ap->escalated_by, when(a, ap->escalate_time)));
    row(out, "Due", rf_arena_printf(a, "%s (%s)", when(a, ap->due_time), sla));
    row(out, "Escalation note", ap->escalation_note);
    if (decided) {
        const char *d = word(a, &refunds__v1__decision__descriptor, ap->decision);

        row(out, "Decision",
            ap->approved_amount != NULL
                ? rf_arena_printf(a, "%s %s, by %s at %s", d, money(a, ap->approved_amount),
                                  ap->decided_by, when(a, ap->decide_time))
                : rf_arena_printf(a, "%s, by %s at %s", d, ap->decided_by,
                                  when(a, ap->decide_time)));
    }
    row(out, "Decision reason", ap->decision_reason);
    if (ap->n_alternatives > 0) {
        /* Joined in one pass: a reply may carry many (a hostile server), never quadratic. */
        const char **words = rf_arena_calloc(a, ap->n_alternatives, sizeof *words);
        size_t len = 0, at = 0;
        char *list;

        for (size_t i = 0; i < ap->n_alternatives; i++) {
            words[i] = word(a, &refunds__v1__alternative__descriptor, ap->alternatives[i]);
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
        row(out, "Alternatives", list);
    }
}

static void print_interaction(FILE *out, struct rf_arena *a, const Refunds__V1__Interaction *it)
{
    const char *slash = it->name != NULL ? strrchr(it->name, '/') : NULL;
    const char *kind = word(a, &refunds__v1__interaction_kind__descriptor, it->kind);

    fprintf(out, "  #%s  %s  %s", slash != NULL ? one_line(a, slash + 1) : "?",
            when(a, it->create_time), kind);
    if (it->channel != 0)
        fprintf(out, " via %s", word(a, &refunds__v1__channel__descriptor, it->channel));
    fputs(", by ", out);
    put_text(out, it->author != NULL ? it->author : "", 0);
    fputs("\n      ", out);
    put_text(out, it->summary != NULL ? it->summary : "", 6);
    fputc('\n', out);
}

/* One refund of a case: provider and id, amount, what the provider says, reference, receipt. */
static void print_refund(FILE *out, struct rf_arena *a, const Refunds__V1__Refund *r)
{
    fprintf(out, "  %s %s  %s  issued %s  provider: %s", one_line(a, r->provider),
            one_line(a, r->provider_refund_id), money(a, r->amount), when(a, r->issue_time),
            word(a, &refunds__v1__provider_status__descriptor, r->provider_status));
    if (!empty(r->transfer_reference))
        fprintf(out, "  reference %s", one_line(a, r->transfer_reference));
    if (r->receipt_confirm_time != NULL)
        fprintf(out, "  received %s", when(a, r->receipt_confirm_time));
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

    row(out, "Case", c->name);
    row(out, "State", word(a, &refunds__v1__case_state__descriptor, c->state));
    row(out, "Etag", c->etag);
    row(out, "Channel",
        rf_arena_printf(a, "%s, acknowledged %s",
                        word(a, &refunds__v1__channel__descriptor, c->channel),
                        when(a, c->acknowledge_time)));
    if (cu != NULL) {
        row(out, "Customer", rf_arena_printf(a, "%s <%s>", cu->name, cu->email));
        row(out, "Phone", cu->phone);
        row(out, "Language", cu->preferred_language);
    }
    if (pr != NULL) {
        row(out, "Product",
            rf_arena_printf(a, "%s (SKU %s, category %s)", pr->name, pr->sku, pr->category));
        row(out, "Order", pr->order_id);
    }
    row(out, "Purchased", when(a, c->purchase_time));
    if (pay != NULL) {
        const char *paid =
            rf_arena_printf(a, "%s by %s", money(a, c->amount_paid),
                            word(a, &refunds__v1__payment_method__descriptor, pay->method));

        if (!empty(pay->provider))
            paid = rf_arena_printf(a, "%s via %s", paid, pay->provider);
        if (!empty(pay->provider_payment_id))
            paid = rf_arena_printf(a, "%s, payment %s", paid, pay->provider_payment_id);
        row(out, "Paid", paid);
    } else {
        row(out, "Paid", money(a, c->amount_paid));
    }
    row(out, "Requested", money(a, c->requested_amount));
    row(out, "Reason", word(a, &refunds__v1__reason_code__descriptor, c->reason_code));
    row(out, "Reason text", c->reason_text);
    row(out, "Opened by", c->opened_by);
    row(out, "Assignee", c->assignee);
    row(out, "Created", when(a, c->create_time));
    row(out, "Updated", when(a, c->update_time));
    row(out, "Withdraw reason", c->withdraw_reason);
    if (c->approval != NULL)
        print_approval(out, a, c->approval);
    if (c->n_refunds > 0) {
        fprintf(out, "Refunds (%zu)\n", c->n_refunds);
        for (size_t i = 0; i < c->n_refunds; i++)
            print_refund(out, a, c->refunds[i]);
    }
    if (c->n_interactions > 0) {
        fprintf(out, "Interactions (%zu)\n", c->n_interactions);
        for (size_t i = 0; i < c->n_interactions; i++)
            print_interaction(out, a, c->interactions[i]);
    }
}

/*
 * Writes an aligned table: head names ncols columns, cells holds nrows rows
 * of ncols one-line strings; columns flagged in right are right-aligned.
 */
static void print_table(FILE *out, const char *const *head, const bool *right, size_t ncols,
                        const char *const *cells, size_t nrows)
{
    size_t w[COLS_MAX];

    for (size_t c = 0; c < ncols; c++) {
        w[c] = width(head[c]);
        for (size_t r = 0; r < nrows; r++) {
            size_t n = width(cells[r * ncols + c]);

            w[c] = n > w[c] ? n : w[c];
        }
    }
    for (size_t r = 0; r <= nrows; r++) {
        const char *const *line = r == 0 ? head : cells + (r - 1) * ncols;

        for (size_t c = 0; c < ncols; c++) {
            size_t pad = w[c] - width(line[c]);
            bool last = c + 1 == ncols;

            if (right[c])
                fprintf(out, "%*s%s", (int)pad, "", line[c]);
            else
                fprintf(out, "%s%*s", line[c], last ? 0 : (int)pad, "");
            fputs(last ? "\n" : "  ", out);
        }
    }
}

static void print_next_page(FILE *out, struct rf_arena *a, const char *token)
{
    if (!empty(token))
        fprintf(out, "Next page: --page-token %s\n", one_line(a, token));
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
        print_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_cases; i++) {
        const Refunds__V1__Case *c = r->cases[i];
        const char **cell = cells + i * ncols;
        const char *name = c->name != NULL ? c->name : "";

        cell[0] = one_line(a, strncmp(name, "cases/", 6) == 0 ? name + 6 : name);
        cell[1] = word(a, &refunds__v1__case_state__descriptor, c->state);
        cell[2] = one_line(a, c->customer != NULL ? c->customer->email : "");
        cell[3] = one_line(a, money(a, c->requested_amount));
        cell[4] = word(a, &refunds__v1__reason_code__descriptor, c->reason_code);
        cell[5] = one_line(a, c->assignee);
        cell[6] = when(a, c->update_time);
    }
    print_table(out, head, right, ncols, cells, r->n_cases);
    print_next_page(out, a, r->next_page_token);
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

static void print_queue(FILE *out, struct rf_arena *a,
                        const Refunds__V1__ListApprovalQueueResponse *r, int64_t now_us)
{
    static const char *const head[] = {"ID",     "DUE",          "SLA",     "REQUESTED",
                                       "REASON", "ESCALATED BY", "CUSTOMER"};
    static const bool right[] = {false, false, false, true, false, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_cases * ncols, sizeof *cells);

    if (r->n_cases == 0) {
        fputs("The approval queue is empty.\n", out);
        print_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_cases; i++) {
        const Refunds__V1__Case *c = r->cases[i];
        const Refunds__V1__Approval *ap = c->approval;
        const char **cell = cells + i * ncols;
        const char *name = c->name != NULL ? c->name : "";

        cell[0] = one_line(a, strncmp(name, "cases/", 6) == 0 ? name + 6 : name);
        cell[1] = ap != NULL ? when(a, ap->due_time) : "-";
        cell[2] = sla_text(a, ap, now_us);
        cell[3] = one_line(a, money(a, c->requested_amount));
        cell[4] = word(a, &refunds__v1__reason_code__descriptor, c->reason_code);
        cell[5] = one_line(a, ap != NULL ? ap->escalated_by : "");
        cell[6] = one_line(a, c->customer != NULL ? c->customer->email : "");
    }
    print_table(out, head, right, ncols, cells, r->n_cases);
    print_next_page(out, a, r->next_page_token);
}

static void print_run(FILE *out, struct rf_arena *a, const Refunds__V1__Run *r)
{
    row(out, "Run", r->name);
    row(out, "Worker", r->worker);
    row(out, "State", word(a, &refunds__v1__run_state__descriptor, r->state));
    row(out, "Started", when(a, r->start_time));
    row(out, "Ended", r->end_time != NULL ? when(a, r->end_time) : "-");
    row(out, "Checked",
        rf_arena_printf(a, "%lld refunds (%lld unknown) in %lld batches, %.0f/s",
                        (long long)r->refunds_checked, (long long)r->unknown, (long long)r->batches,
                        r->refunds_per_second));
    row(out, "Lag", rf_arena_printf(a, "%lld s", (long long)r->lag_seconds));
    row(out, "Orphans",
        rf_arena_printf(a, "%lld of %lld provider refunds scanned", (long long)r->orphans,
                        (long long)r->provider_refunds_scanned));
    for (size_t i = 0; i < r->n_findings; i++)
        row(out, i == 0 ? "Findings" : "",
            rf_arena_printf(a, "%s: %lld opened, %lld closed",
                            word(a, &refunds__v1__finding_kind__descriptor, r->findings[i]->kind),
                            (long long)r->findings[i]->opened, (long long)r->findings[i]->closed));
    for (size_t i = 0; i < r->n_amounts; i++) {
        Refunds__V1__Money m = REFUNDS__V1__MONEY__INIT;

        m.amount_minor = r->amounts[i]->amount_minor;
        m.currency = r->amounts[i]->currency;
        row(out, i == 0 ? "Amounts" : "",
            rf_arena_printf(a, "%s in %lld refunds", money(a, &m),
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
        print_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_runs; i++) {
        const Refunds__V1__Run *run = r->runs[i];
        const char **cell = cells + i * ncols;

        cell[0] = one_line(a, rf_name_id(run->name != NULL ? run->name : ""));
        cell[1] = word(a, &refunds__v1__run_state__descriptor, run->state);
        cell[2] = when(a, run->start_time);
        cell[3] = rf_arena_printf(a, "%lld", (long long)run->refunds_checked);
        cell[4] = rf_arena_printf(a, "%lld", (long long)run->unknown);
        cell[5] = rf_arena_printf(a, "%.0f", run->refunds_per_second);
        cell[6] = one_line(a, run->worker);
    }
    print_table(out, head, right, ncols, cells, r->n_runs);
    print_next_page(out, a, r->next_page_token);
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
        print_next_page(out, a, r->next_page_token);
        return;
    }
    for (size_t i = 0; i < r->n_findings; i++) {
        const Refunds__V1__Finding *f = r->findings[i];
        const char **cell = cells + i * ncols;

        cell[0] = word(a, &refunds__v1__finding_kind__descriptor, f->kind);
        cell[1] = word(a, &refunds__v1__finding_state__descriptor, f->state);
        cell[2] = one_line(a, rf_arena_printf(a, "%s %s", f->provider, f->provider_refund_id));
        cell[3] = one_line(a, money(a, f->amount));
        cell[4] = one_line(a, empty(f->case_) ? "-" : rf_name_id(f->case_));
        cell[5] = when(a, f->open_time);
        cell[6] = one_line(a, f->suggested_action);
    }
    print_table(out, head, right, ncols, cells, r->n_findings);
    print_next_page(out, a, r->next_page_token);
}

/* What was checked, then the faults as a table, and whether the verification is complete. */
static void print_verify(FILE *out, struct rf_arena *a,
                         const Refunds__V1__VerifyAuditChainResponse *r)
{
    static const char *const head[] = {"FAULT", "CASE", "SEQ", "CHECKPOINT", "WHAT"};
    static const bool right[] = {false, false, true, false, false};
    const size_t ncols = sizeof head / sizeof head[0];
    const char **cells = rf_arena_calloc(a, r->n_faults * ncols, sizeof *cells);
    bool done = empty(r->next_page_token);

    row(out, "Cases checked",
        rf_arena_printf(a, "%lld (%lld events)", (long long)r->cases_checked,
                        (long long)r->events_checked));
    row(out, "Checkpoints",
        rf_arena_printf(a, "%lld checked (%lld heads)", (long long)r->checkpoints_checked,
                        (long long)r->heads_checked));
    if (!empty(r->latest_checkpoint))
        row(out, "Last checkpoint",
            one_line(a, rf_arena_printf(a, "%s, hash %s", r->latest_checkpoint,
                                        r->latest_checkpoint_hash)));
    row(out, "Faults", rf_arena_printf(a, "%lld", (long long)r->faults_found));
    for (size_t i = 0; i < r->n_faults; i++) {
        const Refunds__V1__AuditFault *f = r->faults[i];
        const char **cell = cells + i * ncols;

        cell[0] = word(a, &refunds__v1__audit_fault_kind__descriptor, f->kind);
        cell[1] = one_line(a, empty(f->case_) ? "-" : rf_name_id(f->case_));
        cell[2] = f->seq > 0 ? rf_arena_printf(a, "%d", f->seq) : "-";
        cell[3] = one_line(a, empty(f->checkpoint) ? "-" : rf_name_id(f->checkpoint));
        cell[4] = one_line(a, f->message);
    }
    if (r->n_faults > 0)
        print_table(out, head, right, ncols, cells, r->n_faults);
    if (done && r->faults_found == 0)
        fputs("Every chain and checkpoint verifies.\n", out);
    else if (!done)
        fputs("Not complete: verify the next page too (or use --all).\n", out);
    print_next_page(out, a, r->next_page_token);
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
        put_text(out, err->message, 2);
    }
    fputc('\n', out);
    for (int i = 0; i < n; i++) {
        fputs("  ", out);
        put_text(out, err->violations[i].field, 4);
        fputs(": ", out);
        put_text(out, err->violations[i].description, 4);
        fputc('\n', out);
    }
    if (err->n_violations > n)
        fprintf(out, "  (and %d more)\n", err->n_violations - n);
}
