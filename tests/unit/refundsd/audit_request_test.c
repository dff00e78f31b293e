/*
 * Unit tests of the VerifyAuditChain request (services/refundsd/audit_request.c):
 * one table of requests with the violations each must get (a field each, or
 * none), the range a request names, and the page token: a round trip of every
 * field, refusal under another range, and refusal of what is not a token.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "audit_request.h"
#include "refunds/encode.h"
#include "test_pb.h"

#define NOW_US 1795341600000000LL
#define CASE   "cases/0190f5c2-3a4b-7c8d-9e0f-123456789abc"

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

TestSuite(audit_request, .init = setup, .fini = teardown);

/* A request: case, start and end seconds (-1: unset; nanos 2e9 with -2: a bad Timestamp). */
static Refunds__V1__VerifyAuditChainRequest *request(const char *name, int64_t start, int64_t end,
                                                     int32_t page_size, const char *token)
{
    Refunds__V1__VerifyAuditChainRequest *r =
        rf_pb_new(arena, &refunds__v1__verify_audit_chain_request__descriptor);

    r->case_ = (char *)name;
    if (start != -1)
        r->start_time =
            test_timestamp(arena, start == -2 ? 0 : start, start == -2 ? 2000000000 : 0);
    if (end != -1)
        r->end_time = test_timestamp(arena, end == -2 ? 0 : end, end == -2 ? 2000000000 : 0);
    r->page_size = page_size;
    r->page_token = (char *)token;
    return r;
}

/* The fields err's violations name, comma-separated, in order. */
static const char *fields(void)
{
    char *out = rf_arena_alloc(arena, 512);

    out[0] = '\0';
    for (int i = 0; i < err.n_violations && i < RF_VIOLATIONS_MAX; i++) {
        if (i > 0)
            strcat(out, ",");
        strcat(out, err.violations[i].field);
    }
    return out;
}

Test(audit_request, each_request_gets_exactly_its_violations)
{
    static const struct {
        const char *what, *name;
        int64_t start, end;
        int32_t page_size;
        const char *token, *want;
    } rows[] = {
        {"one case", CASE, -1, -1, 0, "", ""},
        {"a range", "", 1000, 2000, 10, "", ""},
        {"a range open at its end", "", 1000, -1, 0, "", ""},
        {"a range open at its start", "", -1, 2000, 0, "", ""},
        {"everything", "", -1, -1, 500, "", ""},
        {"a page of a range", "", 1000, -1, 0, "AAAA", ""},
        {"a case that is not a name", "0190f5c2-3a4b-7c8d-9e0f-123456789abc", -1, -1, 0, "",
         "case"},
        {"a case of another collection", "runs/0190f5c2-3a4b-7c8d-9e0f-123456789abc", -1, -1, 0, "",
         "case"},
        {"a case and a range", CASE, 1000, -1, 0, "", "case"},
        {"a case and a page token", CASE, -1, -1, 0, "AAAA", "page_token"},
        {"an end before the start", "", 2000, 1000, 0, "", "end_time"},
        {"an empty range", "", 2000, 2000, 0, "", "end_time"},
        {"a bad start", "", -2, -1, 0, "", "start_time"},
        {"a bad end", "", -1, -2, 0, "", "end_time"},
        {"a negative page size", "", -1, -1, -1, "", "page_size"},
    };

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        rf_error_clear(&err);
        rf_validate_verify_audit_chain(
            request(rows[i].name, rows[i].start, rows[i].end, rows[i].page_size, rows[i].token),
            NOW_US, &err);
        cr_expect_str_eq(fields(), rows[i].want, "%s", rows[i].what);
    }
}

Test(audit_request, the_range_is_what_the_request_sets)
{
    struct rf_audit_range r;

    rf_audit_request_range(request("", 1000, -1, 0, ""), &r);
    cr_assert(r.has_start);
    cr_assert_eq(r.start_us, 1000LL * 1000000);
    cr_assert_not(r.has_end);
    rf_audit_request_range(request("", -1, 2000, 0, ""), &r);
    cr_assert_not(r.has_start);
    cr_assert(r.has_end);
    cr_assert_eq(r.end_us, 2000LL * 1000000);
}

static const struct rf_audit_range range = {true, false, 1000000, 0};

Test(audit_request, an_empty_token_is_the_first_page)
{
    struct rf_audit_cursor c;

    memset(&c, 0xff, sizeof c);
    cr_assert(rf_audit_token_decode("", &range, &c));
    cr_assert_eq(c.phase, RF_AUDIT_PHASE_CASES);
    cr_assert_str_eq(c.after_id, "");
    cr_assert_eq(c.after_checkpoint, 0);
    cr_assert_eq(c.totals.faults, 0);
}

Test(audit_request, a_token_carries_the_position_and_the_totals)
{
    struct rf_audit_cursor
        c =
            {
                .phase = RF_AUDIT_PHASE_CASES,
                .after_us = 1795341600123456LL,
                .after_id = "0190f5c2-3a4b-7c8d-9e0f-123456789abc",
                .totals = {.cases = 50, .events = 812, .checkpoints = 0, .heads = 0, .faults = 3},
            },
        back;
    char *token = rf_audit_token_encode(arena, &range, &c);

    cr_assert_leq(strlen(token), 256, "longer than rf_check_page allows: %zu", strlen(token));
    cr_assert(rf_audit_token_decode(token, &range, &back));
    cr_assert_eq(back.phase, c.phase);
    cr_assert_eq(back.after_us, c.after_us);
    cr_assert_str_eq(back.after_id, c.after_id);
    cr_assert_eq(back.totals.cases, 50);
    cr_assert_eq(back.totals.events, 812);
    cr_assert_eq(back.totals.faults, 3);

    c = (struct rf_audit_cursor){.phase = RF_AUDIT_PHASE_CHECKPOINTS,
                                 .after_checkpoint = 123456789012LL,
                                 .totals = {1, 2, 3, 4, 5}};
    token = rf_audit_token_encode(arena, &range, &c);
    cr_assert(rf_audit_token_decode(token, &range, &back));
    cr_assert_eq(back.phase, RF_AUDIT_PHASE_CHECKPOINTS);
    cr_assert_eq(back.after_checkpoint, 123456789012LL);
    cr_assert_str_eq(back.after_id, "");
    cr_assert_eq(back.totals.checkpoints, 3);
    cr_assert_eq(back.totals.heads, 4);
}

Test(audit_request, a_token_of_another_range_is_refused)
{
    struct rf_audit_cursor c = {.phase = RF_AUDIT_PHASE_CHECKPOINTS, .after_checkpoint = 4}, back;
    char *token = rf_audit_token_encode(arena, &range, &c);
    struct rf_audit_range other = range, open = {false, false, 0, 0};

    other.start_us += 1;
    cr_assert_not(rf_audit_token_decode(token, &other, &back));
    cr_assert_not(rf_audit_token_decode(token, &open, &back));
    other = range;
    other.has_end = true;
    cr_assert_not(rf_audit_token_decode(token, &other, &back));
}

Test(audit_request, what_is_not_a_token_is_refused)
{
    struct rf_audit_cursor c = {.phase = RF_AUDIT_PHASE_CASES}, back;
    char *good = rf_audit_token_encode(arena, &range, &c);
    uint8_t raw[200];
    size_t n;
    char *bad;

    cr_assert_not(rf_audit_token_decode("AAAA", &range, &back));
    cr_assert_not(rf_audit_token_decode("not a token!", &range, &back));
    cr_assert_not(rf_audit_token_decode(good + 1, &range, &back));
    /* A phase that does not exist, and a cursor id that is not a UUID. */
    cr_assert(rf_base64url_decode(good, raw, sizeof raw, &n));
    bad = rf_arena_alloc(arena, rf_base64url_len(n) + 1);
    raw[1] = 7;
    rf_base64url_encode(raw, n, bad);
    cr_assert_not(rf_audit_token_decode(bad, &range, &back));
    raw[1] = RF_AUDIT_PHASE_CASES;
    memset(raw + 2 + 8 + 8, 'z', RF_UUID_TEXT_LEN);
    rf_base64url_encode(raw, n, bad);
    cr_assert_not(rf_audit_token_decode(bad, &range, &back));
}
