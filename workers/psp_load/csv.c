/*
 * The RFC 4180 reader (see csv.h): a byte-at-a-time state machine over a
 * read buffer, collecting the fields of one row into a growing buffer of
 * NUL-terminated strings. It knows nothing of headers or column names.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "input.h"

#define IN_SIZE (64 * 1024)

struct rf_csv {
    struct rf_input in;
    unsigned char in_buf[IN_SIZE];
    char *buf; /* the row's fields, each followed by a NUL */
    size_t len, cap;
    size_t *offs, *lens;
    const char **ptrs;
    size_t nf, capf;
    long line;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL)
        abort();
    return p;
}

struct rf_csv *rf_csv_open(FILE *f)
{
    struct rf_csv *c = calloc(1, sizeof *c);

    if (c == NULL)
        abort();
    rf_input_init(&c->in, f, c->in_buf, sizeof c->in_buf);
    c->line = 1;
    return c;
}

void rf_csv_close(struct rf_csv *c)
{
    if (c == NULL)
        return;
    free(c->buf);
    free(c->offs);
    free(c->lens);
    free(c->ptrs);
    free(c);
}

static enum rf_read fail(struct rf_csv_row *row, long line, struct rf_error *err,
                         const char *reason)
{
    row->line = line;
    rf_fail(err, RF_INVALID_ARGUMENT, "%s", reason);
    return RF_READ_ERROR;
}

/* Makes room for one more byte of the row; false when the row would pass RF_CSV_ROW_MAX. */
static inline bool room(struct rf_csv *c)
{
    if (c->len < c->cap)
        return true;
    if (c->cap >= RF_CSV_ROW_MAX)
        return false;
    c->cap = c->cap ? c->cap * 2 : 4096;
    c->buf = xrealloc(c->buf, c->cap);
    return true;
}

static inline bool put(struct rf_csv *c, char ch)
{
    if (!room(c))
        return false;
    c->buf[c->len++] = ch;
    return true;
}

/* Ends the field that started at offset *start with a NUL; false past the limits. */
static bool end_field(struct rf_csv *c, size_t *start)
{
    if (c->nf == RF_CSV_FIELDS_MAX || !put(c, '\0'))
        return false;
    if (c->nf == c->capf) {
        c->capf = c->capf ? c->capf * 2 : 64;
        c->offs = xrealloc(c->offs, c->capf * sizeof *c->offs);
        c->lens = xrealloc(c->lens, c->capf * sizeof *c->lens);
        c->ptrs = xrealloc(c->ptrs, c->capf * sizeof *c->ptrs);
    }
    c->offs[c->nf] = *start;
    c->lens[c->nf] = c->len - 1 - *start;
    c->nf++;
    *start = c->len;
    return true;
}

static void finish(struct rf_csv *c, struct rf_csv_row *row, long line)
{
    for (size_t i = 0; i < c->nf; i++)
        c->ptrs[i] = c->buf + c->offs[i];
    row->n = c->nf;
    row->fields = c->ptrs;
    row->lens = c->lens;
    row->line = line;
}

enum rf_read rf_csv_next(struct rf_csv *c, struct rf_csv_row *row, struct rf_error *err)
{
    enum { START, UNQUOTED, QUOTED, QUOTE_SEEN } state = START;
    size_t start = 0;
    long row_line = c->line, quote_line = 0;
    bool any = false;

    c->len = 0;
    c->nf = 0;
    for (;;) {
        int ch = rf_input_get(&c->in);

        if (ch == 0)
            return fail(row, c->line, err, "a NUL byte in the data");
        if (ch == -1 && c->in.error) {
            row->line = c->line;
            rf_fail(err, RF_UNAVAILABLE, "could not read the file: %s", strerror(errno));
            return RF_READ_ERROR;
        }
        if (state == QUOTED) {
            if (ch == -1)
                return fail(row, quote_line, err, "a quoted field is not closed");
            if (ch == '"') {
                state = QUOTE_SEEN;
                continue;
            }
            if (ch == '\n')
                c->line++;
            if (!put(c, (char)ch))
                return fail(row, row_line, err, "a row longer than 1 MiB");
            continue;
        }
        if (state == QUOTE_SEEN && ch == '"') {
            state = QUOTED;
            if (!put(c, '"'))
                return fail(row, row_line, err, "a row longer than 1 MiB");
            continue;
        }
        if (ch == -1 || ch == '\n' || ch == '\r') {
            if (ch == '\r' && rf_input_peek(&c->in) == '\n')
                rf_input_get(&c->in);
            if (ch != -1)
                c->line++;
            if (!any) {
                if (ch == -1)
                    return RF_READ_END;
                row_line = c->line; /* a blank line: skipped */
                continue;
            }
            if (!end_field(c, &start))
                return fail(row, row_line, err,
                            "a row longer than 1 MiB or with more than 1024 fields");
            finish(c, row, row_line);
            return RF_READ_ITEM;
        }
        any = true;
        if (ch == ',') {
            if (!end_field(c, &start))
                return fail(row, row_line, err,
                            "a row longer than 1 MiB or with more than 1024 fields");
            state = START;
            continue;
        }
        if (state == QUOTE_SEEN)
            return fail(row, c->line, err, "text after the closing quote of a field");
        if (ch == '"') {
            if (state == UNQUOTED)
                return fail(row, c->line, err,
                            "a quote inside a field that does not start with one");
            state = QUOTED;
            quote_line = c->line;
            continue;
        }
        state = UNQUOTED;
        if (!put(c, (char)ch))
            return fail(row, row_line, err, "a row longer than 1 MiB");
    }
}

bool rf_csv_field_is(const struct rf_csv_row *row, size_t i, const char *name)
{
    const char *f = row->fields[i];
    size_t len = row->lens[i];

    while (len > 0 && (*f == ' ' || *f == '\t')) {
        f++;
        len--;
    }
    while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t'))
        len--;
    return len == strlen(name) && memcmp(f, name, len) == 0;
}

int rf_csv_column(const struct rf_csv_row *header, const char *name)
{
    int found = -1;

    for (size_t i = 0; i < header->n; i++) {
        if (!rf_csv_field_is(header, i, name))
            continue;
        if (found >= 0)
            return -2;
        found = (int)i;
    }
    return found;
}
