/*
 * Checks of untrusted text: UTF-8, length in characters, control characters,
 * and the formats refunds accepts (e-mail address, phone number, BCP 47
 * language tag, request id, caller subject). Pure functions; each returns
 * true or a reason the client can read, never touches the input.
 */
#ifndef REFUNDS_VALIDATE_H
#define REFUNDS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* Flags of rf_text_check. */
#define RF_TEXT_MULTILINE 1u /* allow \n, \r and \t */

/* True when the len bytes at s are well-formed UTF-8 (no overlongs, surrogates or NUL). */
bool rf_utf8_valid(const char *s, size_t len);

/* Number of code points in well-formed UTF-8. */
size_t rf_utf8_chars(const char *s, size_t len);

enum rf_text_fault {
    RF_TEXT_OK,
    RF_TEXT_BAD_UTF8, /* not well-formed UTF-8 (or contains NUL) */
    RF_TEXT_TOO_LONG, /* more than max_chars code points */
    RF_TEXT_CONTROL,  /* a C0 or C1 control character RF_TEXT_MULTILINE does not allow */
    RF_TEXT_BIDI,     /* a bidirectional embedding, override or isolate control */
};

/*
 * Checks s: valid UTF-8, at most max_chars characters, no control characters but those flags
 * allow, and no bidirectional embedding, override or isolate controls (U+202A-U+202E,
 * U+2066-U+2069) in any text, single-line or free: they make a name or a note display as
 * something else on an agent's screen or in a finance export ("Trojan Source"). Right-to-left
 * text needs none of them; the marks U+200E, U+200F and U+061C, which reorder nothing, stay
 * allowed.
 */
enum rf_text_fault rf_text_check(const char *s, size_t max_chars, unsigned flags);

/* 3 when s starts with the UTF-8 of a bidirectional control rf_text_check refuses; else 0.
 * s must have at least 3 readable bytes or a NUL before them. */
size_t rf_bidi_control_len(const char *s);

/* True when s has a character other than ASCII space, tab, CR or LF. */
bool rf_text_has_content(const char *s);

/* A plausible address: local@domain, at most 254 characters, dotted domain. */
bool rf_email_valid(const char *s);

/* Digits (7 to 15) with an optional leading '+', spaces, '-', '.', '(' and ')'. */
bool rf_phone_valid(const char *s);

/* A BCP 47 tag of the common form: language (2-3 letters), then script, region or variant subtags.
 */
bool rf_language_tag_valid(const char *s);

/* 1 to 128 characters of [A-Za-z0-9._:-]. */
bool rf_request_id_valid(const char *s);

/* A caller or assignee subject: 1 to 128 characters of [A-Za-z0-9._@:+-]. */
bool rf_subject_valid(const char *s);

/* A lower-case identifier such as a provider name: 1 to max of [a-z0-9_-]. */
bool rf_slug_valid(const char *s, size_t max);

#endif
