/*
 * Unit tests of the one-line JSON logs (services/common/log.c). Standard
 * output is captured in a temporary file (dup2 over descriptor 1; Criterion
 * runs each test in its own process) and every line is parsed with jansson,
 * which refuses what is not JSON or not UTF-8. Covered: the fixed fields,
 * typed fields, escaping of quotes, backslashes, control characters and
 * invalid UTF-8, a field too big for the line dropped whole with
 * "truncated":true, the level filter and rf_log_level_parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "refunds/log.h"
#include "refunds/timeutil.h"

static FILE *capture;
static int saved_stdout = -1;
static char *captured;

/* Sends descriptor 1 to a temporary file until capture_end. */
static void capture_begin(void)
{
    capture = tmpfile();
    cr_assert_not_null(capture);
    saved_stdout = dup(STDOUT_FILENO);
    cr_assert_geq(saved_stdout, 0);
    cr_assert_geq(dup2(fileno(capture), STDOUT_FILENO), 0);
}

/* Puts descriptor 1 back and returns everything written to it meanwhile (NUL-terminated). */
static const char *capture_end(void)
{
    long size;

    cr_assert_geq(dup2(saved_stdout, STDOUT_FILENO), 0);
    close(saved_stdout);
    cr_assert_eq(fseek(capture, 0, SEEK_END), 0);
    size = ftell(capture);
    cr_assert_geq(size, 0);
    rewind(capture);
    captured = calloc(1, (size_t)size + 1);
    cr_assert_not_null(captured);
    cr_assert_eq(fread(captured, 1, (size_t)size, capture), (size_t)size);
    fclose(capture);
    return captured;
}

static void setup(void)
{
    rf_log_init("unit", RF_LOG_DEBUG);
    capture_begin();
}

static void teardown(void)
{
    free(captured);
}

TestSuite(log, .init = setup, .fini = teardown);

/* The only line in text parsed as a JSON object; fails unless text is exactly one line. */
static json_t *only_line(const char *text)
{
    json_error_t jerr;
    size_t len = strlen(text);
    json_t *j;

    cr_assert_gt(len, 0, "nothing was written");
    cr_assert_eq(text[len - 1], '\n', "the line does not end with a newline: %s", text);
    cr_assert_eq(strchr(text, '\n'), text + len - 1, "more than one line: %s", text);
    j = json_loadb(text, len - 1, 0, &jerr);
    cr_assert_not_null(j, "not JSON (%s at %d): %s", jerr.text, jerr.position, text);
    cr_assert(json_is_object(j), "not an object: %s", text);
    return j;
}

static const char *str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    cr_assert(json_is_string(v), "%s is not a string", key);
    return json_string_value(v);
}

Test(log, a_line_is_one_json_object_with_ts_level_component_and_event_first)
{
    struct rf_logline l;
    int64_t before = rf_now_us(), ts;
    const char *out;
    json_t *j;

    rf_log_begin(&l, RF_LOG_WARN, "call.done");
    rf_log_str(&l, "method", "GetCase");
    rf_log_end(&l);
    out = capture_end();
    j = only_line(out);
    cr_assert_eq(strncmp(out, "{\"ts\":\"", 7), 0, "%s", out);
    cr_assert(strstr(out, "\",\"level\":\"warn\",\"component\":\"unit\",\"event\":\"call.done\","
                          "\"method\":\"GetCase\"}\n") != NULL,
              "%s", out);
    cr_assert_eq(json_object_size(j), 5);
    cr_assert(rf_time_parse_rfc3339(str(j, "ts"), &ts), "ts %s", str(j, "ts"));
    cr_assert_geq(ts, before - RF_USEC_PER_SEC);
    cr_assert_leq(ts, rf_now_us() + RF_USEC_PER_SEC);
    json_decref(j);
}

Test(log, integers_and_milliseconds_are_json_numbers)
{
    struct rf_logline l;
    const char *out;
    json_t *j;

    rf_log_begin(&l, RF_LOG_INFO, "e");
    rf_log_int(&l, "rows", -42);
    rf_log_int(&l, "max", 9223372036854775807LL);
    rf_log_ms(&l, "took_ms", 1.23456);
    rf_log_ms(&l, "zero_ms", 0);
    rf_log_end(&l);
    out = capture_end();
    j = only_line(out);
    cr_assert_eq(json_integer_value(json_object_get(j, "rows")), -42);
    cr_assert_eq(json_integer_value(json_object_get(j, "max")), 9223372036854775807LL);
    cr_assert(strstr(out, "\"took_ms\":1.235,\"zero_ms\":0.000}") != NULL, "%s", out);
    cr_assert(json_is_real(json_object_get(j, "took_ms")));
    json_decref(j);
}

Test(log, a_null_string_adds_no_field)
{
    struct rf_logline l;
    json_t *j;

    rf_log_begin(&l, RF_LOG_INFO, "e");
    rf_log_str(&l, "absent", NULL);
    rf_log_end(&l);
    j = only_line(capture_end());
    cr_assert_null(json_object_get(j, "absent"));
    cr_assert_eq(json_object_size(j), 4);
    json_decref(j);
}

Test(log, quotes_backslashes_and_control_characters_are_escaped)
{
    struct rf_logline l;
    char value[64];
    size_t n = 0;
    const char *out;
    json_t *j;

    value[n++] = '"';
    value[n++] = '\\';
    for (int c = 1; c < 0x20; c++)
        value[n++] = (char)c;
    value[n++] = 0x7f;
    value[n++] = '/';
    value[n] = '\0';
    rf_log_begin(&l, RF_LOG_INFO, "e");
    rf_log_str(&l, "v", value);
    rf_log_str(&l, "key \"quoted\"\n", "x");
    rf_log_end(&l);
    out = capture_end();
    j = only_line(out);
    cr_assert_str_eq(str(j, "v"), value, "the value must read back unchanged");
    cr_assert_str_eq(str(j, "key \"quoted\"\n"), "x");
    cr_assert(strstr(out, "\"v\":\"\\\"\\\\\\u0001\\u0002") != NULL, "%s", out);
    cr_assert(strstr(out, "\\u001f\\u007f/\"") != NULL, "%s", out);
    for (const char *p = out; *p != '\n'; p++)
        cr_assert_geq((unsigned char)*p, 0x20, "a raw control at %zu", (size_t)(p - out));
    json_decref(j);
}

Test(log, utf8_text_is_kept_as_it_is)
{
    struct rf_logline l;
    const char *text = "Jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xd7\xa9";
    json_t *j;

    rf_log_begin(&l, RF_LOG_INFO, "e");
    rf_log_str(&l, "v", text);
    rf_log_end(&l);
    j = only_line(capture_end());
    cr_assert_str_eq(str(j, "v"), text);
    json_decref(j);
}

Test(log, bytes_that_are_not_utf8_become_replacement_characters)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"a\xff"
         "b",
         "a\xef\xbf\xbd"
         "b"},
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                 /* overlong '/' */
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate U+D800 */
        {"x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd"},               /* cut-off euro sign */
        {"\xe2\x82\xe2\x82\xac", "\xef\xbf\xbd\xef\xbf\xbd\xe2\x82\xac"},
        {"\x80\x80z", "\xef\xbf\xbd\xef\xbf\xbdz"}, /* lone continuation bytes */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xc3", "\xef\xbf\xbd"}, /* a lead byte at the end */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rf_logline l;

        rf_log_begin(&l, RF_LOG_INFO, "e");
        rf_log_str(&l, "v", cases[i].in);
        rf_log_end(&l);
    }
    {
        const char *out = capture_end();
        const char *line = out;

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const char *nl = strchr(line, '\n');
            json_error_t jerr;
            json_t *j;

            cr_assert_not_null(nl, "line %zu missing: %s", i, out);
            j = json_loadb(line, (size_t)(nl - line), 0, &jerr);
            cr_assert_not_null(j, "case %zu is not JSON (%s): %.*s", i, jerr.text, (int)(nl - line),
                               line);
            cr_assert_str_eq(str(j, "v"), cases[i].out, "case %zu", i);
            json_decref(j);
            line = nl + 1;
        }
    }
}

Test(log, a_field_that_does_not_fit_is_dropped_whole_and_the_line_says_truncated)
{
    struct rf_logline l;
    char *big = malloc(RF_LOG_LINE_MAX + 1);
    const char *out;
    json_t *j;

    memset(big, 'a', RF_LOG_LINE_MAX);
    big[RF_LOG_LINE_MAX] = '\0';
    rf_log_begin(&l, RF_LOG_ERROR, "e");
    rf_log_str(&l, "before", "kept");
    rf_log_str(&l, "big", big);
    rf_log_int(&l, "after", 7);
    rf_log_end(&l);
    free(big);
    out = capture_end();
    j = only_line(out);
    cr_assert_null(json_object_get(j, "big"));
    cr_assert_null(strstr(out, "\"big\""), "no part of the dropped field may remain");
    cr_assert_str_eq(str(j, "before"), "kept");
    cr_assert_eq(json_integer_value(json_object_get(j, "after")), 7,
                 "a field after the dropped one that fits is kept");
    cr_assert(json_is_true(json_object_get(j, "truncated")), "%s", out);
    cr_assert(strstr(out, ",\"truncated\":true}\n") != NULL, "%s", out);
    json_decref(j);
}

Test(log, a_value_that_grows_past_the_line_when_escaped_is_dropped_whole)
{
    struct rf_logline l;
    char controls[1000];
    const char *out;
    json_t *j;

    /* 999 bytes, but 6 each (\u0001) once escaped: more than the line holds. */
    memset(controls, 1, sizeof controls - 1);
    controls[sizeof controls - 1] = '\0';
    rf_log_begin(&l, RF_LOG_INFO, "e");
    rf_log_str(&l, "v", controls);
    rf_log_end(&l);
    out = capture_end();
    j = only_line(out);
    cr_assert_null(json_object_get(j, "v"));
    cr_assert(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);
}

Test(log, a_full_line_keeps_the_fields_that_fit_and_stays_within_the_limit)
{
    struct rf_logline l;
    char value[101];
    const char *out;
    size_t kept = 0;
    json_t *j;

    memset(value, 'v', 100);
    value[100] = '\0';
    rf_log_begin(&l, RF_LOG_INFO, "e");
    for (int i = 0; i < 100; i++) {
        char key[16];

        snprintf(key, sizeof key, "k%02d", i);
        rf_log_str(&l, key, value); /* 108 bytes each: about 37 fit */
    }
    rf_log_end(&l);
    out = capture_end();
    cr_assert_leq(strlen(out), RF_LOG_LINE_MAX);
    j = only_line(out);
    for (int i = 0; i < 100; i++) {
        char key[16];
        const json_t *v;

        snprintf(key, sizeof key, "k%02d", i);
        v = json_object_get(j, key);
        if (v == NULL)
            continue;
        cr_assert_eq(i, (int)kept, "fields are kept in order, none skipped before one kept");
        cr_assert_str_eq(json_string_value(v), value);
        kept++;
    }
    cr_assert_gt(kept, 30);
    cr_assert_lt(kept, 100);
    cr_assert(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);
}

Test(log, a_line_with_room_to_spare_says_nothing_of_truncation)
{
    struct rf_logline l;
    json_t *j;

    rf_log_begin(&l, RF_LOG_INFO, "e");
    rf_log_str(&l, "v", "small");
    rf_log_end(&l);
    j = only_line(capture_end());
    cr_assert_null(json_object_get(j, "truncated"));
    json_decref(j);
}

Test(log, lines_below_the_level_are_not_written)
{
    struct rf_logline l;
    const char *out;

    rf_log_init("unit", RF_LOG_WARN);
    cr_assert_not(rf_log_enabled(RF_LOG_DEBUG));
    cr_assert_not(rf_log_enabled(RF_LOG_INFO));
    cr_assert(rf_log_enabled(RF_LOG_WARN));
    cr_assert(rf_log_enabled(RF_LOG_ERROR));
    rf_log_begin(&l, RF_LOG_INFO, "hidden");
    rf_log_str(&l, "v", "x");
    rf_log_int(&l, "n", 1);
    rf_log_ms(&l, "ms", 1);
    rf_log_end(&l);
    rf_log_msg(RF_LOG_DEBUG, "hidden", "not %s", "shown");
    rf_log_msg(RF_LOG_ERROR, "shown", "error %d", 1);
    out = capture_end();
    cr_assert_null(strstr(out, "hidden"), "%s", out);
    json_decref(only_line(out));
    cr_assert(strstr(out, "\"level\":\"error\"") != NULL, "%s", out);
}

Test(log, debug_level_writes_every_level)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    const char *out, *p;

    for (int level = RF_LOG_DEBUG; level <= RF_LOG_ERROR; level++)
        rf_log_msg((enum rf_log_level)level, "e", "m");
    out = capture_end();
    p = out;
    for (size_t i = 0; i < 4; i++) {
        p = strstr(p, names[i]);
        cr_assert_not_null(p, "no %s line, or out of order: %s", names[i], out);
    }
}

Test(log, msg_writes_the_formatted_message)
{
    json_t *j;

    rf_log_msg(RF_LOG_INFO, "started", "listening on %s:%d", "127.0.0.1", 50051);
    j = only_line(capture_end());
    cr_assert_str_eq(str(j, "event"), "started");
    cr_assert_str_eq(str(j, "msg"), "listening on 127.0.0.1:50051");
    cr_assert_str_eq(str(j, "level"), "info");
    json_decref(j);
}

Test(log, msg_cut_inside_a_character_is_still_utf8)
{
    char text[2001];
    json_t *j;

    /* 1000 "é" (2 bytes each): the 1024-byte message buffer cuts one in half. */
    for (size_t i = 0; i < 1000; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2);
    text[2000] = '\0';
    rf_log_msg(RF_LOG_INFO, "e", "%s", text);
    j = only_line(capture_end());
    cr_assert_eq(strncmp(str(j, "msg"), text, 1022), 0);
    cr_assert_str_eq(str(j, "msg") + 1022, "\xef\xbf\xbd");
    json_decref(j);
}

Test(log, level_parse_takes_the_four_names_only)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    static const char *const bad[] = {"",      "INFO",  "Info",  "warning", "err",
                                      " info", "info ", "trace", "fatal",   "0"};
    enum rf_log_level level;

    for (size_t i = 0; i < 4; i++) {
        level = (enum rf_log_level)99;
        cr_assert(rf_log_level_parse(names[i], &level), "%s", names[i]);
        cr_assert_eq(level, (enum rf_log_level)i, "%s", names[i]);
    }
    cr_assert_eq(RF_LOG_DEBUG, 0);
    cr_assert_eq(RF_LOG_ERROR, 3);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        level = RF_LOG_WARN;
        cr_assert_not(rf_log_level_parse(bad[i], &level), "\"%s\" accepted", bad[i]);
        cr_assert_eq(level, RF_LOG_WARN, "a refused name must not change the level");
    }
}
