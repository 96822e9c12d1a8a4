/*
 * ecdf.h — member scores, ensemble aggregation and thresholds.
 *
 * A member turns a beat's reconstruction loss into a score with the
 * empirical CDF of its own training losses; the ensemble combines member
 * scores with one rule; a threshold on the ensemble score flags anomalies.
 */
#ifndef ENSAD_ECDF_H
#define ENSAD_ECDF_H

#include <stdint.h>

/* Fraction of sorted[0..n) that is <= x: 0 below the minimum, 1 at and
 * above the maximum; ties count in full. sorted is ascending. */
double ecdf_eval(const float *sorted, int64_t n, float x);

/* Sorts x[0..n) ascending in place. */
void ecdf_sort(float *x, int64_t n);

typedef enum {
    AGG_MEAN,
    AGG_MEDIAN,
    AGG_MAX,
    AGG_TRIMMED_MEAN, /* drops the trim fraction at each end */
    AGG_WEIGHTED_MEAN /* weights: shard sizes */
} agg_rule_t;

/* "mean", "median", ... -> rule; -1 when unknown. */
int agg_rule_parse(const char *name);
const char *agg_rule_name(agg_rule_t rule);

/* Combines scores [members] into one ensemble score. weights [members] is
 * used by AGG_WEIGHTED_MEAN only; trim in [0, 0.5) by AGG_TRIMMED_MEAN.
 * scratch holds members floats. */
float agg_combine(agg_rule_t rule, const float *scores, const double *weights,
                  int members, double trim, float *scratch);

/* Threshold t such that at most target_fpr of the normal validation
 * scores are > t: the smallest such t among the observed scores (or 1). */
double threshold_for_fpr(const float *normal_scores, int64_t n,
                         double target_fpr);
/* Threshold t maximising F1 of (score > t) over labelled scores; ties in
 * F1 go to the higher threshold. */
double threshold_best_f1(const float *scores, const uint8_t *anomalous,
                         int64_t n);

#endif
