/*
 * test_synth.c — what the synthetic ECG generator promises: z-normalised
 * beats of the asked length, reproducible from the seed, and anomalies
 * that change the morphology where a cardiologist would look for them.
 *
 * Morphology is measured on the output alone, with plain averages over
 * regions of the window (given as fractions of its length, which starts
 * just after an R peak): S trough, ST segment, T wave, P wave and the PR
 * segment before the next R peak.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

#define BEATS 300

/* n beats of one kind, x [n, p->length], freed by the caller. */
static float *beats_of_kind(const synth_params_t *p, synth_kind_t kind,
                            int64_t n, uint64_t seed)
{
    rng_t rng;
    int32_t *k = malloc(sizeof *k * (size_t)n);
    float *x = malloc(sizeof *x * (size_t)(n * p->length));

    cr_assert(k && x);
    for (int64_t i = 0; i < n; i++)
        k[i] = kind;
    rng_seed(&rng, seed);
    synth_beats(p, &rng, k, n, x);
    free(k);
    return x;
}

/* Mean of x [n, length] over all beats and samples [from, to) of the
 * window, the bounds given as fractions of the length. */
static double region_mean(const float *x, int64_t n, int length,
                          double from, double to)
{
    int a = (int)(from * length), b = (int)(to * length);
    double sum = 0.0;

    for (int64_t i = 0; i < n; i++)
        for (int j = a; j < b; j++)
            sum += x[i * length + j];
    return sum / ((double)n * (b - a));
}

/* Regions of the default window, as fractions of its length. */
#define ST_FROM 0.12
#define ST_TO 0.30
#define T_FROM 0.40
#define T_TO 0.55
#define P_FROM 0.73
#define P_TO 0.81
#define PR_FROM 0.85
#define PR_TO 0.92

/* The T wave's deflection from the ST segment before it, averaged. */
static double t_deflection(const float *x, int64_t n, int length)
{
    return region_mean(x, n, length, T_FROM, T_TO) -
           region_mean(x, n, length, ST_FROM, ST_TO);
}

/* The ST segment's level above the PR segment (the isoelectric line). */
static double st_level(const float *x, int64_t n, int length)
{
    return region_mean(x, n, length, ST_FROM, ST_TO) -
           region_mean(x, n, length, PR_FROM, PR_TO);
}

/* The P wave's height above the PR segment that follows it. */
static double p_height(const float *x, int64_t n, int length)
{
    return region_mean(x, n, length, P_FROM, P_TO) -
           region_mean(x, n, length, PR_FROM, PR_TO);
}

/* Samples of the initial trough (S, or the PVC's broad complex) below
 * half its minimum, averaged over beats: a width in samples. */
static double qrs_width(const float *x, int64_t n, int length)
{
    int end = length / 4;
    double total = 0.0;

    for (int64_t i = 0; i < n; i++) {
        const float *b = x + i * length;
        float lo = 0.0f;
        for (int j = 0; j < end; j++)
            lo = b[j] < lo ? b[j] : lo;
        for (int j = 0; j < end; j++)
            total += b[j] < 0.5f * lo;
    }
    return total / (double)n;
}

Test(synth, defaults_give_140_samples)
{
    cr_expect_eq(synth_defaults().length, 140);
}

Test(synth, every_kind_has_its_own_name)
{
    for (int a = 0; a < SYNTH_KINDS; a++) {
        cr_expect_str_neq(synth_kind_name((synth_kind_t)a), "unknown");
        for (int b = 0; b < a; b++)
            cr_expect_str_neq(synth_kind_name((synth_kind_t)a),
                              synth_kind_name((synth_kind_t)b));
    }
}

Test(synth, every_beat_has_mean_zero_and_unit_std)
{
    synth_params_t p = synth_defaults();

    for (int kind = 0; kind < SYNTH_KINDS; kind++) {
        float *x = beats_of_kind(&p, (synth_kind_t)kind, 20, 3);
        for (int i = 0; i < 20; i++) {
            double mean = 0.0, var = 0.0;
            for (int j = 0; j < p.length; j++)
                mean += x[i * p.length + j];
            mean /= p.length;
            for (int j = 0; j < p.length; j++) {
                double d = x[i * p.length + j] - mean;
                var += d * d;
            }
            cr_expect(fabs(mean) < 1e-5, "kind %d beat %d mean %g", kind,
                      i, mean);
            cr_expect(fabs(sqrt(var / p.length) - 1.0) < 1e-4,
                      "kind %d beat %d std %g", kind, i,
                      sqrt(var / p.length));
        }
        free(x);
    }
}

Test(synth, beats_have_the_asked_length)
{
    synth_params_t p = synth_defaults();
    rng_t rng;
    int32_t kind[3] = {SYNTH_NORMAL, SYNTH_PVC, SYNTH_P_MISSING};
    float x[3 * 97 + 1];

    p.length = 97;
    x[3 * 97] = 12345.0f; /* a sentinel just past the last beat */
    rng_seed(&rng, 5);
    synth_beats(&p, &rng, kind, 3, x);
    cr_expect_eq(x[3 * 97], 12345.0f);
    for (int i = 0; i < 3; i++) {
        double ss = 0.0;
        for (int j = 0; j < 97; j++)
            ss += (double)x[i * 97 + j] * x[i * 97 + j];
        cr_expect(fabs(ss / 97 - 1.0) < 1e-4, "beat %d: mean square %g", i,
                  ss / 97);
    }
}

Test(synth, same_seed_gives_identical_beats)
{
    synth_params_t p = synth_defaults();
    float *a = beats_of_kind(&p, SYNTH_ST_ELEVATION, 10, 42);
    float *b = beats_of_kind(&p, SYNTH_ST_ELEVATION, 10, 42);

    cr_expect_arr_eq(a, b, sizeof *a * 10 * (size_t)p.length);
    free(a);
    free(b);
}

Test(synth, different_seeds_give_different_beats)
{
    synth_params_t p = synth_defaults();
    float *a = beats_of_kind(&p, SYNTH_NORMAL, 10, 42);
    float *b = beats_of_kind(&p, SYNTH_NORMAL, 10, 43);
    int differ = 0;

    for (int i = 0; i < 10 * p.length; i++)
        differ += a[i] != b[i];
    cr_expect_gt(differ, 10 * p.length / 2);
    free(a);
    free(b);
}

Test(synth, beats_in_two_calls_continue_the_stream_of_one_call)
{
    synth_params_t p = synth_defaults();
    int32_t kind[6] = {0, 1, 2, 3, 4, 5};
    float one[6 * 140], two[6 * 140];
    rng_t rng;

    rng_seed(&rng, 9);
    synth_beats(&p, &rng, kind, 6, one);
    rng_seed(&rng, 9);
    synth_beats(&p, &rng, kind, 2, two);
    synth_beats(&p, &rng, kind + 2, 4, two + 2 * 140);
    cr_expect_arr_eq(one, two, sizeof one);
}

Test(synth, consecutive_normal_beats_are_not_identical)
{
    synth_params_t p = synth_defaults();
    float *x = beats_of_kind(&p, SYNTH_NORMAL, 2, 1);

    cr_expect_arr_neq(x, x + p.length, sizeof *x * (size_t)p.length);
    free(x);
}

Test(synth, normal_beats_show_deep_s_then_upright_t_and_p)
{
    synth_params_t p = synth_defaults();
    float *x = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);

    cr_expect_lt(region_mean(x, BEATS, p.length, 0.0, 0.06), -1.5);
    cr_expect_gt(t_deflection(x, BEATS, p.length), 0.3);
    cr_expect_gt(p_height(x, BEATS, p.length), 0.5);
    free(x);
}

Test(synth, pvc_qrs_is_wider_than_normal)
{
    synth_params_t p = synth_defaults();
    float *normal = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *pvc = beats_of_kind(&p, SYNTH_PVC, BEATS, 12);
    double wn = qrs_width(normal, BEATS, p.length);
    double wp = qrs_width(pvc, BEATS, p.length);

    cr_expect_gt(wp, 1.5 * wn, "pvc %g samples, normal %g", wp, wn);
    free(normal);
    free(pvc);
}

Test(synth, pvc_has_no_p_wave)
{
    synth_params_t p = synth_defaults();
    float *normal = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *pvc = beats_of_kind(&p, SYNTH_PVC, BEATS, 12);
    double hn = p_height(normal, BEATS, p.length);
    double hp = p_height(pvc, BEATS, p.length);

    cr_expect_lt(fabs(hp), 0.25 * hn, "pvc %g, normal %g", hp, hn);
    free(normal);
    free(pvc);
}

Test(synth, pvc_differs_from_normal_more_than_normals_differ)
{
    synth_params_t p = synth_defaults();
    float *a = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *b = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 13);
    float *pvc = beats_of_kind(&p, SYNTH_PVC, BEATS, 12);
    double within = 0.0, between = 0.0;

    for (int i = 0; i < BEATS * p.length; i++) {
        within += (a[i] - b[i]) * (a[i] - b[i]);
        between += (a[i] - pvc[i]) * (a[i] - pvc[i]);
    }
    cr_expect_gt(between, 2.0 * within, "between %g, within %g", between,
                 within);
    free(a);
    free(b);
    free(pvc);
}

Test(synth, inverted_t_is_opposite_in_sign_to_normal_t)
{
    synth_params_t p = synth_defaults();
    float *normal = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *inv = beats_of_kind(&p, SYNTH_T_INVERTED, BEATS, 12);
    double tn = t_deflection(normal, BEATS, p.length);
    double ti = t_deflection(inv, BEATS, p.length);

    cr_expect_gt(tn, 0.0, "normal T %g", tn);
    cr_expect_lt(ti, 0.0, "inverted T %g", ti);
    free(normal);
    free(inv);
}

Test(synth, st_elevation_raises_the_st_segment_above_normal)
{
    synth_params_t p = synth_defaults();
    float *normal = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *up = beats_of_kind(&p, SYNTH_ST_ELEVATION, BEATS, 12);
    double sn = st_level(normal, BEATS, p.length);
    double su = st_level(up, BEATS, p.length);

    cr_expect_gt(su, sn + 0.2, "elevated %g, normal %g", su, sn);
    free(normal);
    free(up);
}

Test(synth, st_depression_lowers_the_st_segment_below_normal)
{
    synth_params_t p = synth_defaults();
    float *normal = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *down = beats_of_kind(&p, SYNTH_ST_DEPRESSION, BEATS, 12);
    double sn = st_level(normal, BEATS, p.length);
    double sd = st_level(down, BEATS, p.length);

    cr_expect_lt(sd, sn - 0.2, "depressed %g, normal %g", sd, sn);
    free(normal);
    free(down);
}

Test(synth, missing_p_flattens_the_p_wave)
{
    synth_params_t p = synth_defaults();
    float *normal = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *nop = beats_of_kind(&p, SYNTH_P_MISSING, BEATS, 12);
    double hn = p_height(normal, BEATS, p.length);
    double hm = p_height(nop, BEATS, p.length);

    cr_expect_lt(fabs(hm), 0.25 * hn, "missing %g, normal %g", hm, hn);
    free(normal);
    free(nop);
}

Test(synth, missing_p_keeps_the_t_wave)
{
    synth_params_t p = synth_defaults();
    float *normal = beats_of_kind(&p, SYNTH_NORMAL, BEATS, 11);
    float *nop = beats_of_kind(&p, SYNTH_P_MISSING, BEATS, 12);
    double tn = t_deflection(normal, BEATS, p.length);
    double tm = t_deflection(nop, BEATS, p.length);

    cr_expect_gt(tm, 0.5 * tn, "missing-P T %g, normal T %g", tm, tn);
    free(normal);
    free(nop);
}

Test(synth, more_noise_makes_normal_beats_less_alike)
{
    synth_params_t quiet = synth_defaults(), loud = synth_defaults();
    float *q1, *q2, *l1, *l2;
    double dq = 0.0, dl = 0.0;

    quiet.noise = 0.0;
    loud.noise = 0.3;
    q1 = beats_of_kind(&quiet, SYNTH_NORMAL, 50, 1);
    q2 = beats_of_kind(&quiet, SYNTH_NORMAL, 50, 2);
    l1 = beats_of_kind(&loud, SYNTH_NORMAL, 50, 1);
    l2 = beats_of_kind(&loud, SYNTH_NORMAL, 50, 2);
    for (int i = 0; i < 50 * 140; i++) {
        dq += (q1[i] - q2[i]) * (q1[i] - q2[i]);
        dl += (l1[i] - l2[i]) * (l1[i] - l2[i]);
    }
    cr_expect_gt(dl, dq);
    free(q1);
    free(q2);
    free(l1);
    free(l2);
}
