/*
 * Unit tests of the policy document (services/refundsd/policy.c): the
 * shipped default parses; the test policy parses into the values it gives;
 * good variants pass; each bad value gives exactly one violation with its
 * path and message; several errors, unknown keys and non-JSON text are all
 * reported; the canonical form; the generic diff; and SLA due times across
 * weekends. Bad documents are the test policy (test_policy.h) with one
 * value replaced, so each case shows only what it breaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "policy.h"
#include "refunds/pb.h"
#include "refunds/v1/cases.pb-c.h"
#include "test_file.h"
#include "test_policy.h"
#include "test_time.h"

static struct rf_arena *arena;
static struct rf_error err;
static struct rf_policy *pol;

static void setup(void)
{
    arena = rf_arena_create(0);
    rf_error_clear(&err);
    pol = NULL;
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(policy, .init = setup, .fini = teardown);
TestSuite(policy_errors, .init = setup, .fini = teardown);
TestSuite(policy_canonical, .init = setup, .fini = teardown);
TestSuite(policy_diff, .init = setup, .fini = teardown);
TestSuite(policy_due, .init = setup, .fini = teardown);

/* The contents of path, NUL-terminated, in the arena; *len is its length. */
static char *read_text(const char *path, size_t *len)
{
    return test_read_file(arena, path, len);
}

static enum rf_code parse_text(const char *text)
{
    return rf_policy_parse(arena, text, strlen(text), &pol, &err);
}

/*
 * TEST_POLICY_JSON with the value at the dotted path set to value (JSON
 * text; objects on the way are created) or removed when value is NULL,
 * written out with jansson, in the arena.
 */
static char *edited(const char *path, const char *value)
{
    json_error_t je;
    json_t *doc = json_loads(TEST_POLICY_JSON, 0, &je), *obj = doc;
    char buf[256], *key, *next, *save = NULL, *text, *out;

    cr_assert_not_null(doc);
    cr_assert_lt(strlen(path), sizeof buf);
    strcpy(buf, path);
    key = strtok_r(buf, ".", &save);
    while ((next = strtok_r(NULL, ".", &save)) != NULL) {
        json_t *child = json_object_get(obj, key);

        if (!json_is_object(child)) {
            child = json_object();
            cr_assert_eq(json_object_set_new(obj, key, child), 0);
        }
        obj = child;
        key = next;
    }
    if (value == NULL) {
        cr_assert_eq(json_object_del(obj, key), 0, "%s is not in the test policy", path);
    } else {
        json_t *v = json_loads(value, JSON_DECODE_ANY, &je);

        cr_assert_not_null(v, "bad test value %s: %s", value, je.text);
        cr_assert_eq(json_object_set_new(obj, key, v), 0);
    }
    text = json_dumps(doc, JSON_INDENT(1));
    cr_assert_not_null(text);
    out = rf_arena_strdup(arena, text);
    free(text);
    json_decref(doc);
    return out;
}

static enum rf_code parse_edited(const char *path, const char *value)
{
    return parse_text(edited(path, value));
}

/* Asserts that err holds a violation of field with description. */
static void expect_violation(const char *field, const char *description)
{
    for (int i = 0; i < err.n_violations && i < RF_VIOLATIONS_MAX; i++)
        if (strcmp(err.violations[i].field, field) == 0 &&
            strcmp(err.violations[i].description, description) == 0)
            return;
    cr_assert_fail("no violation \"%s: %s\"; first is \"%s: %s\" of %d", field, description,
                   err.n_violations ? err.violations[0].field : "",
                   err.n_violations ? err.violations[0].description : "", err.n_violations);
}

/* Asserts that err holds exactly one violation: field with description. */
static void expect_only(const char *field, const char *description)
{
    cr_assert_eq(err.n_violations, 1, "%d violations for %s, first \"%s: %s\"", err.n_violations,
                 field, err.n_violations ? err.violations[0].field : "",
                 err.n_violations ? err.violations[0].description : "");
    expect_violation(field, description);
}

/* A reason entry every check accepts. */
#define GOOD_REASON "{\"weight\": 1, \"company_fault\": false, \"priority\": \"normal\"}"
/* A limits entry every check accepts. */
#define GOOD_LIMITS                                                                                \
    "{\"self_approval_minor\": 1, \"senior_threshold_minor\": 2, "                                 \
    "\"history_max_refunded_minor\": 3}"

Test(policy, the_shipped_default_parses)
{
    size_t len;
    char *text = read_text(RF_POLICY_DEFAULT, &len);

    cr_assert_eq(rf_policy_parse(arena, text, len, &pol, &err), RF_OK, "%s", err.message);
    cr_assert_eq(pol->return_window_days, 30);
    cr_assert_not_null(pol->description);
}

Test(policy, the_shipped_default_lists_every_reason_code_and_the_named_categories)
{
    static const char *const categories[] = {"default",      "perishable", "digital_downloaded",
                                             "personalised", "hygiene",    "electronics"};
    static const char *const fault[] = {"defective",     "damaged_in_transit",  "not_received",
                                        "wrong_item",    "duplicate_charge",    "wrong_tax_applied",
                                        "invoice_error", "charged_order_failed"};
    size_t len;
    char *text = read_text(RF_POLICY_DEFAULT, &len);

    cr_assert_eq(rf_policy_parse(arena, text, len, &pol, &err), RF_OK, "%s", err.message);
    cr_assert_eq(pol->n_reasons, rf_reason_codes_count);
    for (size_t i = 0; i < rf_reason_codes_count; i++)
        cr_assert_not_null(rf_policy_reason(pol, rf_reason_codes[i]), "%s", rf_reason_codes[i]);
    for (size_t i = 0; i < sizeof fault / sizeof fault[0]; i++)
        cr_assert(rf_policy_reason(pol, fault[i])->company_fault, "%s", fault[i]);
    cr_assert_lt(rf_policy_reason(pol, "changed_mind")->weight, 0);
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
        cr_assert_str_eq(rf_policy_category(pol, categories[i])->name, categories[i]);
    cr_assert_eq(rf_policy_category(pol, "hygiene")->rule, RF_CATEGORY_NEVER);
    cr_assert_not_null(rf_policy_limits(pol, "EUR"));
}

Test(policy, every_reason_code_of_the_api_is_one_a_document_may_list)
{
    const ProtobufCEnumDescriptor *d = &refunds__v1__reason_code__descriptor;
    unsigned checked = 0;

    for (unsigned i = 0; i < d->n_values; i++) {
        const char *name = rf_pb_enum_short_name(d, d->values[i].value);
        char lower[64];
        size_t k;

        if (d->values[i].value == 0)
            continue;
        for (k = 0; name[k] != '\0' && k + 1 < sizeof lower; k++)
            lower[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
        lower[k] = '\0';
        cr_assert(rf_reason_code_valid(lower), "ReasonCode %s", lower);
        checked++;
    }
    cr_assert_eq(checked, 13, "the API has the payment cases too");
    cr_assert_eq(rf_reason_codes_count, 13, "every code of the API, none more");
    for (size_t i = 1; i < rf_reason_codes_count; i++)
        cr_assert_lt(strcmp(rf_reason_codes[i - 1], rf_reason_codes[i]), 0, "sorted");
    cr_assert(rf_reason_code_valid("wrong_tax_applied"));
    cr_assert(rf_reason_code_valid("invoice_error"));
    cr_assert(rf_reason_code_valid("charged_order_failed"));
    cr_assert_not(rf_reason_code_valid("DEFECTIVE"));
    cr_assert_not(rf_reason_code_valid(""));
    cr_assert_not(rf_reason_code_valid(NULL));
}

Test(policy, the_test_policy_parses_into_the_values_it_gives)
{
    const struct rf_policy_category *c;
    const struct rf_policy_reason *r;
    const struct rf_policy_limits *l;

    cr_assert_eq(parse_text(TEST_POLICY_JSON), RF_OK, "%s", err.message);
    cr_assert_eq(pol->version, 0);
    cr_assert_null(pol->description);
    cr_assert_eq(pol->return_window_days, 30);
    cr_assert_eq(pol->max_days_past_window, 60);
    cr_assert_eq(pol->n_categories, 6);
    for (size_t i = 1; i < pol->n_categories; i++)
        cr_assert_lt(strcmp(pol->categories[i - 1].name, pol->categories[i].name), 0);
    c = rf_policy_category(pol, "default");
    cr_assert_eq(c->rule, RF_CATEGORY_ALLOWED);
    cr_assert_eq(c->max_days_past_window, 60, "the general limit is inherited");
    cr_assert_not(c->own_limit);
    c = rf_policy_category(pol, "electronics");
    cr_assert_eq(c->max_days_past_window, 30);
    cr_assert(c->own_limit);
    cr_assert_eq(rf_policy_category(pol, "personalised")->rule, RF_CATEGORY_ESCALATE);
    cr_assert_str_eq(rf_policy_category(pol, "garden")->name, "default");
    cr_assert_str_eq(rf_policy_category(pol, NULL)->name, "default");
    r = rf_policy_reason(pol, "defective");
    cr_assert_eq(r->weight, 40);
    cr_assert(r->company_fault);
    cr_assert_eq(r->priority, RF_PRIORITY_NORMAL);
    cr_assert_eq(rf_policy_reason(pol, "changed_mind")->priority, RF_PRIORITY_LOW);
    cr_assert_null(rf_policy_reason(pol, "wrong_item"));
    l = rf_policy_limits(pol, "EUR");
    cr_assert_eq(l->self_approval_minor, 5000);
    cr_assert_eq(l->senior_threshold_minor, 50000);
    cr_assert_eq(l->history_max_refunded_minor, 100000);
    cr_assert_null(rf_policy_limits(pol, "USD"));
    cr_assert_eq(pol->history.window_months, 12);
    cr_assert_eq(pol->history.max_previous_exceptions, 2);
    cr_assert_eq(pol->history.previous_denial_weight, -5);
    cr_assert_eq(pol->history.previous_detractor_weight, 10);
    cr_assert_eq(pol->history.chasing_interactions, 3);
    cr_assert_eq(pol->sla[RF_PRIORITY_HIGH].hours, 24);
    cr_assert_eq(pol->sla[RF_PRIORITY_HIGH].clock, RF_SLA_CALENDAR);
    cr_assert_eq(pol->sla[RF_PRIORITY_LOW].hours, 120);
    cr_assert_eq(pol->sla[RF_PRIORITY_LOW].clock, RF_SLA_BUSINESS);
    cr_assert_eq(pol->scoring.approve_at, 30);
    cr_assert_eq(pol->scoring.deny_at, -30);
    cr_assert_eq(pol->scoring.lateness_weight, -30);
}

Test(policy, good_variants_parse)
{
    static const struct {
        const char *path, *value;
    } good[] = {
        {"limits", "{}"},
        {"description", "\"Spring 2027: electronics shortened.\\nSecond line\\tand a tab\""},
        {"reasons.defective.weight", "-100"},
        {"reasons.defective.weight", "100"},
        {"limits.EUR.self_approval_minor", "50000"},
        {"limits.EUR.self_approval_minor", "0"},
        {"limits.EUR.history_max_refunded_minor", "1000000000000000"},
        {"limits.KWD", GOOD_LIMITS},
        {"return_window_days", "0"},
        {"return_window_days", "3650"},
        {"max_days_past_window", "0"},
        {"categories.personalised.max_days_past_window", "15"},
        {"categories.abcdefghijklmnopqrstuvwx", "{\"rule\": \"never\"}"},
        {"categories.large-items_2", "{\"rule\": \"escalate\"}"},
        {"reasons.wrong_tax_applied", GOOD_REASON},
        {"scoring.deny_at", "29"},
        {"scoring.lateness_weight", "0"},
        {"history.previous_detractor_weight", "0"},
        {"history.max_previous_exceptions", "0"},
        {"sla.low.hours", "8760"},
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        rf_error_clear(&err);
        pol = NULL;
        cr_assert_eq(parse_edited(good[i].path, good[i].value), RF_OK, "%s = %s: %s", good[i].path,
                     good[i].value, err.message);
        cr_assert_not_null(pol);
    }
}

Test(policy_errors, each_bad_value_is_reported_by_its_path_and_why)
{
    static const struct {
        const char *path, *value, *field, *why;
    } bad[] = {
        {"categories.perishable.max_days_past_window", "-1",
         "categories.perishable.max_days_past_window", "must be >= 0"},
        {"categories.perishable.max_days_past_window", "3651",
         "categories.perishable.max_days_past_window", "must be <= 3650"},
        {"categories.perishable.max_days_past_window", "\"10\"",
         "categories.perishable.max_days_past_window", "must be an integer"},
        {"categories.perishable.max_days_past_window", "10.5",
         "categories.perishable.max_days_past_window", "must be an integer"},
        {"categories.hygiene.max_days_past_window", "5", "categories.hygiene.max_days_past_window",
         "not allowed with rule \"never\""},
        {"categories.personalised.rule", "\"sometimes\"", "categories.personalised.rule",
         "must be one of \"never\", \"escalate\", \"allowed\""},
        {"categories.personalised.rule", "\"NEVER\"", "categories.personalised.rule",
         "must be one of \"never\", \"escalate\", \"allowed\""},
        {"categories.personalised.rule", NULL, "categories.personalised.rule", "required"},
        {"categories.personalised", "\"escalate\"", "categories.personalised", "must be an object"},
        {"categories.default", NULL, "categories.default", "required"},
        {"categories.Hygiene", "{\"rule\": \"never\"}", "categories.Hygiene",
         "not a category name (1 to 24 of a-z, 0-9, _ and -)"},
        {"categories.abcdefghijklmnopqrstuvwxy", "{\"rule\": \"never\"}",
         "categories.abcdefghijklmnopqrstuvwx...",
         "not a category name (1 to 24 of a-z, 0-9, _ and -)"},
        {"categories", "[]", "categories", "must be an object"},
        {"categories", NULL, "categories", "required"},
        {"reasons.defective.weight", "101", "reasons.defective.weight",
         "must be an integer from -100 to 100"},
        {"reasons.defective.weight", "-101", "reasons.defective.weight",
         "must be an integer from -100 to 100"},
        {"reasons.defective.weight", "\"40\"", "reasons.defective.weight",
         "must be an integer from -100 to 100"},
        {"reasons.defective.weight", "40.0", "reasons.defective.weight",
         "must be an integer from -100 to 100"},
        {"reasons.defective.weight", NULL, "reasons.defective.weight", "required"},
        {"reasons.defective.company_fault", "1", "reasons.defective.company_fault",
         "must be true or false"},
        {"reasons.defective.company_fault", NULL, "reasons.defective.company_fault", "required"},
        {"reasons.defective.priority", "\"urgent\"", "reasons.defective.priority",
         "must be one of \"high\", \"normal\", \"low\""},
        {"reasons.other", NULL, "reasons.other", "required"},
        {"reasons.defectve", GOOD_REASON, "reasons.defectve", "not a reason code"},
        {"reasons.Defective", GOOD_REASON, "reasons.Defective", "not a reason code"},
        {"limits.EUR.self_approval_minor", "50001", "limits.EUR.self_approval_minor",
         "must not exceed limits.EUR.senior_threshold_minor"},
        {"limits.EUR.senior_threshold_minor", "-1", "limits.EUR.senior_threshold_minor",
         "must be >= 0"},
        {"limits.EUR.history_max_refunded_minor", "1000000000000001",
         "limits.EUR.history_max_refunded_minor", "must be <= 1000000000000000"},
        {"limits.EUR.history_max_refunded_minor", NULL, "limits.EUR.history_max_refunded_minor",
         "required"},
        {"limits.XYZ", GOOD_LIMITS, "limits.XYZ", "not an ISO 4217 currency code"},
        {"limits.eur", GOOD_LIMITS, "limits.eur", "not an ISO 4217 currency code"},
        {"limits.EUR", "[]", "limits.EUR", "must be an object"},
        {"history.window_months", "0", "history.window_months", "must be >= 1"},
        {"history.window_months", "121", "history.window_months", "must be <= 120"},
        {"history.max_previous_exceptions", "-1", "history.max_previous_exceptions",
         "must be >= 0"},
        {"history.previous_denial_weight", "5", "history.previous_denial_weight",
         "must be an integer from -100 to 0"},
        {"history.previous_detractor_weight", "-1", "history.previous_detractor_weight",
         "must be an integer from 0 to 100"},
        {"history.chasing_interactions", "0", "history.chasing_interactions", "must be >= 1"},
        {"history", NULL, "history", "required"},
        {"history", "7", "history", "must be an object"},
        {"sla.low", NULL, "sla.low", "required"},
        {"sla.high.hours", "0", "sla.high.hours", "must be >= 1"},
        {"sla.high.hours", "8761", "sla.high.hours", "must be <= 8760"},
        {"sla.high.clock", "\"wall\"", "sla.high.clock",
         "must be one of \"business\", \"calendar\""},
        {"scoring.deny_at", "30", "scoring.deny_at", "must be less than scoring.approve_at"},
        {"scoring.approve_at", "-30", "scoring.deny_at", "must be less than scoring.approve_at"},
        {"scoring.approve_at", "true", "scoring.approve_at", "must be an integer from -100 to 100"},
        {"scoring.lateness_weight", "1", "scoring.lateness_weight",
         "must be an integer from -100 to 0"},
        {"return_window_days", "\"30\"", "return_window_days", "must be an integer"},
        {"return_window_days", "null", "return_window_days", "must be an integer"},
        {"max_days_past_window", "-1", "max_days_past_window", "must be >= 0"},
        {"schema_version", "2", "schema_version", "must be 1"},
        {"schema_version", "\"1\"", "schema_version", "must be 1"},
        {"schema_version", NULL, "schema_version", "required"},
        {"description", "5", "description", "must be a string"},
        {"description", "\"a\\u0007b\"", "description",
         "must not contain control characters but newlines and tabs"},
        {"description", "\"a\\u202eb\"", "description",
         "must not contain bidirectional control characters"},
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_policy *sentinel = (struct rf_policy *)&err;

        rf_error_clear(&err);
        pol = sentinel;
        cr_assert_eq(parse_edited(bad[i].path, bad[i].value), RF_INVALID_ARGUMENT, "%s = %s",
                     bad[i].path, bad[i].value ? bad[i].value : "(removed)");
        expect_only(bad[i].field, bad[i].why);
        cr_assert_eq(pol, sentinel, "a rejected document must not be half-applied");
    }
}

Test(policy_errors, unknown_keys_are_errors_at_every_level)
{
    static const char *const paths[] = {
        "colour",
        "categories.default.colour",
        "reasons.defective.colour",
        "history.colour",
        "limits.EUR.colour",
        "sla.high.colour",
        "scoring.colour",
        "sla.urgent",
    };

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        rf_error_clear(&err);
        cr_assert_eq(parse_edited(paths[i], "{\"hours\": 1, \"clock\": \"calendar\"}"),
                     RF_INVALID_ARGUMENT, "%s", paths[i]);
        expect_only(paths[i], "unknown key");
    }
}

Test(policy_errors, a_long_unknown_key_is_shown_cut_at_24_bytes)
{
    cr_assert_eq(parse_edited("categories.default.abcdefghijklmnopqrstuvwxyz0123456789", "1"),
                 RF_INVALID_ARGUMENT);
    expect_only("categories.default.abcdefghijklmnopqrstuvwx...", "unknown key");
}

Test(policy_errors, a_cut_key_never_splits_a_utf8_character)
{
    /* 23 ASCII bytes, then "é" (2 bytes) would end at byte 25: the cut keeps 23. */
    cr_assert_eq(parse_edited("abcdefghijklmnopqrstuvw\xc3\xa9xyz", "1"), RF_INVALID_ARGUMENT);
    expect_only("abcdefghijklmnopqrstuvw...", "unknown key");
}

Test(policy_errors, a_description_over_2000_characters_is_rejected)
{
    char value[2010];

    value[0] = '"';
    memset(value + 1, 'a', 2001);
    value[2002] = '"';
    value[2003] = '\0';
    cr_assert_eq(parse_edited("description", value), RF_INVALID_ARGUMENT);
    expect_only("description", "must be at most 2000 characters");
    value[2001] = '"';
    value[2002] = '\0';
    rf_error_clear(&err);
    cr_assert_eq(parse_edited("description", value), RF_OK, "%s", err.message);
}

Test(policy_errors, more_than_64_categories_are_rejected)
{
    char value[4096];
    size_t len = 0;

    len +=
        (size_t)snprintf(value + len, sizeof value - len, "{\"default\": {\"rule\": \"allowed\"}");
    for (int i = 0; i < 64; i++)
        len += (size_t)snprintf(value + len, sizeof value - len, ", \"c%d\": {\"rule\": \"never\"}",
                                i);
    snprintf(value + len, sizeof value - len, "}");
    cr_assert_eq(parse_edited("categories", value), RF_INVALID_ARGUMENT);
    expect_only("categories", "must have at most 64 categories");
}

Test(policy_errors, several_errors_are_all_reported_with_the_first_in_the_message)
{
    static const char text[] =
        "{\"schema_version\": 1, \"return_window_days\": -1, \"max_days_past_window\": 60,"
        " \"categories\": {\"default\": {\"rule\": \"allowed\", \"colour\": 1},"
        "   \"perishable\": {\"rule\": \"allowed\", \"max_days_past_window\": -1}},"
        " \"reasons\": {\"other\": {\"weight\": 500, \"company_fault\": false,"
        "   \"priority\": \"normal\"}},"
        " \"history\": {\"window_months\": 12, \"max_previous_exceptions\": 2,"
        "   \"previous_denial_weight\": -5, \"previous_detractor_weight\": 10,"
        "   \"chasing_interactions\": 3},"
        " \"limits\": {\"XYZ\": {}, \"EUR\": {\"self_approval_minor\": 2,"
        "   \"senior_threshold_minor\": 1, \"history_max_refunded_minor\": 3}},"
        " \"sla\": {\"high\": {\"hours\": 1, \"clock\": \"calendar\"},"
        "   \"normal\": {\"hours\": 1, \"clock\": \"calendar\"}},"
        " \"scoring\": {\"approve_at\": 30, \"deny_at\": -30, \"lateness_weight\": -30}}";

    cr_assert_eq(parse_text(text), RF_INVALID_ARGUMENT);
    cr_assert_eq(err.n_violations, 7);
    cr_assert_str_eq(err.violations[0].field, "return_window_days");
    expect_violation("return_window_days", "must be >= 0");
    expect_violation("categories.default.colour", "unknown key");
    expect_violation("categories.perishable.max_days_past_window", "must be >= 0");
    expect_violation("reasons.other.weight", "must be an integer from -100 to 100");
    expect_violation("limits.XYZ", "not an ISO 4217 currency code");
    expect_violation("limits.EUR.self_approval_minor",
                     "must not exceed limits.EUR.senior_threshold_minor");
    expect_violation("sla.low", "required");
    cr_assert_str_eq(err.message, "return_window_days: must be >= 0 (and 6 more errors)");
    cr_assert_null(pol);
}

Test(policy_errors, one_error_is_the_whole_message)
{
    cr_assert_eq(parse_edited("limits.XYZ", GOOD_LIMITS), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, "limits.XYZ: not an ISO 4217 currency code");
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
}

Test(policy_errors, errors_past_the_violation_limit_are_still_counted)
{
    char text[8192];
    size_t len = 0;

    len += (size_t)snprintf(text + len, sizeof text - len, "{\"schema_version\": 1");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, ", \"x%d\": 0", i);
    snprintf(text + len, sizeof text - len, "}");
    cr_assert_eq(parse_text(text), RF_INVALID_ARGUMENT);
    /* 40 unknown keys and 8 required fields missing. */
    cr_assert_eq(err.n_violations, 48);
    cr_assert_str_eq(err.message, "x0: unknown key (and 47 more errors)");
}

/* Asserts that text is rejected as not JSON with jansson's own line, column and reason. */
static void expect_not_json(const char *text, int line)
{
    json_error_t je;
    char want[256];

    cr_assert_null(json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, &je));
    cr_assert_eq(je.line, line, "the test expects jansson to fail on line %d", line);
    snprintf(want, sizeof want, "not JSON: line %d, column %d: %s", je.line, je.column, je.text);
    rf_error_clear(&err);
    cr_assert_eq(parse_text(text), RF_INVALID_ARGUMENT);
    expect_only("policy", want);
}

Test(policy_errors, text_that_is_not_json_gives_jansson_line_and_column)
{
    expect_not_json("{\"schema_version\": 1,\n \"categories\": {\n  \"default\": [1, 2,\n}", 4);
    expect_not_json("", 1);
    expect_not_json("{\"a\": 1} trailing", 1);
    expect_not_json("{\"a\": 1,\n \"a\": 2}", 2);
    cr_assert(strstr(err.violations[0].description, "duplicate") != NULL, "%s",
              err.violations[0].description);
}

/* Parses the fixture file name of tests/unit/refundsd/policies/. */
static enum rf_code parse_file(const char *name)
{
    size_t len;
    char *text = read_text(rf_arena_printf(arena, "%s/%s", RF_POLICY_FILES, name), &len);

    return rf_policy_parse(arena, text, len, &pol, &err);
}

Test(policy, good_files_as_people_edit_them_parse)
{
    cr_assert_eq(parse_file("good_grocery.json"), RF_OK, "%s", err.message);
    cr_assert_eq(pol->return_window_days, 14);
    cr_assert_eq(rf_policy_category(pol, "household")->rule, RF_CATEGORY_ESCALATE);
    cr_assert_eq(rf_policy_category(pol, "household")->max_days_past_window, 7);
    cr_assert_eq(rf_policy_category(pol, "electronics")->rule, RF_CATEGORY_ALLOWED, "default");
    cr_assert_null(rf_policy_limits(pol, "USD"), "only euros");
    cr_assert_eq(parse_file("good_calendar_sla.json"), RF_OK, "%s", err.message);
    for (int i = 0; i < RF_PRIORITIES; i++)
        cr_assert_eq(pol->sla[i].clock, RF_SLA_CALENDAR);
}

Test(policy_errors, bad_files_are_refused_by_the_path_of_the_field_at_fault)
{
    static const struct {
        const char *file, *message;
        int violations;
    } bad[] = {
        {"bad_negative_days.json", "categories.electronics.max_days_past_window: must be >= 0", 1},
        {"bad_agent_above_senior.json",
         "limits.EUR.self_approval_minor: must not exceed limits.EUR.senior_threshold_minor", 1},
        {"bad_limit_on_never.json",
         "categories.perishable.max_days_past_window: not allowed with rule \"never\"", 1},
        {"bad_misspelt_key.json", "retrun_window_days: unknown key (and 1 more error)", 2},
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_error_clear(&err);
        pol = NULL;
        cr_assert_eq(parse_file(bad[i].file), RF_INVALID_ARGUMENT, "%s", bad[i].file);
        cr_assert_str_eq(err.message, bad[i].message, "%s", bad[i].file);
        cr_assert_eq(err.n_violations, bad[i].violations, "%s", bad[i].file);
        cr_assert_null(pol, "%s: never half-applied", bad[i].file);
    }
    /* The last one: the misspelt key is unknown, and the one it should be is missing. */
    expect_violation("return_window_days", "required");
    rf_error_clear(&err);
    cr_assert_eq(parse_file("bad_trailing_comma.json"), RF_INVALID_ARGUMENT);
    cr_assert_eq(err.n_violations, 1);
    cr_assert_str_eq(err.violations[0].field, "policy");
    cr_assert_str_eq(err.violations[0].description,
                     "not JSON: line 164, column 3: string or '}' expected near '}'", "%s",
                     err.violations[0].description);
}

Test(policy_errors, a_document_that_is_not_an_object_is_rejected)
{
    cr_assert_eq(parse_text("[1, 2]"), RF_INVALID_ARGUMENT);
    expect_only("policy", "must be a JSON object");
    cr_assert_str_eq(err.message, "policy: must be a JSON object");
}

/*
 * The test policy canonically, from Python:
 *   json.dumps(json.loads(TEST_POLICY_JSON), sort_keys=True, separators=(',', ':'))
 */
static const char test_canonical[] =
    "{\"categories\":{\"custom\":{\"max_days_past_window\":0,\"rule\":\"allowed\"},\"default\":{"
    "\"rule\":\"allowed\"},\"electronics\":{\"max_days_past_window\":30,\"rule\":\"allowed\"},"
    "\"hygiene\":{\"rule\":\"never\"},\"perishable\":{\"max_days_past_window\":10,\"rule\":"
    "\"allowed\"},\"personalised\":{\"rule\":\"escalate\"}},\"history\":{\"chasing_interactions\":"
    "3,\"max_previous_exceptions\":2,\"previous_denial_weight\":-5,\"previous_detractor_weight\":"
    "10,\"window_months\":12},\"limits\":{\"EUR\":{\"history_max_refunded_minor\":100000,\"self_"
    "approval_minor\":5000,\"senior_threshold_minor\":50000}},\"max_days_past_window\":60,"
    "\"reasons\":{\"changed_mind\":{\"company_fault\":false,\"priority\":\"low\",\"weight\":-20},"
    "\"defective\":{\"company_fault\":true,\"priority\":\"normal\",\"weight\":40},\"duplicate_"
    "charge\":{\"company_fault\":true,\"priority\":\"high\",\"weight\":60},\"late_delivery\":{"
    "\"company_fault\":false,\"priority\":\"normal\",\"weight\":20},\"other\":{\"company_fault\":"
    "false,\"priority\":\"normal\",\"weight\":0}},\"return_window_days\":30,\"schema_version\":1,"
    "\"scoring\":{\"approve_at\":30,\"deny_at\":-30,\"lateness_weight\":-30},\"sla\":{\"high\":{"
    "\"clock\":\"calendar\",\"hours\":24},\"low\":{\"clock\":\"business\",\"hours\":120},"
    "\"normal\":{\"clock\":\"business\",\"hours\":48}}}";

Test(policy_canonical, is_sorted_and_compact)
{
    cr_assert_eq(parse_text(TEST_POLICY_JSON), RF_OK, "%s", err.message);
    cr_assert_str_eq(rf_policy_canonical_json(pol, arena), test_canonical);
}

Test(policy_canonical, does_not_depend_on_key_order_or_spacing)
{
    /* jansson writes the edited document with one-space indents and its own key order. */
    cr_assert_eq(parse_edited("return_window_days", "30"), RF_OK, "%s", err.message);
    cr_assert_str_eq(rf_policy_canonical_json(pol, arena), test_canonical);
}

Test(policy_canonical, parses_back_to_the_same_bytes_for_the_default)
{
    size_t len;
    char *text = read_text(RF_POLICY_DEFAULT, &len), *once, *twice;

    cr_assert_eq(rf_policy_parse(arena, text, len, &pol, &err), RF_OK, "%s", err.message);
    once = rf_policy_canonical_json(pol, arena);
    cr_assert_eq(parse_text(once), RF_OK, "%s", err.message);
    twice = rf_policy_canonical_json(pol, arena);
    cr_assert_str_eq(twice, once);
    cr_assert_null(strstr(once, "\": "));
    cr_assert_null(strstr(once, ", \""));
    cr_assert_null(strchr(once, '\n'));
}

Test(policy_canonical, keeps_a_description_in_utf8)
{
    cr_assert_eq(parse_edited("description", "\"Pol\\u00edtica de reembolsos\""), RF_OK, "%s",
                 err.message);
    cr_assert(strstr(rf_policy_canonical_json(pol, arena), "\"description\":\"Pol\xc3\xad"
                                                           "tica de reembolsos\"") != NULL);
}

/* Diffs old against new, asserting success; the changes in *changes. */
static size_t diff(const char *old, const char *new, struct rf_policy_change **changes)
{
    size_t n = 99;

    cr_assert_eq(rf_policy_diff(old, strlen(old), new, strlen(new), arena, changes, &n, &err),
                 RF_OK, "%s", err.message);
    return n;
}

static void expect_change(const struct rf_policy_change *c, const char *path, const char *old,
                          const char *new)
{
    cr_assert_str_eq(c->path, path);
    if (old == NULL)
        cr_assert_null(c->old_value, "%s", path);
    else
        cr_assert_str_eq(c->old_value, old, "%s", path);
    if (new == NULL)
        cr_assert_null(c->new_value, "%s", path);
    else
        cr_assert_str_eq(c->new_value, new, "%s", path);
}

Test(policy_diff, equal_documents_have_no_changes)
{
    struct rf_policy_change *c = NULL;

    cr_assert_eq(diff(TEST_POLICY_JSON, test_canonical, &c), 0);
}

Test(policy_diff, lists_changed_added_and_removed_paths_in_key_order)
{
    struct rf_policy_change *c = NULL;
    char *old = rf_arena_strdup(arena, edited("reasons.defective.weight", "40"));
    char *new;
    json_error_t je;
    json_t *doc = json_loads(TEST_POLICY_JSON, 0, &je);
    char *s;

    cr_assert_not_null(doc);
    json_integer_set(
        json_object_get(json_object_get(json_object_get(doc, "reasons"), "defective"), "weight"),
        35);
    json_object_set_new(json_object_get(doc, "categories"), "toys",
                        json_pack("{s:s}", "rule", "allowed"));
    json_object_del(json_object_get(doc, "reasons"), "late_delivery");
    json_object_del(json_object_get(json_object_get(doc, "categories"), "electronics"),
                    "max_days_past_window");
    s = json_dumps(doc, 0);
    new = rf_arena_strdup(arena, s);
    free(s);
    json_decref(doc);

    cr_assert_eq(diff(old, new, &c), 4);
    expect_change(&c[0], "categories.electronics.max_days_past_window", "30", NULL);
    expect_change(&c[1], "categories.toys", NULL, "{\"rule\":\"allowed\"}");
    expect_change(&c[2], "reasons.defective.weight", "40", "35");
    expect_change(&c[3], "reasons.late_delivery",
                  "{\"company_fault\":false,\"priority\":\"normal\",\"weight\":20}", NULL);
}

Test(policy_diff, a_value_that_changes_type_is_one_change)
{
    struct rf_policy_change *c = NULL;

    cr_assert_eq(diff("{\"a\": {\"b\": 1, \"c\": 2}}", "{\"a\": 7}", &c), 1);
    expect_change(&c[0], "a", "{\"b\":1,\"c\":2}", "7");
}

Test(policy_diff, compares_arrays_element_by_element)
{
    struct rf_policy_change *c = NULL;

    cr_assert_eq(diff("{\"a\": [1, 2, 3]}", "{\"a\": [1, 5]}", &c), 2);
    expect_change(&c[0], "a[1]", "2", "5");
    expect_change(&c[1], "a[2]", "3", NULL);
    cr_assert_eq(diff("[{\"x\": 1}]", "[{\"x\": 1}, true]", &c), 1);
    expect_change(&c[0], "[1]", NULL, "true");
}

Test(policy_diff, quotes_keys_that_are_not_plain_names)
{
    struct rf_policy_change *c = NULL;

    cr_assert_eq(diff("{\"a b\": {\"x.y\": 1}, \"\": 1}", "{\"a b\": {\"x.y\": 2}, \"\": 1}", &c),
                 1);
    expect_change(&c[0], "[\"a b\"][\"x.y\"]", "1", "2");
    cr_assert_eq(diff("1", "\"one\"", &c), 1);
    expect_change(&c[0], "", "1", "\"one\"");
}

Test(policy_diff, text_that_is_not_json_is_named_old_or_new)
{
    struct rf_policy_change *c = (struct rf_policy_change *)&err;
    size_t n = 99;
    json_error_t je;
    char want[256];

    cr_assert_null(json_loads("{\"a\": }", 0, &je));
    snprintf(want, sizeof want, "new: not JSON: line %d, column %d: %s", je.line, je.column,
             je.text);
    cr_assert_eq(rf_policy_diff("{}", 2, "{\"a\": }", 7, arena, &c, &n, &err), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, want);
    cr_assert_eq(n, 99);
    cr_assert_eq(c, (struct rf_policy_change *)&err);
    cr_assert_eq(rf_policy_diff("{", 1, "{}", 2, arena, &c, &n, &err), RF_INVALID_ARGUMENT);
    cr_assert(strncmp(err.message, "old: not JSON: line 1, column ", 30) == 0, "%s", err.message);
}

/* The test policy with sla.normal set to hours of clock. */
static void normal_sla(int hours, const char *clock)
{
    char value[96];

    snprintf(value, sizeof value, "{\"hours\": %d, \"clock\": \"%s\"}", hours, clock);
    cr_assert_eq(parse_edited("sla.normal", value), RF_OK, "%s", err.message);
}

static void expect_due(enum rf_priority p, const char *from, const char *want)
{
    int64_t got = rf_policy_due(pol, p, test_at(from));

    cr_assert_eq(got, test_at(want), "%s + %s SLA: got %s, want %s", from, rf_priority_name(p),
                 test_text(got), want);
}

/* 2026-11-20 is a Friday, 11-21 a Saturday, 11-22 a Sunday, 11-23 a Monday (Python's
 * datetime.date(2026, 11, 20).strftime('%A')). */
Test(policy_due, calendar_hours_run_through_the_weekend)
{
    cr_assert_eq(parse_text(TEST_POLICY_JSON), RF_OK, "%s", err.message);
    expect_due(RF_PRIORITY_HIGH, "2026-11-20T20:00:00Z", "2026-11-21T20:00:00Z");
    expect_due(RF_PRIORITY_HIGH, "2026-11-21T10:00:00Z", "2026-11-22T10:00:00Z");
    expect_due(RF_PRIORITY_HIGH, "2026-11-18T10:30:00Z", "2026-11-19T10:30:00Z");
}

Test(policy_due, business_hours_skip_saturday_and_sunday)
{
    cr_assert_eq(parse_text(TEST_POLICY_JSON), RF_OK, "%s", err.message);
    /* 48 business hours. */
    expect_due(RF_PRIORITY_NORMAL, "2026-11-23T10:00:00Z", "2026-11-25T10:00:00Z");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-19T10:00:00Z", "2026-11-23T10:00:00Z");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-20T10:00:00Z", "2026-11-24T10:00:00Z");
    /* A weekend request starts on Monday 00:00. */
    expect_due(RF_PRIORITY_NORMAL, "2026-11-21T10:00:00Z", "2026-11-25T00:00:00Z");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-22T23:59:59Z", "2026-11-25T00:00:00Z");
    /* 120 business hours: a whole working week. */
    expect_due(RF_PRIORITY_LOW, "2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z");
    expect_due(RF_PRIORITY_LOW, "2026-11-20T09:00:00Z", "2026-11-27T09:00:00Z");
}

Test(policy_due, business_hours_that_run_past_friday_midnight_continue_on_monday)
{
    normal_sla(8, "business");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-20T20:00:00Z", "2026-11-23T04:00:00Z");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-20T16:00:00Z", "2026-11-23T00:00:00Z");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-20T15:59:59Z", "2026-11-20T23:59:59Z");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-19T20:00:00Z", "2026-11-20T04:00:00Z");
    normal_sla(30, "business");
    /* One business day to Monday 20:00, then 6 hours. */
    expect_due(RF_PRIORITY_NORMAL, "2026-11-20T20:00:00Z", "2026-11-24T02:00:00Z");
}

Test(policy_due, the_clock_of_an_sla_is_its_own)
{
    normal_sla(8, "calendar");
    expect_due(RF_PRIORITY_NORMAL, "2026-11-20T20:00:00Z", "2026-11-21T04:00:00Z");
}

Test(policy_due, is_clamped_to_the_timestamp_range_and_out_of_range_priorities_are_normal)
{
    cr_assert_eq(parse_text(TEST_POLICY_JSON), RF_OK, "%s", err.message);
    cr_assert_eq(rf_policy_due(pol, RF_PRIORITY_HIGH, RF_TIME_MAX_US), RF_TIME_MAX_US);
    cr_assert_eq(rf_policy_due(pol, RF_PRIORITY_NORMAL, RF_TIME_MAX_US), RF_TIME_MAX_US);
    cr_assert_eq(rf_policy_due(pol, (enum rf_priority)9, test_at("2026-11-23T10:00:00Z")),
                 test_at("2026-11-25T10:00:00Z"));
}

Test(policy, names_of_priorities_and_rules)
{
    cr_assert_str_eq(rf_priority_name(RF_PRIORITY_HIGH), "high");
    cr_assert_str_eq(rf_priority_name(RF_PRIORITY_LOW), "low");
    cr_assert_null(rf_priority_name((enum rf_priority)3));
    cr_assert_str_eq(rf_category_rule_name(RF_CATEGORY_ESCALATE), "escalate");
    cr_assert_null(rf_category_rule_name((enum rf_category_rule) - 1));
}
