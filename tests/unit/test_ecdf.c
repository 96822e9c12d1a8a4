/*
 * test_ecdf.c — specification of ecdf.h: the empirical CDF at and around
 * the sample, each aggregation rule, and both threshold searches. Every
 * expected value is worked out by hand in the comment beside it.
 */
#include "ecdf.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#define EPS 1e-9

/* ---- ecdf_eval -------------------------------------------------------- */

static const float sample[] = {1.0f, 2.0f, 2.0f, 2.0f, 3.0f};
#define SAMPLE_N ((int64_t)(sizeof sample / sizeof sample[0]))

Test(ecdf, of_value_below_min_is_zero)
{
    cr_assert_float_eq(ecdf_eval(sample, SAMPLE_N, 0.5f), 0.0, EPS);
}

Test(ecdf, at_tied_value_counts_all_ties)
{
    /* 1, 2, 2, 2 are <= 2: 4 of 5. */
    cr_assert_float_eq(ecdf_eval(sample, SAMPLE_N, 2.0f), 0.8, EPS);
}

Test(ecdf, at_min_counts_the_min)
{
    /* Only the 1 is <= 1: 1 of 5. */
    cr_assert_float_eq(ecdf_eval(sample, SAMPLE_N, 1.0f), 0.2, EPS);
}

Test(ecdf, at_max_is_one)
{
    cr_assert_float_eq(ecdf_eval(sample, SAMPLE_N, 3.0f), 1.0, EPS);
}

Test(ecdf, of_value_above_max_is_one)
{
    cr_assert_float_eq(ecdf_eval(sample, SAMPLE_N, 7.0f), 1.0, EPS);
}

Test(ecdf, between_values_counts_those_below)
{
    const float x[] = {1.0f, 2.0f, 4.0f, 8.0f};

    /* 1 and 2 are <= 3: 2 of 4. */
    cr_assert_float_eq(ecdf_eval(x, 4, 3.0f), 0.5, EPS);
}

Test(ecdf, of_single_value_steps_at_it)
{
    const float x[] = {5.0f};

    cr_assert_float_eq(ecdf_eval(x, 1, 4.999f), 0.0, EPS);
    cr_assert_float_eq(ecdf_eval(x, 1, 5.0f), 1.0, EPS);
}

Test(ecdf, of_empty_sample_is_zero)
{
    cr_assert_float_eq(ecdf_eval(NULL, 0, 1.0f), 0.0, EPS);
}

Test(ecdf, sort_orders_ascending_keeping_values)
{
    float x[] = {3.0f, -1.0f, 2.0f, 2.0f, 0.5f, -7.0f};
    const float want[] = {-7.0f, -1.0f, 0.5f, 2.0f, 2.0f, 3.0f};

    ecdf_sort(x, 6);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(x[i], want[i], "x[%d] = %g, want %g", i, x[i], want[i]);
}

/* ---- agg_combine ------------------------------------------------------ */

static const float member_scores[] = {0.9f, 0.1f, 0.4f, 0.2f, 0.6f};
#define MEMBERS 5

Test(agg, mean_averages_all_members)
{
    float scratch[MEMBERS];

    /* (0.9 + 0.1 + 0.4 + 0.2 + 0.6) / 5 = 2.2 / 5 = 0.44 */
    cr_assert_float_eq(agg_combine(AGG_MEAN, member_scores, NULL, MEMBERS,
                                   0.0, scratch),
                       0.44, 1e-6);
}

Test(agg, median_of_odd_count_is_middle_value)
{
    float scratch[MEMBERS];

    /* Sorted: 0.1 0.2 [0.4] 0.6 0.9 */
    cr_assert_float_eq(agg_combine(AGG_MEDIAN, member_scores, NULL, MEMBERS,
                                   0.0, scratch),
                       0.4, 1e-6);
}

Test(agg, median_of_even_count_averages_two_middle)
{
    const float s[] = {0.8f, 0.2f, 0.6f, 0.3f};
    float scratch[4];

    /* Sorted: 0.2 [0.3 0.6] 0.8 -> 0.45 */
    cr_assert_float_eq(agg_combine(AGG_MEDIAN, s, NULL, 4, 0.0, scratch),
                       0.45, 1e-6);
}

Test(agg, median_leaves_scores_unsorted)
{
    float s[] = {0.8f, 0.2f, 0.6f};
    float scratch[3];

    agg_combine(AGG_MEDIAN, s, NULL, 3, 0.0, scratch);
    cr_assert(s[0] == 0.8f && s[1] == 0.2f && s[2] == 0.6f);
}

Test(agg, max_takes_largest_member)
{
    float scratch[MEMBERS];

    cr_assert_float_eq(agg_combine(AGG_MAX, member_scores, NULL, MEMBERS,
                                   0.0, scratch),
                       0.9, 1e-6);
}

Test(agg, trimmed_mean_drops_floor_of_trim_at_each_end)
{
    float scratch[MEMBERS];

    /* floor(0.3 * 5) = 1 from each end of 0.1 0.2 0.4 0.6 0.9:
     * (0.2 + 0.4 + 0.6) / 3 = 0.4 */
    cr_assert_float_eq(agg_combine(AGG_TRIMMED_MEAN, member_scores, NULL,
                                   MEMBERS, 0.3, scratch),
                       0.4, 1e-6);
}

Test(agg, trimmed_mean_with_trim_below_one_member_is_mean)
{
    float scratch[MEMBERS];

    /* floor(0.1 * 5) = 0: nothing dropped, the mean 0.44. */
    cr_assert_float_eq(agg_combine(AGG_TRIMMED_MEAN, member_scores, NULL,
                                   MEMBERS, 0.1, scratch),
                       0.44, 1e-6);
}

Test(agg, weighted_mean_weighs_by_shard_size)
{
    const float s[] = {0.2f, 0.8f};
    const double shard_rows[] = {300.0, 100.0};
    float scratch[2];

    /* (300 * 0.2 + 100 * 0.8) / 400 = 140 / 400 = 0.35 */
    cr_assert_float_eq(agg_combine(AGG_WEIGHTED_MEAN, s, shard_rows, 2, 0.0,
                                   scratch),
                       0.35, 1e-6);
}

Test(agg, weighted_mean_with_equal_weights_is_mean)
{
    const double w[MEMBERS] = {7, 7, 7, 7, 7};
    float scratch[MEMBERS];

    cr_assert_float_eq(agg_combine(AGG_WEIGHTED_MEAN, member_scores, w,
                                   MEMBERS, 0.0, scratch),
                       0.44, 1e-6);
}

Test(agg, rule_names_parse_to_their_rules)
{
    cr_assert_eq(agg_rule_parse("mean"), AGG_MEAN);
    cr_assert_eq(agg_rule_parse("median"), AGG_MEDIAN);
    cr_assert_eq(agg_rule_parse("max"), AGG_MAX);
    cr_assert_eq(agg_rule_parse("trimmed_mean"), AGG_TRIMMED_MEAN);
    cr_assert_eq(agg_rule_parse("weighted_mean"), AGG_WEIGHTED_MEAN);
}

Test(agg, unknown_rule_name_parses_to_minus_one)
{
    cr_assert_eq(agg_rule_parse("mode"), -1);
    cr_assert_eq(agg_rule_parse(""), -1);
    cr_assert_eq(agg_rule_parse("Mean"), -1);
}

Test(agg, rule_name_round_trips_through_parse)
{
    for (int r = AGG_MEAN; r <= AGG_WEIGHTED_MEAN; r++)
        cr_assert_eq(agg_rule_parse(agg_rule_name((agg_rule_t)r)), r);
}

/* ---- threshold_for_fpr ------------------------------------------------ */

static const float normals[] = {0.5f, 0.1f, 0.9f, 0.3f, 0.7f,
                                0.2f, 1.0f, 0.4f, 0.8f, 0.6f};

Test(threshold, for_fpr_allows_that_fraction_above)
{
    /* 0.2 of 10 = 2 may be above: t = 0.8 leaves 0.9 and 1.0 above;
     * 0.7 would leave 3. */
    cr_assert_float_eq(threshold_for_fpr(normals, 10, 0.2), 0.8, 1e-6);
}

Test(threshold, for_fpr_rounds_allowed_count_down)
{
    /* 0.25 of 10 = 2.5: still only 2 may be above, t = 0.8. */
    cr_assert_float_eq(threshold_for_fpr(normals, 10, 0.25), 0.8, 1e-6);
}

Test(threshold, for_zero_fpr_is_max)
{
    cr_assert_float_eq(threshold_for_fpr(normals, 10, 0.0), 1.0, 1e-6);
}

Test(threshold, for_fpr_one_is_min)
{
    /* Every normal may be above; the smallest observed score is 0.1, which
     * leaves 9 above. */
    cr_assert_float_eq(threshold_for_fpr(normals, 10, 1.0), 0.1, 1e-6);
}

Test(threshold, for_fpr_does_not_split_ties)
{
    const float s[] = {1.0f, 2.0f, 2.0f, 2.0f, 3.0f};

    /* 0.4 of 5 = 2 may be above. t = 2 leaves only the 3 above; t = 1
     * would leave 4. So t = 2, with an actual rate of 1/5. */
    cr_assert_float_eq(threshold_for_fpr(s, 5, 0.4), 2.0, 1e-6);
}

Test(threshold, for_fpr_without_scores_is_one)
{
    cr_assert_float_eq(threshold_for_fpr(NULL, 0, 0.05), 1.0, EPS);
}

Test(threshold, for_fpr_allows_exact_fraction_despite_rounding)
{
    float s[100];

    /* 0.29 * 100 is 28.999999999999996 in doubles, yet 29 of 100 is a
     * rate of exactly 0.29: with s = 0, 1, ..., 99, t = 70 leaves 71..99,
     * 29 values, above. */
    for (int i = 0; i < 100; i++)
        s[i] = (float)i;
    cr_assert_float_eq(threshold_for_fpr(s, 100, 0.29), 70.0, EPS);
}

/* ---- threshold_best_f1 ------------------------------------------------ */

Test(threshold, best_f1_picks_max_f1)
{
    const float s[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
    const uint8_t a[] = {0, 1, 0, 1, 1};

    /* F1 = 2tp / (2tp + fp + fn) for flags score > t:
     *   t 0.5: none flagged             -> 0
     *   t 0.4: {0.5}       tp1 fp0 fn2  -> 2/4 = 0.5
     *   t 0.3: {.4,.5}     tp2 fp0 fn1  -> 4/5 = 0.8
     *   t 0.2: {.3,.4,.5}  tp2 fp1 fn1  -> 4/6
     *   t 0.1: all but 0.1 tp3 fp1 fn0  -> 6/7 = 0.857, the best */
    cr_assert_float_eq(threshold_best_f1(s, a, 5), 0.1, 1e-6);
}

Test(threshold, best_f1_tie_goes_to_higher_threshold)
{
    const float s[] = {1, 2, 3, 4, 5, 6};
    const uint8_t a[] = {0, 0, 1, 0, 0, 1};

    /*   t 5: {6}        tp1 fp0 fn1 -> 2/3
     *   t 4: {5,6}      tp1 fp1 fn1 -> 2/4
     *   t 3: {4,5,6}    tp1 fp2 fn1 -> 2/5
     *   t 2: {3..6}     tp2 fp2 fn0 -> 4/6 = 2/3, ties with t 5
     *   t 1: {2..6}     tp2 fp3 fn0 -> 4/7 */
    cr_assert_float_eq(threshold_best_f1(s, a, 6), 5.0, EPS);
}

Test(threshold, best_f1_does_not_split_ties)
{
    const float s[] = {0.2f, 0.5f, 0.5f, 0.9f};
    const uint8_t a[] = {0, 1, 0, 0};

    /* The lone anomaly ties with a normal beat at 0.5.
     *   t 0.9: none        -> 0
     *   t 0.5: {0.9}       tp0 -> 0
     *   t 0.2: {.5,.5,.9}  tp1 fp2 fn0 -> 2/4 = 0.5, the best */
    cr_assert_float_eq(threshold_best_f1(s, a, 4), 0.2, 1e-6);
}
