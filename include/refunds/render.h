/*
 * Messages for people, rendered from templates in the customer's language:
 * the agent's trace script, the decision message to the customer and the
 * customer-safe status text of the shop's website. This header is the
 * template language (parse once, render many times), the values a rendering
 * takes, and the set of templates embedded in the binary with its language
 * fallback. Pure: no I/O, no clock, no global state; a compiled template or
 * set is immutable and may be shared by threads. Not for choosing which
 * situation applies to a case or for sending anything (the callers do that),
 * and not for formatting money or dates (money.h, locale.h).
 *
 * docs/messages.md is the reference: the file format, the template language,
 * every situation with the exact placeholders it uses, and how to add a
 * language. In short:
 *
 *   Version: 3                      header lines, then one blank line, then
 *   Subject: Refund for {{order_ref}}   the body; Version is required, Subject
 *                                   optional (e-mail subject, website title)
 *   Dear {{customer_name}}, ...     the body, up to the end of the file
 *
 *   {{name}}            a placeholder, name = [a-z0-9_.]+; always required
 *   {{#name}}...{{/name}}   a block shown when flag name is present
 *   {{^name}}...{{/name}}   a block shown when flag name is absent
 *   {{{{                a literal "{{" (the only escape; "}}" needs none)
 *
 * Every placeholder is required: rendering one that has no value is an error
 * naming it and the template, never a blank. Every block flag is required
 * too, present or absent, whether or not rendering reaches it. Placeholders
 * inside a block that is not shown need no value. Values given but not used
 * are fine.
 *
 * Error codes. Parsing a template that is not well formed fails with
 * RF_INVALID_ARGUMENT and "<file>:<line>: <what>". Rendering fails with
 * RF_INTERNAL: values are supplied by our own code from stored, validated
 * data, so a missing value or one that is not UTF-8 is a bug between the code
 * and a template file that no caller of an RPC can fix by changing its
 * request, and must not be retried as if it were one. A caller rendering
 * straight from request fields should check them first (rf_text_check) and
 * answer INVALID_ARGUMENT naming the field.
 *
 * Escaping of values (the template text itself is trusted and copied as it
 * is; the shipped templates are plain prose without & < >, so they read the
 * same in both modes):
 *   - every mode: a value must be valid UTF-8 (else RF_INTERNAL); C0 and C1
 *     control characters, DEL and U+2028/U+2029 become a space, so a value
 *     can neither start a line (no header or line injection) nor glue two
 *     words together; the bidirectional controls U+202A..U+202E,
 *     U+2066..U+2069, U+200E, U+200F and U+061C are removed, so a value
 *     cannot reorder the text around it on screen.
 *   - RF_RENDER_HTML also writes & < > " ' as &amp; &lt; &gt; &quot; &#39;,
 *     for the body of an HTML e-mail (put it in an element that keeps line
 *     breaks, such as <div style="white-space: pre-line">).
 *   - the subject is always rendered as RF_RENDER_TEXT: it is a mail header
 *     or a page title, not HTML.
 */
#ifndef REFUNDS_RENDER_H
#define REFUNDS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/status.h"

struct rf_arena;

enum rf_render_mode {
    RF_RENDER_TEXT, /* SMS, the agent's script, letters, plain-text e-mail, the website's text */
    RF_RENDER_HTML, /* the body of an HTML e-mail */
};

/* A compiled template: opaque, immutable once parsed. */
struct rf_template;

/*
 * Parses text (the whole file: headers, blank line, body) into a template in
 * the arena a, which keeps its own copy of text; file names it in error
 * messages and is kept (rf_template_file). On a syntax error returns
 * RF_INVALID_ARGUMENT with "<file>:<line>: <what>" in err and leaves *out
 * NULL: an unclosed "{{" or block, a bad name, a stray or mismatched
 * "{{/name}}", a name used both as placeholder and as block, "{{{" (which
 * reads two ways), a missing or malformed Version, an unknown or repeated
 * header, no blank line after the headers, a carriage return, text that is
 * not UTF-8. The body ends where the file does, less its final newlines.
 */
enum rf_code rf_template_parse(struct rf_arena *a, const char *file, const char *text,
                               struct rf_template **out, struct rf_error *err);

/* The file name given to rf_template_parse ("decision.denied.es.txt"). */
const char *rf_template_file(const struct rf_template *t);

/* The Version header: record it with what was rendered. */
int rf_template_version(const struct rf_template *t);

/*
 * The situation ("decision.denied") and language ("es") of a template of a
 * set (rf_templates_create); NULL for one from rf_template_parse alone.
 * rf_template_lang is the language rf_template_find picked.
 */
const char *rf_template_situation(const struct rf_template *t);
const char *rf_template_lang(const struct rf_template *t);

/* True when the template has a Subject header. */
bool rf_template_has_subject(const struct rf_template *t);

/*
 * The distinct names the template uses, subject and body together, in order
 * of first use: i from 0 to rf_template_name_count - 1. *is_block tells a
 * block flag from a placeholder. Lets tests and tools know what a template
 * needs without a second list to keep in step.
 */
size_t rf_template_name_count(const struct rf_template *t);
const char *rf_template_name(const struct rf_template *t, size_t i, bool *is_block);

/* The values of one rendering: opaque, in an arena. */
struct rf_render_values;

/* An empty set of values in a (freed with it). */
struct rf_render_values *rf_render_values_create(struct rf_arena *a);

/*
 * Gives placeholder name the text value (plain text, unescaped: the renderer
 * escapes it for the mode). Both are copied into the values' arena; setting
 * a name again replaces its value. A NULL value is the empty string, which
 * is a value like any other: use it only where empty is meant.
 */
void rf_render_set(struct rf_render_values *v, const char *name, const char *value);

/* Gives block name as present or absent. */
void rf_render_set_flag(struct rf_render_values *v, const char *name, bool present);

/* rf_render_set of the amount as rf_money_format_lang writes it in lang. */
void rf_render_set_money(struct rf_render_values *v, const char *name, int64_t minor,
                         const char *currency, const char *lang);

/* rf_render_set of the date as rf_date_format_lang writes it in lang. */
void rf_render_set_date(struct rf_render_values *v, const char *name, int64_t us, const char *lang);

/* What a rendering produced, in the arena given to rf_render. */
struct rf_rendered {
    const char *subject; /* NULL when the template has no Subject; plain text */
    const char *body;    /* NUL-terminated */
    size_t body_len;
};

/*
 * Renders t with v for mode into out, the text in a. Time is linear in the
 * size of the output (each value is looked up once). On error returns
 * RF_INTERNAL with a message naming the template file and the placeholder or
 * block ("template decision.denied.es.txt: no value for placeholder
 * \"amount\""): a placeholder without a value, a block flag not given, a
 * name given as the wrong kind (text for a block or a flag for a
 * placeholder), a value that is not UTF-8. *out is left as it was then.
 */
enum rf_code rf_render(const struct rf_template *t, const struct rf_render_values *v,
                       enum rf_render_mode mode, struct rf_arena *a, struct rf_rendered *out,
                       struct rf_error *err);

/* One template file as embedded at build time (cmake/embed_templates.cmake). */
struct rf_template_source {
    const char *situation; /* "decision.denied", from the file name */
    const char *lang;      /* "es", "de-AT": the file name's last part before .txt */
    const char *file;      /* "decision.denied.es.txt" */
    const char *text;      /* the file's bytes */
};

/* Every file of services/common/templates, sorted by file name. */
extern const struct rf_template_source rf_template_sources[];
extern const size_t rf_template_sources_count;

/* A compiled set of templates: opaque, immutable, shareable by threads. */
struct rf_templates;

/*
 * Compiles n sources (normally rf_template_sources and
 * rf_template_sources_count, once at start) into *out, to be freed with
 * rf_templates_destroy. Refuses the set, with RF_INVALID_ARGUMENT and the
 * first problem in err, if a template does not parse ("<file>:<line>: ..."),
 * a language is not a canonical BCP 47 tag ("de-AT", not "de-at"), a
 * situation name is not [a-z0-9_.]+, a situation and language come twice, or
 * a situation has no English template, the last fallback of every lookup.
 */
enum rf_code rf_templates_create(const struct rf_template_source *src, size_t n,
                                 struct rf_templates **out, struct rf_error *err);

/* Frees a set and its templates. NULL is a no-op. */
void rf_templates_destroy(struct rf_templates *set);

/*
 * Finds situation's template for language_tag, falling back along the tag's
 * subtags then to English: de-AT -> de -> en, es-MX -> es, fr -> en; a NULL,
 * empty or malformed tag is English. *out belongs to set; rf_template_lang
 * tells which language was picked. An unknown situation is RF_INTERNAL (the
 * code asked for a template that was never written), with *out NULL.
 */
enum rf_code rf_template_find(const struct rf_templates *set, const char *situation,
                              const char *language_tag, const struct rf_template **out,
                              struct rf_error *err);

#endif
