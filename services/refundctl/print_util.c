/* The shared pieces of refundctl's human output (see print_util.h). */
#include <ctype.h>
#include <string.h>

#include "print_util.h"
#include "refunds/money.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

/* Is p a control character (C0, DEL, a C1 or bidirectional control in UTF-8)? Its length, or 0. */
size_t pr_control_len(const unsigned char *p)
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
void pr_text(FILE *out, const char *s, int indent)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        size_t n = pr_control_len(p);

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
char *pr_one_line(struct rf_arena *a, const char *s)
{
    char *copy = rf_arena_strdup(a, s == NULL ? "" : s);
    size_t out = 0;

    for (const unsigned char *p = (const unsigned char *)copy; *p != '\0'; p++) {
        size_t n = pr_control_len(p);

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
size_t pr_width(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* The command-line spelling of value in desc ("pending-approval"), or its number. */
const char *pr_word(struct rf_arena *a, const ProtobufCEnumDescriptor *desc, int value)
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
const char *pr_when(struct rf_arena *a, const Google__Protobuf__Timestamp *ts)
{
    char *buf = rf_arena_alloc(a, 40);
    int64_t us;

    if (ts == NULL || !rf_pb_timestamp_us(ts, &us))
        return "-";
    rf_time_format_rfc3339(us - (us % RF_USEC_PER_SEC + RF_USEC_PER_SEC) % RF_USEC_PER_SEC, buf,
                           40);
    return buf;
}

const char *pr_money(struct rf_arena *a, const Refunds__V1__Money *m)
{
    char *buf = rf_arena_alloc(a, 64);

    if (m == NULL)
        return "-";
    rf_money_format(m->amount_minor, m->currency, buf, 64);
    return buf;
}

bool pr_empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* One "Label            value" line of a block; the value's own lines are indented under it. */
void pr_row(FILE *out, const char *label, const char *value)
{
    if (pr_empty(value))
        return;
    fprintf(out, "%-*s", PR_LABEL_WIDTH, label);
    pr_text(out, value, PR_LABEL_WIDTH);
    fputc('\n', out);
}

/*
 * Writes an aligned table: head names ncols columns, cells holds nrows rows
 * of ncols one-line strings; columns flagged in right are right-aligned.
 */
void pr_table(FILE *out, const char *const *head, const bool *right, size_t ncols,
                        const char *const *cells, size_t nrows)
{
    size_t w[PR_COLS_MAX];

    for (size_t c = 0; c < ncols; c++) {
        w[c] = pr_width(head[c]);
        for (size_t r = 0; r < nrows; r++) {
            size_t n = pr_width(cells[r * ncols + c]);

            w[c] = n > w[c] ? n : w[c];
        }
    }
    for (size_t r = 0; r <= nrows; r++) {
        const char *const *line = r == 0 ? head : cells + (r - 1) * ncols;

        for (size_t c = 0; c < ncols; c++) {
            size_t pad = w[c] - pr_width(line[c]);
            bool last = c + 1 == ncols;

            if (right[c])
                fprintf(out, "%*s%s", (int)pad, "", line[c]);
            else
                fprintf(out, "%s%*s", line[c], last ? 0 : (int)pad, "");
            fputs(last ? "\n" : "  ", out);
        }
    }
}

void pr_next_page(FILE *out, struct rf_arena *a, const char *token)
{
    if (!pr_empty(token))
        fprintf(out, "Next page: --page-token %s\n", pr_one_line(a, token));
}
