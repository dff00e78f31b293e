/*
 * Net Promoter Score: the arithmetic of the customers' answers to "how likely
 * are you to recommend us" on the 0-10 scale, where 9 and 10 are promoters, 7
 * and 8 passives and 0 to 6 detractors, and the score is the percentage of
 * promoters minus the percentage of detractors. Pure: plain counts in, a
 * number out; no I/O. Not for storing answers or grouping them
 * (satisfaction_store.h counts them in SQL and fills these).
 */
#ifndef REFUNDS_NPS_H
#define REFUNDS_NPS_H

#include <stdbool.h>

/* The lowest and highest answer. */
#define RF_NPS_SCORE_MIN 0
#define RF_NPS_SCORE_MAX 10
/* The highest detractor's and the lowest promoter's answer. */
#define RF_NPS_DETRACTOR_MAX 6
#define RF_NPS_PROMOTER_MIN  9

enum rf_nps_class { RF_NPS_DETRACTOR, RF_NPS_PASSIVE, RF_NPS_PROMOTER };

/* The answers of a group, by class. A plain value: zero it to start. */
struct rf_nps {
    long long promoters;
    long long passives;
    long long detractors;
};

/* True when score is an answer of the scale (0-10). */
bool rf_nps_score_valid(int score);

/* The class of a valid score; a score outside 0-10 is a detractor's (callers validate first). */
enum rf_nps_class rf_nps_classify(int score);

/* Counts count answers of score (count >= 0) into n. */
void rf_nps_add(struct rf_nps *n, int score, long long count);

/* Adds the counts of b to a (a group into a total). */
void rf_nps_merge(struct rf_nps *a, const struct rf_nps *b);

/* How many answers n holds. */
long long rf_nps_answers(const struct rf_nps *n);

/*
 * The score of n: 100 * (promoters - detractors) / answers, from -100 to 100,
 * as the exactly rounded quotient of those two integers (so any client that
 * divides the same counts gets the same number). Returns false, with *score 0,
 * when n has no answers: the score of nobody is undefined, not 0.
 */
bool rf_nps_score(const struct rf_nps *n, double *score);

#endif
