/*
 * ExportFindings rows as CSV and as human lines (see print.h). The columns are
 * FindingRow's, in its order, so that finance's sheets keep their layout as
 * the message grows at its end.
 */
#include <string.h>

#include "print.h"
#include "print_util.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
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
