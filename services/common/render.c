/*
 * The template language of customer and agent messages (see
 * include/refunds/render.h and docs/messages.md): the parser that compiles a
 * template file once into a list of operations, the renderer that walks them
 * twice (measure, then write into one arena allocation), the escaping of
 * values, and the embedded set with its language fallback. Not for choosing
 * a situation or a language for a case, and not for the template files
 * themselves (services/common/templates/, embedded by
 * cmake/embed_templates.cmake).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refunds/arena.h"
#include "refunds/locale.h"
#include "refunds/money.h"
#include "refunds/render.h"
#include "refunds/validate.h"

#define NAME_MAX_LEN 64
#define DEPTH_MAX    8
#define VERSION_MAX  1000000

enum op_kind {
    OP_TEXT,  /* copy len bytes of the template text at off */
    OP_VAR,   /* the escaped value of name */
    OP_OPEN,  /* a block on flag name; skip to op end when not shown */
    OP_CLOSE, /* the end of a block */
};

struct op {
    enum op_kind kind;
    bool inverted; /* OP_OPEN: "{{^name}}", shown when the flag is absent */
    size_t name;   /* OP_VAR, OP_OPEN: index in names */
    size_t off;    /* OP_TEXT */
    size_t len;    /* OP_TEXT */
    size_t end;    /* OP_OPEN: index of its OP_CLOSE */
};

struct part {
    struct op *ops;
    size_t n;
};

struct name {
    const char *s;
    bool block;
};

struct rf_template {
    const char *file;
    const char *situation;
    const char *lang;
    char *text;
    int version;
    bool has_subject;
    struct part subject;
    struct part body;
    struct name *names;
    size_t n_names;
};

struct parser {
    struct rf_arena *a;
    struct rf_template *t;
    struct rf_error *err;
    size_t cap_names;
};

/* The line (from 1) of byte offset pos of the template's text. */
static int line_of(const struct rf_template *t, size_t pos)
{
    int line = 1;

    for (size_t i = 0; i < pos; i++)
        line += t->text[i] == '\n';
    return line;
}

static enum rf_code syntax(struct parser *p, size_t pos, const char *what)
{
    return rf_fail(p->err, RF_INVALID_ARGUMENT, "%s:%d: %s", p->t->file, line_of(p->t, pos), what);
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* The index of name s (len bytes) of kind block, added if new; SIZE_MAX if used as the other kind.
 */
static size_t name_index(struct parser *p, const char *s, size_t len, bool block)
{
    struct rf_template *t = p->t;

    for (size_t i = 0; i < t->n_names; i++) {
        if (strlen(t->names[i].s) == len && memcmp(t->names[i].s, s, len) == 0)
            return t->names[i].block == block ? i : SIZE_MAX;
    }
    t->names[t->n_names].s = rf_arena_strndup(p->a, s, len);
    t->names[t->n_names].block = block;
    return t->n_names++;
}

static size_t count_tags(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] == '{' && s[i + 1] == '{') {
            n++;
            i++;
        }
    }
    return n;
}

static void add_text(struct part *out, size_t off, size_t len)
{
    if (len == 0)
        return;
    out->ops[out->n++] = (struct op){.kind = OP_TEXT, .off = off, .len = len};
}

/*
 * Compiles text[start, end) into out: literal runs, "{{{{" escapes and tags.
 * Each "{{" gives at most one op and ends at most one literal run, so 2k + 1
 * ops hold a part with k of them.
 */
static enum rf_code parse_part(struct parser *p, size_t start, size_t end, struct part *out)
{
    const char *s = p->t->text;
    /* The open blocks: their ops and where their tags are, for the error of an unclosed one. */
    size_t stack[DEPTH_MAX], where[DEPTH_MAX], depth = 0, lit = start, i = start;
    char msg[128 + NAME_MAX_LEN];

    out->ops = rf_arena_calloc(p->a, 2 * count_tags(s + start, end - start) + 1, sizeof *out->ops);
    out->n = 0;
    while (i + 1 < end) {
        size_t name_start, name_len, tag_end, idx;
        char sigil = 0;

        if (s[i] != '{' || s[i + 1] != '{') {
            i++;
            continue;
        }
        add_text(out, lit, i - lit);
        if (i + 3 < end && s[i + 2] == '{' && s[i + 3] == '{') {
            add_text(out, i, 2);
            i += 4;
            lit = i;
            continue;
        }
        if (i + 2 < end && s[i + 2] == '{')
            return syntax(p, i, "\"{{{\" reads two ways: write \"{{{{\" for a literal \"{{\"");
        tag_end = i + 2;
        while (tag_end + 1 < end && s[tag_end] != '\n' &&
               !(s[tag_end] == '}' && s[tag_end + 1] == '}'))
            tag_end++;
        if (tag_end + 1 >= end || s[tag_end] != '}')
            return syntax(p, i, "unclosed \"{{\"");
        name_start = i + 2;
        if (s[name_start] == '#' || s[name_start] == '^' || s[name_start] == '/')
            sigil = s[name_start++];
        name_len = tag_end - name_start;
        for (size_t k = name_start; k < tag_end; k++) {
            if (!name_char(s[k]))
                name_len = 0;
        }
        if (name_len == 0 || name_len > NAME_MAX_LEN) {
            snprintf(msg, sizeof msg, "bad name in \"%.*s\": a name is 1 to %d of [a-z0-9_.]",
                     (int)(tag_end + 2 - i > NAME_MAX_LEN + 8 ? NAME_MAX_LEN + 8 : tag_end + 2 - i),
                     s + i, NAME_MAX_LEN);
            return syntax(p, i, msg);
        }
        if (sigil == '/') {
            const struct op *open;

            if (depth == 0)
                return syntax(p, i, "\"{{/\" closes no block");
            open = &out->ops[stack[depth - 1]];
            if (strlen(p->t->names[open->name].s) != name_len ||
                memcmp(p->t->names[open->name].s, s + name_start, name_len) != 0) {
                snprintf(msg, sizeof msg, "\"{{/%.*s}}\" closes the block \"%s\"", (int)name_len,
                         s + name_start, p->t->names[open->name].s);
                return syntax(p, i, msg);
            }
            out->ops[stack[--depth]].end = out->n;
            out->ops[out->n++] = (struct op){.kind = OP_CLOSE};
        } else {
            idx = name_index(p, s + name_start, name_len, sigil != 0);
            if (idx == SIZE_MAX) {
                snprintf(msg, sizeof msg, "\"%.*s\" is used both as a placeholder and as a block",
                         (int)name_len, s + name_start);
                return syntax(p, i, msg);
            }
            if (sigil == 0) {
                out->ops[out->n++] = (struct op){.kind = OP_VAR, .name = idx};
            } else {
                if (depth == DEPTH_MAX)
                    return syntax(p, i, "blocks nested too deep");
                where[depth] = i;
                stack[depth++] = out->n;
                out->ops[out->n++] =
                    (struct op){.kind = OP_OPEN, .name = idx, .inverted = sigil == '^'};
            }
        }
        i = tag_end + 2;
        lit = i;
    }
    if (depth > 0) {
        snprintf(msg, sizeof msg, "block \"%s\" is not closed",
                 p->t->names[out->ops[stack[depth - 1]].name].s);
        return syntax(p, where[depth - 1], msg);
    }
    add_text(out, lit, end - lit);
    return RF_OK;
}

/* Refuses text that is not UTF-8 or holds control characters other than tab and newline. */
static enum rf_code check_bytes(struct parser *p, size_t len)
{
    const char *s = p->t->text;
    size_t line_start = 0;

    for (size_t i = 0; i <= len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i == len || c == '\n') {
            if (!rf_utf8_valid(s + line_start, i - line_start))
                return syntax(p, line_start, "not valid UTF-8");
            line_start = i + 1;
        } else if (c == '\r') {
            return syntax(p, i, "carriage return: template files have LF line ends");
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return syntax(p, i, "control character");
        }
    }
    return RF_OK;
}

/*
 * Reads the header lines up to the blank line: "Version: <n>" (required) and
 * "Subject: <template>" (optional). Stores where the body starts in *body.
 */
static enum rf_code parse_headers(struct parser *p, size_t len, size_t *body)
{
    struct rf_template *t = p->t;
    const char *s = t->text;
    size_t pos = 0;
    bool have_version = false;

    for (;;) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t eol = nl == NULL ? len : (size_t)(nl - s), value;

        if (nl == NULL)
            return syntax(p, pos, "no blank line after the headers");
        if (eol == pos)
            break;
        if (strncmp(s + pos, "Version:", 8) == 0) {
            long v = 0;

            value = pos + 8;
            while (value < eol && s[value] == ' ')
                value++;
            if (have_version)
                return syntax(p, pos, "Version given twice");
            for (size_t k = value; k < eol && v <= VERSION_MAX; k++)
                v = s[k] >= '0' && s[k] <= '9' ? v * 10 + (s[k] - '0') : VERSION_MAX + 1;
            if (value == eol || v < 1 || v > VERSION_MAX)
                return syntax(p, pos, "Version must be a whole number from 1 to 1000000");
            t->version = (int)v;
            have_version = true;
        } else if (strncmp(s + pos, "Subject:", 8) == 0) {
            enum rf_code rc;

            value = pos + 8;
            while (value < eol && s[value] == ' ')
                value++;
            if (t->has_subject)
                return syntax(p, pos, "Subject given twice");
            if (value == eol)
                return syntax(p, pos, "empty Subject");
            if ((rc = parse_part(p, value, eol, &t->subject)) != RF_OK)
                return rc;
            t->has_subject = true;
        } else {
            return syntax(p, pos,
                          "unknown header: a header is \"Version: <n>\" or \"Subject: ...\"");
        }
        pos = eol + 1;
    }
    if (!have_version)
        return syntax(p, 0, "no Version header");
    *body = pos + 1;
    return RF_OK;
}

enum rf_code rf_template_parse(struct rf_arena *a, const char *file, const char *text,
                               struct rf_template **out, struct rf_error *err)
{
    struct rf_template *t = rf_arena_calloc(a, 1, sizeof *t);
    struct parser p = {.a = a, .t = t, .err = err};
    size_t len = strlen(text), body = 0, end;
    enum rf_code rc;

    *out = NULL;
    t->file = rf_arena_strdup(a, file);
    t->text = rf_arena_strndup(a, text, len);
    /* A name is at least "{{x}}", so there are no more names than tags. */
    t->names = rf_arena_calloc(a, count_tags(text, len) + 1, sizeof *t->names);
    if ((rc = check_bytes(&p, len)) != RF_OK || (rc = parse_headers(&p, len, &body)) != RF_OK)
        return rc;
    end = len;
    while (end > body && t->text[end - 1] == '\n')
        end--;
    if (end == body)
        return syntax(&p, body, "empty body");
    if ((rc = parse_part(&p, body, end, &t->body)) != RF_OK)
        return rc;
    *out = t;
    return RF_OK;
}

const char *rf_template_file(const struct rf_template *t)
{
    return t->file;
}

int rf_template_version(const struct rf_template *t)
{
    return t->version;
}

const char *rf_template_situation(const struct rf_template *t)
{
    return t->situation;
}

const char *rf_template_lang(const struct rf_template *t)
{
    return t->lang;
}

bool rf_template_has_subject(const struct rf_template *t)
{
    return t->has_subject;
}

size_t rf_template_name_count(const struct rf_template *t)
{
    return t->n_names;
}

const char *rf_template_name(const struct rf_template *t, size_t i, bool *is_block)
{
    if (is_block != NULL)
        *is_block = t->names[i].block;
    return t->names[i].s;
}

struct value {
    const char *name;
    const char *text; /* NULL for a flag */
    size_t len;
    bool present; /* a flag's value */
};

struct rf_render_values {
    struct rf_arena *a;
    struct value *items;
    size_t n, cap;
};

struct rf_render_values *rf_render_values_create(struct rf_arena *a)
{
    struct rf_render_values *v = rf_arena_calloc(a, 1, sizeof *v);

    v->a = a;
    return v;
}

static struct value *slot(struct rf_render_values *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->items[i].name, name) == 0)
            return &v->items[i];
    }
    if (v->n == v->cap) {
        size_t cap = v->cap == 0 ? 16 : 2 * v->cap;
        struct value *items = rf_arena_alloc(v->a, cap * sizeof *items);

        if (v->n > 0)
            memcpy(items, v->items, v->n * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n] = (struct value){.name = rf_arena_strdup(v->a, name)};
    return &v->items[v->n++];
}

void rf_render_set(struct rf_render_values *v, const char *name, const char *value)
{
    struct value *s = slot(v, name);

    s->text = rf_arena_strdup(v->a, value == NULL ? "" : value);
    s->len = strlen(s->text);
}

void rf_render_set_flag(struct rf_render_values *v, const char *name, bool present)
{
    struct value *s = slot(v, name);

    s->text = NULL;
    s->len = 0;
    s->present = present;
}

void rf_render_set_money(struct rf_render_values *v, const char *name, int64_t minor,
                         const char *currency, const char *lang)
{
    char buf[96];

    rf_money_format_lang(minor, currency, lang, buf, sizeof buf);
    rf_render_set(v, name, buf);
}

void rf_render_set_date(struct rf_render_values *v, const char *name, int64_t us, const char *lang)
{
    char buf[96];

    rf_date_format_lang(us, lang, buf, sizeof buf);
    rf_render_set(v, name, buf);
}

/*
 * What happens to the character at s (valid UTF-8, so its continuation bytes
 * are there): 1 it becomes a space, 2 it is removed, 0 it is kept.
 */
static int special(const unsigned char *s)
{
    if (s[0] < 0x20 || s[0] == 0x7f)
        return 1;
    if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
        return 1; /* C1 controls, NEL among them */
    if (s[0] == 0xd8 && s[1] == 0x9c)
        return 2; /* U+061C ARABIC LETTER MARK */
    if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
        return 1; /* U+2028, U+2029 line and paragraph separators */
    if (s[0] == 0xe2 && s[1] == 0x80 &&
        (s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xaa && s[2] <= 0xae)))
        return 2; /* U+200E, U+200F marks, U+202A..U+202E embeddings and overrides */
    if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
        return 2; /* U+2066..U+2069 isolates */
    return 0;
}

/* Length in UTF-8 of the character that starts with byte c (the text is known to be valid). */
static size_t char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/*
 * Writes the escaped form of the valid UTF-8 text s (len bytes) to out, or
 * only measures it when out is NULL; returns its length.
 */
static size_t escape(const char *s, size_t len, enum rf_render_mode mode, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len;) {
        const unsigned char *c = (const unsigned char *)s + i;
        size_t cl = char_len(*c);
        const char *rep = NULL;
        int sp = special(c);

        if (sp == 1)
            rep = " ";
        else if (sp == 2)
            rep = "";
        else if (mode == RF_RENDER_HTML && *c == '&')
            rep = "&amp;";
        else if (mode == RF_RENDER_HTML && *c == '<')
            rep = "&lt;";
        else if (mode == RF_RENDER_HTML && *c == '>')
            rep = "&gt;";
        else if (mode == RF_RENDER_HTML && *c == '"')
            rep = "&quot;";
        else if (mode == RF_RENDER_HTML && *c == '\'')
            rep = "&#39;";
        if (rep == NULL) {
            if (out != NULL)
                memcpy(out + n, c, cl);
            n += cl;
        } else {
            size_t rl = strlen(rep);

            if (out != NULL)
                memcpy(out + n, rep, rl);
            n += rl;
        }
        i += cl;
    }
    return n;
}

/* A name of the template with its value: found once per rendering. */
struct binding {
    const struct value *v;
    bool checked; /* the value was found to be UTF-8 */
};

/*
 * Walks part p: measures the output when out is NULL (and finds every
 * error), writes it to out otherwise (and cannot fail). Stores the length in
 * *len.
 */
static enum rf_code walk(const struct rf_template *t, const struct part *p, struct binding *b,
                         enum rf_render_mode mode, char *out, size_t *len, struct rf_error *err)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++) {
        const struct op *o = &p->ops[i];
        struct binding *vb = &b[o->name];

        switch (o->kind) {
        case OP_TEXT:
            if (out != NULL)
                memcpy(out + n, t->text + o->off, o->len);
            n += o->len;
            break;
        case OP_VAR:
            if (vb->v == NULL)
                return rf_fail(err, RF_INTERNAL, "template %s: no value for placeholder \"%s\"",
                               t->file, t->names[o->name].s);
            if (!vb->checked && !rf_utf8_valid(vb->v->text, vb->v->len))
                return rf_fail(err, RF_INTERNAL,
                               "template %s: the value of placeholder \"%s\" is not valid UTF-8",
                               t->file, t->names[o->name].s);
            vb->checked = true;
            n += escape(vb->v->text, vb->v->len, mode, out == NULL ? NULL : out + n);
            break;
        case OP_OPEN:
            if (vb->v->present == o->inverted)
                i = o->end;
            break;
        case OP_CLOSE:
            break;
        }
    }
    *len = n;
    return RF_OK;
}

enum rf_code rf_render(const struct rf_template *t, const struct rf_render_values *v,
                       enum rf_render_mode mode, struct rf_arena *a, struct rf_rendered *out,
                       struct rf_error *err)
{
    struct binding *b = rf_arena_calloc(a, t->n_names + 1, sizeof *b);
    size_t subject_len = 0, body_len;
    char *subject = NULL, *body;
    enum rf_code rc;

    for (size_t i = 0; i < t->n_names; i++) {
        for (size_t k = 0; k < v->n && b[i].v == NULL; k++) {
            if (strcmp(v->items[k].name, t->names[i].s) == 0)
                b[i].v = &v->items[k];
        }
        if (t->names[i].block && b[i].v == NULL)
            return rf_fail(err, RF_INTERNAL,
                           "template %s: block \"%s\" was given neither present nor absent",
                           t->file, t->names[i].s);
        if (b[i].v != NULL && t->names[i].block != (b[i].v->text == NULL))
            return rf_fail(err, RF_INTERNAL, "template %s: \"%s\" is a %s but was given as a %s",
                           t->file, t->names[i].s, t->names[i].block ? "block" : "placeholder",
                           t->names[i].block ? "text" : "flag");
    }
    if (t->has_subject &&
        (rc = walk(t, &t->subject, b, RF_RENDER_TEXT, NULL, &subject_len, err)) != RF_OK)
        return rc;
    if ((rc = walk(t, &t->body, b, mode, NULL, &body_len, err)) != RF_OK)
        return rc;
    if (t->has_subject) {
        subject = rf_arena_alloc(a, subject_len + 1);
        walk(t, &t->subject, b, RF_RENDER_TEXT, subject, &subject_len, err);
        subject[subject_len] = '\0';
    }
    body = rf_arena_alloc(a, body_len + 1);
    walk(t, &t->body, b, mode, body, &body_len, err);
    body[body_len] = '\0';
    out->subject = subject;
    out->body = body;
    out->body_len = body_len;
    return RF_OK;
}

struct rf_templates {
    struct rf_arena *a;
    struct rf_template **items;
    size_t n;
};

static const struct rf_template *lookup(const struct rf_templates *set, const char *situation,
                                        const char *lang)
{
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(set->items[i]->situation, situation) == 0 &&
            strcmp(set->items[i]->lang, lang) == 0)
            return set->items[i];
    }
    return NULL;
}

static bool situation_valid(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (!name_char(*s))
            return false;
    }
    return true;
}

enum rf_code rf_templates_create(const struct rf_template_source *src, size_t n,
                                 struct rf_templates **out, struct rf_error *err)
{
    struct rf_arena *a = rf_arena_create(0);
    struct rf_templates *set = rf_arena_calloc(a, 1, sizeof *set);
    enum rf_code rc = RF_OK;

    *out = NULL;
    set->a = a;
    set->items = rf_arena_calloc(a, n + 1, sizeof *set->items);
    for (size_t i = 0; i < n; i++) {
        char canon[RF_LANG_TAG_MAX];
        struct rf_template *t;

        if (!situation_valid(src[i].situation)) {
            rc = rf_fail(err, RF_INVALID_ARGUMENT, "%s: situation \"%s\" is not [a-z0-9_.]+",
                         src[i].file, src[i].situation);
            goto out;
        }
        if (!rf_lang_normalize(src[i].lang, canon, sizeof canon) ||
            strcmp(canon, src[i].lang) != 0) {
            rc = rf_fail(err, RF_INVALID_ARGUMENT,
                         "%s: language \"%s\" is not a BCP 47 tag in canonical case such as "
                         "\"de\" or \"de-AT\"",
                         src[i].file, src[i].lang);
            goto out;
        }
        if (lookup(set, src[i].situation, src[i].lang) != NULL) {
            rc = rf_fail(err, RF_INVALID_ARGUMENT, "%s: a second template for %s in %s",
                         src[i].file, src[i].situation, src[i].lang);
            goto out;
        }
        if ((rc = rf_template_parse(a, src[i].file, src[i].text, &t, err)) != RF_OK)
            goto out;
        t->situation = rf_arena_strdup(a, src[i].situation);
        t->lang = rf_arena_strdup(a, src[i].lang);
        set->items[set->n++] = t;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (lookup(set, set->items[i]->situation, "en") == NULL) {
            rc = rf_fail(err, RF_INVALID_ARGUMENT,
                         "%s: situation %s has no English template, the last fallback",
                         set->items[i]->file, set->items[i]->situation);
            goto out;
        }
    }
    *out = set;
out:
    if (rc != RF_OK)
        rf_arena_destroy(a);
    return rc;
}

void rf_templates_destroy(struct rf_templates *set)
{
    if (set != NULL)
        rf_arena_destroy(set->a);
}

enum rf_code rf_template_find(const struct rf_templates *set, const char *situation,
                              const char *language_tag, const struct rf_template **out,
                              struct rf_error *err)
{
    char tag[RF_LANG_TAG_MAX];

    *out = NULL;
    if (rf_lang_normalize(language_tag, tag, sizeof tag)) {
        do {
            if ((*out = lookup(set, situation, tag)) != NULL)
                return RF_OK;
        } while (rf_lang_parent(tag));
    }
    if ((*out = lookup(set, situation, "en")) != NULL)
        return RF_OK;
    return rf_fail(err, RF_INTERNAL, "no template for situation \"%s\"", situation);
}
