/*
 * ecdf.c — member scores from an empirical CDF, the ensemble aggregation
 * rules, and the two ways of choosing a threshold on ensemble scores.
 *
 * Scores are assumed finite: NaN is given a fixed place in every sort so
 * that qsort stays well defined, but no result involving NaN is promised.
 * Nothing here allocates except the two threshold searches, which sort a
 * private copy of their input.
 */
#include "ecdf.h"

#include "err.h"
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Ascending order with NaN after every number, so the order is total. */
static int float_cmp_asc(const void *pa, const void *pb)
{
    float a = *(const float *)pa, b = *(const float *)pb;

    if (a < b)
        return -1;
    if (a > b)
        return 1;
    return isnan(a) - isnan(b);
}

void ecdf_sort(float *x, int64_t n)
{
    if (n > 1)
        qsort(x, (size_t)n, sizeof *x, float_cmp_asc);
}

double ecdf_eval(const float *sorted, int64_t n, float x)
{
    int64_t lo = 0, hi = n;

    if (n <= 0)
        return 0.0;

    /* Upper bound: lo ends at the first element > x. */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (double)lo / (double)n;
}

static const char *const agg_names[] = {
    [AGG_MEAN] = "mean",
    [AGG_MEDIAN] = "median",
    [AGG_MAX] = "max",
    [AGG_TRIMMED_MEAN] = "trimmed_mean",
    [AGG_WEIGHTED_MEAN] = "weighted_mean",
};

#define AGG_COUNT ((int)(sizeof agg_names / sizeof agg_names[0]))

int agg_rule_parse(const char *name)
{
    if (!name)
        return -1;
    for (int r = 0; r < AGG_COUNT; r++)
        if (strcmp(name, agg_names[r]) == 0)
            return r;
    return -1;
}

const char *agg_rule_name(agg_rule_t rule)
{
    if ((int)rule < 0 || (int)rule >= AGG_COUNT)
        return "unknown";
    return agg_names[rule];
}

static double mean_of(const float *x, int from, int to)
{
    double sum = 0.0;

    for (int i = from; i < to; i++)
        sum += x[i];
    return sum / (to - from);
}

static float agg_median(const float *scores, int members, float *scratch)
{
    int mid = members / 2;

    memcpy(scratch, scores, (size_t)members * sizeof *scratch);
    ecdf_sort(scratch, members);
    if (members % 2)
        return scratch[mid];
    return (float)(((double)scratch[mid - 1] + scratch[mid]) / 2.0);
}

/* Drops floor(trim * members) scores from each end; trim is clamped to
 * [0, 0.5) so that at least one score always remains. */
static float agg_trimmed_mean(const float *scores, int members, double trim,
                              float *scratch)
{
    int k = 0;

    if (trim > 0.0)
        k = (int)floor(trim * members);
    if (2 * k >= members)
        k = (members - 1) / 2;

    memcpy(scratch, scores, (size_t)members * sizeof *scratch);
    ecdf_sort(scratch, members);
    return (float)mean_of(scratch, k, members - k);
}

/* Falls back to the plain mean when the weights are missing or do not sum
 * to a positive number, rather than dividing by zero. */
static float agg_weighted_mean(const float *scores, const double *weights,
                               int members)
{
    double sum = 0.0, wsum = 0.0;

    if (weights) {
        for (int i = 0; i < members; i++) {
            sum += weights[i] * scores[i];
            wsum += weights[i];
        }
    }
    if (!(wsum > 0.0))
        return (float)mean_of(scores, 0, members);
    return (float)(sum / wsum);
}

float agg_combine(agg_rule_t rule, const float *scores, const double *weights,
                  int members, double trim, float *scratch)
{
    float best;

    if (members <= 0)
        return 0.0f;

    switch (rule) {
    case AGG_MEDIAN:
        return agg_median(scores, members, scratch);
    case AGG_MAX:
        best = scores[0];
        for (int i = 1; i < members; i++)
            if (scores[i] > best)
                best = scores[i];
        return best;
    case AGG_TRIMMED_MEAN:
        return agg_trimmed_mean(scores, members, trim, scratch);
    case AGG_WEIGHTED_MEAN:
        return agg_weighted_mean(scores, weights, members);
    case AGG_MEAN:
    default:
        return (float)mean_of(scores, 0, members);
    }
}

/* The largest count k of normal scores allowed above the threshold: the
 * largest k with k / n <= target, compared as the caller would, so that
 * 0.29 of 100 allows 29 even though 0.29 * 100 rounds below 29. */
static int64_t fpr_allowed(double target_fpr, int64_t n)
{
    int64_t k;

    if (!(target_fpr > 0.0))
        return 0;
    if (target_fpr >= 1.0)
        return n;

    k = (int64_t)floor(target_fpr * (double)n);
    while (k < n && (double)(k + 1) / (double)n <= target_fpr)
        k++;
    while (k > 0 && (double)k / (double)n > target_fpr)
        k--;
    return k;
}

/*
 * In ascending order, the value at index n - 1 - k has at most k values
 * strictly above it (its ties sit at or below that index), while every
 * smaller value has at least k + 1 above it: it is the smallest observed
 * threshold allowed.
 */
double threshold_for_fpr(const float *normal_scores, int64_t n,
                         double target_fpr)
{
    float *sorted;
    int64_t k;
    double t;

    if (n <= 0)
        return 1.0;

    sorted = xmalloc((size_t)n * sizeof *sorted);
    memcpy(sorted, normal_scores, (size_t)n * sizeof *sorted);
    ecdf_sort(sorted, n);

    k = fpr_allowed(target_fpr, n);
    t = sorted[k >= n ? 0 : n - 1 - k];
    free(sorted);
    return t;
}

/*
 * Candidates are the distinct observed scores, so the lowest-scored beat
 * is never flagged. Walking the scores from the highest down, the beats
 * flagged by (score > v) are exactly those of the groups already passed.
 * F1 is 2 tp / (2 tp + fp + fn), which is 0 when tp is 0.
 */
double threshold_best_f1(const float *scores, const uint8_t *anomalous,
                         int64_t n)
{
    labelled_t *beats;
    int64_t positives = 0, tp = 0, fp = 0, i = 0;
    double best_f1 = -1.0, best_t = 1.0;

    if (n <= 0)
        return 1.0;

    beats = labelled_sort(scores, anomalous, n, &positives);
    while (i < n) {
        float v = beats[i].score;
        int64_t denom = 2 * tp + fp + (positives - tp), pos, end;
        double f1 = denom > 0 ? 2.0 * (double)tp / (double)denom : 0.0;

        /* Strictly greater: an equal F1 lower down loses to this one. */
        if (f1 > best_f1) {
            best_f1 = f1;
            best_t = v;
        }
        end = labelled_group_end(beats, n, i, &pos);
        tp += pos;
        fp += (end - i) - pos;
        i = end;
    }
    free(beats);
    return best_t;
}
