/*
 * metrics.c — confusion matrix and the ratios built on it, ROC AUC,
 * average precision, and the ROC and precision-recall curves.
 *
 * Everything threshold-free sorts the beats once by score, highest first,
 * and walks groups of equal scores, so ties are always one step and the
 * cost is O(n log n). Choices where a quantity is undefined, all written
 * so that a report never holds NaN (JSON has no NaN):
 *   - a ratio with a zero denominator is 0;
 *   - ROC AUC with only one class present is 0.5, the value of chance;
 *   - average precision with no anomalous beat is 0;
 *   - on a curve, the rate of an absent class is 0.
 * Scores are assumed finite; NaN only has a fixed place in the sort.
 */
#include "metrics.h"

#include "err.h"

#include <math.h>
#include <stdlib.h>

static int labelled_cmp_desc(const void *pa, const void *pb)
{
    const labelled_t *a = pa, *b = pb;

    if (a->score > b->score)
        return -1;
    if (a->score < b->score)
        return 1;
    return isnan(a->score) - isnan(b->score);
}

/* Equal, or both NaN: one group, so every group walk moves on. */
static int same_score(float a, float b)
{
    return a == b || (isnan(a) && isnan(b));
}

labelled_t *labelled_sort(const float *score, const uint8_t *anomalous,
                          int64_t n, int64_t *positives)
{
    labelled_t *beats = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *beats);

    *positives = 0;
    for (int64_t i = 0; i < n; i++) {
        beats[i].score = score[i];
        beats[i].anomalous = anomalous[i] != 0;
        *positives += beats[i].anomalous;
    }
    if (n > 1)
        qsort(beats, (size_t)n, sizeof *beats, labelled_cmp_desc);
    return beats;
}

int64_t labelled_group_end(const labelled_t *beats, int64_t n, int64_t i,
                           int64_t *pos)
{
    int64_t j = i;

    *pos = 0;
    while (j < n && same_score(beats[j].score, beats[i].score))
        *pos += beats[j++].anomalous;
    return j;
}

static double ratio(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : 0.0;
}

void metrics_confusion(const uint8_t *flagged, const uint8_t *anomalous,
                       int64_t n, metrics_t *m)
{
    m->tp = m->fp = m->tn = m->fn = 0;
    for (int64_t i = 0; i < n; i++) {
        int f = flagged[i] != 0, a = anomalous[i] != 0;
        m->tp += f && a;
        m->fp += f && !a;
        m->tn += !f && !a;
        m->fn += !f && a;
    }

    m->accuracy = ratio(m->tp + m->tn, n);
    m->precision = ratio(m->tp, m->tp + m->fp);
    m->recall = ratio(m->tp, m->tp + m->fn);
    /* Equals 2PR / (P + R) where that is defined, and 0 when tp is 0. */
    m->f1 = ratio(2 * m->tp, 2 * m->tp + m->fp + m->fn);
}

/*
 * Mann-Whitney: U = R - P (P + 1) / 2, where R is the sum of the
 * ascending ranks of the anomalous beats and tied beats share the average
 * of their ranks; AUC = U / (P N). Sorted highest first, the group at
 * positions [i, j) holds ascending ranks n - j + 1 .. n - i, whose
 * average is (2n - i - j + 1) / 2. Doubled, everything stays integral.
 */
double metrics_roc_auc(const float *score, const uint8_t *anomalous,
                       int64_t n)
{
    int64_t positives, negatives, twice_rank_sum = 0, i = 0;
    labelled_t *beats = labelled_sort(score, anomalous, n, &positives);

    negatives = n - positives;
    if (positives == 0 || negatives == 0) {
        free(beats);
        return 0.5;
    }

    while (i < n) {
        int64_t pos, j = labelled_group_end(beats, n, i, &pos);
        twice_rank_sum += pos * (2 * n - i - j + 1);
        i = j;
    }
    free(beats);

    return (double)(twice_rank_sum - positives * (positives + 1)) /
           (2.0 * (double)positives * (double)negatives);
}

/*
 * Sum over distinct scores s, highest first, of (R_k - R_{k-1}) P_k, with
 * P_k and R_k the precision and recall of flagging every beat scored >= s.
 */
double metrics_average_precision(const float *score, const uint8_t *anomalous,
                                 int64_t n)
{
    int64_t positives, tp = 0, i = 0;
    labelled_t *beats = labelled_sort(score, anomalous, n, &positives);
    double ap = 0.0;

    while (positives > 0 && i < n) {
        int64_t pos, j = labelled_group_end(beats, n, i, &pos);
        tp += pos;
        ap += ratio(pos, positives) * ratio(tp, j);
        i = j;
    }
    free(beats);
    /* Exact AP is at most 1; rounding in the sum can pass it by 1e-16. */
    return ap < 1.0 ? ap : 1.0;
}

void metrics_compute(const float *score, const uint8_t *anomalous, int64_t n,
                     double threshold, metrics_t *m)
{
    uint8_t *flagged = xmalloc((size_t)(n > 0 ? n : 1));

    for (int64_t i = 0; i < n; i++)
        flagged[i] = score[i] > threshold;
    metrics_confusion(flagged, anomalous, n, m);
    free(flagged);

    m->roc_auc = metrics_roc_auc(score, anomalous, n);
    m->average_precision = metrics_average_precision(score, anomalous, n);
    m->threshold = threshold;
}

/*
 * Point k flags every beat scored >= the k-th distinct score, highest
 * first, after the (0, 0) of flagging nothing. The last such point is
 * (1, 1) when both classes are present; otherwise (1, 1) is appended.
 */
int64_t metrics_roc_curve(const float *score, const uint8_t *anomalous,
                          int64_t n, double *fpr, double *tpr)
{
    int64_t positives, negatives, tp = 0, i = 0, count = 0;
    labelled_t *beats = labelled_sort(score, anomalous, n, &positives);

    negatives = n - positives;
    fpr[count] = 0.0;
    tpr[count++] = 0.0;
    while (i < n) {
        int64_t pos, j = labelled_group_end(beats, n, i, &pos);
        tp += pos;
        fpr[count] = ratio(j - tp, negatives);
        tpr[count++] = ratio(tp, positives);
        i = j;
    }
    free(beats);

    if (fpr[count - 1] != 1.0 || tpr[count - 1] != 1.0) {
        fpr[count] = 1.0;
        tpr[count++] = 1.0;
    }
    return count;
}

/*
 * The first point is (recall 0, precision 1), where nothing is flagged;
 * point k then flags every beat scored >= the k-th distinct score, highest
 * first, so recall never falls along the curve.
 */
int64_t metrics_pr_curve(const float *score, const uint8_t *anomalous,
                         int64_t n, double *recall, double *precision)
{
    int64_t positives, tp = 0, i = 0, count = 0;
    labelled_t *beats = labelled_sort(score, anomalous, n, &positives);

    recall[count] = 0.0;
    precision[count++] = 1.0;
    while (i < n) {
        int64_t pos, j = labelled_group_end(beats, n, i, &pos);
        tp += pos;
        recall[count] = ratio(tp, positives);
        precision[count++] = ratio(tp, j);
        i = j;
    }
    free(beats);
    return count;
}
