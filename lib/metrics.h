/*
 * metrics.h — how well scores and flags separate anomalous from normal
 * beats: confusion matrix, accuracy, precision, recall, F1, ROC AUC (ties
 * count one half, as in the Mann-Whitney statistic) and average precision
 * (scikit-learn's step-wise definition, tied scores taken as one step).
 * Undefined ratios (no positive predictions, say) are 0.
 */
#ifndef ENSAD_METRICS_H
#define ENSAD_METRICS_H

#include <stdint.h>

typedef struct {
    int64_t tp, fp, tn, fn;
    double accuracy, precision, recall, f1;
    double roc_auc, average_precision;
    double threshold;
} metrics_t;

/* A beat's score and label, for walks down the ranking. */
typedef struct {
    float score;
    uint8_t anomalous;
} labelled_t;

/* Beats sorted by score, highest first (NaN last); *positives gets the
 * anomalous count. The caller frees the result. */
labelled_t *labelled_sort(const float *score, const uint8_t *anomalous,
                          int64_t n, int64_t *positives);
/* End (exclusive) of the group of equal scores that starts at i; *pos
 * gets the number of anomalous beats in it. */
int64_t labelled_group_end(const labelled_t *beats, int64_t n, int64_t i,
                           int64_t *pos);

void metrics_confusion(const uint8_t *flagged, const uint8_t *anomalous,
                       int64_t n, metrics_t *m);
/* 0.5 when only one class is present (JSON has no NaN). */
double metrics_roc_auc(const float *score, const uint8_t *anomalous,
                       int64_t n);
/* 0 when no beat is anomalous. */
double metrics_average_precision(const float *score, const uint8_t *anomalous,
                                 int64_t n);
/* Everything above; flagged[i] = score[i] > threshold. */
void metrics_compute(const float *score, const uint8_t *anomalous, int64_t n,
                     double threshold, metrics_t *m);

/* ROC curve points (fpr, tpr) at every distinct score, from (0,0) to
 * (1,1); returns the count, arrays sized n + 2 by the caller. The point
 * of score s flags score >= s; the rate of an absent class is 0. */
int64_t metrics_roc_curve(const float *score, const uint8_t *anomalous,
                          int64_t n, double *fpr, double *tpr);
/* Precision-recall points at every distinct score, highest score first;
 * arrays sized n + 1. The first point is (recall 0, precision 1); the
 * point of score s flags score >= s. */
int64_t metrics_pr_curve(const float *score, const uint8_t *anomalous,
                         int64_t n, double *recall, double *precision);

#endif
