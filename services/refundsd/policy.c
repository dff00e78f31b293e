/*
 * The refund guidelines document (see policy.h): the strict parser that
 * checks every field and reports every error by its path, the canonical
 * writer, the lookups and the SLA clock. The schema is in docs/policy.md;
 * keep the two in step. The diff is policy_diff.c's, judging a case
 * evaluate.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json_text.h"
#include "policy.h"
#include "refunds/money.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

#define HOUR_US (3600LL * RF_USEC_PER_SEC)
#define DAY_US  (24 * HOUR_US)

/* Longest SLA, in hours (a year). */
#define SLA_HOURS_MAX 8760
/* Longest history window, in months. */
#define MONTHS_MAX 120
/* Largest count a document may give (exceptions, interactions). */
#define COUNT_MAX 1000

/* A key shown in an error path keeps at most this many bytes, then "...". */
#define KEY_SHOWN 24
/* Room for any error path: see show_key for why every path fits a violation's field. */
#define PATH_LEN 64

/*
 * The reason codes a document may list: refunds.v1.ReasonCode's short names
 * in lower case (the payment cases wrong_tax_applied, invoice_error and
 * charged_order_failed among them).
 */
const char *const rf_reason_codes[] = {
    "changed_mind",       "charged_order_failed",
    "damaged_in_transit", "defective",
    "duplicate_charge",   "invoice_error",
    "late_delivery",      "not_as_described",
    "not_received",       "other",
    "service_issue",      "wrong_item",
    "wrong_tax_applied",
};
const size_t rf_reason_codes_count = sizeof rf_reason_codes / sizeof rf_reason_codes[0];

static const char *const rule_names[] = {
    [RF_CATEGORY_NEVER] = "never",
    [RF_CATEGORY_ESCALATE] = "escalate",
    [RF_CATEGORY_ALLOWED] = "allowed",
};

static const char *const priority_names[] = {
    [RF_PRIORITY_HIGH] = "high",
    [RF_PRIORITY_NORMAL] = "normal",
    [RF_PRIORITY_LOW] = "low",
};

static const char *const clock_names[] = {
    [RF_SLA_BUSINESS] = "business",
    [RF_SLA_CALENDAR] = "calendar",
};

/* The keys each object of the schema may have (NULL-terminated). */
static const char *const top_keys[] = {
    "schema_version",
    "description",
    "return_window_days",
    "max_days_past_window",
    "categories",
    "reasons",
    "history",
    "limits",
    "sla",
    "scoring",
    NULL,
};
static const char *const category_keys[] = {"rule", "max_days_past_window", NULL};
static const char *const reason_keys[] = {"weight", "company_fault", "priority", NULL};
static const char *const history_keys[] = {
    "window_months",          "max_previous_exceptions",
    "previous_denial_weight", "previous_detractor_weight",
    "chasing_interactions",   NULL,
};
static const char *const limits_keys[] = {
    "self_approval_minor",
    "senior_threshold_minor",
    "history_max_refunded_minor",
    NULL,
};
static const char *const sla_keys[] = {"high", "normal", "low", NULL};
static const char *const sla_entry_keys[] = {"hours", "clock", NULL};
static const char *const scoring_keys[] = {"approve_at", "deny_at", "lateness_weight", NULL};

/*
 * The accepted values of an integer field. A field with a narrow two-sided
 * range (weights, scores) names the whole range in any error ("must be an
 * integer from -100 to 100"); a count names the bound it broke ("must be >=
 * 0").
 */
struct range {
    long long min, max;
    bool whole;
};

static const struct range days_range = {0, RF_POLICY_DAYS_MAX, false};
static const struct range weight_range = {-100, 100, true};
static const struct range penalty_range = {-100, 0, true};
static const struct range bonus_range = {0, 100, true};
static const struct range minor_range = {0, RF_MONEY_MAX_MINOR, false};

struct parser {
    struct rf_arena *a;
    struct rf_error *err;
    int first; /* err->n_violations when parsing began */
};

/*
 * Writes a key the document chose (an unknown key, a category, reason or
 * currency name) as an error path shows it: ASCII control characters as
 * '?', and a key longer than KEY_SHOWN bytes cut there, at a UTF-8
 * character boundary (jansson's keys are always well-formed UTF-8), and
 * marked "...". Only valid names are descended into, and the longest valid
 * names are a RF_POLICY_NAME_MAX category and the schema's
 * "history_max_refunded_minor", so the longest path,
 * "categories.<24>.<24>...", is 63 bytes and fits a violation's field
 * unclipped.
 */
static void show_key(char out[KEY_SHOWN + 4], const char *key)
{
    size_t len = strlen(key), n = len > KEY_SHOWN ? KEY_SHOWN : len;

    if (n < len)
        while (n > 0 && ((unsigned char)key[n] & 0xc0) == 0x80)
            n--;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)key[i] < 0x20 || key[i] == 0x7f ? '?' : key[i];
    strcpy(out + n, n < len ? "..." : "");
}

/*
 * prefix.key (just key when prefix is empty) for a key of the schema. The
 * paths are short enough by construction (see show_key); one that was not
 * would be cut at PATH_LEN - 1 bytes.
 */
static void path_join(char out[PATH_LEN], const char *prefix, const char *key)
{
    size_t n = strlen(prefix);

    memcpy(out, prefix, n + 1);
    if (n > 0 && n + 1 < PATH_LEN)
        out[n++] = '.';
    for (size_t i = 0; key[i] != '\0' && n + 1 < PATH_LEN; i++)
        out[n++] = key[i];
    out[n] = '\0';
}

/* prefix.key for a key the document chose, shown as show_key does. */
static void path_shown(char out[PATH_LEN], const char *prefix, const char *key)
{
    char shown[KEY_SHOWN + 4];

    show_key(shown, key);
    path_join(out, prefix, shown);
}

static void bad(struct parser *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records that the value at path is wrong, and why. */
static void bad(struct parser *p, const char *path, const char *fmt, ...)
{
    char why[sizeof p->err->violations[0].description];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    rf_violation_add(p->err, path, "%s", why);
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] != NULL && strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* Records every key of obj (at path prefix) that keys does not list. */
static void check_keys(struct parser *p, json_t *obj, const char *prefix, const char *const *keys)
{
    const char *key;
    json_t *v;
    size_t n = 0;

    while (keys[n] != NULL)
        n++;
    json_object_foreach(obj, key, v)
    {
        char path[PATH_LEN];

        if (!in_list(keys, n, key)) {
            path_shown(path, prefix, key);
            bad(p, path, "unknown key");
        }
    }
}

/*
 * The member key of obj, or NULL when it is absent (recorded as "required"
 * when required).
 */
static json_t *member(struct parser *p, json_t *obj, const char *prefix, const char *key,
                      bool required)
{
    json_t *v = json_object_get(obj, key);
    char path[PATH_LEN];

    if (v == NULL && required) {
        path_join(path, prefix, key);
        bad(p, path, "required");
    }
    return v;
}

/* The member key of obj if it is an object; NULL, recorded, when it is absent or not one. */
static json_t *get_object(struct parser *p, json_t *obj, const char *prefix, const char *key)
{
    json_t *v = member(p, obj, prefix, key, true);
    char path[PATH_LEN];

    if (v == NULL || json_is_object(v))
        return v;
    path_join(path, prefix, key);
    bad(p, path, "must be an object");
    return NULL;
}

/*
 * Reads the integer member key of obj within r into *out; false when it is
 * absent (recorded when required) or wrong (recorded).
 */
static bool get_int(struct parser *p, json_t *obj, const char *prefix, const char *key,
                    bool required, const struct range *r, long long *out)
{
    json_t *v = member(p, obj, prefix, key, required);
    char path[PATH_LEN];
    long long n;

    if (v == NULL)
        return false;
    path_join(path, prefix, key);
    n = json_is_integer(v) ? json_integer_value(v) : 0;
    if (!json_is_integer(v) || n < r->min || n > r->max) {
        if (r->whole)
            bad(p, path, "must be an integer from %lld to %lld", r->min, r->max);
        else if (!json_is_integer(v))
            bad(p, path, "must be an integer");
        else if (n < r->min)
            bad(p, path, "must be >= %lld", r->min);
        else
            bad(p, path, "must be <= %lld", r->max);
        return false;
    }
    *out = n;
    return true;
}

/* get_int for the int fields of the policy. */
static void get_small(struct parser *p, json_t *obj, const char *prefix, const char *key,
                      const struct range *r, int *out)
{
    long long n;

    if (get_int(p, obj, prefix, key, true, r, &n))
        *out = (int)n;
}

/* Reads the required boolean member key of obj into *out. */
static void get_bool(struct parser *p, json_t *obj, const char *prefix, const char *key, bool *out)
{
    json_t *v = member(p, obj, prefix, key, true);
    char path[PATH_LEN];

    if (v == NULL)
        return;
    if (!json_is_boolean(v)) {
        path_join(path, prefix, key);
        bad(p, path, "must be true or false");
        return;
    }
    *out = json_is_true(v);
}

/*
 * Reads the required string member key of obj, which must be one of the n
 * names, into *out (the index of the name); false when absent or wrong.
 */
static bool get_choice(struct parser *p, json_t *obj, const char *prefix, const char *key,
                       const char *const *names, size_t n, int *out)
{
    json_t *v = member(p, obj, prefix, key, true);
    char path[PATH_LEN], list[128];
    size_t len = 0;

    if (v == NULL)
        return false;
    if (json_is_string(v))
        for (size_t i = 0; i < n; i++)
            if (strcmp(json_string_value(v), names[i]) == 0) {
                *out = (int)i;
                return true;
            }
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s\"%s\"", i ? ", " : "", names[i]);
    path_join(path, prefix, key);
    bad(p, path, "must be one of %s", list);
    return false;
}

/* A map of the document whose keys are names (categories, reasons, currencies). */
struct map {
    const char *section; /* "categories" */
    json_t *obj;
    const char **names; /* sorted */
    size_t n;
};

/* Opens the required map at key of doc; false (recorded) when it is absent or not an object. */
static bool open_map(struct parser *p, json_t *doc, const char *key, struct map *m)
{
    m->section = key;
    m->obj = get_object(p, doc, "", key);
    if (m->obj == NULL)
        return false;
    m->names = rf_json_sorted_keys(p->a, m->obj, &m->n);
    return true;
}

/*
 * The value of entry i of m, with its path in path, when name_ok (the
 * caller's check of its name) and the value is an object; unknown keys in
 * it (not in keys) are recorded. NULL, with why_name or "must be an
 * object" recorded, otherwise.
 */
static json_t *map_entry(struct parser *p, const struct map *m, size_t i, bool name_ok,
                         const char *why_name, const char *const *keys, char path[PATH_LEN])
{
    json_t *v = json_object_get(m->obj, m->names[i]);

    path_shown(path, m->section, m->names[i]);
    if (!name_ok) {
        bad(p, path, "%s", why_name);
        return NULL;
    }
    if (!json_is_object(v)) {
        bad(p, path, "must be an object");
        return NULL;
    }
    check_keys(p, v, path, keys);
    return v;
}

static void parse_description(struct parser *p, json_t *doc, struct rf_policy *pol)
{
    json_t *v = json_object_get(doc, "description");
    const char *s;

    if (v == NULL)
        return;
    if (!json_is_string(v)) {
        bad(p, "description", "must be a string");
        return;
    }
    s = json_string_value(v);
    switch (rf_text_check(s, RF_POLICY_DESCRIPTION_MAX, RF_TEXT_MULTILINE)) {
    case RF_TEXT_OK:
        pol->description = rf_arena_strdup(p->a, s);
        break;
    case RF_TEXT_TOO_LONG:
        bad(p, "description", "must be at most %d characters", RF_POLICY_DESCRIPTION_MAX);
        break;
    case RF_TEXT_BIDI:
        bad(p, "description", "must not contain bidirectional control characters");
        break;
    default:
        bad(p, "description", "must not contain control characters but newlines and tabs");
        break;
    }
}

static void parse_categories(struct parser *p, json_t *doc, struct rf_policy *pol)
{
    struct rf_policy_category *cats;
    struct map m;
    char why_name[96];

    if (!open_map(p, doc, "categories", &m))
        return;
    snprintf(why_name, sizeof why_name, "not a category name (1 to %d of a-z, 0-9, _ and -)",
             RF_POLICY_NAME_MAX);
    cats = rf_arena_calloc(p->a, m.n + 1, sizeof *cats);
    if (m.n > RF_POLICY_CATEGORIES_MAX)
        bad(p, "categories", "must have at most %d categories", RF_POLICY_CATEGORIES_MAX);
    if (json_object_get(m.obj, "default") == NULL)
        bad(p, "categories.default", "required");
    for (size_t i = 0; i < m.n; i++) {
        struct rf_policy_category *c = &cats[i];
        char path[PATH_LEN];
        json_t *v = map_entry(p, &m, i, rf_slug_valid(m.names[i], RF_POLICY_NAME_MAX), why_name,
                              category_keys, path);
        long long days;
        int rule;
        bool have_rule;

        if (v == NULL)
            continue;
        c->name = rf_arena_strdup(p->a, m.names[i]);
        have_rule = get_choice(p, v, path, "rule", rule_names, RF_CATEGORY_ALLOWED + 1, &rule);
        if (have_rule)
            c->rule = (enum rf_category_rule)rule;
        c->max_days_past_window = pol->max_days_past_window;
        if (get_int(p, v, path, "max_days_past_window", false, &days_range, &days)) {
            /* A category that allows nothing has no limit to override. */
            if (have_rule && c->rule == RF_CATEGORY_NEVER) {
                char field[PATH_LEN];

                path_join(field, path, "max_days_past_window");
                bad(p, field, "not allowed with rule \"never\"");
            }
            c->max_days_past_window = (int)days;
            c->own_limit = true;
        }
    }
    pol->categories = cats;
    pol->n_categories = m.n;
}

static void parse_reasons(struct parser *p, json_t *doc, struct rf_policy *pol)
{
    struct rf_policy_reason *reasons;
    struct map m;

    if (!open_map(p, doc, "reasons", &m))
        return;
    reasons = rf_arena_calloc(p->a, m.n + 1, sizeof *reasons);
    if (json_object_get(m.obj, "other") == NULL)
        bad(p, "reasons.other", "required");
    for (size_t i = 0; i < m.n; i++) {
        struct rf_policy_reason *r = &reasons[i];
        char path[PATH_LEN];
        json_t *v = map_entry(p, &m, i, rf_reason_code_valid(m.names[i]), "not a reason code",
                              reason_keys, path);
        int priority;

        if (v == NULL)
            continue;
        r->code = rf_arena_strdup(p->a, m.names[i]);
        get_small(p, v, path, "weight", &weight_range, &r->weight);
        get_bool(p, v, path, "company_fault", &r->company_fault);
        if (get_choice(p, v, path, "priority", priority_names, RF_PRIORITIES, &priority))
            r->priority = (enum rf_priority)priority;
    }
    pol->reasons = reasons;
    pol->n_reasons = m.n;
}

static void parse_history(struct parser *p, json_t *doc, struct rf_policy *pol)
{
    static const struct range months = {1, MONTHS_MAX, false};
    static const struct range count = {0, COUNT_MAX, false};
    static const struct range chasing = {1, COUNT_MAX, false};
    json_t *obj = get_object(p, doc, "", "history");

    if (obj == NULL)
        return;
    check_keys(p, obj, "history", history_keys);
    get_small(p, obj, "history", "window_months", &months, &pol->history.window_months);
    get_small(p, obj, "history", "max_previous_exceptions", &count,
              &pol->history.max_previous_exceptions);
    get_small(p, obj, "history", "previous_denial_weight", &penalty_range,
              &pol->history.previous_denial_weight);
    get_small(p, obj, "history", "previous_detractor_weight", &bonus_range,
              &pol->history.previous_detractor_weight);
    get_small(p, obj, "history", "chasing_interactions", &chasing,
              &pol->history.chasing_interactions);
}

static void parse_limits(struct parser *p, json_t *doc, struct rf_policy *pol)
{
    struct rf_policy_limits *limits;
    struct map m;

    if (!open_map(p, doc, "limits", &m))
        return;
    limits = rf_arena_calloc(p->a, m.n + 1, sizeof *limits);
    for (size_t i = 0; i < m.n; i++) {
        struct rf_policy_limits *l = &limits[i];
        char path[PATH_LEN];
        json_t *v = map_entry(p, &m, i, rf_currency_valid(m.names[i]),
                              "not an ISO 4217 currency code", limits_keys, path);
        long long self = 0, senior = 0, history = 0;
        bool have_self, have_senior;

        if (v == NULL)
            continue;
        memcpy(l->currency, m.names[i], 4);
        have_self = get_int(p, v, path, "self_approval_minor", true, &minor_range, &self);
        have_senior = get_int(p, v, path, "senior_threshold_minor", true, &minor_range, &senior);
        if (have_self && have_senior && self > senior) {
            char field[PATH_LEN];

            path_join(field, path, "self_approval_minor");
            bad(p, field, "must not exceed %s.senior_threshold_minor", path);
        }
        get_int(p, v, path, "history_max_refunded_minor", true, &minor_range, &history);
        l->self_approval_minor = self;
        l->senior_threshold_minor = senior;
        l->history_max_refunded_minor = history;
    }
    pol->limits = limits;
    pol->n_limits = m.n;
}

static void parse_sla(struct parser *p, json_t *doc, struct rf_policy *pol)
{
    static const struct range hours = {1, SLA_HOURS_MAX, false};
    json_t *obj = get_object(p, doc, "", "sla");

    if (obj == NULL)
        return;
    check_keys(p, obj, "sla", sla_keys);
    for (int i = 0; i < RF_PRIORITIES; i++) {
        json_t *v = get_object(p, obj, "sla", priority_names[i]);
        char path[PATH_LEN];
        int clock;

        if (v == NULL)
            continue;
        path_join(path, "sla", priority_names[i]);
        check_keys(p, v, path, sla_entry_keys);
        get_small(p, v, path, "hours", &hours, &pol->sla[i].hours);
        if (get_choice(p, v, path, "clock", clock_names, RF_SLA_CALENDAR + 1, &clock))
            pol->sla[i].clock = (enum rf_sla_clock)clock;
    }
}

static void parse_scoring(struct parser *p, json_t *doc, struct rf_policy *pol)
{
    json_t *obj = get_object(p, doc, "", "scoring");
    long long approve, deny;
    bool have_approve, have_deny;

    if (obj == NULL)
        return;
    check_keys(p, obj, "scoring", scoring_keys);
    have_approve = get_int(p, obj, "scoring", "approve_at", true, &weight_range, &approve);
    have_deny = get_int(p, obj, "scoring", "deny_at", true, &weight_range, &deny);
    if (have_approve)
        pol->scoring.approve_at = (int)approve;
    if (have_deny)
        pol->scoring.deny_at = (int)deny;
    if (have_approve && have_deny && deny >= approve)
        bad(p, "scoring.deny_at", "must be less than scoring.approve_at");
    get_small(p, obj, "scoring", "lateness_weight", &penalty_range, &pol->scoring.lateness_weight);
}

/* Sets err's message from the first violation of this parse and returns INVALID_ARGUMENT. */
static enum rf_code parse_failed(struct parser *p)
{
    int more = p->err->n_violations - p->first - 1;
    const struct rf_violation *v = &p->err->violations[p->first];

    if (p->first >= RF_VIOLATIONS_MAX)
        return rf_fail(p->err, RF_INVALID_ARGUMENT, "policy is invalid (%d errors)", more + 1);
    if (more == 0)
        return rf_fail(p->err, RF_INVALID_ARGUMENT, "%s: %s", v->field, v->description);
    return rf_fail(p->err, RF_INVALID_ARGUMENT, "%s: %s (and %d more error%s)", v->field,
                   v->description, more, more == 1 ? "" : "s");
}

enum rf_code rf_policy_parse(struct rf_arena *a, const char *json, size_t len,
                             struct rf_policy **out, struct rf_error *err)
{
    struct parser p = {.a = a, .err = err, .first = err->n_violations};
    struct rf_policy *pol = rf_arena_calloc(a, 1, sizeof *pol);
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *schema;

    if (doc == NULL) {
        char where[sizeof jerr.text + 64];

        rf_json_error_text(&jerr, where, sizeof where);
        bad(&p, "policy", "not JSON: %s", where);
        goto out;
    }
    if (!json_is_object(doc)) {
        bad(&p, "policy", "must be a JSON object");
        goto out;
    }
    check_keys(&p, doc, "", top_keys);
    schema = member(&p, doc, "", "schema_version", true);
    if (schema != NULL &&
        (!json_is_integer(schema) || json_integer_value(schema) != RF_POLICY_SCHEMA_VERSION))
        bad(&p, "schema_version", "must be %d", RF_POLICY_SCHEMA_VERSION);
    parse_description(&p, doc, pol);
    get_small(&p, doc, "", "return_window_days", &days_range, &pol->return_window_days);
    /* Before the categories, which inherit it. */
    get_small(&p, doc, "", "max_days_past_window", &days_range, &pol->max_days_past_window);
    parse_categories(&p, doc, pol);
    parse_reasons(&p, doc, pol);
    parse_history(&p, doc, pol);
    parse_limits(&p, doc, pol);
    parse_sla(&p, doc, pol);
    parse_scoring(&p, doc, pol);
out:
    json_decref(doc);
    if (err->n_violations > p.first)
        return parse_failed(&p);
    *out = pol;
    return RF_OK;
}

char *rf_policy_canonical_json(const struct rf_policy *policy, struct rf_arena *a)
{
    json_t *doc = rf_json_must(json_object()), *cats = rf_json_must(json_object()),
           *reasons = rf_json_must(json_object());
    json_t *limits = rf_json_must(json_object()), *sla = rf_json_must(json_object());
    json_t *history = rf_json_must(json_object()), *scoring = rf_json_must(json_object());
    char *text;

    rf_json_set(doc, "schema_version", json_integer(RF_POLICY_SCHEMA_VERSION));
    if (policy->description != NULL)
        rf_json_set(doc, "description", json_string(policy->description));
    rf_json_set(doc, "return_window_days", json_integer(policy->return_window_days));
    rf_json_set(doc, "max_days_past_window", json_integer(policy->max_days_past_window));
    for (size_t i = 0; i < policy->n_categories; i++) {
        const struct rf_policy_category *c = &policy->categories[i];
        json_t *o = rf_json_must(json_object());

        rf_json_set(o, "rule", json_string(rule_names[c->rule]));
        if (c->own_limit)
            rf_json_set(o, "max_days_past_window", json_integer(c->max_days_past_window));
        rf_json_set(cats, c->name, o);
    }
    rf_json_set(doc, "categories", cats);
    for (size_t i = 0; i < policy->n_reasons; i++) {
        const struct rf_policy_reason *r = &policy->reasons[i];
        json_t *o = rf_json_must(json_object());

        rf_json_set(o, "weight", json_integer(r->weight));
        rf_json_set(o, "company_fault", json_boolean(r->company_fault));
        rf_json_set(o, "priority", json_string(priority_names[r->priority]));
        rf_json_set(reasons, r->code, o);
    }
    rf_json_set(doc, "reasons", reasons);
    rf_json_set(history, "window_months", json_integer(policy->history.window_months));
    rf_json_set(history, "max_previous_exceptions",
                json_integer(policy->history.max_previous_exceptions));
    rf_json_set(history, "previous_denial_weight",
                json_integer(policy->history.previous_denial_weight));
    rf_json_set(history, "previous_detractor_weight",
                json_integer(policy->history.previous_detractor_weight));
    rf_json_set(history, "chasing_interactions",
                json_integer(policy->history.chasing_interactions));
    rf_json_set(doc, "history", history);
    for (size_t i = 0; i < policy->n_limits; i++) {
        const struct rf_policy_limits *l = &policy->limits[i];
        json_t *o = rf_json_must(json_object());

        rf_json_set(o, "self_approval_minor", json_integer(l->self_approval_minor));
        rf_json_set(o, "senior_threshold_minor", json_integer(l->senior_threshold_minor));
        rf_json_set(o, "history_max_refunded_minor", json_integer(l->history_max_refunded_minor));
        rf_json_set(limits, l->currency, o);
    }
    rf_json_set(doc, "limits", limits);
    for (int i = 0; i < RF_PRIORITIES; i++) {
        json_t *o = rf_json_must(json_object());

        rf_json_set(o, "hours", json_integer(policy->sla[i].hours));
        rf_json_set(o, "clock", json_string(clock_names[policy->sla[i].clock]));
        rf_json_set(sla, priority_names[i], o);
    }
    rf_json_set(doc, "sla", sla);
    rf_json_set(scoring, "approve_at", json_integer(policy->scoring.approve_at));
    rf_json_set(scoring, "deny_at", json_integer(policy->scoring.deny_at));
    rf_json_set(scoring, "lateness_weight", json_integer(policy->scoring.lateness_weight));
    rf_json_set(doc, "scoring", scoring);
    text = rf_json_canonical(a, doc);
    json_decref(doc);
    return text;
}

const struct rf_policy_category *rf_policy_category(const struct rf_policy *policy,
                                                    const char *name)
{
    const struct rf_policy_category *fallback = NULL;

    for (size_t i = 0; i < policy->n_categories; i++) {
        const struct rf_policy_category *c = &policy->categories[i];

        if (name != NULL && strcmp(c->name, name) == 0)
            return c;
        if (strcmp(c->name, "default") == 0)
            fallback = c;
    }
    return fallback;
}

const struct rf_policy_reason *rf_policy_reason(const struct rf_policy *policy, const char *code)
{
    for (size_t i = 0; code != NULL && i < policy->n_reasons; i++)
        if (strcmp(policy->reasons[i].code, code) == 0)
            return &policy->reasons[i];
    return NULL;
}

const struct rf_policy_limits *rf_policy_limits(const struct rf_policy *policy,
                                                const char *currency)
{
    for (size_t i = 0; currency != NULL && i < policy->n_limits; i++)
        if (strcmp(policy->limits[i].currency, currency) == 0)
            return &policy->limits[i];
    return NULL;
}

static int64_t clamp_time(int64_t us)
{
    return us < RF_TIME_MIN_US ? RF_TIME_MIN_US : us > RF_TIME_MAX_US ? RF_TIME_MAX_US : us;
}

int64_t rf_policy_due(const struct rf_policy *policy, enum rf_priority priority, int64_t from_us)
{
    const struct rf_policy_sla *sla =
        &policy->sla[(unsigned)priority < RF_PRIORITIES ? priority : RF_PRIORITY_NORMAL];
    int64_t from = clamp_time(from_us), due;

    if (sla->clock == RF_SLA_CALENDAR)
        return clamp_time(from + sla->hours * HOUR_US);
    /*
     * Whole days by the business-day clock (which starts a weekend request on
     * Monday 00:00), then the remaining hours; if they run past Friday
     * midnight, the weekend is skipped. A weekday instant is its own
     * rf_business_days_add(_, 0); a weekend one is not.
     */
    due = rf_business_days_add(from, sla->hours / 24) + (sla->hours % 24) * HOUR_US;
    if (rf_business_days_add(due, 0) != due)
        due += 2 * DAY_US;
    return clamp_time(due);
}

bool rf_reason_code_valid(const char *code)
{
    return code != NULL && in_list(rf_reason_codes, rf_reason_codes_count, code);
}

const char *rf_priority_name(enum rf_priority p)
{
    return (unsigned)p < RF_PRIORITIES ? priority_names[p] : NULL;
}

const char *rf_category_rule_name(enum rf_category_rule r)
{
    return (unsigned)r <= RF_CATEGORY_ALLOWED ? rule_names[r] : NULL;
}
