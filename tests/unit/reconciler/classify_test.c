/*
 * Unit tests of the reconciler's classifier (workers/reconciler/classify.c).
 * One table walks every finding kind and every window at its boundary
 * (exactly at it, and one second past), unknown provider data (stale or
 * absent snapshots: nothing closed, no NOT_FOUND), records read with a stale
 * snapshot, receipt confirmation, the next check and money confirmation;
 * each row states exactly which kinds are decided and which present. Then
 * the wording: evidence in 0- and 3-decimal currencies, actions, close
 * reasons, follow-up audiences, the orphan finding and the stable names.
 *
 * Times: the refund is issued on Monday 2026-11-23 10:00 UTC and succeeds an
 * hour later. Window ends, from the Python business-day stepper quoted in
 * tests/unit/common/timeutil_test.c:
 *   issued + 3 business days   = 2026-11-26T10:00:00Z (stuck)
 *   issued + 5                 = 2026-11-30T10:00:00Z (stuck follow-up)
 *   success + 3                = 2026-11-26T11:00:00Z (reference due)
 *   success + 5 / + 10 (card)  = 2026-11-30T11:00:00Z / 2026-12-07T11:00:00Z
 *   success + 3 (paypal)       = 2026-11-26T11:00:00Z
 *   Saturday 2026-11-21 10:00 + 10 = 2026-12-07T00:00:00Z
 */
#include <string.h>

#include <criterion/criterion.h>

#include "classify.h"
#include "refunds/timeutil.h"
#include "test_time.h"

#define SEC  RF_USEC_PER_SEC
#define HOUR (3600 * SEC)

#define B(k) RF_FINDING_BIT(RF_FINDING_##k)
/* Every kind rf_recon_classify judges: all but ORPHAN_AT_PROVIDER. */
#define ALL (((1u << RF_FINDING_KINDS) - 1) & ~B(ORPHAN_AT_PROVIDER))
/* The kinds that can be judged without provider data. */
#define OURS                                                                                       \
    (B(DUPLICATE_REFUND) | B(CURRENCY_MISMATCH) | B(NO_TRACE_REFERENCE) | B(OVERDUE_AT_CUSTOMER))

/* One scenario's inputs. */
struct fx {
    struct rf_recon_ours o;
    struct rf_recon_provider p;
    struct rf_recon_snapshot s;
    struct rf_recon_config cfg;
    int64_t now;
};

/*
 * A healthy card refund of EUR 19.99 at Stripe: succeeded an hour after
 * issue, reference available, fresh snapshot, two days after issue.
 */
static void base(struct fx *f)
{
    int64_t issued = test_at("2026-11-23T10:00:00Z");

    memset(f, 0, sizeof *f);
    f->o = (struct rf_recon_ours){
        .provider = "stripe",
        .provider_refund_id = "re_1",
        .payment_method = "card",
        .amount_minor = 1999,
        .currency = "EUR",
        .issued_at_us = issued,
        .case_approved_minor = 1999,
        .case_currency = "EUR",
        .case_issued_total_minor = 1999,
    };
    f->p = (struct rf_recon_provider){
        .present = true,
        .status = RF_RECON_SUCCEEDED,
        .amount_minor = 1999,
        .currency = "eur",
        .reference = "74123456789012345678901",
        .reference_type = "acquirer_reference_number",
        .reference_status = "available",
        .destination_type = "card",
        .card_refund_type = "refund",
        .created_at_us = issued + 60 * SEC,
        .updated_at_us = issued + HOUR,
        .succeeded_at_us = issued + HOUR,
    };
    f->now = test_at("2026-11-25T10:00:00Z");
    f->s = (struct rf_recon_snapshot){.present = true, .taken_at_us = f->now - HOUR};
    rf_recon_config_defaults(&f->cfg);
}

/* Moves now, keeping the snapshot an hour old. */
static void now_is(struct fx *f, int64_t now)
{
    f->now = now;
    f->s.taken_at_us = now - HOUR;
}

/* The rows' setups: each changes the base refund into its scenario (now is the row's). */

static void confirmed(struct fx *f)
{
    f->o.receipt_confirmed = true;
}

static void awaiting_reference(struct fx *f)
{
    f->p.reference = "";
    f->p.reference_status = "pending";
}

static void confirmed_awaiting_reference(struct fx *f)
{
    awaiting_reference(f);
    confirmed(f);
}

static void reversal_without_reference(struct fx *f)
{
    f->p.reference = "";
    f->p.reference_status = "unavailable";
    f->p.card_refund_type = "reversal";
}

static void format_without_references(struct fx *f)
{
    f->p.reference = "";
    f->p.reference_status = "";
    f->p.reference_type = "";
    f->p.card_refund_type = "";
}

static void paypal_without_reference(struct fx *f)
{
    awaiting_reference(f);
    f->o.payment_method = "paypal";
    f->p.destination_type = "paypal";
}

static void failed(struct fx *f)
{
    f->p.status = RF_RECON_FAILED;
    f->p.failure_reason = "expired_or_canceled_card";
    f->p.succeeded_at_us = 0;
    f->p.reference = "";
    f->p.reference_status = "unavailable";
}

static void canceled(struct fx *f)
{
    failed(f);
    f->p.status = RF_RECON_CANCELED;
    f->p.failure_reason = "";
}

static void failed_after_success(struct fx *f)
{
    failed(f);
    f->p.succeeded_at_us = f->o.issued_at_us + HOUR;
}

static void reversed(struct fx *f)
{
    f->p.status = RF_RECON_REVERSED;
    f->p.failure_reason = "lost_or_stolen_card";
}

static void pending(struct fx *f)
{
    f->p.status = RF_RECON_PENDING;
    f->p.succeeded_at_us = 0;
    f->p.reference = "";
    f->p.reference_status = "pending";
    f->p.card_refund_type = "pending";
}

static void pending_insufficient_funds(struct fx *f)
{
    pending(f);
    f->p.pending_reason = "insufficient_funds";
}

static void requires_action(struct fx *f)
{
    pending(f);
    f->p.status = RF_RECON_REQUIRES_ACTION;
}

static void not_cleared(struct fx *f)
{
    f->p.status = RF_RECON_NOT_CLEARED;
    f->p.succeeded_at_us = 0;
}

static void amount_mismatch_jpy(struct fx *f)
{
    f->o.amount_minor = 1000;
    f->o.currency = "JPY";
    f->o.case_currency = "JPY";
    f->o.case_approved_minor = f->o.case_issued_total_minor = 1000;
    f->p.amount_minor = 800;
    f->p.currency = "jpy";
}

static void currency_mismatch_at_provider(struct fx *f)
{
    f->o.amount_minor = 1500;
    f->o.currency = "KWD";
    f->o.case_currency = "KWD";
    f->o.case_approved_minor = f->o.case_issued_total_minor = 1500;
    f->p.amount_minor = 1500;
    f->p.currency = "usd";
}

static void currency_mismatch_with_case(struct fx *f)
{
    f->o.case_currency = "USD";
}

static void duplicate_kwd(struct fx *f)
{
    currency_mismatch_at_provider(f);
    f->o.case_issued_total_minor = 3000;
    f->p.currency = "KWD";
}

static void total_equal_to_approved(struct fx *f)
{
    f->o.case_approved_minor = 5000;
    f->o.case_issued_total_minor = 5000;
}

/* Record absent; the provider's data taken exactly 48 h after issue, read an hour later. */
static void absent_at_grace_end(struct fx *f)
{
    memset(&f->p, 0, sizeof f->p);
    f->s.taken_at_us = f->o.issued_at_us + 48 * HOUR;
    f->now = f->s.taken_at_us + HOUR;
}

static void absent_second_past_grace(struct fx *f)
{
    absent_at_grace_end(f);
    f->s.taken_at_us += SEC;
}

static void absent_snapshot_at_max_age(struct fx *f)
{
    memset(&f->p, 0, sizeof f->p);
    f->now = test_at("2026-11-30T10:00:00Z");
    f->s.taken_at_us = f->now - 26 * HOUR;
}

static void absent_snapshot_second_stale(struct fx *f)
{
    absent_snapshot_at_max_age(f);
    f->s.taken_at_us -= SEC;
}

static void absent_no_snapshot(struct fx *f)
{
    absent_snapshot_at_max_age(f);
    f->s = (struct rf_recon_snapshot){.present = false};
}

static void failed_with_stale_snapshot(struct fx *f)
{
    failed(f);
    f->s.taken_at_us = f->now - 30 * 24 * HOUR;
}

static void unrecognised_status(struct fx *f)
{
    f->p.status = RF_RECON_UNKNOWN;
}

static void unknown_with_duplicate(struct fx *f)
{
    absent_no_snapshot(f);
    f->o.case_issued_total_minor = 2 * f->o.case_approved_minor;
}

static void unknown_with_case_currency_mismatch(struct fx *f)
{
    absent_no_snapshot(f);
    f->o.case_currency = "GBP";
}

static void unknown_but_confirmed(struct fx *f)
{
    absent_no_snapshot(f);
    confirmed(f);
}

static void absent_within_grace_but_confirmed(struct fx *f)
{
    absent_at_grace_end(f);
    confirmed(f);
}

/* Issued on Friday, succeeded on Saturday 10:00. */
static void weekend_success(struct fx *f)
{
    f->o.issued_at_us = test_at("2026-11-20T09:00:00Z");
    f->p.succeeded_at_us = test_at("2026-11-21T10:00:00Z");
}

static void unknown_method(struct fx *f)
{
    f->o.payment_method = "cheque";
    f->p.destination_type = "";
}

static void no_succeeded_at(struct fx *f)
{
    f->p.succeeded_at_us = 0;
    f->p.updated_at_us = f->o.issued_at_us + HOUR;
}

static void provider_without_currency(struct fx *f)
{
    f->p.currency = "";
}

static const struct row {
    const char *name;
    void (*setup)(struct fx *); /* NULL: the base refund as it is */
    const char *now;            /* NULL: the base's (2026-11-25T10:00:00Z) or the setup's */
    bool known;
    enum rf_recon_status observed;
    uint32_t decided;
    uint32_t present;
    uint32_t follow_up; /* present kinds whose follow-up is due */
    bool money_confirmed;
    const char *next; /* "final", "+15m", "+1h", "+6h", "+24h" (from now) or an instant */
} rows[] = {
    /* The arrival window: card, 5-10 business days from success, ends 2026-12-07T11:00. */
    {"succeeded inside the window", NULL, NULL, true, RF_RECON_SUCCEEDED, ALL, 0, 0, false,
     "2026-12-07T11:00:01Z"},
    {"exactly at the window's end", NULL, "2026-12-07T11:00:00Z", true, RF_RECON_SUCCEEDED, ALL, 0,
     0, false, "2026-12-07T11:00:01Z"},
    {"a second past the window", NULL, "2026-12-07T11:00:01Z", true, RF_RECON_SUCCEEDED, ALL,
     B(OVERDUE_AT_CUSTOMER), B(OVERDUE_AT_CUSTOMER), false, "+24h"},
    {"receipt confirmed past the window", confirmed, "2026-12-07T11:00:01Z", true,
     RF_RECON_SUCCEEDED, ALL, 0, 0, true, "final"},
    {"weekend success, at the end", weekend_success, "2026-12-07T00:00:00Z", true,
     RF_RECON_SUCCEEDED, ALL, 0, 0, false, "2026-12-07T00:00:01Z"},
    {"weekend success, a second past", weekend_success, "2026-12-07T00:00:01Z", true,
     RF_RECON_SUCCEEDED, ALL, B(OVERDUE_AT_CUSTOMER), B(OVERDUE_AT_CUSTOMER), false, "+24h"},
    {"unknown payment method", unknown_method, "2026-12-07T11:00:01Z", true, RF_RECON_SUCCEEDED,
     ALL, B(OVERDUE_AT_CUSTOMER), B(OVERDUE_AT_CUSTOMER), false, "+24h"},
    {"no succeeded_at", no_succeeded_at, "2026-12-07T11:00:01Z", true, RF_RECON_SUCCEEDED, ALL,
     B(OVERDUE_AT_CUSTOMER), B(OVERDUE_AT_CUSTOMER), false, "+24h"},
    /* The reference: due 3 business days after success, 2026-11-26T11:00. */
    {"reference not due yet", awaiting_reference, "2026-11-24T11:00:00Z", true, RF_RECON_SUCCEEDED,
     ALL, 0, 0, false, "+6h"},
    {"reference due exactly now", awaiting_reference, "2026-11-26T11:00:00Z", true,
     RF_RECON_SUCCEEDED, ALL, 0, 0, false, "2026-11-26T11:00:01Z"},
    {"reference a second late", awaiting_reference, "2026-11-26T11:00:01Z", true,
     RF_RECON_SUCCEEDED, ALL, B(NO_TRACE_REFERENCE), 0, false, "+24h"},
    {"receipt confirmed, reference awaited", confirmed_awaiting_reference, "2026-11-26T11:00:01Z",
     true, RF_RECON_SUCCEEDED, ALL, 0, 0, true, "final"},
    {"card reversal without reference", reversal_without_reference, "2026-11-26T11:00:01Z", true,
     RF_RECON_SUCCEEDED, ALL, 0, 0, false, "2026-12-07T11:00:01Z"},
    {"format without references", format_without_references, "2026-11-26T11:00:01Z", true,
     RF_RECON_SUCCEEDED, ALL, 0, 0, false, "2026-12-07T11:00:01Z"},
    {"paypal without reference", paypal_without_reference, "2026-11-24T11:00:00Z", true,
     RF_RECON_SUCCEEDED, ALL, 0, 0, false, "2026-11-26T11:00:01Z"},
    /* Failures. */
    {"failed", failed, NULL, true, RF_RECON_FAILED, ALL, B(FAILED), B(FAILED), false, "+24h"},
    {"canceled", canceled, NULL, true, RF_RECON_CANCELED, ALL, B(FAILED), B(FAILED), false, "+24h"},
    {"failed after success", failed_after_success, NULL, true, RF_RECON_FAILED, ALL, B(REVERSED),
     B(REVERSED), false, "+24h"},
    {"reversed", reversed, NULL, true, RF_RECON_REVERSED, ALL, B(REVERSED), B(REVERSED), false,
     "+24h"},
    {"failed, snapshot stale", failed_with_stale_snapshot, NULL, true, RF_RECON_FAILED, ALL,
     B(FAILED), B(FAILED), false, "+24h"},
    /* Pending: stuck 3 business days after issue (2026-11-26T10:00), follow-up after 5. */
    {"pending, early", pending, "2026-11-23T11:00:00Z", true, RF_RECON_PENDING, ALL, 0, 0, false,
     "+1h"},
    {"pending exactly at the stuck end", pending, "2026-11-26T10:00:00Z", true, RF_RECON_PENDING,
     ALL, 0, 0, false, "2026-11-26T10:00:01Z"},
    {"pending a second past it", pending, "2026-11-26T10:00:01Z", true, RF_RECON_PENDING, ALL,
     B(STUCK_PENDING), 0, false, "+24h"},
    {"stuck exactly at the follow-up end", pending, "2026-11-30T10:00:00Z", true, RF_RECON_PENDING,
     ALL, B(STUCK_PENDING), 0, false, "2026-11-30T10:00:01Z"},
    {"stuck a second past it", pending_insufficient_funds, "2026-11-30T10:00:01Z", true,
     RF_RECON_PENDING, ALL, B(STUCK_PENDING), B(STUCK_PENDING), false, "+24h"},
    {"requires action", requires_action, NULL, true, RF_RECON_REQUIRES_ACTION, ALL,
     B(REQUIRES_CUSTOMER_ACTION), B(REQUIRES_CUSTOMER_ACTION), false, "+24h"},
    {"not cleared", not_cleared, NULL, true, RF_RECON_NOT_CLEARED, ALL, B(NOT_CLEARED), 0, false,
     "+24h"},
    /* Our books against the provider's. */
    {"amount mismatch in JPY", amount_mismatch_jpy, NULL, true, RF_RECON_SUCCEEDED, ALL,
     B(AMOUNT_MISMATCH), B(AMOUNT_MISMATCH), false, "+24h"},
    {"provider currency differs", currency_mismatch_at_provider, NULL, true, RF_RECON_SUCCEEDED,
     ALL, B(CURRENCY_MISMATCH), B(CURRENCY_MISMATCH), false, "+24h"},
    {"case currency differs", currency_mismatch_with_case, NULL, true, RF_RECON_SUCCEEDED,
     ALL & ~B(DUPLICATE_REFUND), B(CURRENCY_MISMATCH), B(CURRENCY_MISMATCH), false, "+24h"},
    {"duplicate in KWD", duplicate_kwd, NULL, true, RF_RECON_SUCCEEDED, ALL, B(DUPLICATE_REFUND),
     B(DUPLICATE_REFUND), false, "+24h"},
    {"issued total equal to approved", total_equal_to_approved, NULL, true, RF_RECON_SUCCEEDED, ALL,
     0, 0, false, "2026-12-07T11:00:01Z"},
    {"provider gives no currency", provider_without_currency, NULL, true, RF_RECON_SUCCEEDED,
     ALL & ~(B(AMOUNT_MISMATCH) | B(CURRENCY_MISMATCH)), 0, 0, false, "2026-12-07T11:00:01Z"},
    /* No record: the grace period (48 h to the data's taken_at) and the snapshot's age (26 h). */
    {"absent, data taken at the grace end", absent_at_grace_end, NULL, true, RF_RECON_NOT_FOUND,
     B(NOT_FOUND_AT_PROVIDER) | B(DUPLICATE_REFUND), 0, 0, false, "+1h"},
    {"absent, data taken a second later", absent_second_past_grace, NULL, true, RF_RECON_NOT_FOUND,
     B(NOT_FOUND_AT_PROVIDER) | B(DUPLICATE_REFUND), B(NOT_FOUND_AT_PROVIDER), 0, false, "+24h"},
    {"absent, snapshot exactly at max age", absent_snapshot_at_max_age, NULL, true,
     RF_RECON_NOT_FOUND, B(NOT_FOUND_AT_PROVIDER) | B(DUPLICATE_REFUND), B(NOT_FOUND_AT_PROVIDER),
     0, false, "+24h"},
    {"absent, snapshot a second stale", absent_snapshot_second_stale, NULL, false, RF_RECON_UNKNOWN,
     B(DUPLICATE_REFUND), 0, 0, false, "+15m"},
    {"absent, no snapshot", absent_no_snapshot, NULL, false, RF_RECON_UNKNOWN, B(DUPLICATE_REFUND),
     0, 0, false, "+15m"},
    {"record with an unrecognised status", unrecognised_status, NULL, false, RF_RECON_UNKNOWN,
     B(DUPLICATE_REFUND), 0, 0, false, "+15m"},
    {"unknown, duplicate", unknown_with_duplicate, NULL, false, RF_RECON_UNKNOWN,
     B(DUPLICATE_REFUND), B(DUPLICATE_REFUND), B(DUPLICATE_REFUND), false, "+15m"},
    {"unknown, case currency differs", unknown_with_case_currency_mismatch, NULL, false,
     RF_RECON_UNKNOWN, B(CURRENCY_MISMATCH), B(CURRENCY_MISMATCH), B(CURRENCY_MISMATCH), false,
     "+15m"},
    {"unknown, receipt confirmed", unknown_but_confirmed, NULL, false, RF_RECON_UNKNOWN,
     B(DUPLICATE_REFUND) | B(NO_TRACE_REFERENCE) | B(OVERDUE_AT_CUSTOMER), 0, 0, true, "+15m"},
    {"absent within grace, receipt confirmed", absent_within_grace_but_confirmed, NULL, true,
     RF_RECON_NOT_FOUND,
     B(NOT_FOUND_AT_PROVIDER) | B(DUPLICATE_REFUND) | B(NO_TRACE_REFERENCE) |
         B(OVERDUE_AT_CUSTOMER),
     0, 0, true, "+1h"},
};

/* Builds row r's scenario in f. */
static void prepare(const struct row *r, struct fx *f)
{
    base(f);
    if (r->now != NULL)
        now_is(f, test_at(r->now));
    if (r->setup != NULL)
        r->setup(f);
}

/* The next check row r expects, given the scenario's now. */
static int64_t expected_next(const struct row *r, int64_t now)
{
    static const struct {
        const char *spec;
        int64_t after;
    } relative[] = {{"+15m", 15 * 60 * SEC}, {"+1h", HOUR}, {"+6h", 6 * HOUR}, {"+24h", 24 * HOUR}};

    if (strcmp(r->next, "final") == 0)
        return 0;
    for (size_t i = 0; i < sizeof relative / sizeof relative[0]; i++) {
        if (strcmp(r->next, relative[i].spec) == 0)
            return now + relative[i].after;
    }
    return test_at(r->next);
}

static struct rf_arena *arena;

static void setup_arena(void)
{
    arena = rf_arena_create(0);
}

static void teardown_arena(void)
{
    rf_arena_destroy(arena);
}

TestSuite(classify, .init = setup_arena, .fini = teardown_arena);

static void run(const struct fx *f, struct rf_recon_verdict *v)
{
    rf_recon_classify(arena, &f->o, &f->p, &f->s, &f->cfg, f->now, v);
}

/* Runs the row named name (a test's scenario by its table name). */
static void run_row(const char *name, struct fx *f, struct rf_recon_verdict *v)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (strcmp(rows[i].name, name) == 0) {
            prepare(&rows[i], f);
            run(f, v);
            return;
        }
    }
    cr_assert_fail("no row \"%s\"", name);
}

static const char *evidence(const struct rf_recon_finding *f, const char *key)
{
    for (int i = 0; i < f->n_evidence; i++) {
        if (strcmp(f->evidence[i].key, key) == 0)
            return f->evidence[i].value;
    }
    return NULL;
}

static void expect_evidence(const struct rf_recon_finding *f, const char *key, const char *want)
{
    const char *got = evidence(f, key);

    cr_assert_not_null(got, "%s: no evidence \"%s\"", rf_finding_kind_name(f->kind), key);
    cr_assert_str_eq(got, want, "%s: %s", rf_finding_kind_name(f->kind), key);
}

static void expect_contains(const char *text_, const char *part)
{
    cr_assert_not_null(text_);
    cr_assert(strstr(text_, part) != NULL, "\"%s\" does not contain \"%s\"", text_, part);
}

Test(classify, every_row_of_the_table_gives_its_verdict)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct rf_recon_verdict v;
        struct fx f;
        uint32_t follow = 0;
        int64_t want_next;

        prepare(r, &f);
        run(&f, &v);
        want_next = expected_next(r, f.now);
        cr_assert_eq(v.known, r->known, "%s: known", r->name);
        cr_assert_eq(v.observed, r->observed, "%s: observed %s", r->name,
                     rf_recon_status_name(v.observed));
        cr_assert_eq(v.decided, r->decided, "%s: decided %#x, not %#x", r->name, v.decided,
                     r->decided);
        cr_assert_eq(v.present, r->present, "%s: present %#x, not %#x", r->name, v.present,
                     r->present);
        for (int k = 0; k < RF_FINDING_KINDS; k++) {
            if ((v.present & RF_FINDING_BIT(k)) && v.finding[k].follow_up)
                follow |= RF_FINDING_BIT(k);
        }
        cr_assert_eq(follow, r->follow_up, "%s: follow-ups %#x, not %#x", r->name, follow,
                     r->follow_up);
        cr_assert_eq(v.money_confirmed, r->money_confirmed, "%s: money_confirmed", r->name);
        cr_assert_eq(v.next_check_at_us, want_next, "%s: next check %s, not %s", r->name,
                     v.next_check_at_us == 0 ? "final" : test_text(v.next_check_at_us),
                     want_next == 0 ? "final" : test_text(want_next));
    }
}

Test(classify, verdicts_keep_the_store_contract_in_every_row)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct rf_recon_verdict v;
        struct fx f;

        prepare(&rows[i], &f);
        run(&f, &v);
        cr_assert_eq(v.present & ~v.decided, 0, "%s: present outside decided", rows[i].name);
        cr_assert_eq(v.decided & B(ORPHAN_AT_PROVIDER), 0, "%s", rows[i].name);
        if (!v.known) {
            /* No finding may be closed, nor found, for lack of provider data. */
            cr_assert_eq(v.decided & ~OURS, 0, "%s: decided %#x without provider data",
                         rows[i].name, v.decided);
            cr_assert_neq(v.next_check_at_us, 0, "%s: unknown data cannot be final", rows[i].name);
        }
        if (v.next_check_at_us == 0)
            cr_assert_eq(v.decided, ALL, "%s: final with kinds left undecided", rows[i].name);
        else
            cr_assert_gt(v.next_check_at_us, f.now, "%s: next check not ahead", rows[i].name);
        for (int k = 0; k < RF_FINDING_KINDS; k++) {
            uint32_t bit = RF_FINDING_BIT(k);
            const struct rf_recon_finding *fd = &v.finding[k];

            if ((v.decided & bit) && !(v.present & bit)) {
                cr_assert_not_null(v.close_reason[k], "%s: %s closed without a reason",
                                   rows[i].name, rf_finding_kind_name(k));
                cr_assert_gt(strlen(v.close_reason[k]), 0);
            } else {
                cr_assert_null(v.close_reason[k], "%s: %s has a close reason", rows[i].name,
                               rf_finding_kind_name(k));
            }
            if (!(v.present & bit))
                continue;
            cr_assert_eq((int)fd->kind, k, "%s", rows[i].name);
            cr_assert_not_null(fd->action, "%s: %s has no action", rows[i].name,
                               rf_finding_kind_name(k));
            cr_assert_gt(strlen(fd->action), 40, "%s: %s", rows[i].name, fd->action);
            cr_assert_geq(fd->n_evidence, 3, "%s: %s", rows[i].name, rf_finding_kind_name(k));
            expect_evidence(fd, "provider", "stripe");
            expect_evidence(fd, "provider_refund_id", "re_1");
            cr_assert_eq(fd->follow_up, fd->audience != RF_AUDIENCE_NONE, "%s: %s", rows[i].name,
                         rf_finding_kind_name(k));
        }
    }
}

Test(classify, a_failed_refund_says_what_to_tell_the_customer)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_FAILED];

    run_row("failed", &f, &v);
    cr_assert_str_eq(fd->action,
                     "Tell the customer the refund failed (reason: expired_or_canceled_card); ask "
                     "for another way to pay them back and reissue it.");
    expect_evidence(fd, "provider_status", "failed");
    expect_evidence(fd, "failure_reason", "expired_or_canceled_card");
    expect_evidence(fd, "provider_amount", "EUR 19.99");
    cr_assert_eq(fd->audience, RF_AUDIENCE_CUSTOMER_AGENT);
    /* Nothing to show the customer's bank. */
    cr_assert_null(v.reference);
    cr_assert_eq(v.window_to_us, 0);
}

Test(classify, a_canceled_refund_without_a_reason_says_so)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("canceled", &f, &v);
    expect_contains(v.finding[RF_FINDING_FAILED].action, "the refund was canceled");
    expect_contains(v.finding[RF_FINDING_FAILED].action, "reason: not given by the provider");
    expect_evidence(&v.finding[RF_FINDING_FAILED], "provider_status", "canceled");
    cr_assert_null(evidence(&v.finding[RF_FINDING_FAILED], "failure_reason"),
                   "an empty reason is left out");
}

Test(classify, a_failure_after_success_is_a_reversal_not_a_failure)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("failed after success", &f, &v);
    expect_evidence(&v.finding[RF_FINDING_REVERSED], "succeeded_at", "2026-11-23T11:00:00Z");
    expect_evidence(&v.finding[RF_FINDING_REVERSED], "provider_status", "failed");
    cr_assert_str_eq(v.close_reason[RF_FINDING_FAILED], "the provider now reports failed");
}

Test(classify, mismatch_evidence_uses_zero_decimals_for_jpy)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_AMOUNT_MISMATCH];

    run_row("amount mismatch in JPY", &f, &v);
    expect_evidence(fd, "our_amount", "JPY 1000");
    expect_evidence(fd, "provider_amount", "JPY 800");
    expect_evidence(fd, "difference", "JPY 200");
    expect_contains(fd->action, "Stripe refunded JPY 800 but we recorded JPY 1000 (JPY 200 less)");
    cr_assert_eq(fd->audience, RF_AUDIENCE_FINANCE);
    cr_assert_str_eq(v.close_reason[RF_FINDING_CURRENCY_MISMATCH], "the currencies now agree");
}

Test(classify, mismatch_evidence_uses_three_decimals_for_kwd)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_CURRENCY_MISMATCH];

    run_row("provider currency differs", &f, &v);
    expect_evidence(fd, "our_amount", "KWD 1.500");
    expect_evidence(fd, "provider_amount", "USD 15.00");
    expect_evidence(fd, "case_currency", "KWD");
    expect_contains(fd->action, "Stripe refunded USD 15.00 but we recorded KWD 1.500.");
    cr_assert_eq(fd->audience, RF_AUDIENCE_FINANCE);
    /* The amounts are not compared across currencies. */
    expect_contains(v.close_reason[RF_FINDING_AMOUNT_MISMATCH], "currencies differ");
}

Test(classify, a_case_in_another_currency_is_a_currency_mismatch_of_our_books)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("case currency differs", &f, &v);
    expect_contains(v.finding[RF_FINDING_CURRENCY_MISMATCH].action,
                    "The refund is in EUR but the case was approved in USD.");
    /* The case's totals are in USD: this EUR refund cannot be judged against them. */
    cr_assert_null(v.close_reason[RF_FINDING_DUPLICATE_REFUND]);
}

Test(classify, both_currency_mismatches_are_reported_in_one_finding)
{
    struct rf_recon_verdict v;
    struct fx f;

    base(&f);
    f.o.case_currency = "USD";
    f.p.currency = "gbp";
    run(&f, &v);
    cr_assert(v.present & B(CURRENCY_MISMATCH));
    expect_contains(v.finding[RF_FINDING_CURRENCY_MISMATCH].action,
                    "The refund is in EUR but the case was approved in USD, and Stripe refunded "
                    "in GBP.");
    expect_evidence(&v.finding[RF_FINDING_CURRENCY_MISMATCH], "provider_amount", "GBP 19.99");
}

Test(classify, duplicate_evidence_uses_three_decimals_for_kwd)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_DUPLICATE_REFUND];

    run_row("duplicate in KWD", &f, &v);
    expect_evidence(fd, "case_approved", "KWD 1.500");
    expect_evidence(fd, "case_issued_total", "KWD 3.000");
    expect_evidence(fd, "excess", "KWD 1.500");
    expect_evidence(fd, "this_refund", "KWD 1.500");
    expect_contains(fd->action, "total KWD 3.000, KWD 1.500 more than the KWD 1.500 approved");
    cr_assert_eq(fd->audience, RF_AUDIENCE_FINANCE);
    cr_assert(fd->follow_up);
}

Test(classify, duplicate_evidence_uses_zero_decimals_for_jpy)
{
    struct rf_recon_verdict v;
    struct fx f;

    base(&f);
    amount_mismatch_jpy(&f);
    f.p.amount_minor = 1000;
    f.o.case_issued_total_minor = 2500;
    run(&f, &v);
    cr_assert_eq(v.present, B(DUPLICATE_REFUND));
    expect_evidence(&v.finding[RF_FINDING_DUPLICATE_REFUND], "excess", "JPY 1500");
    expect_evidence(&v.finding[RF_FINDING_DUPLICATE_REFUND], "case_issued_total", "JPY 2500");
}

Test(classify, a_duplicate_is_found_even_when_the_provider_data_is_unknown)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("unknown, duplicate", &f, &v);
    cr_assert_not(v.known);
    expect_evidence(&v.finding[RF_FINDING_DUPLICATE_REFUND], "excess", "EUR 19.99");
    cr_assert_eq(v.next_check_at_us, f.now + 15 * 60 * SEC);
}

Test(classify, a_reversal_never_gets_a_reference_and_is_not_a_finding)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("card reversal without reference", &f, &v);
    cr_assert_eq(v.present & B(NO_TRACE_REFERENCE), 0);
    expect_contains(v.close_reason[RF_FINDING_NO_TRACE_REFERENCE], "reversal");
    cr_assert_null(v.reference);
}

Test(classify, a_missing_reference_past_its_window_asks_the_provider_for_it)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_NO_TRACE_REFERENCE];

    run_row("reference a second late", &f, &v);
    expect_evidence(fd, "reference_status", "pending");
    expect_evidence(fd, "reference_due_at", "2026-11-26T11:00:00Z");
    expect_evidence(fd, "succeeded_at", "2026-11-23T11:00:00Z");
    expect_contains(fd->action, "no bank reference (ARN) 3 business days later");
    cr_assert_not(fd->follow_up);
    cr_assert_eq(fd->audience, RF_AUDIENCE_NONE);
}

Test(classify, close_reasons_say_why_each_kind_no_longer_holds)
{
    static const struct {
        const char *row;
        enum rf_finding_kind kind;
        const char *reason;
    } want[] = {
        {"succeeded inside the window", RF_FINDING_FAILED, "the provider now reports succeeded"},
        {"succeeded inside the window", RF_FINDING_STUCK_PENDING,
         "the provider now reports succeeded"},
        {"succeeded inside the window", RF_FINDING_NO_TRACE_REFERENCE, "the reference arrived"},
        {"succeeded inside the window", RF_FINDING_OVERDUE_AT_CUSTOMER,
         "the arrival window is not over"},
        {"succeeded inside the window", RF_FINDING_NOT_FOUND_AT_PROVIDER,
         "the provider now has the record"},
        {"succeeded inside the window", RF_FINDING_AMOUNT_MISMATCH, "the amounts agree"},
        {"succeeded inside the window", RF_FINDING_DUPLICATE_REFUND,
         "the case's refunds no longer exceed the approved amount"},
        {"receipt confirmed past the window", RF_FINDING_OVERDUE_AT_CUSTOMER,
         "the customer confirmed receipt"},
        {"receipt confirmed, reference awaited", RF_FINDING_NO_TRACE_REFERENCE,
         "the customer confirmed receipt"},
        {"unknown, receipt confirmed", RF_FINDING_OVERDUE_AT_CUSTOMER,
         "the customer confirmed receipt"},
        {"reference due exactly now", RF_FINDING_NO_TRACE_REFERENCE,
         "the reference is not due yet"},
        {"format without references", RF_FINDING_NO_TRACE_REFERENCE,
         "the provider's records carry no references"},
        {"paypal without reference", RF_FINDING_NO_TRACE_REFERENCE, "not a card refund"},
        {"failed", RF_FINDING_STUCK_PENDING, "the provider now reports failed"},
        {"failed", RF_FINDING_OVERDUE_AT_CUSTOMER, "the provider now reports failed"},
        {"reversed", RF_FINDING_FAILED, "the provider now reports reversed"},
        {"pending, early", RF_FINDING_STUCK_PENDING,
         "pending for no more than 3 business days since issue"},
        {"pending, early", RF_FINDING_REQUIRES_CUSTOMER_ACTION, "the provider now reports pending"},
        {"requires action", RF_FINDING_NOT_CLEARED, "the provider now reports requires_action"},
        {"absent, data taken at the grace end", RF_FINDING_NOT_FOUND_AT_PROVIDER,
         "the provider's data predates the end of the grace period"},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct rf_recon_verdict v;
        struct fx f;

        run_row(want[i].row, &f, &v);
        cr_assert_not_null(v.close_reason[want[i].kind], "%s: %s not closed", want[i].row,
                           rf_finding_kind_name(want[i].kind));
        cr_assert_str_eq(v.close_reason[want[i].kind], want[i].reason, "%s: %s", want[i].row,
                         rf_finding_kind_name(want[i].kind));
    }
}

Test(classify, follow_ups_go_to_the_agent_or_to_finance)
{
    static const struct {
        const char *row;
        enum rf_finding_kind kind;
        enum rf_recon_audience audience;
    } want[] = {
        {"failed", RF_FINDING_FAILED, RF_AUDIENCE_CUSTOMER_AGENT},
        {"reversed", RF_FINDING_REVERSED, RF_AUDIENCE_CUSTOMER_AGENT},
        {"requires action", RF_FINDING_REQUIRES_CUSTOMER_ACTION, RF_AUDIENCE_CUSTOMER_AGENT},
        {"a second past the window", RF_FINDING_OVERDUE_AT_CUSTOMER, RF_AUDIENCE_CUSTOMER_AGENT},
        {"stuck a second past it", RF_FINDING_STUCK_PENDING, RF_AUDIENCE_CUSTOMER_AGENT},
        {"stuck exactly at the follow-up end", RF_FINDING_STUCK_PENDING, RF_AUDIENCE_NONE},
        {"pending a second past it", RF_FINDING_STUCK_PENDING, RF_AUDIENCE_NONE},
        {"amount mismatch in JPY", RF_FINDING_AMOUNT_MISMATCH, RF_AUDIENCE_FINANCE},
        {"provider currency differs", RF_FINDING_CURRENCY_MISMATCH, RF_AUDIENCE_FINANCE},
        {"duplicate in KWD", RF_FINDING_DUPLICATE_REFUND, RF_AUDIENCE_FINANCE},
        {"absent, data taken a second later", RF_FINDING_NOT_FOUND_AT_PROVIDER, RF_AUDIENCE_NONE},
        {"not cleared", RF_FINDING_NOT_CLEARED, RF_AUDIENCE_NONE},
        {"reference a second late", RF_FINDING_NO_TRACE_REFERENCE, RF_AUDIENCE_NONE},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct rf_recon_verdict v;
        struct fx f;

        run_row(want[i].row, &f, &v);
        cr_assert(v.present & RF_FINDING_BIT(want[i].kind), "%s", want[i].row);
        cr_assert_eq(v.finding[want[i].kind].audience, want[i].audience, "%s: %s", want[i].row,
                     rf_recon_audience_name(v.finding[want[i].kind].audience));
    }
}

Test(classify, a_stuck_refund_waits_for_the_follow_up_before_telling_the_customer)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("stuck exactly at the follow-up end", &f, &v);
    cr_assert(strstr(v.finding[RF_FINDING_STUCK_PENDING].action, "Tell the customer") == NULL);
    expect_evidence(&v.finding[RF_FINDING_STUCK_PENDING], "business_days_pending", "5");
    run_row("stuck a second past it", &f, &v);
    expect_contains(v.finding[RF_FINDING_STUCK_PENDING].action, "Tell the customer");
    expect_contains(v.finding[RF_FINDING_STUCK_PENDING].action, "top up the balance");
    expect_evidence(&v.finding[RF_FINDING_STUCK_PENDING], "pending_reason", "insufficient_funds");
}

Test(classify, not_found_evidence_names_the_snapshot_and_the_grace)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_NOT_FOUND_AT_PROVIDER];

    run_row("absent, data taken a second later", &f, &v);
    expect_evidence(fd, "issued_at", "2026-11-23T10:00:00Z");
    expect_evidence(fd, "snapshot_taken_at", "2026-11-25T10:00:01Z");
    expect_evidence(fd, "grace_hours", "48");
    expect_evidence(fd, "our_amount", "EUR 19.99");
    expect_contains(fd->action, "Stripe has no record of refund re_1 (EUR 19.99)");
}

Test(classify, overdue_gives_the_reference_to_pass_to_the_bank)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_OVERDUE_AT_CUSTOMER];

    run_row("a second past the window", &f, &v);
    expect_evidence(fd, "reference", "74123456789012345678901");
    expect_evidence(fd, "window_ends_at", "2026-12-07T11:00:00Z");
    expect_evidence(fd, "arrival_window", "5-10 business days");
    expect_contains(fd->action,
                    "give them the reference 74123456789012345678901 (acquirer_reference_number)");
    cr_assert_str_eq(v.reference, "74123456789012345678901");
    cr_assert_str_eq(v.reference_type, "acquirer_reference_number");
}

Test(classify, the_verdict_does_not_point_into_its_inputs)
{
    char reference[] = "74123456789012345678901", reason[] = "lost_or_stolen_card";
    struct rf_recon_verdict v;
    struct fx f;

    base(&f);
    f.p.reference = reference;
    run(&f, &v);
    memset(reference, 'x', sizeof reference - 1);
    cr_assert_str_eq(v.reference, "74123456789012345678901");
    reversed(&f);
    f.p.failure_reason = reason;
    run(&f, &v);
    memset(reason, 'x', sizeof reason - 1);
    expect_evidence(&v.finding[RF_FINDING_REVERSED], "failure_reason", "lost_or_stolen_card");
}

Test(classify, overdue_without_a_reference_asks_the_provider_for_one)
{
    struct rf_recon_verdict v;
    struct fx f;

    base(&f);
    awaiting_reference(&f);
    now_is(&f, test_at("2026-12-07T11:00:01Z"));
    run(&f, &v);
    cr_assert_eq(v.present, B(OVERDUE_AT_CUSTOMER) | B(NO_TRACE_REFERENCE));
    expect_contains(v.finding[RF_FINDING_OVERDUE_AT_CUSTOMER].action,
                    "ask stripe for the bank reference");
    cr_assert_null(v.reference);
}

Test(classify, an_unknown_payment_method_uses_the_window_of_other)
{
    struct rf_recon_verdict v;
    struct fx f;
    const struct rf_recon_finding *fd = &v.finding[RF_FINDING_OVERDUE_AT_CUSTOMER];

    run_row("unknown payment method", &f, &v);
    expect_evidence(fd, "arrival_method", "other");
    expect_evidence(fd, "payment_method", "cheque");
    cr_assert_str_eq(test_text(v.window_to_us), "2026-12-07T11:00:00Z");
    /* Not a card: no reference is expected. */
    cr_assert_str_eq(v.close_reason[RF_FINDING_NO_TRACE_REFERENCE], "not a card refund");
}

Test(classify, the_window_is_reported_and_follows_the_configured_table)
{
    struct rf_arrival_table t;
    struct rf_recon_verdict v;
    struct rf_error err;
    struct fx f;

    base(&f);
    run(&f, &v);
    cr_assert_str_eq(test_text(v.window_from_us), "2026-11-30T11:00:00Z");
    cr_assert_str_eq(test_text(v.window_to_us), "2026-12-07T11:00:00Z");
    rf_arrival_table_init(&t);
    cr_assert_eq(rf_arrival_table_parse(&t, "card=1-1", &err), RF_OK);
    f.cfg.arrival = &t;
    now_is(&f, test_at("2026-11-24T11:00:01Z"));
    run(&f, &v);
    cr_assert_str_eq(test_text(v.window_to_us), "2026-11-24T11:00:00Z");
    cr_assert_eq(v.present, B(OVERDUE_AT_CUSTOMER));
}

Test(classify, a_weekend_success_counts_its_window_from_monday)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("weekend success, at the end", &f, &v);
    cr_assert_str_eq(test_text(v.window_from_us), "2026-11-30T00:00:00Z");
    cr_assert_str_eq(test_text(v.window_to_us), "2026-12-07T00:00:00Z");
}

Test(classify, a_success_without_its_time_takes_the_last_update)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("no succeeded_at", &f, &v);
    cr_assert_str_eq(test_text(v.window_to_us), "2026-12-07T11:00:00Z");
    expect_evidence(&v.finding[RF_FINDING_OVERDUE_AT_CUSTOMER], "succeeded_at",
                    "2026-11-23T11:00:00Z");
}

Test(classify, unknown_data_closes_nothing_even_where_findings_would_be_closed)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("absent, snapshot a second stale", &f, &v);
    cr_assert_not(v.known);
    cr_assert_eq(v.observed, RF_RECON_UNKNOWN);
    for (int k = 0; k < RF_FINDING_KINDS; k++) {
        if (k != RF_FINDING_DUPLICATE_REFUND)
            cr_assert_null(v.close_reason[k], "%s closed", rf_finding_kind_name(k));
    }
    cr_assert_null(v.reference);
}

Test(classify, money_is_confirmed_by_receipt_even_with_findings_open)
{
    struct rf_recon_verdict v;
    struct fx f;

    base(&f);
    duplicate_kwd(&f);
    f.o.receipt_confirmed = true;
    run(&f, &v);
    cr_assert(v.money_confirmed);
    cr_assert_eq(v.present, B(DUPLICATE_REFUND));
    /* A present finding keeps the refund under watch, daily. */
    cr_assert_eq(v.next_check_at_us, f.now + 24 * HOUR);
}

Test(classify, recheck_intervals_follow_the_configuration)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("pending, early", &f, &v);
    f.cfg.recheck_pending_us = 5 * 60 * SEC;
    run(&f, &v);
    cr_assert_eq(v.next_check_at_us, f.now + 5 * 60 * SEC);
    run_row("absent, no snapshot", &f, &v);
    f.cfg.recheck_unknown_us = 30 * SEC;
    run(&f, &v);
    cr_assert_eq(v.next_check_at_us, f.now + 30 * SEC);
    run_row("failed", &f, &v);
    f.cfg.recheck_finding_us = 2 * HOUR;
    run(&f, &v);
    cr_assert_eq(v.next_check_at_us, f.now + 2 * HOUR);
    run_row("reference not due yet", &f, &v);
    f.cfg.recheck_reference_us = HOUR;
    run(&f, &v);
    cr_assert_eq(v.next_check_at_us, f.now + HOUR);
}

Test(classify, a_daily_check_is_pulled_in_before_a_window_ends)
{
    struct rf_recon_verdict v;
    struct fx f;

    /* NO_TRACE is present; the arrival window ends sooner than a day from now. */
    base(&f);
    awaiting_reference(&f);
    now_is(&f, test_at("2026-12-07T01:00:00Z"));
    run(&f, &v);
    cr_assert_eq(v.present, B(NO_TRACE_REFERENCE));
    cr_assert_str_eq(test_text(v.next_check_at_us), "2026-12-07T11:00:01Z");
}

Test(classify, windows_follow_the_configuration)
{
    struct rf_recon_verdict v;
    struct fx f;

    run_row("pending, early", &f, &v);
    f.cfg.stuck_pending_business_days = 0;
    f.cfg.stuck_follow_up_business_days = 0;
    run(&f, &v);
    cr_assert_eq(v.present, B(STUCK_PENDING));
    cr_assert(v.finding[RF_FINDING_STUCK_PENDING].follow_up);
    run_row("absent, data taken at the grace end", &f, &v);
    f.cfg.not_found_grace_us = 47 * HOUR;
    run(&f, &v);
    cr_assert_eq(v.present, B(NOT_FOUND_AT_PROVIDER));
    run_row("absent, snapshot a second stale", &f, &v);
    f.cfg.max_snapshot_age_us = 27 * HOUR;
    run(&f, &v);
    cr_assert(v.known);
    run_row("reference not due yet", &f, &v);
    f.cfg.reference_business_days = 0;
    run(&f, &v);
    cr_assert_eq(v.present, B(NO_TRACE_REFERENCE));
}

Test(classify, null_strings_read_as_empty)
{
    struct rf_recon_ours o = {.amount_minor = 100, .currency = "EUR", .issued_at_us = 0};
    struct rf_recon_provider p = {.present = true, .status = RF_RECON_FAILED, .amount_minor = 100};
    struct rf_recon_snapshot s = {.present = true, .taken_at_us = 0};
    struct rf_recon_config cfg;
    struct rf_recon_verdict v;

    rf_recon_config_defaults(&cfg);
    cfg.arrival = NULL;
    rf_recon_classify(arena, &o, &p, &s, &cfg, HOUR, &v);
    cr_assert_eq(v.present, B(FAILED));
    expect_contains(v.finding[RF_FINDING_FAILED].action, "reason: not given by the provider");
    cr_assert_null(evidence(&v.finding[RF_FINDING_FAILED], "provider"));
    /* No case currency: the books cannot be judged, the provider gives no currency. */
    cr_assert_eq(v.decided & (B(DUPLICATE_REFUND) | B(CURRENCY_MISMATCH) | B(AMOUNT_MISMATCH)), 0);
}

Test(classify, an_orphan_is_a_finding_for_finance)
{
    struct rf_recon_provider p = {
        .present = true,
        .status = RF_RECON_SUCCEEDED,
        .amount_minor = 1500,
        .currency = "kwd",
        .reference = "ARN42",
        .created_at_us = test_at("2026-11-23T10:00:00Z"),
    };
    struct rf_recon_finding fd;

    rf_recon_classify_orphan(arena, "adyen", "8515", &p, &fd);
    cr_assert_eq(fd.kind, RF_FINDING_ORPHAN_AT_PROVIDER);
    cr_assert(fd.follow_up);
    cr_assert_eq(fd.audience, RF_AUDIENCE_FINANCE);
    expect_evidence(&fd, "provider", "adyen");
    expect_evidence(&fd, "provider_refund_id", "8515");
    expect_evidence(&fd, "provider_status", "succeeded");
    expect_evidence(&fd, "provider_amount", "KWD 1.500");
    expect_evidence(&fd, "created_at", "2026-11-23T10:00:00Z");
    expect_evidence(&fd, "reference", "ARN42");
    expect_contains(fd.action, "Adyen has a refund 8515 of KWD 1.500 (succeeded) that we never "
                               "issued.");
}

Test(classify, kind_names_are_stable_and_parse_back)
{
    static const char *const want[RF_FINDING_KINDS] = {
        "NOT_FOUND_AT_PROVIDER",
        "FAILED",
        "REVERSED",
        "STUCK_PENDING",
        "REQUIRES_CUSTOMER_ACTION",
        "NOT_CLEARED",
        "AMOUNT_MISMATCH",
        "CURRENCY_MISMATCH",
        "DUPLICATE_REFUND",
        "ORPHAN_AT_PROVIDER",
        "NO_TRACE_REFERENCE",
        "OVERDUE_AT_CUSTOMER",
    };

    for (int k = 0; k < RF_FINDING_KINDS; k++) {
        enum rf_finding_kind back;

        cr_assert_str_eq(rf_finding_kind_name((enum rf_finding_kind)k), want[k]);
        cr_assert(rf_finding_kind_parse(want[k], &back));
        cr_assert_eq((int)back, k);
    }
    cr_assert_null(rf_finding_kind_name((enum rf_finding_kind)RF_FINDING_KINDS));
    cr_assert_null(rf_finding_kind_name((enum rf_finding_kind) - 1));
    {
        enum rf_finding_kind k;

        cr_assert_not(rf_finding_kind_parse("failed", &k));
        cr_assert_not(rf_finding_kind_parse("", &k));
        cr_assert_not(rf_finding_kind_parse(NULL, &k));
    }
}

Test(classify, status_words_of_the_cache_parse_and_names_are_stable)
{
    static const struct {
        const char *word, *name;
        enum rf_recon_status status;
    } want[] = {
        {"pending", "PENDING", RF_RECON_PENDING},
        {"requires_action", "REQUIRES_ACTION", RF_RECON_REQUIRES_ACTION},
        {"succeeded", "SUCCEEDED", RF_RECON_SUCCEEDED},
        {"failed", "FAILED", RF_RECON_FAILED},
        {"canceled", "CANCELED", RF_RECON_CANCELED},
        {"reversed", "REVERSED", RF_RECON_REVERSED},
        {"not_cleared", "NOT_CLEARED", RF_RECON_NOT_CLEARED},
    };
    static const char *const bad[] = {"", "unknown", "not_found", "PENDING", "cancelled", NULL};
    enum rf_recon_status s;

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cr_assert(rf_recon_status_parse(want[i].word, &s), "%s", want[i].word);
        cr_assert_eq(s, want[i].status);
        cr_assert_str_eq(rf_recon_status_name(s), want[i].name);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_recon_status_parse(bad[i], &s), "\"%s\" accepted", bad[i]);
    cr_assert_str_eq(rf_recon_status_name(RF_RECON_UNKNOWN), "UNKNOWN");
    cr_assert_str_eq(rf_recon_status_name(RF_RECON_NOT_FOUND), "NOT_FOUND");
    cr_assert_null(rf_recon_status_name((enum rf_recon_status)RF_RECON_STATUSES));
    cr_assert_str_eq(rf_recon_audience_name(RF_AUDIENCE_CUSTOMER_AGENT), "CUSTOMER_AGENT");
    cr_assert_str_eq(rf_recon_audience_name(RF_AUDIENCE_FINANCE), "FINANCE");
    cr_assert_str_eq(rf_recon_audience_name(RF_AUDIENCE_NONE), "NONE");
}
