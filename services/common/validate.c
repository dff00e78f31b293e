/*
 * Checks of untrusted text (see include/refunds/validate.h). Deliberately
 * conservative formats: they decide what the service stores, so a value that
 * passes here must be safe to show, compare and index.
 */
#include <string.h>

#include "refunds/validate.h"

bool rf_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned cp;

        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i - 1 < n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and code points past U+10FFFF. */
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

size_t rf_utf8_chars(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    }
    return n;
}

enum rf_text_fault rf_text_check(const char *s, size_t max_chars, unsigned flags)
{
    size_t len = strlen(s);

    if (!rf_utf8_valid(s, len))
        return RF_TEXT_BAD_UTF8;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        /* C1 controls U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8 (U+009B is a terminal CSI). */
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] <= 0x9f)
            return RF_TEXT_CONTROL;
        if (c == 0xe2 && rf_bidi_control_len(s + i) != 0)
            return RF_TEXT_BIDI;
        if (c >= 0x20 && c != 0x7f)
            continue;
        if ((flags & RF_TEXT_MULTILINE) && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        return RF_TEXT_CONTROL;
    }
    if (rf_utf8_chars(s, len) > max_chars)
        return RF_TEXT_TOO_LONG;
    return RF_TEXT_OK;
}

size_t rf_bidi_control_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;

    /* U+202A..U+202E are E2 80 AA..AE; U+2066..U+2069 are E2 81 A6..A9. */
    if (s[0] != 0xe2)
        return 0;
    if (s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae)
        return 3;
    if (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
        return 3;
    return 0;
}

bool rf_text_has_content(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return true;
    }
    return false;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

bool rf_email_valid(const char *s)
{
    const char *at = strrchr(s, '@');
    size_t len = strlen(s), local_len;
    const char *label;
    int labels = 0;

    if (at == NULL || len > 254)
        return false;
    local_len = (size_t)(at - s);
    if (local_len == 0 || local_len > 64 || s[0] == '.' || at[-1] == '.')
        return false;
    for (const char *p = s; p < at; p++) {
        if (is_alnum(*p) || strchr("!#$%&'*+/=?^_`{|}~.-", *p) != NULL) {
            if (*p == '.' && p[1] == '.')
                return false;
            continue;
        }
        return false;
    }
    /* Domain: dot-separated labels of letters, digits and inner hyphens; a letter TLD. */
    label = at + 1;
    for (;;) {
        const char *end = label;

        while (is_alnum(*end) || *end == '-')
            end++;
        if (end == label || end - label > 63 || label[0] == '-' || end[-1] == '-')
            return false;
        labels++;
        if (*end == '\0') {
            if (labels < 2 || end - label < 2)
                return false;
            for (const char *p = label; p < end; p++) {
                if (!is_alpha(*p))
                    return false;
            }
            return true;
        }
        if (*end != '.')
            return false;
        label = end + 1;
    }
}

bool rf_phone_valid(const char *s)
{
    int digits = 0;

    if (strlen(s) > 32)
        return false;
    for (const char *p = s; *p != '\0'; p++) {
        if (is_digit(*p))
            digits++;
        else if (*p == '+' && p == s)
            continue;
        else if (strchr(" -.()", *p) == NULL)
            return false;
    }
    return digits >= 7 && digits <= 15;
}

bool rf_language_tag_valid(const char *s)
{
    const char *p = s;
    size_t n = 0;

    if (strlen(s) > 35)
        return false;
    while (is_alpha(p[n]))
        n++;
    if (n < 2 || n > 3)
        return false;
    p += n;
    while (*p == '-') {
        p++;
        n = 0;
        while (is_alnum(p[n]))
            n++;
        if (n < 2 || n > 8)
            return false;
        p += n;
    }
    return *p == '\0';
}

static bool all_in(const char *s, size_t max, const char *extra, bool upper_ok)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++) {
        char c = s[n];

        if (n >= max)
            return false;
        if ((c >= 'a' && c <= 'z') || is_digit(c) || (upper_ok && c >= 'A' && c <= 'Z'))
            continue;
        if (strchr(extra, c) == NULL)
            return false;
    }
    return n > 0;
}

bool rf_request_id_valid(const char *s)
{
    return all_in(s, 128, "._:-", true);
}

bool rf_subject_valid(const char *s)
{
    return all_in(s, 128, "._@:+-", true);
}

bool rf_slug_valid(const char *s, size_t max)
{
    return all_in(s, max, "_-", false);
}
