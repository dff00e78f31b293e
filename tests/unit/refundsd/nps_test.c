/*
 * Unit tests of the Net Promoter Score arithmetic (services/refundsd/nps.c):
 * the class of every score at the edges of the scale, the score of no answers
 * (undefined), of all passives (0), of all promoters and all detractors, of a
 * known mix (exactly the quotient a client would compute), and groups merged
 * into a total.
 */
#include <criterion/criterion.h>

#include "nps.h"

Test(nps, only_zero_to_ten_are_answers)
{
    cr_assert(rf_nps_score_valid(0));
    cr_assert(rf_nps_score_valid(10));
    cr_assert_not(rf_nps_score_valid(-1));
    cr_assert_not(rf_nps_score_valid(11));
}

Test(nps, six_is_a_detractor_seven_and_eight_passives_nine_a_promoter)
{
    static const enum rf_nps_class want[] = {
        RF_NPS_DETRACTOR, RF_NPS_DETRACTOR, RF_NPS_DETRACTOR, RF_NPS_DETRACTOR,
        RF_NPS_DETRACTOR, RF_NPS_DETRACTOR, RF_NPS_DETRACTOR, RF_NPS_PASSIVE,
        RF_NPS_PASSIVE,   RF_NPS_PROMOTER,  RF_NPS_PROMOTER,
    };

    for (int s = 0; s <= 10; s++)
        cr_assert_eq(rf_nps_classify(s), want[s], "score %d", s);
}

Test(nps, no_answers_have_no_score)
{
    struct rf_nps n = {0};
    double score = 42;

    cr_assert_not(rf_nps_score(&n, &score));
    cr_assert_eq(score, 0.0);
    cr_assert_eq(rf_nps_answers(&n), 0);
}

Test(nps, all_passives_score_zero_with_their_answers_counted)
{
    struct rf_nps n = {0};
    double score = 42;

    rf_nps_add(&n, 7, 3);
    rf_nps_add(&n, 8, 2);
    cr_assert(rf_nps_score(&n, &score));
    cr_assert_eq(score, 0.0);
    cr_assert_eq(rf_nps_answers(&n), 5);
    cr_assert_eq(n.passives, 5);
    cr_assert_eq(n.promoters + n.detractors, 0);
}

Test(nps, all_promoters_score_100_and_all_detractors_minus_100)
{
    struct rf_nps up = {0}, down = {0};
    double score;

    rf_nps_add(&up, 9, 1);
    rf_nps_add(&up, 10, 4);
    cr_assert(rf_nps_score(&up, &score));
    cr_assert_eq(score, 100.0);
    rf_nps_add(&down, 0, 2);
    rf_nps_add(&down, 6, 1);
    cr_assert(rf_nps_score(&down, &score));
    cr_assert_eq(score, -100.0);
}

Test(nps, a_mix_scores_the_exact_quotient_of_its_counts)
{
    struct rf_nps n = {0};
    double score;

    /* 3 promoters, 2 passives, 1 detractor: 100 * (3 - 1) / 6 = 33.33... */
    rf_nps_add(&n, 10, 2);
    rf_nps_add(&n, 9, 1);
    rf_nps_add(&n, 8, 1);
    rf_nps_add(&n, 7, 1);
    rf_nps_add(&n, 3, 1);
    cr_assert(rf_nps_score(&n, &score));
    cr_assert_eq(score, 200.0 / 6.0);
    cr_assert_eq(n.promoters, 3);
    cr_assert_eq(n.passives, 2);
    cr_assert_eq(n.detractors, 1);
}

Test(nps, groups_merge_into_their_total)
{
    struct rf_nps a = {0}, b = {0}, total = {0};
    double score;

    rf_nps_add(&a, 10, 1);
    rf_nps_add(&b, 2, 1);
    rf_nps_add(&b, 7, 2);
    rf_nps_merge(&total, &a);
    rf_nps_merge(&total, &b);
    cr_assert_eq(rf_nps_answers(&total), 4);
    cr_assert(rf_nps_score(&total, &score));
    cr_assert_eq(score, 0.0, "one promoter and one detractor in four");
}

Test(nps, adding_no_answers_changes_nothing)
{
    struct rf_nps n = {0};
    double score;

    rf_nps_add(&n, 10, 0);
    cr_assert_eq(rf_nps_answers(&n), 0);
    cr_assert_not(rf_nps_score(&n, &score));
}
