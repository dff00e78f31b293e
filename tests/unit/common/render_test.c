/*
 * Unit tests of the message renderer (services/common/render.c): the
 * template language (placeholders, blocks, the "{{{{" escape), required
 * values and the errors that name them, escaping for text and HTML with
 * control and bidirectional characters, syntax errors refused at load with
 * file and line, the embedded set (every template of every language renders
 * with the values its own names call for, and fails without each one), and
 * the language fallback of rf_template_find.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/arena.h"
#include "refunds/locale.h"
#include "refunds/render.h"

static struct rf_arena *arena;
static struct rf_error err;

static void setup(void)
{
    arena = rf_arena_create(0);
    rf_error_clear(&err);
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(render, .init = setup, .fini = teardown);
TestSuite(render_syntax, .init = setup, .fini = teardown);
TestSuite(render_escape, .init = setup, .fini = teardown);
TestSuite(templates, .init = setup, .fini = teardown);

static struct rf_template *parse(const char *text)
{
    struct rf_template *t = NULL;
    enum rf_code rc = rf_template_parse(arena, "t.txt", text, &t, &err);

    cr_assert_eq(rc, RF_OK, "parse failed: %s", err.message);
    cr_assert_not_null(t);
    return t;
}

/* Parses "Version: 1", a blank line and body. */
static struct rf_template *parse_body(const char *body)
{
    return parse(rf_arena_printf(arena, "Version: 1\n\n%s", body));
}

static const char *render(const struct rf_template *t, const struct rf_render_values *v,
                          enum rf_render_mode mode)
{
    struct rf_rendered out = {0};
    enum rf_code rc = rf_render(t, v, mode, arena, &out, &err);

    cr_assert_eq(rc, RF_OK, "render failed: %s", err.message);
    cr_assert_eq(out.body_len, strlen(out.body));
    return out.body;
}

/* Renders body with one value, name = value, as text. */
static const char *render1(const char *body, const char *name, const char *value,
                           enum rf_render_mode mode)
{
    struct rf_render_values *v = rf_render_values_create(arena);

    rf_render_set(v, name, value);
    return render(parse_body(body), v, mode);
}

Test(render, replaces_each_placeholder_with_its_value)
{
    struct rf_template *t = parse_body("Refund of {{amount}} on {{refund_date}}: {{amount}}.");
    struct rf_render_values *v = rf_render_values_create(arena);

    rf_render_set(v, "amount", "€5.00");
    rf_render_set(v, "refund_date", "1 December 2026");
    cr_assert_str_eq(render(t, v, RF_RENDER_TEXT), "Refund of €5.00 on 1 December 2026: €5.00.");
}

Test(render, four_braces_write_two_and_closing_braces_need_no_escape)
{
    cr_assert_str_eq(render1("a {{{{x}} {{x}} }} b", "x", "1", RF_RENDER_TEXT), "a {{x}} 1 }} b");
    cr_assert_str_eq(render1("{{{{{{{{", "x", "1", RF_RENDER_TEXT), "{{{{");
    cr_assert_str_eq(render1("a { b } {x}", "x", "1", RF_RENDER_TEXT), "a { b } {x}");
}

Test(render, reads_version_and_subject_from_the_headers)
{
    struct rf_template *t = parse("Version: 42\nSubject: Order {{order_ref}}\n\nBody {{amount}}\n");
    struct rf_render_values *v = rf_render_values_create(arena);
    struct rf_rendered out;
    bool block = true;

    cr_assert_eq(rf_template_version(t), 42);
    cr_assert(rf_template_has_subject(t));
    cr_assert_str_eq(rf_template_file(t), "t.txt");
    cr_assert_null(rf_template_situation(t));
    cr_assert_eq(rf_template_name_count(t), 2);
    cr_assert_str_eq(rf_template_name(t, 0, &block), "order_ref");
    cr_assert_not(block);
    cr_assert_str_eq(rf_template_name(t, 1, NULL), "amount");
    rf_render_set(v, "order_ref", "A-1");
    rf_render_set(v, "amount", "€1.00");
    cr_assert_eq(rf_render(t, v, RF_RENDER_TEXT, arena, &out, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(out.subject, "Order A-1");
    cr_assert_str_eq(out.body, "Body €1.00");
}

Test(render, a_template_without_subject_renders_a_null_subject)
{
    struct rf_template *t = parse_body("Hello");
    struct rf_rendered out = {.subject = "stale"};

    cr_assert_not(rf_template_has_subject(t));
    cr_assert_eq(rf_render(t, rf_render_values_create(arena), RF_RENDER_TEXT, arena, &out, &err),
                 RF_OK);
    cr_assert_null(out.subject);
    cr_assert_str_eq(out.body, "Hello");
}

Test(render, the_body_keeps_inner_blank_lines_and_loses_final_newlines)
{
    struct rf_template *t = parse("Version: 1\n\n\nFirst\n\nSecond\n\n\n");

    cr_assert_str_eq(render(t, rf_render_values_create(arena), RF_RENDER_TEXT),
                     "\nFirst\n\nSecond");
}

Test(render, unused_values_are_fine_and_a_value_set_again_is_replaced)
{
    struct rf_template *t = parse_body("{{a}}");
    struct rf_render_values *v = rf_render_values_create(arena);

    rf_render_set(v, "unused", "x");
    rf_render_set(v, "a", "first");
    rf_render_set(v, "a", "second");
    rf_render_set_flag(v, "also_unused", true);
    cr_assert_str_eq(render(t, v, RF_RENDER_TEXT), "second");
}

Test(render, many_values_are_all_found)
{
    struct rf_render_values *v = rf_render_values_create(arena);
    char *body = rf_arena_strdup(arena, "");

    /* More than the first allocation of values holds, so they are moved while set. */
    for (int i = 0; i < 100; i++) {
        rf_render_set(v, rf_arena_printf(arena, "v%d", i), rf_arena_printf(arena, "%d,", i));
        body = rf_arena_printf(arena, "%s{{v%d}}", body, 99 - i);
    }
    cr_assert(strncmp(render(parse_body(body), v, RF_RENDER_TEXT), "99,98,97,", 9) == 0);
}

Test(render, a_null_value_is_the_empty_string)
{
    cr_assert_str_eq(render1("[{{x}}]", "x", NULL, RF_RENDER_TEXT), "[]");
}

Test(render, a_block_shows_when_its_flag_is_present_and_an_inverted_one_when_absent)
{
    struct rf_template *t = parse_body("a{{#f}}[yes {{x}}]{{/f}}{{^f}}[no]{{/f}}b");
    struct rf_render_values *v = rf_render_values_create(arena);

    rf_render_set(v, "x", "1");
    rf_render_set_flag(v, "f", true);
    cr_assert_str_eq(render(t, v, RF_RENDER_TEXT), "a[yes 1]b");
    rf_render_set_flag(v, "f", false);
    cr_assert_str_eq(render(t, v, RF_RENDER_TEXT), "a[no]b");
}

Test(render, nested_blocks_show_only_when_both_flags_agree)
{
    struct rf_template *t = parse_body("{{#a}}{{#b}}both{{/b}}{{/a}}{{^a}}{{^b}}none{{/b}}{{/a}}.");
    static const struct {
        bool a, b;
        const char *want;
    } cases[] = {
        {true, true, "both."}, {true, false, "."}, {false, true, "."}, {false, false, "none."}};

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rf_render_values *v = rf_render_values_create(arena);

        rf_render_set_flag(v, "a", cases[i].a);
        rf_render_set_flag(v, "b", cases[i].b);
        cr_assert_str_eq(render(t, v, RF_RENDER_TEXT), cases[i].want, "a=%d b=%d", cases[i].a,
                         cases[i].b);
    }
}

Test(render, a_placeholder_inside_a_hidden_block_needs_no_value)
{
    struct rf_template *t = parse_body("x{{#credit}} of {{credit_amount}}{{/credit}}");
    struct rf_render_values *v = rf_render_values_create(arena);

    rf_render_set_flag(v, "credit", false);
    cr_assert_str_eq(render(t, v, RF_RENDER_TEXT), "x");
}

Test(render, a_missing_placeholder_fails_naming_it_and_the_template)
{
    struct rf_template *t = parse_body("{{amount}} on {{refund_date}}");
    struct rf_render_values *v = rf_render_values_create(arena);
    struct rf_rendered out = {.body = "untouched"};

    rf_render_set(v, "amount", "€1.00");
    cr_assert_eq(rf_render(t, v, RF_RENDER_TEXT, arena, &out, &err), RF_INTERNAL);
    cr_assert_str_eq(err.message, "template t.txt: no value for placeholder \"refund_date\"");
    cr_assert_str_eq(out.body, "untouched");
}

Test(render, a_missing_placeholder_in_the_subject_fails_too)
{
    struct rf_template *t = parse("Version: 1\nSubject: {{order_ref}}\n\nbody");
    struct rf_rendered out;

    cr_assert_eq(rf_render(t, rf_render_values_create(arena), RF_RENDER_TEXT, arena, &out, &err),
                 RF_INTERNAL);
    cr_assert(strstr(err.message, "\"order_ref\"") != NULL, "%s", err.message);
}

Test(render, a_block_flag_is_required_even_where_rendering_does_not_reach_it)
{
    struct rf_template *t = parse_body("{{#a}}{{#b}}x{{/b}}{{/a}}");
    struct rf_render_values *v = rf_render_values_create(arena);
    struct rf_rendered out;

    rf_render_set_flag(v, "a", false);
    cr_assert_eq(rf_render(t, v, RF_RENDER_TEXT, arena, &out, &err), RF_INTERNAL);
    cr_assert_str_eq(err.message,
                     "template t.txt: block \"b\" was given neither present nor absent");
}

Test(render, a_name_given_as_the_wrong_kind_is_refused)
{
    struct rf_template *t = parse_body("{{#f}}x{{/f}}{{v}}");
    struct rf_render_values *v = rf_render_values_create(arena);
    struct rf_rendered out;

    rf_render_set(v, "f", "true");
    rf_render_set(v, "v", "1");
    cr_assert_eq(rf_render(t, v, RF_RENDER_TEXT, arena, &out, &err), RF_INTERNAL);
    cr_assert_str_eq(err.message, "template t.txt: \"f\" is a block but was given as a text");
    rf_render_set_flag(v, "f", true);
    rf_render_set_flag(v, "v", true);
    cr_assert_eq(rf_render(t, v, RF_RENDER_TEXT, arena, &out, &err), RF_INTERNAL);
    cr_assert_str_eq(err.message, "template t.txt: \"v\" is a placeholder but was given as a flag");
}

Test(render, money_and_dates_are_set_in_the_language_given)
{
    struct rf_template *t = parse_body("{{amount}} / {{date}}");
    struct rf_render_values *v = rf_render_values_create(arena);

    rf_render_set_money(v, "amount", 123456, "EUR", "de-AT");
    rf_render_set_date(v, "date", 1772323200LL * 1000000, "de"); /* 2026-03-01 */
    cr_assert_str_eq(render(t, v, RF_RENDER_TEXT), "1.234,56 € / 1. März 2026");
}

Test(render_escape, html_mode_escapes_the_five_markup_characters)
{
    cr_assert_str_eq(render1("<p>{{x}}</p>", "x", "<b>Tom & \"Jerry\" 'x'</b>", RF_RENDER_HTML),
                     "<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot; &#39;x&#39;&lt;/b&gt;</p>");
    cr_assert_str_eq(render1("{{x}}", "x", "&amp;", RF_RENDER_HTML), "&amp;amp;");
}

Test(render_escape, text_mode_leaves_markup_characters_alone)
{
    cr_assert_str_eq(render1("{{x}}", "x", "<b>Tom & \"Jerry\" 'x'</b>", RF_RENDER_TEXT),
                     "<b>Tom & \"Jerry\" 'x'</b>");
}

Test(render_escape, the_subject_is_plain_text_even_in_html_mode)
{
    struct rf_template *t = parse("Version: 1\nSubject: Re: {{x}}\n\n{{x}}");
    struct rf_render_values *v = rf_render_values_create(arena);
    struct rf_rendered out;

    rf_render_set(v, "x", "A & B\nBcc: evil@example.com");
    cr_assert_eq(rf_render(t, v, RF_RENDER_HTML, arena, &out, &err), RF_OK);
    cr_assert_str_eq(out.subject, "Re: A & B Bcc: evil@example.com");
    cr_assert_str_eq(out.body, "A &amp; B Bcc: evil@example.com");
}

Test(render_escape, control_characters_and_line_separators_become_spaces)
{
    static const struct {
        const char *in, *want, *what;
    } cases[] = {
        /* The letter after each is "z", which cannot extend a hex escape. */
        {"a\nz", "a z", "LF"},
        {"a\r\nz", "a  z", "CR LF"},
        {"a\tz", "a z", "tab"},
        {"a\x1b[31mz", "a [31mz", "ESC of a terminal sequence"},
        {"a\x7fz", "a z", "DEL"},
        {"a\xc2\x85z", "a z", "U+0085 NEL"},
        {"a\xc2\x9bz", "a z", "U+009B CSI"},
        {"a\xe2\x80\xa8z", "a z", "U+2028 LINE SEPARATOR"},
        {"a\xe2\x80\xa9z", "a z", "U+2029 PARAGRAPH SEPARATOR"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert_str_eq(render1("{{x}}", "x", cases[i].in, RF_RENDER_TEXT), cases[i].want, "%s",
                         cases[i].what);
        cr_assert_str_eq(render1("{{x}}", "x", cases[i].in, RF_RENDER_HTML), cases[i].want, "%s",
                         cases[i].what);
    }
}

Test(render_escape, bidirectional_controls_are_removed)
{
    static const char *const controls[] = {
        "\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae", /* 202A-E */
        "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9", /* U+2066..U+2069 */
        "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c",                     /* LRM, RLM, ALM */
    };

    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++) {
        const char *in = rf_arena_printf(arena, "ab%scd%s", controls[i], controls[i]);

        cr_assert_str_eq(render1("[{{x}}]", "x", in, RF_RENDER_TEXT), "[abcd]", "control %zu", i);
        cr_assert_str_eq(render1("[{{x}}]", "x", in, RF_RENDER_HTML), "[abcd]", "control %zu", i);
    }
}

Test(render_escape, other_characters_are_kept_as_they_are)
{
    /* é, €, an emoji, Arabic and Hebrew letters, U+202F and U+2069's neighbour U+206A. */
    static const char text[] = "José € \xf0\x9f\x98\x80 \xd8\xb3\xd9\x84 "
                               "\xd7\xa9 \xe2\x80\xaf \xe2\x81\xaa \xe2\x80\xa7";

    cr_assert_str_eq(render1("{{x}}", "x", text, RF_RENDER_TEXT), text);
    cr_assert_str_eq(render1("{{x}}", "x", text, RF_RENDER_HTML), text);
}

Test(render_escape, a_value_that_is_not_utf8_is_refused_naming_the_placeholder)
{
    static const char *const bad[] = {"caf\xe9", "\xc0\xaf", "\xed\xa0\x80", "ab\xe2\x82"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_render_values *v = rf_render_values_create(arena);
        struct rf_rendered out;

        rf_render_set(v, "customer_name", bad[i]);
        cr_assert_eq(
            rf_render(parse_body("Dear {{customer_name}}"), v, RF_RENDER_TEXT, arena, &out, &err),
            RF_INTERNAL, "bad value %zu", i);
        cr_assert_str_eq(
            err.message,
            "template t.txt: the value of placeholder \"customer_name\" is not valid UTF-8");
    }
}

/* Parses text and returns the error message, which must say "t.txt:<line>: <what>". */
static void refused(const char *text, int line, const char *what)
{
    struct rf_template *t = (struct rf_template *)1;
    char want[128];

    rf_error_clear(&err);
    cr_assert_eq(rf_template_parse(arena, "t.txt", text, &t, &err), RF_INVALID_ARGUMENT,
                 "accepted: %s", text);
    cr_assert_null(t);
    snprintf(want, sizeof want, "t.txt:%d: %s", line, what);
    cr_assert(strncmp(err.message, want, strlen(want)) == 0, "for %s\nwant %s...\ngot  %s", text,
              want, err.message);
}

Test(render_syntax, an_unclosed_tag_is_refused_with_its_line)
{
    refused("Version: 1\n\nHello {{name", 3, "unclosed \"{{\"");
    refused("Version: 1\n\nline\nHello {{name\n}}", 4, "unclosed \"{{\"");
    refused("Version: 1\n\n{{name}", 3, "unclosed \"{{\"");
    refused("Version: 1\n\n{{", 3, "unclosed \"{{\"");
    refused("Version: 1\nSubject: Order {{order_ref\n\nbody", 2, "unclosed \"{{\"");
}

Test(render_syntax, a_bad_name_is_refused_with_its_line)
{
    static const char *const bad[] = {"{{Amount}}", "{{ amount }}", "{{}}",        "{{#}}",
                                      "{{/}}",      "{{am-ount}}",  "{{amount!}}", "{{#a b}}"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(rf_arena_printf(arena, "Version: 1\n\nfirst\n%s", bad[i]), 4, "bad name in");
    refused(rf_arena_printf(arena, "Version: 1\n\n{{%065d}}", 0), 3, "bad name in");
    /* 64 characters is still a name. */
    parse_body(rf_arena_printf(arena, "{{%064d}}", 0));
}

Test(render_syntax, three_braces_are_refused_as_ambiguous)
{
    refused("Version: 1\n\n{{{name}}}", 3, "\"{{{\" reads two ways");
}

Test(render_syntax, unbalanced_blocks_are_refused_with_the_line_of_the_culprit)
{
    refused("Version: 1\n\nx\n{{#credit}}\nstore credit", 4, "block \"credit\" is not closed");
    refused("Version: 1\n\n{{#a}}x{{/b}}", 3, "\"{{/b}}\" closes the block \"a\"");
    refused("Version: 1\n\nx\n\n{{/a}}", 5, "\"{{/\" closes no block");
    refused("Version: 1\nSubject: {{#a}}x\n\n{{/a}}", 2, "block \"a\" is not closed");
    refused("Version: 1\n\n{{#a}}{{#b}}{{#c}}{{#d}}{{#e}}{{#f}}{{#g}}{{#h}}{{#i}}", 3,
            "blocks nested too deep");
}

Test(render_syntax, a_name_used_as_placeholder_and_block_is_refused)
{
    refused("Version: 1\n\n{{a}}\n{{#a}}x{{/a}}", 4, "\"a\" is used both as a placeholder");
    refused("Version: 1\nSubject: {{#a}}x{{/a}}\n\n{{a}}", 4, "\"a\" is used both");
}

Test(render_syntax, bad_headers_are_refused_with_their_line)
{
    refused("Subject: x\n\nbody", 1, "no Version header");
    refused("\nbody", 1, "no Version header");
    refused("Version: one\n\nbody", 1, "Version must be a whole number");
    refused("Version: 0\n\nbody", 1, "Version must be a whole number");
    refused("Version: 1 \n\nbody", 1, "Version must be a whole number");
    refused("Version:\n\nbody", 1, "Version must be a whole number");
    refused("Version: 99999999999999999999\n\nbody", 1, "Version must be a whole number");
    refused("Version: 1\nVersion: 2\n\nbody", 2, "Version given twice");
    refused("Version: 1\nSubject: a\nSubject: b\n\nbody", 3, "Subject given twice");
    refused("Version: 1\nSubject:\n\nbody", 2, "empty Subject");
    refused("Version: 1\nFrom: us\n\nbody", 2, "unknown header");
    refused("version: 1\n\nbody", 1, "unknown header");
    refused("Version: 1", 1, "no blank line after the headers");
    refused("Version: 1\nSubject: x", 2, "no blank line after the headers");
    refused("Version: 1\n\n", 3, "empty body");
    refused("Version: 1\n\n\n\n", 3, "empty body");
}

Test(render_syntax, bytes_that_do_not_belong_in_a_template_are_refused)
{
    refused("Version: 1\r\n\r\nbody", 1, "carriage return");
    refused("Version: 1\n\nline\nbad \xff byte", 4, "not valid UTF-8");
    refused("Version: 1\n\n\xc3", 3, "not valid UTF-8");
    refused("Version: 1\n\nbell\x07", 3, "control character");
    refused("Version: 1\n\ndel\x7f", 3, "control character");
    /* A tab is text. */
    parse_body("a\tb");
}

/* The situations the brief asks for, each to be written in en, es and de. */
static const char *const situations[] = {
    "trace.not_issued", "trace.pending",     "trace.in_window",       "trace.no_reference",
    "trace.reversal",   "trace.failed",      "trace.requires_action", "trace.stuck",
    "trace.overdue",    "trace.overdue_no_reference", "trace.sent", "trace.arrived",
    "decision.approved", "decision.denied",       "status.received",
    "status.in_review", "status.approved",   "status.refund_sent",    "status.arrived",
    "status.denied",    "status.withdrawn",
};
static const char *const languages[] = {"en", "es", "de"};

static struct rf_templates *embedded(void)
{
    struct rf_templates *set = NULL;

    cr_assert_eq(rf_templates_create(rf_template_sources, rf_template_sources_count, &set, &err),
                 RF_OK, "%s", err.message);
    return set;
}

static const struct rf_template *find(struct rf_templates *set, const char *situation,
                                      const char *tag)
{
    const struct rf_template *t = NULL;

    cr_assert_eq(rf_template_find(set, situation, tag, &t, &err), RF_OK, "%s in %s: %s", situation,
                 tag == NULL ? "NULL" : tag, err.message);
    return t;
}

Test(templates, every_situation_is_written_in_english_spanish_and_german)
{
    struct rf_templates *set = embedded();

    for (size_t s = 0; s < sizeof situations / sizeof situations[0]; s++) {
        for (size_t l = 0; l < sizeof languages / sizeof languages[0]; l++) {
            const struct rf_template *t = find(set, situations[s], languages[l]);

            cr_assert_str_eq(rf_template_lang(t), languages[l], "%s", situations[s]);
            cr_assert_str_eq(rf_template_situation(t), situations[s]);
            cr_assert_geq(rf_template_version(t), 1);
            /* E-mails and website headings have a subject; the agent's scripts are spoken. */
            cr_assert_eq(rf_template_has_subject(t), strncmp(situations[s], "trace.", 6) != 0, "%s",
                         rf_template_file(t));
        }
    }
    rf_templates_destroy(set);
}

static bool same_names(const struct rf_template *a, const struct rf_template *b)
{
    if (rf_template_name_count(a) != rf_template_name_count(b))
        return false;
    for (size_t i = 0; i < rf_template_name_count(a); i++) {
        bool block_a, block_b, found = false;
        const char *name = rf_template_name(a, i, &block_a);

        for (size_t k = 0; k < rf_template_name_count(b); k++)
            found = found ||
                    (strcmp(rf_template_name(b, k, &block_b), name) == 0 && block_a == block_b);
        if (!found)
            return false;
    }
    return true;
}

Test(templates, every_language_of_a_situation_uses_the_same_names)
{
    struct rf_templates *set = embedded();

    for (size_t i = 0; i < rf_template_sources_count; i++) {
        const struct rf_template *t =
            find(set, rf_template_sources[i].situation, rf_template_sources[i].lang);
        const struct rf_template *en = find(set, rf_template_sources[i].situation, "en");

        cr_assert(same_names(t, en), "%s and %s use different placeholders", rf_template_file(t),
                  rf_template_file(en));
    }
    rf_templates_destroy(set);
}

Test(templates, shipped_template_text_has_no_markup_characters)
{
    /* So that the same file is safe as the body of an HTML e-mail. */
    for (size_t i = 0; i < rf_template_sources_count; i++)
        cr_assert_null(strpbrk(rf_template_sources[i].text, "<>&"), "%s",
                       rf_template_sources[i].file);
}

/*
 * Values for every name of t: each placeholder "[name]", each block flag the
 * bit of combo at its position among the blocks. Leaves out placeholder skip
 * (SIZE_MAX: none).
 */
static struct rf_render_values *values_for(const struct rf_template *t, unsigned combo, size_t skip)
{
    struct rf_render_values *v = rf_render_values_create(arena);
    unsigned bit = 0;

    for (size_t i = 0; i < rf_template_name_count(t); i++) {
        bool block;
        const char *name = rf_template_name(t, i, &block);

        if (block)
            rf_render_set_flag(v, name, (combo >> bit++) & 1);
        else if (i != skip)
            rf_render_set(v, name, rf_arena_printf(arena, "[%s]", name));
    }
    return v;
}

static unsigned block_count(const struct rf_template *t)
{
    unsigned n = 0;

    for (size_t i = 0; i < rf_template_name_count(t); i++) {
        bool block;

        rf_template_name(t, i, &block);
        n += block;
    }
    return n;
}

Test(templates, every_template_renders_with_the_values_its_names_call_for)
{
    struct rf_templates *set = embedded();

    for (size_t i = 0; i < rf_template_sources_count; i++) {
        const struct rf_template *t =
            find(set, rf_template_sources[i].situation, rf_template_sources[i].lang);
        unsigned blocks = block_count(t);
        bool *seen = rf_arena_calloc(arena, rf_template_name_count(t) + 1, sizeof *seen);

        cr_assert_leq(blocks, 4, "%s", rf_template_file(t));
        for (unsigned combo = 0; combo < 1u << blocks; combo++) {
            for (int mode = RF_RENDER_TEXT; mode <= RF_RENDER_HTML; mode++) {
                struct rf_rendered out;
                enum rf_code rc =
                    rf_render(t, values_for(t, combo, SIZE_MAX), mode, arena, &out, &err);

                cr_assert_eq(rc, RF_OK, "%s: %s", rf_template_file(t), err.message);
                cr_assert_gt(out.body_len, 40, "%s", rf_template_file(t));
                cr_assert_null(strstr(out.body, "{{"), "%s", rf_template_file(t));
                cr_assert_null(strstr(out.body, "}}"), "%s", rf_template_file(t));
                cr_assert_null(strstr(out.body, "\n\n\n"), "%s combination %u", rf_template_file(t),
                               combo);
                cr_assert(out.subject == NULL || strchr(out.subject, '\n') == NULL);
                for (size_t n = 0; n < rf_template_name_count(t); n++) {
                    const char *name = rf_template_name(t, n, NULL);

                    seen[n] = seen[n] || strstr(out.body, rf_arena_printf(arena, "[%s]", name)) ||
                              (out.subject != NULL &&
                               strstr(out.subject, rf_arena_printf(arena, "[%s]", name)));
                }
            }
        }
        /* Every placeholder shows in some combination of the blocks: none is dead text. */
        for (size_t n = 0; n < rf_template_name_count(t); n++) {
            bool block;
            const char *name = rf_template_name(t, n, &block);

            cr_assert(block || seen[n], "%s: placeholder %s never shows", rf_template_file(t),
                      name);
        }
    }
    rf_templates_destroy(set);
}

Test(templates, every_template_fails_without_each_of_its_placeholders)
{
    struct rf_templates *set = embedded();

    for (size_t i = 0; i < rf_template_sources_count; i++) {
        const struct rf_template *t =
            find(set, rf_template_sources[i].situation, rf_template_sources[i].lang);
        unsigned blocks = block_count(t);

        for (size_t n = 0; n < rf_template_name_count(t); n++) {
            bool block, failed = false;
            const char *name = rf_template_name(t, n, &block);
            char *want;

            if (block)
                continue;
            want = rf_arena_printf(arena, "template %s: no value for placeholder \"%s\"",
                                   rf_template_file(t), name);
            /* In some combination of the blocks the placeholder is reached and missed. */
            for (unsigned combo = 0; combo < 1u << blocks && !failed; combo++) {
                struct rf_rendered out;

                rf_error_clear(&err);
                if (rf_render(t, values_for(t, combo, n), RF_RENDER_TEXT, arena, &out, &err) ==
                    RF_OK)
                    continue;
                cr_assert_eq(err.code, RF_INTERNAL);
                cr_assert_str_eq(err.message, want);
                failed = true;
            }
            cr_assert(failed, "%s rendered without %s", rf_template_file(t), name);
        }
    }
    rf_templates_destroy(set);
}

Test(templates, a_denial_in_spanish_reads_as_a_customer_would_receive_it)
{
    struct rf_templates *set = embedded();
    const struct rf_template *t = find(set, "decision.denied", "es-MX");
    struct rf_render_values *v = rf_render_values_create(arena);
    const char *reasons[] = {"el producto se ha usado", "han pasado 95 días desde la compra"};
    struct rf_rendered out;

    rf_render_set(v, "customer_name", "Ana García");
    rf_render_set(v, "product_name", "Chaqueta Alba");
    rf_render_set(v, "order_ref", "A-1001");
    rf_render_set(v, "reasons", rf_list_format_lang(arena, reasons, 2, "es-MX"));
    rf_render_set_flag(v, "store_credit", true);
    rf_render_set_money(v, "store_credit_amount", 123456, "EUR", "es-MX");
    rf_render_set_date(v, "store_credit_valid_until", 1796083200LL * 1000000, "es-MX");
    rf_render_set_flag(v, "exchange", false);
    rf_render_set_flag(v, "repair", false);
    rf_render_set_flag(v, "discount_voucher", false);
    rf_render_set_date(v, "offer_valid_until", 1765756800LL * 1000000, "es-MX");
    rf_render_set(v, "tracking_url", "https://shop.example/r/A-1001");
    rf_render_set(v, "support_contact", "ayuda@shop.example");
    rf_render_set(v, "case_ref", "R-77");
    rf_render_set(v, "merchant_name", "Tienda Ejemplo");
    cr_assert_eq(rf_render(t, v, RF_RENDER_HTML, arena, &out, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(rf_template_lang(t), "es");
    cr_assert_str_eq(out.subject, "Su solicitud de reembolso del pedido A-1001");
    cr_assert(strstr(out.body, "Hola, Ana García:\n\n") == out.body, "%s", out.body);
    cr_assert(strstr(out.body, "Los motivos de nuestra decisión: el producto se ha usado y "
                               "han pasado 95 días desde la compra.") != NULL,
              "%s", out.body);
    cr_assert(strstr(out.body, "saldo a su favor de 1.234,56 € para usar") != NULL, "%s", out.body);
    cr_assert(strstr(out.body, "hasta el 1 de diciembre de 2026.") != NULL, "%s", out.body);
    cr_assert(strstr(out.body, "a más tardar el 15 de diciembre de 2025") != NULL, "%s", out.body);
    cr_assert_null(strstr(out.body, "cambio por"), "%s", out.body);
    rf_templates_destroy(set);
}

Test(templates, a_tag_falls_back_to_its_language_then_to_english)
{
    struct rf_templates *set = embedded();
    static const struct {
        const char *tag, *want;
    } cases[] = {
        {"de-AT", "de"}, {"es-MX", "es"},      {"es-419", "es"},   {"de_CH", "de"},
        {"DE", "de"},    {"ES-mx", "es"},      {"en-US", "en"},    {"fr", "en"},
        {"fr-CA", "en"}, {"zh-Hant-TW", "en"}, {"garbage!", "en"}, {"x", "en"},
        {"", "en"},      {"de-", "en"},        {NULL, "en"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_str_eq(rf_template_lang(find(set, "decision.approved", cases[i].tag)),
                         cases[i].want, "%s", cases[i].tag == NULL ? "NULL" : cases[i].tag);
    rf_templates_destroy(set);
}

static const struct rf_template_source regional[] = {
    {"greeting", "de", "greeting.de.txt", "Version: 1\n\nGuten Tag"},
    {"greeting", "de-AT", "greeting.de-AT.txt", "Version: 2\n\nGrüß Gott"},
    {"greeting", "en", "greeting.en.txt", "Version: 1\n\nHello"},
    {"only_en", "en", "only_en.en.txt", "Version: 1\n\nEnglish"},
};

Test(templates, a_regional_template_is_preferred_where_one_exists)
{
    struct rf_templates *set = NULL;

    cr_assert_eq(rf_templates_create(regional, 4, &set, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(rf_template_lang(find(set, "greeting", "de-AT")), "de-AT");
    cr_assert_str_eq(rf_template_lang(find(set, "greeting", "de-at-1996")), "de-AT");
    cr_assert_eq(rf_template_version(find(set, "greeting", "de-AT")), 2);
    cr_assert_str_eq(rf_template_lang(find(set, "greeting", "de-DE")), "de");
    cr_assert_str_eq(rf_template_lang(find(set, "greeting", "de")), "de");
    cr_assert_str_eq(rf_template_lang(find(set, "only_en", "de-AT")), "en");
    rf_templates_destroy(set);
}

Test(templates, an_unknown_situation_is_an_internal_error)
{
    struct rf_templates *set = embedded();
    const struct rf_template *t = (const struct rf_template *)1;

    cr_assert_eq(rf_template_find(set, "decision.maybe", "en", &t, &err), RF_INTERNAL);
    cr_assert_null(t);
    cr_assert_str_eq(err.message, "no template for situation \"decision.maybe\"");
    rf_templates_destroy(set);
}

/* Creating a set from src must fail with a message that starts with want. */
static void set_refused(const struct rf_template_source *src, size_t n, const char *want)
{
    struct rf_templates *set = (struct rf_templates *)1;

    rf_error_clear(&err);
    cr_assert_eq(rf_templates_create(src, n, &set, &err), RF_INVALID_ARGUMENT, "want %s", want);
    cr_assert_null(set);
    cr_assert(strncmp(err.message, want, strlen(want)) == 0, "want %s\ngot  %s", want, err.message);
}

Test(templates, a_set_with_a_bad_template_is_refused_at_load_with_file_and_line)
{
    const struct rf_template_source src[] = {
        {"greeting", "en", "greeting.en.txt", "Version: 1\n\nHello"},
        {"refund", "en", "refund.en.txt", "Version: 1\n\nYour refund\nof {{amount"},
    };

    set_refused(src, 2, "refund.en.txt:4: unclosed \"{{\"");
}

Test(templates, a_set_without_english_for_a_situation_is_refused)
{
    const struct rf_template_source src[] = {
        {"greeting", "de", "greeting.de.txt", "Version: 1\n\nHallo"},
    };

    set_refused(src, 1, "greeting.de.txt: situation greeting has no English template");
}

Test(templates, a_set_with_bad_names_or_a_repeated_file_is_refused)
{
    const struct rf_template_source lower[] = {
        {"greeting", "en", "greeting.en.txt", "Version: 1\n\nHello"},
        {"greeting", "de-at", "greeting.de-at.txt", "Version: 1\n\nServus"},
    };
    const struct rf_template_source twice[] = {
        {"greeting", "en", "greeting.en.txt", "Version: 1\n\nHello"},
        {"greeting", "en", "greeting.en.txt", "Version: 1\n\nHello again"},
    };
    const struct rf_template_source situation[] = {
        {"Greeting", "en", "Greeting.en.txt", "Version: 1\n\nHello"},
    };

    set_refused(lower, 2, "greeting.de-at.txt: language \"de-at\" is not a BCP 47 tag");
    set_refused(twice, 2, "greeting.en.txt: a second template for greeting in en");
    set_refused(situation, 1, "Greeting.en.txt: situation \"Greeting\" is not [a-z0-9_.]+");
}
