/*
 * test_metrics.c — specification of metrics.h. Small cases are worked by
 * hand in the comments; on random scores with many ties, ROC AUC is
 * checked against counting every (anomalous, normal) pair and average
 * precision against the mean, over anomalous beats, of the precision at
 * each one's score — both O(n^2) routes that share nothing with the code.
 */
#include "metrics.h"
#include "rng.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#define EPS 1e-12

/* ---- confusion and the ratios on it ----------------------------------- */

Test(metrics, confusion_counts_each_cell)
{
    const uint8_t flag[] = {1, 1, 0, 0, 1, 0};
    const uint8_t anom[] = {1, 0, 0, 1, 1, 0};
    metrics_t m;

    /* i: 0 tp, 1 fp, 2 tn, 3 fn, 4 tp, 5 tn */
    metrics_confusion(flag, anom, 6, &m);
    cr_assert_eq(m.tp, 2);
    cr_assert_eq(m.fp, 1);
    cr_assert_eq(m.tn, 2);
    cr_assert_eq(m.fn, 1);
}

Test(metrics, accuracy_is_fraction_correct)
{
    const uint8_t flag[] = {1, 1, 0, 0, 1, 0};
    const uint8_t anom[] = {1, 0, 0, 1, 1, 0};
    metrics_t m;

    /* tp 2 + tn 2 of 6 */
    metrics_confusion(flag, anom, 6, &m);
    cr_assert_float_eq(m.accuracy, 4.0 / 6.0, EPS);
}

Test(metrics, precision_recall_f1_on_hand_case)
{
    const uint8_t flag[] = {1, 1, 1, 1, 0};
    const uint8_t anom[] = {1, 0, 0, 0, 0};
    metrics_t m;

    /* tp 1 fp 3 fn 0: P = 1/4, R = 1, F1 = 2 (1/4) / (5/4) = 0.4 */
    metrics_confusion(flag, anom, 5, &m);
    cr_assert_float_eq(m.precision, 0.25, EPS);
    cr_assert_float_eq(m.recall, 1.0, EPS);
    cr_assert_float_eq(m.f1, 0.4, EPS);
}

Test(metrics, precision_without_flags_is_zero)
{
    const uint8_t flag[] = {0, 0, 0};
    const uint8_t anom[] = {1, 0, 1};
    metrics_t m;

    metrics_confusion(flag, anom, 3, &m);
    cr_assert_float_eq(m.precision, 0.0, EPS);
    cr_assert_float_eq(m.f1, 0.0, EPS);
}

Test(metrics, recall_without_anomalies_is_zero)
{
    const uint8_t flag[] = {1, 0, 0};
    const uint8_t anom[] = {0, 0, 0};
    metrics_t m;

    metrics_confusion(flag, anom, 3, &m);
    cr_assert_float_eq(m.recall, 0.0, EPS);
    cr_assert_float_eq(m.f1, 0.0, EPS);
}

Test(metrics, compute_flags_strictly_above_threshold)
{
    const float s[] = {0.2f, 0.5f, 0.5f, 0.8f};
    const uint8_t anom[] = {0, 1, 0, 1};
    metrics_t m;

    /* Threshold 0.5: only 0.8 is flagged; the two 0.5s are not.
     * tp 1 (0.8), fn 1 (the anomalous 0.5), tn 2. */
    metrics_compute(s, anom, 4, 0.5, &m);
    cr_assert_eq(m.tp, 1);
    cr_assert_eq(m.fp, 0);
    cr_assert_eq(m.tn, 2);
    cr_assert_eq(m.fn, 1);
    cr_assert_float_eq(m.threshold, 0.5, EPS);
}

Test(metrics, compute_fills_auc_and_average_precision)
{
    const float s[] = {0.9f, 0.8f, 0.7f, 0.6f};
    const uint8_t anom[] = {1, 0, 1, 0};
    metrics_t m;

    /* AUC: pairs (0.9,0.8) (0.9,0.6) (0.7,0.6) won, (0.7,0.8) lost: 3/4.
     * AP: see average_precision_on_hand_case: 5/6. */
    metrics_compute(s, anom, 4, 0.75, &m);
    cr_assert_float_eq(m.roc_auc, 0.75, EPS);
    cr_assert_float_eq(m.average_precision, 5.0 / 6.0, EPS);
}

/* ---- ROC AUC ---------------------------------------------------------- */

Test(roc_auc, perfect_separation_is_one)
{
    const float s[] = {0.1f, 0.2f, 0.3f, 0.7f, 0.8f};
    const uint8_t anom[] = {0, 0, 0, 1, 1};

    cr_assert_float_eq(metrics_roc_auc(s, anom, 5), 1.0, EPS);
}

Test(roc_auc, reversed_separation_is_zero)
{
    const float s[] = {0.1f, 0.2f, 0.3f, 0.7f, 0.8f};
    const uint8_t anom[] = {1, 1, 0, 0, 0};

    cr_assert_float_eq(metrics_roc_auc(s, anom, 5), 0.0, EPS);
}

Test(roc_auc, all_scores_equal_is_one_half)
{
    const float s[] = {0.4f, 0.4f, 0.4f, 0.4f};
    const uint8_t anom[] = {1, 0, 1, 0};

    cr_assert_float_eq(metrics_roc_auc(s, anom, 4), 0.5, EPS);
}

Test(roc_auc, tie_counts_one_half)
{
    const float s[] = {0.1f, 0.4f, 0.4f, 0.9f};
    const uint8_t anom[] = {0, 0, 1, 1};

    /* (anomalous, normal) pairs: (0.4,0.1) 1, (0.4,0.4) 1/2,
     * (0.9,0.1) 1, (0.9,0.4) 1 -> 3.5 / 4 */
    cr_assert_float_eq(metrics_roc_auc(s, anom, 4), 0.875, EPS);
}

Test(roc_auc, one_class_absent_is_one_half)
{
    const float s[] = {0.1f, 0.4f, 0.9f};
    const uint8_t none[] = {0, 0, 0}, all[] = {1, 1, 1};

    cr_assert_float_eq(metrics_roc_auc(s, none, 3), 0.5, EPS);
    cr_assert_float_eq(metrics_roc_auc(s, all, 3), 0.5, EPS);
}

/* Random scores on a coarse grid, so that ties are common. */
static void random_beats(uint64_t seed, int64_t n, float *s, uint8_t *a)
{
    rng_t rng;

    rng_seed(&rng, seed);
    for (int64_t i = 0; i < n; i++) {
        a[i] = rng_uniform(&rng) < 0.3;
        /* Anomalies lean higher, but the classes overlap. */
        s[i] = (float)(rng_below(&rng, 12) + 4 * a[i]) / 16.0f;
    }
}

static double brute_auc(const float *s, const uint8_t *a, int64_t n)
{
    double won = 0.0;
    int64_t pairs = 0;

    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < n; j++) {
            if (!a[i] || a[j])
                continue;
            pairs++;
            won += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
        }
    }
    return won / (double)pairs;
}

Test(roc_auc, matches_pair_count_on_random_ties)
{
    enum { N = 400 };
    float s[N];
    uint8_t a[N];

    for (uint64_t seed = 1; seed <= 5; seed++) {
        random_beats(seed, N, s, a);
        cr_assert_float_eq(metrics_roc_auc(s, a, N), brute_auc(s, a, N),
                           1e-12, "seed %d", (int)seed);
    }
}

/* ---- average precision ------------------------------------------------ */

Test(average_precision, perfect_separation_is_one)
{
    const float s[] = {0.1f, 0.2f, 0.3f, 0.7f, 0.8f};
    const uint8_t anom[] = {0, 0, 0, 1, 1};

    cr_assert_float_eq(metrics_average_precision(s, anom, 5), 1.0, EPS);
}

Test(average_precision, on_hand_case)
{
    const float s[] = {0.9f, 0.8f, 0.7f, 0.6f};
    const uint8_t anom[] = {1, 0, 1, 0};

    /* Highest first, (R, P) after each step: 0.9 (1/2, 1),
     * 0.8 (1/2, 1/2), 0.7 (1, 2/3), 0.6 (1, 1/2).
     * AP = 1/2 * 1 + 0 + 1/2 * 2/3 + 0 = 5/6 */
    cr_assert_float_eq(metrics_average_precision(s, anom, 4), 5.0 / 6.0,
                       EPS);
}

Test(average_precision, takes_tied_scores_as_one_step)
{
    const float s[] = {0.9f, 0.5f, 0.5f, 0.5f, 0.1f};
    const uint8_t anom[] = {0, 1, 0, 1, 1};

    /* P = 3. Steps: 0.9 tp0 fp1 (R 0, P 0); 0.5 tp2 fp2 (R 2/3, P 1/2);
     * 0.1 tp3 fp2 (R 1, P 3/5).
     * AP = 2/3 * 1/2 + 1/3 * 3/5 = 1/3 + 1/5 = 8/15 = 0.533.
     * Splitting the tie would give, anomalies first,
     * 1/3 * 1/2 + 1/3 * 2/3 + 1/3 * 3/5 = 0.589, or, anomalies last,
     * 1/3 * 1/3 + 1/3 * 1/2 + 1/3 * 3/5 = 0.478. */
    cr_assert_float_eq(metrics_average_precision(s, anom, 5), 8.0 / 15.0,
                       EPS);
}

Test(average_precision, without_anomalies_is_zero)
{
    const float s[] = {0.1f, 0.4f, 0.9f};
    const uint8_t none[] = {0, 0, 0};

    cr_assert_float_eq(metrics_average_precision(s, none, 3), 0.0, EPS);
}

/* Mean over anomalous beats i of the precision of flagging score >= s_i:
 * each tied group then weighs by its anomalies at its own precision. */
static double brute_ap(const float *s, const uint8_t *a, int64_t n)
{
    double sum = 0.0;
    int64_t positives = 0;

    for (int64_t i = 0; i < n; i++) {
        int64_t flagged = 0, tp = 0;
        if (!a[i])
            continue;
        positives++;
        for (int64_t j = 0; j < n; j++) {
            flagged += s[j] >= s[i];
            tp += s[j] >= s[i] && a[j];
        }
        sum += (double)tp / (double)flagged;
    }
    return sum / (double)positives;
}

Test(average_precision, matches_brute_force_on_random_ties)
{
    enum { N = 400 };
    float s[N];
    uint8_t a[N];

    for (uint64_t seed = 11; seed <= 15; seed++) {
        random_beats(seed, N, s, a);
        cr_assert_float_eq(metrics_average_precision(s, a, N),
                           brute_ap(s, a, N), 1e-12, "seed %d", (int)seed);
    }
}

/* ---- curves ----------------------------------------------------------- */

static const float curve_s[] = {0.8f, 0.1f, 0.9f, 0.8f};
static const uint8_t curve_a[] = {0, 0, 1, 1};

Test(curves, roc_steps_at_each_distinct_score)
{
    double fpr[6], tpr[6];
    /* P = N = 2. Nothing: (0,0); >= 0.9: (0, 1/2);
     * >= 0.8: (1/2, 1); >= 0.1: (1, 1). */
    const double want_f[] = {0, 0, 0.5, 1}, want_t[] = {0, 0.5, 1, 1};
    int64_t k = metrics_roc_curve(curve_s, curve_a, 4, fpr, tpr);

    cr_assert_eq(k, 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_float_eq(fpr[i], want_f[i], EPS, "point %d", i);
        cr_assert_float_eq(tpr[i], want_t[i], EPS, "point %d", i);
    }
}

Test(curves, roc_without_anomalies_still_ends_at_one_one)
{
    const float s[] = {0.3f, 0.6f};
    const uint8_t none[] = {0, 0};
    double fpr[4], tpr[4];
    /* (0,0), >= 0.6 (1/2, 0), >= 0.3 (1, 0), then (1,1) appended. */
    int64_t k = metrics_roc_curve(s, none, 2, fpr, tpr);

    cr_assert_eq(k, 4);
    cr_assert_float_eq(fpr[2], 1.0, EPS);
    cr_assert_float_eq(tpr[2], 0.0, EPS);
    cr_assert_float_eq(fpr[3], 1.0, EPS);
    cr_assert_float_eq(tpr[3], 1.0, EPS);
}

Test(curves, pr_steps_at_each_distinct_score_highest_first)
{
    double rec[5], prec[5];
    /* Nothing: (R 0, P 1); >= 0.9: (1/2, 1); >= 0.8: (1, 2/3);
     * >= 0.1: (1, 1/2). */
    const double want_r[] = {0, 0.5, 1, 1};
    const double want_p[] = {1, 1, 2.0 / 3.0, 0.5};
    int64_t k = metrics_pr_curve(curve_s, curve_a, 4, rec, prec);

    cr_assert_eq(k, 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_float_eq(rec[i], want_r[i], EPS, "point %d", i);
        cr_assert_float_eq(prec[i], want_p[i], EPS, "point %d", i);
    }
}

Test(curves, trapezoid_area_under_roc_equals_auc)
{
    enum { N = 300 };
    float s[N];
    uint8_t a[N];
    double fpr[N + 2], tpr[N + 2], area = 0.0;
    int64_t k;

    random_beats(21, N, s, a);
    k = metrics_roc_curve(s, a, N, fpr, tpr);
    for (int64_t i = 1; i < k; i++)
        area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2.0;
    cr_assert_float_eq(area, brute_auc(s, a, N), 1e-12);
}

Test(curves, pr_step_sum_equals_average_precision)
{
    enum { N = 300 };
    float s[N];
    uint8_t a[N];
    double rec[N + 1], prec[N + 1], ap = 0.0;
    int64_t k;

    random_beats(22, N, s, a);
    k = metrics_pr_curve(s, a, N, rec, prec);
    for (int64_t i = 1; i < k; i++)
        ap += (rec[i] - rec[i - 1]) * prec[i];
    cr_assert_float_eq(ap, brute_ap(s, a, N), 1e-12);
}
