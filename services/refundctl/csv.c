/*
 * ExportFindings rows as CSV and as human lines, and the policy report as
 * CSV (see print.h). The findings' columns are FindingRow's, in its order, so
 * that finance's sheets keep their layout as the message grows at its end;
 * the report's are one line per group with its amounts in a column per
 * currency, so that a sheet never adds up money of two currencies.
 */
#include <string.h>

#include "print.h"
#include "print_util.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/v1/policy.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"

static const char *const columns[] = {
    "finding",       "case",          "refund",       "provider",         "provider_refund_id",
    "kind",          "state",         "amount_minor", "currency",         "approved_minor",
    "approved_currency", "transfer_reference", "open_time", "close_time", "close_reason",
    "resolution",    "resolved_by",   "resolve_time", "resolution_note",
};

/* One CSV field: quoted when it must be, defused when a spreadsheet would run it. */
static void field(FILE *out, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                   s[0] == '\r';

    if (quote)
        fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    if (quote)
        fputc('"', out);
    fputc(last ? '\n' : ',', out);
}

/* Full precision, as --json has it: finance reconciles to the microsecond. */
static const char *stamp(struct rf_arena *a, const Google__Protobuf__Timestamp *ts)
{
    char *buf;
    int64_t us;

    if (ts == NULL || !rf_pb_timestamp_us(ts, &us))
        return "";
    buf = rf_arena_alloc(a, 40);
    rf_time_format_rfc3339(us, buf, 40);
    return buf;
}

static const char *enum_name(const ProtobufCEnumDescriptor *d, int v)
{
    const char *s = rf_pb_enum_short_name(d, v);

    return v == 0 || s == NULL ? "" : s;
}

int rf_csv_findings_header(FILE *out)
{
    size_t n = sizeof columns / sizeof columns[0];

    for (size_t i = 0; i < n; i++)
        field(out, columns[i], i + 1 == n);
    return ferror(out) ? -1 : 0;
}

int rf_csv_finding_row(FILE *out, struct rf_arena *a, const ProtobufCMessage *msg)
{
    const Refunds__V1__FindingRow *r = (const Refunds__V1__FindingRow *)msg;
    const char *cells[] = {
        r->finding,
        r->case_,
        r->refund,
        r->provider,
        r->provider_refund_id,
        enum_name(&refunds__v1__finding_kind__descriptor, r->kind),
        enum_name(&refunds__v1__finding_state__descriptor, r->state),
        rf_arena_printf(a, "%lld", (long long)r->amount_minor),
        r->currency,
        r->approved_currency[0] != '\0' ? rf_arena_printf(a, "%lld", (long long)r->approved_minor)
                                        : "",
        r->approved_currency,
        r->transfer_reference,
        stamp(a, r->open_time),
        stamp(a, r->close_time),
        r->close_reason,
        enum_name(&refunds__v1__resolution__descriptor, r->resolution),
        r->resolved_by,
        stamp(a, r->resolve_time),
        r->resolution_note,
    };
    size_t n = sizeof cells / sizeof cells[0];

    _Static_assert(sizeof cells / sizeof cells[0] == sizeof columns / sizeof columns[0],
                   "a CSV cell per column");
    for (size_t i = 0; i < n; i++)
        field(out, cells[i] != NULL ? cells[i] : "", i + 1 == n);
    return ferror(out) ? -1 : 0;
}

int rf_print_finding_row(FILE *out, struct rf_arena *a, const ProtobufCMessage *msg)
{
    const Refunds__V1__FindingRow *r = (const Refunds__V1__FindingRow *)msg;
    Refunds__V1__Money m = REFUNDS__V1__MONEY__INIT;

    m.amount_minor = r->amount_minor;
    m.currency = r->currency;
    fprintf(out, "%s  %s  %s  %s  %s %s  %s  %s\n", pr_one_line(a, r->finding),
            pr_word(a, &refunds__v1__finding_kind__descriptor, r->kind),
            pr_word(a, &refunds__v1__finding_state__descriptor, r->state), pr_money(a, &m),
            pr_one_line(a, r->provider), pr_one_line(a, r->provider_refund_id),
            pr_empty(r->case_) ? "-" : pr_one_line(a, r->case_), pr_when(a, r->open_time));
    return ferror(out) ? -1 : 0;
}

/* The figures of a report row, after its keys and before its amounts. */
static const char *const report_columns[] = {
    "cases",
    "approved_full",
    "approved_partial",
    "denied",
    "alternative_offered",
    "alternative_accepted",
    "withdrawn",
    "undecided",
    "approval_rate",
    "decision_p50_seconds",
    "decision_p90_seconds",
    "sla_breaches",
    "overdue_pending",
    "money_confirmed",
    "money_p50_seconds",
    "money_p90_seconds",
    "refunds",
    "refunds_with_finding",
    "finding_share",
    "nps_answers",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    "nps",
};
#define REPORT_COLUMNS (sizeof report_columns / sizeof report_columns[0])

static void report_line(FILE *out, struct rf_arena *a, const Refunds__V1__PolicyReport *r,
                        const Refunds__V1__PolicyReportRow *row)
{
    const Refunds__V1__PolicyReportRow *total = r->total;
    const char *cells[REPORT_COLUMNS] = {
        rf_arena_printf(a, "%lld", (long long)row->cases),
        rf_arena_printf(a, "%lld", (long long)row->approved_full),
        rf_arena_printf(a, "%lld", (long long)row->approved_partial),
        rf_arena_printf(a, "%lld", (long long)row->denied),
        rf_arena_printf(a, "%lld", (long long)row->alternative_offered),
        rf_arena_printf(a, "%lld", (long long)row->alternative_accepted),
        rf_arena_printf(a, "%lld", (long long)row->withdrawn),
        rf_arena_printf(a, "%lld", (long long)row->undecided),
        rf_arena_printf(a, "%.4f", row->approval_rate),
        rf_arena_printf(a, "%lld", (long long)row->decision_p50_seconds),
        rf_arena_printf(a, "%lld", (long long)row->decision_p90_seconds),
        rf_arena_printf(a, "%lld", (long long)row->sla_breaches),
        rf_arena_printf(a, "%lld", (long long)row->overdue_pending),
        rf_arena_printf(a, "%lld", (long long)row->money_confirmed),
        rf_arena_printf(a, "%lld", (long long)row->money_p50_seconds),
        rf_arena_printf(a, "%lld", (long long)row->money_p90_seconds),
        rf_arena_printf(a, "%lld", (long long)row->refunds),
        rf_arena_printf(a, "%lld", (long long)row->refunds_with_finding),
        rf_arena_printf(a, "%.4f", row->finding_share),
        rf_arena_printf(a, "%lld", (long long)row->nps_answers),
        rf_arena_printf(a, "%lld", (long long)row->nps_promoters),
        rf_arena_printf(a, "%lld", (long long)row->nps_passives),
        rf_arena_printf(a, "%lld", (long long)row->nps_detractors),
        row->has_nps ? rf_arena_printf(a, "%.1f", row->nps) : "",
    };
    size_t n_cur = total != NULL ? total->n_amounts : 0;

    for (size_t i = 0; i < r->n_group_by; i++)
        field(out, i < row->n_keys ? row->keys[i] : "(total)", false);
    for (size_t i = 0; i < REPORT_COLUMNS; i++)
        field(out, cells[i], i + 1 == REPORT_COLUMNS && n_cur == 0);
    /* The currencies of the total, in its order; a group without one has zeros. */
    for (size_t c = 0; c < n_cur; c++) {
        const Refunds__V1__ReportAmounts *m = NULL;

        for (size_t k = 0; k < row->n_amounts && m == NULL; k++)
            if (strcmp(row->amounts[k]->currency, total->amounts[c]->currency) == 0)
                m = row->amounts[k];
        field(out, rf_arena_printf(a, "%lld", m != NULL ? (long long)m->requested_minor : 0LL),
              false);
        field(out, rf_arena_printf(a, "%lld", m != NULL ? (long long)m->approved_minor : 0LL),
              false);
        field(out, rf_arena_printf(a, "%lld", m != NULL ? (long long)m->refunded_minor : 0LL),
              c + 1 == n_cur);
    }
}

int rf_csv_policy_report(FILE *out, struct rf_arena *a, const ProtobufCMessage *msg)
{
    const Refunds__V1__PolicyReport *r = (const Refunds__V1__PolicyReport *)msg;
    size_t n_cur;

    if (msg->descriptor != &refunds__v1__policy_report__descriptor)
        return rf_print_reply(out, msg, a, rf_now_us());
    n_cur = r->total != NULL ? r->total->n_amounts : 0;
    for (size_t i = 0; i < r->n_group_by; i++) {
        const char *s =
            rf_pb_enum_short_name(&refunds__v1__report_dimension__descriptor, r->group_by[i]);
        char *lower = rf_arena_strdup(a, s != NULL ? s : "");

        for (char *p = lower; *p != '\0'; p++)
            *p = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        field(out, lower, false);
    }
    for (size_t i = 0; i < REPORT_COLUMNS; i++)
        field(out, report_columns[i], i + 1 == REPORT_COLUMNS && n_cur == 0);
    for (size_t c = 0; c < n_cur; c++) {
        const char *cur = r->total->amounts[c]->currency;

        field(out, rf_arena_printf(a, "%s_requested_minor", cur), false);
        field(out, rf_arena_printf(a, "%s_approved_minor", cur), false);
        field(out, rf_arena_printf(a, "%s_refunded_minor", cur), c + 1 == n_cur);
    }
    for (size_t i = 0; i < r->n_rows; i++)
        report_line(out, a, r, r->rows[i]);
    if (r->total != NULL)
        report_line(out, a, r, r->total);
    return ferror(out) ? -1 : 0;
}
