/*
 * Unit tests of the rules engine (services/refundsd/evaluate.c) against the
 * test policy (test_policy.h): each factor on its own, with every category
 * rule and boundary (at the window and a day past it, at a category's limit
 * and a day past it), each reason's weight and sentence, the score
 * thresholds, the history limits at and over, the tier per currency at each
 * limit and one minor unit above, the priority, bad input, and determinism.
 * Every test starts from one case, a defective kettle reported exactly at
 * the end of the 30-day window by a customer with no history, and changes
 * only what it is about.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "evaluate.h"
#include "refunds/money.h"
#include "refunds/timeutil.h"
#include "test_file.h"
#include "test_policy.h"
#include "test_time.h"

#define DAY_US (86400LL * RF_USEC_PER_SEC)

static struct rf_arena *arena;
static struct rf_policy *pol;
static struct rf_eval_input in;
static struct rf_evaluation ev;
static struct rf_error err;

static void setup(void)
{
    arena = rf_arena_create(0);
    pol = test_policy(arena);
    rf_error_clear(&err);
    memset(&ev, 0, sizeof ev);
    in = (struct rf_eval_input){
        .category = "kitchen",
        .product_name = "kettle",
        .reason = "defective",
        .channel = "email",
        .purchase_us = test_at("2026-09-01T10:00:00Z"),
        .paid_minor = 4999,
        .requested_minor = 4999,
        .currency = "EUR",
    };
    in.first_contact_us = in.purchase_us + 30 * DAY_US;
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(evaluate, .init = setup, .fini = teardown);
TestSuite(evaluate_time, .init = setup, .fini = teardown);
TestSuite(evaluate_category, .init = setup, .fini = teardown);
TestSuite(evaluate_reason, .init = setup, .fini = teardown);
TestSuite(evaluate_history, .init = setup, .fini = teardown);
TestSuite(evaluate_tier, .init = setup, .fini = teardown);
TestSuite(evaluate_input, .init = setup, .fini = teardown);

/* Evaluates in, failing the test on an error. */
static void run(void)
{
    cr_assert_eq(rf_evaluate(pol, &in, arena, &ev, &err), RF_OK, "%s", err.message);
}

/* The first contact days whole days after the purchase. */
static void contact_after(int days)
{
    in.first_contact_us = in.purchase_us + days * DAY_US;
}

/* The factor named name, failing the test when there is none. */
static const struct rf_factor *factor(const char *name)
{
    for (size_t i = 0; i < ev.n_factors; i++)
        if (strcmp(ev.factors[i].name, name) == 0)
            return &ev.factors[i];
    cr_assert_fail("no factor %s", name);
    return NULL;
}

static bool has_factor(const char *name)
{
    for (size_t i = 0; i < ev.n_factors; i++)
        if (strcmp(ev.factors[i].name, name) == 0)
            return true;
    return false;
}

static void expect(enum rf_recommendation r, int score, enum rf_tier tier)
{
    cr_assert_eq(ev.recommendation, r, "recommendation %s, want %s (score %d)",
                 rf_recommendation_name(ev.recommendation), rf_recommendation_name(r), ev.score);
    cr_assert_eq(ev.score, score);
    cr_assert_eq(ev.tier, tier, "tier %s, want %s", rf_tier_name(ev.tier), rf_tier_name(tier));
}

Test(evaluate, a_defective_kettle_at_the_end_of_the_window_is_approved_by_the_agent)
{
    static const char *const names[] = {
        "category",           "reason", "days_past_window", "previous_exceptions",
        "refunded_in_window", "amount",
    };

    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_AGENT);
    cr_assert_eq(ev.priority, RF_PRIORITY_NORMAL);
    cr_assert_eq(ev.policy_version, 7);
    cr_assert_eq(ev.days_since_purchase, 30);
    cr_assert_eq(ev.days_past_window, 0);
    cr_assert_eq(ev.max_days_past_window, 60);
    cr_assert_eq(ev.amount_outside_minor, 4999);
    cr_assert_str_eq(ev.currency, "EUR");
    cr_assert_str_eq(ev.category, "default");
    cr_assert_str_eq(ev.reason, "defective");
    cr_assert_eq(ev.n_factors, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < ev.n_factors; i++) {
        cr_assert_str_eq(ev.factors[i].name, names[i]);
        cr_assert_eq(ev.factors[i].rules, 0, "%s", names[i]);
    }
    cr_assert_str_eq(factor("reason")->sentence, "Your kettle stopped working, which is our "
                                                 "responsibility, so this counts strongly in "
                                                 "your favour.");
    cr_assert_str_eq(factor("reason")->observed, "defective (weight 40, company fault)");
    cr_assert_str_eq(factor("amount")->sentence, "The amount, \xe2\x82\xac"
                                                 "49.99, is within what I can approve myself.");
    cr_assert_str_eq(factor("amount")->observed,
                     "EUR 49.99 requested of EUR 49.99 paid; agent limit EUR 50.00, senior "
                     "above EUR 500.00");
    cr_assert_str_eq(factor("previous_exceptions")->sentence,
                     "You have not needed an exception from us in the last 12 months.");
}

Test(evaluate, every_factor_has_one_sentence_that_ends_with_a_full_stop)
{
    in.history = (struct rf_eval_history){.previous_cases = 4,
                                          .previous_exceptions = 1,
                                          .refunded_in_window_minor = 1000,
                                          .previous_denials = 1,
                                          .open_findings = 1,
                                          .interactions = 5,
                                          .previous_detractor = true};
    run();
    cr_assert_eq(ev.n_factors, 10);
    for (size_t i = 0; i < ev.n_factors; i++) {
        const char *s = ev.factors[i].sentence;
        size_t n = strlen(s);

        cr_assert_gt(n, 10, "%s", ev.factors[i].name);
        cr_assert(s[0] >= 'A' && s[0] <= 'Z', "%s: %s", ev.factors[i].name, s);
        cr_assert_eq(s[n - 1], '.', "%s: %s", ev.factors[i].name, s);
        cr_assert_null(strchr(s, '\n'));
        cr_assert_null(strstr(s, ". "), "one sentence: %s", s);
    }
}

Test(evaluate, the_same_case_gives_byte_identical_output)
{
    struct rf_arena *other = rf_arena_create(0);
    struct rf_evaluation again;
    char *first, *second;

    in.history.previous_denials = 1;
    in.history.interactions = 4;
    run();
    first = rf_evaluation_json(&ev, arena);
    /* A busy arena and a clobbered output make no difference. */
    for (int i = 0; i < 100; i++)
        rf_arena_printf(other, "%d", i);
    memset(&again, 0xa5, sizeof again);
    cr_assert_eq(rf_evaluate(pol, &in, other, &again, &err), RF_OK);
    second = rf_evaluation_json(&again, other);
    cr_assert_str_eq(first, second);
    rf_arena_destroy(other);
}

Test(evaluate, the_json_form_has_every_field_with_sorted_keys)
{
    char *json;

    in.history.open_findings = 1;
    run();
    json = rf_evaluation_json(&ev, arena);
    cr_assert(strncmp(json, "{\"amount_outside_minor\":4999,\"category\":\"default\",", 50) == 0,
              "%s", json);
    cr_assert(strstr(json, "\"currency\":\"EUR\",\"days_past_window\":0,\"days_since_purchase\":30,"
                           "\"factors\":[{\"effect\":0,\"name\":\"category\",") != NULL,
              "%s", json);
    cr_assert(strstr(json,
                     "\"name\":\"open_findings\",\"observed\":\"1 open reconciliation "
                     "finding on earlier refunds\",\"rules\":[\"approver\",\"urgent\"],") != NULL,
              "%s", json);
    cr_assert(strstr(json, "\"max_days_past_window\":60,\"policy_version\":7,\"priority\":"
                           "\"high\",\"reason\":\"defective\",\"recommendation\":\"APPROVE\","
                           "\"score\":40,\"tier\":\"APPROVER\"}") != NULL,
              "%s", json);
}

Test(evaluate, names_of_recommendations_and_tiers)
{
    cr_assert_str_eq(rf_recommendation_name(RF_RECOMMEND_ESCALATE), "ESCALATE");
    cr_assert_null(rf_recommendation_name((enum rf_recommendation)3));
    cr_assert_str_eq(rf_tier_name(RF_TIER_SENIOR_APPROVER), "SENIOR_APPROVER");
    cr_assert_null(rf_tier_name((enum rf_tier) - 1));
}

Test(evaluate_time, the_last_moment_of_the_window_is_not_past_it)
{
    in.first_contact_us = in.purchase_us + 31 * DAY_US - 1;
    run();
    cr_assert_eq(ev.days_since_purchase, 30);
    cr_assert_eq(ev.days_past_window, 0);
    cr_assert_eq(factor("days_past_window")->effect, 0);
    cr_assert_str_eq(factor("days_past_window")->sentence,
                     "You contacted us within our 30-day return period, so the timing does not "
                     "count against you.");
}

Test(evaluate_time, one_day_past_the_window_counts_one_day)
{
    contact_after(31);
    run();
    cr_assert_eq(ev.days_past_window, 1);
    /* -30 * 1 / 60 rounds towards zero. */
    cr_assert_eq(factor("days_past_window")->effect, 0);
    cr_assert_str_eq(factor("days_past_window")->sentence,
                     "You contacted us 1 day after our 30-day return period ended, which we can "
                     "still consider, so this counts neither for nor against your request.");
    cr_assert_str_eq(factor("days_past_window")->observed,
                     "first contact 31 days after purchase: 1 past the 30-day window (limit 60)");
}

Test(evaluate_time, lateness_grows_to_the_whole_weight_at_the_limit)
{
    static const struct {
        int past, effect;
    } want[] = {{2, -1}, {12, -6}, {30, -15}, {59, -29}, {60, -30}};

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        contact_after(30 + want[i].past);
        run();
        cr_assert_eq(ev.days_past_window, want[i].past);
        cr_assert_eq(factor("days_past_window")->effect, want[i].effect, "%d days past",
                     want[i].past);
        cr_assert_eq(factor("days_past_window")->rules, 0);
    }
    contact_after(42);
    run();
    cr_assert_str_eq(factor("days_past_window")->sentence,
                     "You contacted us 12 days after our 30-day return period ended, which we "
                     "can still consider, so this counts against your request.");
}

Test(evaluate_time, at_the_general_limit_the_score_decides_and_a_day_later_it_is_denied)
{
    in.reason = "late_delivery"; /* 20, not the company's fault */
    contact_after(90);
    run();
    expect(RF_RECOMMEND_ESCALATE, -10, RF_TIER_APPROVER);
    contact_after(91);
    run();
    expect(RF_RECOMMEND_DENY, -10, RF_TIER_APPROVER);
    cr_assert_eq(factor("days_past_window")->rules, RF_RULE_DENY);
    cr_assert_str_eq(factor("days_past_window")->sentence,
                     "You contacted us 61 days after our 30-day return period ended, more than "
                     "the 60 days after it that we can consider, so we are unable to make an "
                     "exception.");
}

Test(evaluate_time, past_the_limit_the_company_s_fault_is_escalated_not_denied)
{
    contact_after(91);
    run();
    expect(RF_RECOMMEND_ESCALATE, 10, RF_TIER_APPROVER);
    cr_assert_eq(factor("days_past_window")->rules, RF_RULE_ESCALATE);
    cr_assert_str_eq(factor("days_past_window")->sentence,
                     "You contacted us 61 days after our 30-day return period ended, later than "
                     "we normally consider, but because the problem was ours a manager will look "
                     "at your request.");
    /* Even when the score alone would approve. */
    in.reason = "duplicate_charge";
    run();
    expect(RF_RECOMMEND_ESCALATE, 30, RF_TIER_APPROVER);
}

Test(evaluate_time, a_category_limit_overrides_the_general_one)
{
    in.reason = "late_delivery";
    in.category = "perishable"; /* 10 days past the window */
    contact_after(40);
    run();
    cr_assert_eq(ev.max_days_past_window, 10);
    expect(RF_RECOMMEND_ESCALATE, -10, RF_TIER_APPROVER);
    contact_after(41);
    run();
    expect(RF_RECOMMEND_DENY, -10, RF_TIER_APPROVER);
    in.category = "electronics"; /* 30 */
    contact_after(60);
    run();
    expect(RF_RECOMMEND_ESCALATE, -10, RF_TIER_APPROVER);
    contact_after(61);
    run();
    expect(RF_RECOMMEND_DENY, -10, RF_TIER_APPROVER);
}

Test(evaluate_time, a_limit_of_zero_allows_nothing_past_the_window)
{
    in.reason = "late_delivery";
    in.category = "custom";
    contact_after(30);
    run();
    expect(RF_RECOMMEND_ESCALATE, 20, RF_TIER_APPROVER);
    contact_after(31);
    run();
    expect(RF_RECOMMEND_DENY, -10, RF_TIER_APPROVER);
    cr_assert_str_eq(factor("days_past_window")->sentence,
                     "You contacted us 1 day after our 30-day return period ended, and for items "
                     "like your kettle we cannot consider requests after it, so we are unable to "
                     "make an exception.");
}

Test(evaluate_category, never_denies_whatever_the_score)
{
    in.category = "hygiene";
    in.reason = "late_delivery";
    contact_after(10);
    run();
    expect(RF_RECOMMEND_DENY, 20, RF_TIER_APPROVER);
    cr_assert_eq(factor("category")->rules, RF_RULE_DENY);
    cr_assert_str_eq(factor("category")->observed, "hygiene: never");
    cr_assert_str_eq(factor("category")->sentence,
                     "We cannot make exceptions to our return policy for items like your kettle, "
                     "so we are unable to offer a refund for it.");
}

Test(evaluate_category, never_with_the_company_at_fault_is_escalated)
{
    in.category = "hygiene";
    in.reason = "duplicate_charge";
    run();
    expect(RF_RECOMMEND_ESCALATE, 60, RF_TIER_APPROVER);
    cr_assert_eq(factor("category")->rules, RF_RULE_ESCALATE);
    cr_assert_str_eq(factor("category")->sentence,
                     "We do not usually make exceptions for items like your kettle, but because "
                     "the problem was ours a manager will look at your request.");
}

Test(evaluate_category, escalate_needs_an_approver_even_for_an_approval_within_the_agent_limit)
{
    in.category = "personalised";
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_APPROVER);
    cr_assert_eq(factor("category")->rules, RF_RULE_APPROVER);
    cr_assert_eq(ev.max_days_past_window, 60, "inherits the general limit");
}

Test(evaluate_category, allowed_adds_nothing)
{
    in.category = "electronics";
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_AGENT);
    cr_assert_eq(factor("category")->effect, 0);
    cr_assert_str_eq(factor("category")->observed,
                     "electronics: allowed, up to 30 days past the window");
    cr_assert_str_eq(factor("category")->sentence,
                     "We can make exceptions for items like your kettle, so the kind of product "
                     "does not count against you.");
}

Test(evaluate_category, lookup_ignores_ascii_case_and_unknown_ones_are_default)
{
    in.category = "ELECTRONICS";
    run();
    cr_assert_str_eq(ev.category, "electronics");
    cr_assert_str_eq(factor("category")->observed,
                     "electronics: allowed, up to 30 days past the window");
    in.category = "Garden Tools";
    run();
    cr_assert_str_eq(ev.category, "default");
    cr_assert_str_eq(factor("category")->observed, "\"Garden Tools\" is not in the policy, judged "
                                                   "as default: allowed, up to 60 days past the "
                                                   "window");
    in.category = NULL;
    run();
    cr_assert_str_eq(ev.category, "default");
    in.category = "";
    in.product_name = NULL;
    run();
    cr_assert_str_eq(ev.category, "default");
    cr_assert(strstr(factor("category")->sentence, "items like your item") != NULL);
}

Test(evaluate_reason, each_reason_s_weight_is_its_effect)
{
    static const struct {
        const char *reason, *applied;
        int weight;
        enum rf_priority priority;
    } want[] = {
        {"defective", "defective", 40, RF_PRIORITY_NORMAL},
        {"duplicate_charge", "duplicate_charge", 60, RF_PRIORITY_HIGH},
        {"late_delivery", "late_delivery", 20, RF_PRIORITY_NORMAL},
        {"changed_mind", "changed_mind", -20, RF_PRIORITY_LOW},
        {"other", "other", 0, RF_PRIORITY_NORMAL},
        {"wrong_item", "other", 0, RF_PRIORITY_NORMAL},
        {"charged_order_failed", "other", 0, RF_PRIORITY_NORMAL},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        in.reason = want[i].reason;
        run();
        cr_assert_str_eq(ev.reason, want[i].applied);
        cr_assert_eq(factor("reason")->effect, want[i].weight, "%s", want[i].reason);
        cr_assert_eq(ev.score, want[i].weight, "%s", want[i].reason);
        cr_assert_eq(ev.priority, want[i].priority, "%s", want[i].reason);
    }
    in.reason = "wrong_item";
    run();
    cr_assert_str_eq(factor("reason")->observed,
                     "wrong_item is not in the policy, judged as other (weight 0)");
    cr_assert_str_eq(factor("reason")->sentence,
                     "We sent you the wrong item instead of your kettle, so this counts neither "
                     "for nor against your request.");
}

Test(evaluate_reason, sentences_say_whose_fault_it_was_and_how_much_it_counts)
{
    in.reason = "changed_mind";
    run();
    cr_assert_str_eq(factor("reason")->sentence,
                     "You changed your mind about your kettle; we understand, but this counts "
                     "against your request.");
    in.reason = "late_delivery";
    run();
    cr_assert_str_eq(factor("reason")->sentence,
                     "Your kettle arrived later than we promised, so this counts in your favour.");
    in.reason = "duplicate_charge";
    run();
    cr_assert_str_eq(factor("reason")->sentence,
                     "We charged you twice for your kettle, which is our responsibility, so this "
                     "counts strongly in your favour.");
}

Test(evaluate_reason, every_reason_code_has_a_sentence_of_its_own)
{
    const char *const *codes = rf_reason_codes;
    const char *seen[32];

    cr_assert_leq(rf_reason_codes_count, 32);
    for (size_t i = 0; i < rf_reason_codes_count; i++) {
        in.reason = codes[i];
        run();
        seen[i] = factor("reason")->sentence;
        cr_assert(strstr(seen[i], "kettle") != NULL, "%s: %s", codes[i], seen[i]);
        for (size_t k = 0; k < i; k++)
            cr_assert_str_neq(seen[i], seen[k], "%s and %s read alike", codes[i], codes[k]);
        if (strcmp(codes[i], "other") != 0)
            cr_assert(strstr(seen[i], "You told us about a problem") == NULL,
                      "%s falls back to the sentence of other", codes[i]);
    }
}

Test(evaluate_reason, the_score_thresholds_are_inclusive)
{
    /* defective 40: 20 days past gives -10 (30, APPROVE), 22 days -11 (29, ESCALATE). */
    contact_after(50);
    run();
    expect(RF_RECOMMEND_APPROVE, 30, RF_TIER_AGENT);
    contact_after(52);
    run();
    expect(RF_RECOMMEND_ESCALATE, 29, RF_TIER_APPROVER);
    /* changed_mind -20: 20 days past gives -30 (DENY), 18 days -9 (-29, ESCALATE). */
    in.reason = "changed_mind";
    contact_after(50);
    run();
    expect(RF_RECOMMEND_DENY, -30, RF_TIER_APPROVER);
    contact_after(48);
    run();
    expect(RF_RECOMMEND_ESCALATE, -29, RF_TIER_APPROVER);
}

Test(evaluate_history, exceptions_at_the_limit_change_nothing_and_over_it_need_a_person)
{
    in.history.previous_exceptions = 2;
    in.history.previous_cases = 3;
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_AGENT);
    cr_assert_str_eq(factor("previous_exceptions")->observed,
                     "2 exceptions in the last 12 months (limit 2); 3 earlier cases");
    in.history.previous_exceptions = 3;
    run();
    expect(RF_RECOMMEND_ESCALATE, 40, RF_TIER_APPROVER);
    cr_assert_eq(factor("previous_exceptions")->rules, RF_RULE_NOT_APPROVE);
    cr_assert_str_eq(factor("previous_exceptions")->sentence,
                     "You have had 3 exceptions from us in the last 12 months, more than our "
                     "guidelines let me approve on the spot, so a manager will look at your "
                     "request.");
}

Test(evaluate_history, over_a_limit_a_denial_stays_a_denial)
{
    in.reason = "changed_mind";
    contact_after(80);
    in.history.previous_exceptions = 5;
    run();
    expect(RF_RECOMMEND_DENY, -45, RF_TIER_APPROVER);
}

Test(evaluate_history, refunds_up_to_the_limit_with_this_one_change_nothing)
{
    in.history.refunded_in_window_minor = 100000 - 4999;
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_AGENT);
    cr_assert_eq(factor("refunded_in_window")->rules, 0);
    cr_assert_str_eq(factor("refunded_in_window")->sentence,
                     "With this request, refunds to you in the last 12 months come to "
                     "\xe2\x82\xac"
                     "1,000.00, within our limit of \xe2\x82\xac"
                     "1,000.00.");
    in.history.refunded_in_window_minor = 100000 - 4999 + 1;
    run();
    expect(RF_RECOMMEND_ESCALATE, 40, RF_TIER_APPROVER);
    cr_assert_eq(factor("refunded_in_window")->rules, RF_RULE_NOT_APPROVE);
    cr_assert_str_eq(factor("refunded_in_window")->observed,
                     "EUR 950.02 refunded in the last 12 months + EUR 49.99 requested = EUR "
                     "1000.01 (limit EUR 1000.00)");
}

Test(evaluate_history, earlier_denials_count_against_up_to_the_score_s_range)
{
    in.history.previous_denials = 2;
    run();
    cr_assert_eq(factor("previous_denials")->effect, -10);
    expect(RF_RECOMMEND_APPROVE, 30, RF_TIER_AGENT);
    cr_assert_str_eq(factor("previous_denials")->sentence,
                     "We were unable to make an exception for you 2 times before, so this counts "
                     "against your request.");
    in.history.previous_denials = 1000;
    run();
    cr_assert_eq(factor("previous_denials")->effect, -100);
    expect(RF_RECOMMEND_DENY, -60, RF_TIER_APPROVER);
    in.history.previous_denials = 0;
    run();
    cr_assert_not(has_factor("previous_denials"));
}

Test(evaluate_history, an_earlier_detractor_counts_in_favour_and_makes_it_urgent)
{
    in.reason = "changed_mind";
    run();
    cr_assert_eq(ev.priority, RF_PRIORITY_LOW);
    cr_assert_not(has_factor("previous_detractor"));
    in.history.previous_detractor = true;
    run();
    cr_assert_eq(factor("previous_detractor")->effect, 10);
    cr_assert_eq(factor("previous_detractor")->rules, RF_RULE_URGENT);
    cr_assert_eq(ev.score, -10);
    cr_assert_eq(ev.priority, RF_PRIORITY_HIGH);
}

Test(evaluate_history, open_findings_need_an_approver_and_make_it_urgent)
{
    in.history.open_findings = 1;
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_APPROVER);
    cr_assert_eq(ev.priority, RF_PRIORITY_HIGH);
    cr_assert_eq(factor("open_findings")->rules, RF_RULE_APPROVER | RF_RULE_URGENT);
}

Test(evaluate_history, chasing_makes_it_urgent_from_the_policy_s_count)
{
    in.history.interactions = 2;
    run();
    cr_assert_not(has_factor("interactions"));
    cr_assert_eq(ev.priority, RF_PRIORITY_NORMAL);
    in.history.interactions = 3;
    run();
    cr_assert_eq(factor("interactions")->rules, RF_RULE_URGENT);
    cr_assert_eq(factor("interactions")->effect, 0);
    cr_assert_eq(ev.priority, RF_PRIORITY_HIGH);
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_AGENT);
}

Test(evaluate_history, earlier_cases_alone_count_for_nothing)
{
    in.history.previous_cases = 50;
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_AGENT);
}

Test(evaluate_tier, the_agent_may_approve_up_to_the_self_approval_limit_included)
{
    in.paid_minor = 100000;
    in.requested_minor = 5000;
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_AGENT);
    cr_assert_eq(factor("amount")->rules, 0);
    in.requested_minor = 5001;
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_APPROVER);
    cr_assert_eq(factor("amount")->rules, RF_RULE_APPROVER);
    cr_assert_eq(ev.amount_outside_minor, 5001);
    cr_assert_str_eq(factor("amount")->sentence,
                     "The amount, \xe2\x82\xac"
                     "50.01, is more than I can approve myself, so a manager will decide.");
}

Test(evaluate_tier, above_the_senior_threshold_a_senior_approver_decides)
{
    in.paid_minor = 100000;
    in.requested_minor = 50000;
    run();
    cr_assert_eq(ev.tier, RF_TIER_APPROVER);
    in.requested_minor = 50001;
    run();
    cr_assert_eq(ev.tier, RF_TIER_SENIOR_APPROVER);
    cr_assert_eq(factor("amount")->rules, RF_RULE_SENIOR);
    /* Whatever the recommendation: an approver who overturns it must be allowed to. */
    in.category = "hygiene";
    in.reason = "changed_mind";
    run();
    expect(RF_RECOMMEND_DENY, -20, RF_TIER_SENIOR_APPROVER);
}

Test(evaluate_tier, a_small_denial_or_escalation_still_needs_an_approver)
{
    in.reason = "other";
    run();
    expect(RF_RECOMMEND_ESCALATE, 0, RF_TIER_APPROVER);
    in.category = "hygiene";
    run();
    expect(RF_RECOMMEND_DENY, 0, RF_TIER_APPROVER);
}

Test(evaluate_tier, a_currency_without_limits_needs_a_senior_approver)
{
    in.currency = "USD";
    in.requested_minor = 1;
    run();
    expect(RF_RECOMMEND_APPROVE, 40, RF_TIER_SENIOR_APPROVER);
    cr_assert_not(has_factor("refunded_in_window"));
    cr_assert_eq(factor("amount")->rules, RF_RULE_SENIOR);
    cr_assert_str_eq(factor("amount")->observed,
                     "USD 0.01 requested of USD 49.99 paid; the policy has no limits for USD");
    cr_assert_str_eq(factor("amount")->sentence, "Our guidelines set no approval limits for "
                                                 "payments in USD, so a senior manager will "
                                                 "decide.");
}

/* The shipped default (deploy/policy/default.json), parsed into the test's arena. */
static struct rf_policy *shipped_default(void)
{
    struct rf_policy *p = NULL;
    size_t len;
    char *text = test_read_file(arena, RF_POLICY_DEFAULT, &len);

    cr_assert_eq(rf_policy_parse(arena, text, len, &p, &err), RF_OK, "%s", err.message);
    p->version = 1;
    return p;
}

/* The tier of a strong, in-time request (APPROVE) of minor units in currency. */
static enum rf_tier tier_for(const char *currency, int64_t minor)
{
    in.currency = currency;
    in.paid_minor = in.requested_minor = minor;
    run();
    cr_assert_eq(ev.recommendation, RF_RECOMMEND_APPROVE, "%s %lld", currency, (long long)minor);
    return ev.tier;
}

Test(evaluate_tier, every_currency_of_the_shipped_default_has_its_own_limits)
{
    pol = shipped_default();
    for (size_t i = 0; i < pol->n_limits; i++) {
        const struct rf_policy_limits *l = &pol->limits[i];
        const char *cur = l->currency;

        cr_assert_eq(tier_for(cur, l->self_approval_minor), RF_TIER_AGENT, "%s at its limit", cur);
        cr_assert_eq(tier_for(cur, l->self_approval_minor + 1), RF_TIER_APPROVER, "%s", cur);
        cr_assert_eq(tier_for(cur, l->senior_threshold_minor), RF_TIER_APPROVER, "%s", cur);
        cr_assert_eq(tier_for(cur, l->senior_threshold_minor + 1), RF_TIER_SENIOR_APPROVER, "%s",
                     cur);
    }
    cr_assert_eq(pol->n_limits, 7);
    /* 7,500 yen is about 45 euros: a yen has no minor unit, so the limit is whole yen. */
    cr_assert_eq(tier_for("JPY", 7500), RF_TIER_AGENT);
    cr_assert_eq(tier_for("JPY", 7501), RF_TIER_APPROVER);
    cr_assert_eq(tier_for("GBP", 4001), RF_TIER_APPROVER, "GBP 40.01 is above GBP 40.00");
    cr_assert_eq(tier_for("EUR", 4001), RF_TIER_AGENT, "EUR 40.01 is not");
    cr_assert_eq(tier_for("NOK", 1), RF_TIER_SENIOR_APPROVER, "no limits for NOK: fail closed");
}

Test(evaluate_history, the_refunded_limit_of_each_currency_of_the_shipped_default_holds_exactly)
{
    pol = shipped_default();
    for (size_t i = 0; i < pol->n_limits; i++) {
        const struct rf_policy_limits *l = &pol->limits[i];

        in.currency = l->currency;
        in.paid_minor = in.requested_minor = l->self_approval_minor;
        in.history.refunded_in_window_minor = l->history_max_refunded_minor - in.requested_minor;
        run();
        cr_assert_eq(ev.recommendation, RF_RECOMMEND_APPROVE, "%s at the limit", l->currency);
        in.history.refunded_in_window_minor++;
        run();
        cr_assert_eq(ev.recommendation, RF_RECOMMEND_ESCALATE, "%s one minor unit over",
                     l->currency);
        cr_assert_eq(factor("refunded_in_window")->rules, RF_RULE_NOT_APPROVE);
    }
}

Test(evaluate, the_shipped_default_s_reasoning_holds_for_its_example_cases)
{
    /* docs/policy.md: a defect approves alone until about 20 days past the window (lateness
     * -30 x 21 / 60 rounds to -10, x 22 / 60 to -11)... */
    pol = shipped_default();
    contact_after(30 + 21);
    run();
    expect(RF_RECOMMEND_APPROVE, 30, RF_TIER_AGENT);
    contact_after(30 + 22);
    run();
    expect(RF_RECOMMEND_ESCALATE, 29, RF_TIER_APPROVER);
    /* ... a double charge keeps APPROVE even at the full lateness weight, at high priority ... */
    in.reason = "duplicate_charge";
    contact_after(30 + 60);
    run();
    expect(RF_RECOMMEND_APPROVE, 30, RF_TIER_AGENT);
    cr_assert_eq(ev.priority, RF_PRIORITY_HIGH);
    /* ... a change of mind at the limit is denied, a day later too, and a hygiene defect late
     * past every limit still goes to a person. */
    in.reason = "changed_mind";
    run();
    expect(RF_RECOMMEND_DENY, -50, RF_TIER_APPROVER);
    in.category = "hygiene";
    in.reason = "defective";
    contact_after(400);
    run();
    cr_assert_eq(ev.recommendation, RF_RECOMMEND_ESCALATE);
}

/* Asserts that in is rejected with exactly one violation: field with why. */
static void expect_rejected(const char *field, const char *why)
{
    rf_error_clear(&err);
    cr_assert_eq(rf_evaluate(pol, &in, arena, &ev, &err), RF_INVALID_ARGUMENT, "%s: %s", field,
                 why);
    cr_assert_eq(err.n_violations, 1, "%s: %d violations, first %s", field, err.n_violations,
                 err.violations[0].field);
    cr_assert_str_eq(err.violations[0].field, field);
    cr_assert_str_eq(err.violations[0].description, why);
}

/* The base case with one change, then expect_rejected. */
#define REJECTED(field, why, change)                                                               \
    do {                                                                                           \
        in = good;                                                                                 \
        change;                                                                                    \
        expect_rejected(field, why);                                                               \
    } while (0)

Test(evaluate_input, a_case_the_engine_cannot_judge_is_rejected_field_by_field)
{
    const struct rf_eval_input good = in;

    REJECTED("reason", "required", in.reason = NULL);
    REJECTED("reason", "required", in.reason = "");
    REJECTED("reason", "not a reason code", in.reason = "DEFECTIVE");
    REJECTED("currency", "not an ISO 4217 currency code", in.currency = "eur");
    REJECTED("currency", "not an ISO 4217 currency code", in.currency = NULL);
    REJECTED("paid_minor", "must be from 1 to 1000000000000000", in.paid_minor = 0);
    REJECTED("paid_minor", "must be from 1 to 1000000000000000",
             in.paid_minor = RF_MONEY_MAX_MINOR + 1);
    REJECTED("requested_minor", "must be > 0", in.requested_minor = 0);
    REJECTED("requested_minor", "must not exceed paid_minor", in.requested_minor = 5000);
    REJECTED("first_contact_us", "must not be before purchase_us",
             in.first_contact_us = in.purchase_us - 1);
    REJECTED("purchase_us", "must be within the Timestamp range",
             in.purchase_us = RF_TIME_MIN_US - 1);
    REJECTED("first_contact_us", "must be within the Timestamp range",
             in.first_contact_us = RF_TIME_MAX_US + 1);
    REJECTED("history.previous_cases", "must be >= 0", in.history.previous_cases = -1);
    REJECTED("history.previous_exceptions", "must be >= 0", in.history.previous_exceptions = -1);
    REJECTED("history.previous_denials", "must be >= 0", in.history.previous_denials = -1);
    REJECTED("history.open_findings", "must be >= 0", in.history.open_findings = -1);
    REJECTED("history.interactions", "must be >= 0", in.history.interactions = -1);
    REJECTED("history.refunded_in_window_minor", "must be from 0 to 1000000000000000",
             in.history.refunded_in_window_minor = -1);
    /* A contact at the very moment of purchase is a case. */
    in = good;
    in.first_contact_us = in.purchase_us;
    run();
    cr_assert_eq(ev.days_since_purchase, 0);
}

Test(evaluate_input, every_bad_field_is_reported_at_once)
{
    in.reason = "nope";
    in.currency = "XXXX";
    in.requested_minor = -5;
    in.history.previous_denials = -1;
    cr_assert_eq(rf_evaluate(pol, &in, arena, &ev, &err), RF_INVALID_ARGUMENT);
    cr_assert_eq(err.n_violations, 4);
    cr_assert_str_eq(err.message, "invalid reason: not a reason code (and 3 more invalid fields)");
}
