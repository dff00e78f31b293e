/*
 * Unit tests of the RFC 4180 reader (workers/psp_load/csv.c): plain and
 * quoted fields, embedded commas, quotes and line breaks, CRLF and LF, the
 * byte order mark, blank lines, ragged rows, the line numbers rows and
 * faults are reported at, input longer than the read buffer, and the header
 * lookup by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "csv.h"

static FILE *f;
static struct rf_csv *csv;

/* Opens a reader on the n bytes at text. */
static void open_text(const char *text, size_t n)
{
    f = fmemopen((void *)text, n, "r");
    cr_assert_not_null(f);
    csv = rf_csv_open(f);
}

static void close_text(void)
{
    rf_csv_close(csv);
    if (f != NULL)
        fclose(f);
    csv = NULL;
    f = NULL;
}

TestSuite(csv, .fini = close_text);

#define OPEN(s) open_text((s), sizeof(s) - 1)

static void next_row(struct rf_csv_row *row)
{
    struct rf_error err;

    rf_error_clear(&err);
    cr_assert_eq(rf_csv_next(csv, row, &err), RF_READ_ITEM, "%s", err.message);
}

static void assert_end(void)
{
    struct rf_csv_row row;
    struct rf_error err;

    cr_assert_eq(rf_csv_next(csv, &row, &err), RF_READ_END);
}

/* Reads to the fault and returns its line; the reason goes to reason. */
static long fault_line(char *reason, size_t size)
{
    struct rf_csv_row row;
    struct rf_error err;
    enum rf_read got;

    rf_error_clear(&err);
    while ((got = rf_csv_next(csv, &row, &err)) == RF_READ_ITEM)
        ;
    cr_assert_eq(got, RF_READ_ERROR);
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
    cr_assert_lt(strlen(err.message), size, "%s", err.message);
    memcpy(reason, err.message, strlen(err.message) + 1);
    return row.line;
}

Test(csv, plain_rows_are_split_at_commas)
{
    struct rf_csv_row row;

    OPEN("a,b,c\n1,22,333\n");
    next_row(&row);
    cr_assert_eq(row.n, 3);
    cr_assert_str_eq(row.fields[0], "a");
    cr_assert_str_eq(row.fields[2], "c");
    cr_assert_eq(row.line, 1);
    next_row(&row);
    cr_assert_str_eq(row.fields[1], "22");
    cr_assert_eq(row.lens[2], 3);
    cr_assert_eq(row.line, 2);
    assert_end();
}

Test(csv, quoted_fields_hold_commas_quotes_and_line_breaks)
{
    struct rf_csv_row row;

    OPEN("\"Payout of batch 412, EU\",\"say \"\"hi\"\"\",\"two\nlines\",x\nnext,row\n");
    next_row(&row);
    cr_assert_eq(row.n, 4);
    cr_assert_str_eq(row.fields[0], "Payout of batch 412, EU");
    cr_assert_str_eq(row.fields[1], "say \"hi\"");
    cr_assert_str_eq(row.fields[2], "two\nlines");
    cr_assert_str_eq(row.fields[3], "x");
    cr_assert_eq(row.line, 1);
    next_row(&row);
    cr_assert_str_eq(row.fields[0], "next");
    cr_assert_eq(row.line, 3, "the row after a two-line field starts on line 3");
    assert_end();
}

Test(csv, empty_fields_quoted_or_not_are_kept)
{
    struct rf_csv_row row;

    OPEN(",\"\",\n");
    next_row(&row);
    cr_assert_eq(row.n, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(row.fields[i], "");
        cr_assert_eq(row.lens[i], 0);
    }
}

Test(csv, crlf_lf_and_a_missing_last_newline_all_end_rows)
{
    struct rf_csv_row row;

    OPEN("a,b\r\nc,d\ne,\"f\"\r\ng,h");
    next_row(&row);
    cr_assert_str_eq(row.fields[1], "b", "CR is not part of the field");
    next_row(&row);
    cr_assert_str_eq(row.fields[0], "c");
    cr_assert_eq(row.line, 2);
    next_row(&row);
    cr_assert_str_eq(row.fields[1], "f");
    next_row(&row);
    cr_assert_str_eq(row.fields[1], "h");
    cr_assert_eq(row.line, 4);
    assert_end();
}

Test(csv, a_crlf_inside_quotes_is_data)
{
    struct rf_csv_row row;

    OPEN("\"a\r\nb\",c\r\n");
    next_row(&row);
    cr_assert_str_eq(row.fields[0], "a\r\nb");
    cr_assert_eq(row.n, 2);
    assert_end();
}

Test(csv, a_byte_order_mark_is_skipped)
{
    struct rf_csv_row row;

    OPEN("\xEF\xBB\xBFPsp Reference,Type\n1,Refunded\n");
    next_row(&row);
    cr_assert_str_eq(row.fields[0], "Psp Reference");
    cr_assert_eq(rf_csv_column(&row, "Psp Reference"), 0);
}

Test(csv, blank_lines_are_skipped_and_lines_still_counted)
{
    struct rf_csv_row row;

    OPEN("\n\r\na\n\n\nb\n\n");
    next_row(&row);
    cr_assert_str_eq(row.fields[0], "a");
    cr_assert_eq(row.line, 3);
    next_row(&row);
    cr_assert_str_eq(row.fields[0], "b");
    cr_assert_eq(row.line, 6);
    assert_end();
}

Test(csv, ragged_rows_report_their_own_field_counts)
{
    struct rf_csv_row row;

    OPEN("a,b,c\n1\n1,2,3,4,5\n");
    next_row(&row);
    cr_assert_eq(row.n, 3);
    next_row(&row);
    cr_assert_eq(row.n, 1);
    next_row(&row);
    cr_assert_eq(row.n, 5);
}

Test(csv, an_unclosed_quote_is_reported_where_it_opened)
{
    char reason[256];

    OPEN("a,b\n1,\"open\n\nstill open\n");
    cr_assert_eq(fault_line(reason, sizeof reason), 2);
    cr_assert_str_eq(reason, "a quoted field is not closed");
}

Test(csv, a_quote_inside_a_plain_field_is_refused)
{
    char reason[256];

    OPEN("a,b\nx,ab\"c\n");
    cr_assert_eq(fault_line(reason, sizeof reason), 2);
    cr_assert_str_eq(reason, "a quote inside a field that does not start with one");
}

Test(csv, text_after_a_closing_quote_is_refused)
{
    char reason[256];

    OPEN("\"a\"b,c\n");
    cr_assert_eq(fault_line(reason, sizeof reason), 1);
    cr_assert_str_eq(reason, "text after the closing quote of a field");
}

Test(csv, a_nul_byte_is_refused)
{
    static const char text[] = "a,b\nc,d\0e\n";
    char reason[256];

    open_text(text, sizeof text - 1);
    cr_assert_eq(fault_line(reason, sizeof reason), 2);
    cr_assert_str_eq(reason, "a NUL byte in the data");
}

Test(csv, a_row_past_the_limit_is_refused)
{
    size_t n = RF_CSV_ROW_MAX + 10;
    char *text = malloc(n + 1), reason[256];

    memset(text, 'x', n);
    text[n] = '\n';
    open_text(text, n + 1);
    cr_assert_eq(fault_line(reason, sizeof reason), 1);
    cr_assert(strstr(reason, "1 MiB") != NULL, "%s", reason);
    close_text();
    free(text);
}

Test(csv, input_longer_than_the_read_buffer_is_read_whole)
{
    /* 20,000 rows of ~30 bytes cross the 64 KiB buffer many times, quotes included. */
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    struct rf_csv_row row;
    long rows = 0;
    struct rf_error err;

    for (int i = 0; i < 20000; i++)
        len += (size_t)snprintf(text + len, cap - len, "%d,\"q,%d\"\"x\",tail\r\n", i, i);
    open_text(text, len);
    while (rf_csv_next(csv, &row, &err) == RF_READ_ITEM) {
        char want[32];

        snprintf(want, sizeof want, "q,%ld\"x", rows);
        cr_assert_eq(row.n, 3);
        cr_assert_str_eq(row.fields[1], want);
        cr_assert_eq(row.line, rows + 1);
        rows++;
    }
    cr_assert_eq(rows, 20000);
    close_text();
    free(text);
}

Test(csv, columns_are_found_by_name_with_spaces_around)
{
    struct rf_csv_row row;

    OPEN("Type , Psp Reference,Type2,\tGross Debit (GC)\n");
    next_row(&row);
    cr_assert_eq(rf_csv_column(&row, "Type"), 0);
    cr_assert_eq(rf_csv_column(&row, "Psp Reference"), 1);
    cr_assert_eq(rf_csv_column(&row, "Gross Debit (GC)"), 3);
    cr_assert_eq(rf_csv_column(&row, "Batch Number"), -1);
    cr_assert_eq(rf_csv_column(&row, "type"), -1, "names are case-sensitive");
}

Test(csv, a_column_named_twice_is_reported)
{
    struct rf_csv_row row;

    OPEN("Type,Amount,Type\n");
    next_row(&row);
    cr_assert_eq(rf_csv_column(&row, "Type"), -2);
    cr_assert_eq(rf_csv_column(&row, "Amount"), 1);
}
