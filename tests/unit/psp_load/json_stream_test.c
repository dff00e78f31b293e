/*
 * Unit tests of the JSON object splitter (workers/psp_load/json_stream.c):
 * the three layouts (array, list envelope, one object per line), strings
 * whose escaped quotes and brackets must not end an object, positions
 * ("[3]", a line), truncated and malformed input, the size limit, and input
 * larger than the read buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "json_stream.h"

static FILE *f;
static struct rf_json_stream *js;

static void open_text(const char *text, size_t n, size_t max)
{
    f = fmemopen((void *)text, n, "r");
    cr_assert_not_null(f);
    js = rf_json_stream_open(f, max);
}

static void close_text(void)
{
    rf_json_stream_close(js);
    if (f != NULL)
        fclose(f);
    js = NULL;
    f = NULL;
}

TestSuite(json_stream, .fini = close_text);

#define OPEN(s) open_text((s), sizeof(s) - 1, 0)

/* The next object's text, its position in where (32 bytes). */
static const char *next_text(char *where)
{
    static char copy[4096];
    struct rf_json_item item;
    struct rf_error err;

    rf_error_clear(&err);
    cr_assert_eq(rf_json_stream_next(js, &item, &err), RF_READ_ITEM, "%s at %s", err.message,
                 item.where);
    cr_assert_eq(strlen(item.text), item.len);
    snprintf(copy, sizeof copy, "%s", item.text);
    if (where != NULL)
        strcpy(where, item.where);
    return copy;
}

static void assert_end(void)
{
    struct rf_json_item item;
    struct rf_error err;

    rf_error_clear(&err);
    cr_assert_eq(rf_json_stream_next(js, &item, &err), RF_READ_END, "%s at %s", err.message,
                 item.where);
}

/* Reads up to the fault; its position goes to where, its reason is returned. */
static const char *fault(char *where)
{
    static char reason[RF_ERROR_MESSAGE_MAX];
    struct rf_json_item item;
    struct rf_error err;
    enum rf_read got;

    rf_error_clear(&err);
    while ((got = rf_json_stream_next(js, &item, &err)) == RF_READ_ITEM)
        ;
    cr_assert_eq(got, RF_READ_ERROR);
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
    strcpy(where, item.where);
    snprintf(reason, sizeof reason, "%s", err.message);
    return reason;
}

Test(json_stream, a_top_level_array_gives_each_object)
{
    char where[32];

    OPEN(" [ {\"id\":\"re_1\"} ,\n{\"id\":\"re_2\",\"n\":[1,{\"x\":2}]}]\n");
    cr_assert_str_eq(next_text(where), "{\"id\":\"re_1\"}");
    cr_assert_str_eq(where, "[0]");
    cr_assert_str_eq(next_text(where), "{\"id\":\"re_2\",\"n\":[1,{\"x\":2}]}");
    cr_assert_str_eq(where, "[1]");
    assert_end();
    cr_assert_eq(rf_json_stream_layout(js), RF_JSON_ARRAY);
}

Test(json_stream, a_list_envelope_gives_the_elements_of_data)
{
    char where[32];

    OPEN("{\n  \"object\": \"list\",\n  \"data\": [\n    {\"id\": \"re_1\"},\n    {\"id\": "
         "\"re_2\"}\n  ],\n  \"has_more\": false,\n  \"url\": \"/v1/refunds\"\n}\n");
    cr_assert_str_eq(next_text(where), "{\"id\": \"re_1\"}");
    cr_assert_str_eq(where, "[0]");
    cr_assert_str_eq(next_text(where), "{\"id\": \"re_2\"}");
    cr_assert_str_eq(where, "[1]");
    assert_end();
    cr_assert_eq(rf_json_stream_layout(js), RF_JSON_ENVELOPE);
}

Test(json_stream, the_envelope_may_have_members_before_and_after_data)
{
    OPEN("{\"url\":\"/v1/refunds?x=[1]\",\"meta\":{\"a\":[\"}\"]},\"data\":[{\"id\":1}],"
         "\"has_more\":true,\"next\":{\"data\":[{\"not\":\"this\"}]}}");
    cr_assert_str_eq(next_text(NULL), "{\"id\":1}");
    assert_end();
}

Test(json_stream, an_empty_list_has_no_objects)
{
    OPEN("{\"object\":\"list\",\"data\":[],\"has_more\":false}");
    assert_end();
    close_text();
    OPEN("[ ]");
    assert_end();
}

Test(json_stream, objects_one_per_line_are_given_with_their_line)
{
    char where[32];

    OPEN("{\"id\":\"evt_1\",\"object\":\"event\",\"data\":{\"object\":{\"id\":\"re_1\"}}}\n"
         "{\"id\":\"evt_2\",\"data\":[1]}\n"
         "\n"
         "{\n  \"id\": \"evt_3\"\n}\n");
    cr_assert(strstr(next_text(where), "\"evt_1\"") != NULL);
    cr_assert_str_eq(where, "1");
    cr_assert_eq(rf_json_stream_layout(js), RF_JSON_LINES);
    cr_assert_str_eq(next_text(where), "{\"id\":\"evt_2\",\"data\":[1]}",
                     "a later object's data array is just data");
    cr_assert_str_eq(where, "2");
    cr_assert_str_eq(next_text(where), "{\n  \"id\": \"evt_3\"\n}");
    cr_assert_str_eq(where, "4");
    assert_end();
}

Test(json_stream, escaped_quotes_and_brackets_in_strings_do_not_end_an_object)
{
    OPEN("[{\"a\":\"x\\\"}]{[\",\"b\":\"\\\\\",\"c\":\"\\\\\\\"]\"},{\"d\":\"}\"}]");
    cr_assert_str_eq(next_text(NULL), "{\"a\":\"x\\\"}]{[\",\"b\":\"\\\\\",\"c\":\"\\\\\\\"]\"}");
    cr_assert_str_eq(next_text(NULL), "{\"d\":\"}\"}");
    assert_end();
}

Test(json_stream, a_byte_order_mark_is_skipped)
{
    OPEN("\xEF\xBB\xBF[{\"id\":1}]");
    cr_assert_str_eq(next_text(NULL), "{\"id\":1}");
    assert_end();
}

Test(json_stream, an_object_cut_short_is_reported_as_truncated)
{
    char where[32];

    OPEN("[{\"id\":1},{\"id\":2,\"s\":\"abc");
    cr_assert(strstr(fault(where), "truncated") != NULL);
    cr_assert_str_eq(where, "[1]");
}

Test(json_stream, an_array_that_is_not_closed_is_truncated)
{
    char where[32];

    OPEN("{\"object\":\"list\",\"data\":[{\"id\":1},");
    cr_assert(strstr(fault(where), "the file ends inside the array") != NULL);
    cr_assert_str_eq(where, "[1]");
}

Test(json_stream, a_truncated_line_is_reported_at_the_line_its_object_starts)
{
    char where[32];

    OPEN("{\"id\":1}\n{\"id\":2,\n\"x\":");
    cr_assert(strstr(fault(where), "truncated") != NULL);
    cr_assert_str_eq(where, "2");
}

Test(json_stream, elements_must_be_objects_separated_by_commas)
{
    char where[32];

    OPEN("[{\"id\":1},2]");
    cr_assert_str_eq(fault(where), "expected an object");
    cr_assert_str_eq(where, "[1]");
    close_text();
    OPEN("[{\"id\":1} {\"id\":2}]");
    cr_assert_str_eq(fault(where), "expected ',' or ']' after an element");
    close_text();
    OPEN("[{\"id\":1},]");
    cr_assert_str_eq(fault(where), "expected an object");
}

Test(json_stream, text_after_the_end_is_refused)
{
    char where[32];

    OPEN("[{\"id\":1}] x");
    cr_assert_str_eq(fault(where), "text after the end of the JSON");
    close_text();
    OPEN("{\"object\":\"list\",\"data\":[]} []");
    cr_assert_str_eq(fault(where), "text after the end of the JSON");
    close_text();
    OPEN("{\"a\":1}\n[1]");
    cr_assert_str_eq(fault(where), "expected an object");
    cr_assert_str_eq(where, "2");
}

Test(json_stream, other_top_level_values_and_empty_files_are_refused)
{
    char where[32];

    OPEN("\"refunds\"");
    cr_assert(strstr(fault(where), "expected a JSON array of objects") != NULL);
    close_text();
    OPEN("  \n ");
    cr_assert_str_eq(fault(where), "the file has no JSON in it");
}

Test(json_stream, malformed_envelope_members_are_refused)
{
    char where[32];

    OPEN("{\"object\" \"list\"}");
    cr_assert_str_eq(fault(where), "expected ':' after a member name");
    close_text();
    OPEN("{object: 1}");
    cr_assert_str_eq(fault(where), "expected a member name");
}

Test(json_stream, an_object_over_the_limit_is_refused)
{
    static const char text[] = "[{\"id\":1},{\"id\":\"0123456789012345678901234567890123456789\"}]";
    char where[32];

    open_text(text, sizeof text - 1, 32);
    cr_assert(strstr(fault(where), "larger than 32 bytes") != NULL);
    cr_assert_str_eq(where, "[1]");
}

Test(json_stream, input_larger_than_the_read_buffer_is_split_exactly)
{
    /* 20,000 objects (~1.2 MB) cross the 256 KiB buffer inside strings and escapes. */
    size_t cap = 4 << 20, len = 0;
    char *text = malloc(cap);
    long n = 0;

    len += (size_t)snprintf(text + len, cap - len, "{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < 20000; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "%s{\"id\":\"re_%d\",\"note\":\"a \\\"quoted\\\" ]} \\\\\"}",
                                i ? ",\n" : "", i);
    len += (size_t)snprintf(text + len, cap - len, "],\"has_more\":false}");
    open_text(text, len, 0);
    for (;;) {
        struct rf_json_item item;
        struct rf_error err;
        char want[64];
        enum rf_read got = rf_json_stream_next(js, &item, &err);

        if (got == RF_READ_END)
            break;
        cr_assert_eq(got, RF_READ_ITEM, "%s at %s", err.message, item.where);
        snprintf(want, sizeof want, "{\"id\":\"re_%ld\",", n);
        cr_assert(strncmp(item.text, want, strlen(want)) == 0, "%ld: %s", n, item.text);
        cr_assert_eq(item.text[item.len - 1], '}');
        cr_assert_eq(item.index, n);
        cr_assert_eq(item.line, n + 1);
        n++;
    }
    cr_assert_eq(n, 20000);
    close_text();
    free(text);
}
