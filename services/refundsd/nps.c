/*
 * Net Promoter Score arithmetic (see nps.h).
 */
#include "nps.h"

bool rf_nps_score_valid(int score)
{
    return score >= RF_NPS_SCORE_MIN && score <= RF_NPS_SCORE_MAX;
}

enum rf_nps_class rf_nps_classify(int score)
{
    if (score >= RF_NPS_PROMOTER_MIN && score <= RF_NPS_SCORE_MAX)
        return RF_NPS_PROMOTER;
    if (score > RF_NPS_DETRACTOR_MAX && score < RF_NPS_PROMOTER_MIN)
        return RF_NPS_PASSIVE;
    return RF_NPS_DETRACTOR;
}

void rf_nps_add(struct rf_nps *n, int score, long long count)
{
    switch (rf_nps_classify(score)) {
    case RF_NPS_PROMOTER:
        n->promoters += count;
        break;
    case RF_NPS_PASSIVE:
        n->passives += count;
        break;
    case RF_NPS_DETRACTOR:
        n->detractors += count;
        break;
    }
}

void rf_nps_merge(struct rf_nps *a, const struct rf_nps *b)
{
    a->promoters += b->promoters;
    a->passives += b->passives;
    a->detractors += b->detractors;
}

long long rf_nps_answers(const struct rf_nps *n)
{
    return n->promoters + n->passives + n->detractors;
}

bool rf_nps_score(const struct rf_nps *n, double *score)
{
    long long answers = rf_nps_answers(n);

    *score = 0;
    if (answers <= 0)
        return false;
    /* Both integers are exact in a double (counts far below 2^53): one rounding, the division's. */
    *score = (double)(100 * (n->promoters - n->detractors)) / (double)answers;
    return true;
}
