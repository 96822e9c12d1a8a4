/*
 * test_nn.c — specifications of the member model (lib/nn.c): its shape,
 * initialisation, forward pass, gradients, Adam and the training loop.
 *
 * Expected values come from elsewhere than nn.c: a plain double-precision
 * forward pass written here (ref_forward), central finite differences on
 * it, and small cases worked by hand. Nothing is pasted from nn.c's output.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "err.h"
#include "nn.h"
#include "rng.h"

/* The small net of the gradient tests: 7 -> 5 -> 3 -> 2 -> 3 -> 5 -> 7,
 * latent layer 2 (3 -> 2) linear, output layer 5 linear. */
#define LEN 7
#define BATCH 4
static const int enc3[] = {5, 3, 2};
static const int sizes3[] = {7, 5, 3, 2, 3, 5, 7};
static const int layers3 = 6, latent3 = 2;

/* Smallest |pre-activation| seen at a ReLU, and how many were negative:
 * finite differences are only trusted away from the kink. */
typedef struct {
    double min_abs;
    int n_off;
} kink_t;

/*
 * Independent forward pass in double: params p in the flat order nn.h
 * documents (W0 [out, in], b0, W1, b1, ...), x [batch, sizes[0]]; writes
 * out [batch, sizes[n_layers]] and returns the mean squared error.
 */
static double ref_forward(const int *sizes, int n_layers, int latent,
                          const double *p, const float *x, int batch,
                          double *out, kink_t *kink)
{
    double a[64], z[64], sum = 0.0;
    int len = sizes[0];

    if (kink) {
        kink->min_abs = INFINITY;
        kink->n_off = 0;
    }
    for (int r = 0; r < batch; r++) {
        const double *q = p;
        for (int k = 0; k < len; k++)
            a[k] = x[r * len + k];
        for (int l = 0; l < n_layers; l++) {
            int in = sizes[l], o = sizes[l + 1];
            int relu = l != latent && l != n_layers - 1;
            const double *w = q, *b = q + o * in;
            for (int j = 0; j < o; j++) {
                z[j] = b[j];
                for (int k = 0; k < in; k++)
                    z[j] += w[j * in + k] * a[k];
                if (relu && kink) {
                    kink->min_abs = fmin(kink->min_abs, fabs(z[j]));
                    kink->n_off += z[j] < 0.0;
                }
            }
            for (int j = 0; j < o; j++)
                a[j] = relu && z[j] < 0.0 ? 0.0 : z[j];
            q += o * (in + 1);
        }
        for (int k = 0; k < len; k++) {
            double d = a[k] - x[r * len + k];
            sum += d * d;
            if (out)
                out[r * len + k] = a[k];
        }
    }
    return sum / ((double)batch * len);
}

static double *params_as_double(const ae_t *ae)
{
    double *p = xmalloc((size_t)ae->n_params * sizeof *p);
    for (int64_t i = 0; i < ae->n_params; i++)
        p[i] = ae->params[i];
    return p;
}

static void fill_normal(float *x, int64_t n, uint64_t seed)
{
    rng_t rng;
    rng_seed(&rng, seed);
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)rng_normal(&rng);
}

/* The 7-5-3-2 net, initialised from seed, with a batch of normal beats. */
static void small_net(ae_t *ae, float *x, uint64_t seed)
{
    rng_t rng;
    cr_assert_eq(ae_create(ae, LEN, enc3, 3), 0, "%s", err_msg());
    rng_seed(&rng, seed);
    ae_init(ae, &rng);
    fill_normal(x, BATCH * LEN, seed + 1);
}

/* ---- shape and layout ------------------------------------------------ */

Test(nn, create_mirrors_the_encoder_into_the_decoder)
{
    ae_t ae;
    cr_assert_eq(ae_create(&ae, LEN, enc3, 3), 0, "%s", err_msg());
    cr_assert_eq(ae.n_layers, layers3);
    cr_assert_eq(ae.latent, latent3);
    for (int l = 0; l <= layers3; l++)
        cr_assert_eq(ae.sizes[l], sizes3[l], "sizes[%d]", l);
    ae_free(&ae);
}

Test(nn, create_counts_every_weight_and_bias)
{
    /* 7*5+5 + 5*3+3 + 3*2+2 + 2*3+3 + 3*5+5 + 5*7+7 */
    ae_t ae;
    cr_assert_eq(ae_create(&ae, LEN, enc3, 3), 0);
    cr_assert_eq(ae.n_params, 40 + 18 + 8 + 9 + 20 + 42);
    ae_free(&ae);
}

Test(nn, offsets_place_each_weight_before_its_bias_layer_by_layer)
{
    /* Layer 0 weight at 0 (35), bias at 35 (5); layer 1 weight at 40
     * (15), bias at 55 (3); layer 2 weight at 58 (6), bias at 64. */
    ae_t ae;
    cr_assert_eq(ae_create(&ae, LEN, enc3, 3), 0);
    cr_assert_eq(ae_weight_offset(&ae, 0), 0);
    cr_assert_eq(ae_bias_offset(&ae, 0), 35);
    cr_assert_eq(ae_weight_offset(&ae, 1), 40);
    cr_assert_eq(ae_bias_offset(&ae, 1), 55);
    cr_assert_eq(ae_weight_offset(&ae, 2), 58);
    cr_assert_eq(ae_bias_offset(&ae, 2), 64);
    cr_assert_eq(ae.w[1], ae.params + 40);
    cr_assert_eq(ae.b[2], ae.params + 64);
    cr_assert_eq(ae_bias_offset(&ae, 5) + 7, ae.n_params);
    ae_free(&ae);
}

Test(nn, create_rejects_a_layer_size_below_one)
{
    ae_t ae;
    int bad[] = {5, 0, 2};
    err_clear();
    cr_assert_eq(ae_create(&ae, LEN, bad, 3), -1);
    cr_assert(strstr(err_msg(), "size 0") != NULL, "%s", err_msg());
    cr_assert_eq(ae_create(&ae, 0, enc3, 3), -1);
    ae_free(&ae);
}

Test(nn, create_rejects_more_layers_than_the_limit)
{
    ae_t ae;
    int enc[AE_MAX_LAYERS / 2 + 1];
    for (int i = 0; i < AE_MAX_LAYERS / 2 + 1; i++)
        enc[i] = 4;
    cr_assert_eq(ae_create(&ae, LEN, enc, AE_MAX_LAYERS / 2 + 1), -1);
    cr_assert_eq(ae_create(&ae, LEN, enc, 0), -1);
    cr_assert_eq(ae_create(&ae, LEN, enc, AE_MAX_LAYERS / 2), 0);
    ae_free(&ae);
}

/* ---- initialisation -------------------------------------------------- */

Test(nn, init_keeps_every_parameter_within_one_over_sqrt_fan_in)
{
    int enc[] = {32, 16, 10};
    ae_t ae;
    rng_t rng;

    cr_assert_eq(ae_create(&ae, 140, enc, 3), 0);
    rng_seed(&rng, 7);
    ae_init(&ae, &rng);
    for (int l = 0; l < ae.n_layers; l++) {
        int in = ae.sizes[l], out = ae.sizes[l + 1];
        double bound = 1.0 / sqrt(in), wmax = 0.0;
        for (int i = 0; i < out * in; i++) {
            cr_assert_leq(fabs(ae.w[l][i]), bound, "layer %d w", l);
            wmax = fmax(wmax, fabs(ae.w[l][i]));
        }
        for (int i = 0; i < out; i++)
            cr_assert_leq(fabs(ae.b[l][i]), bound, "layer %d b", l);
        /* Spread over the interval, not squeezed near zero. */
        cr_assert_gt(wmax, 0.8 * bound, "layer %d", l);
    }
    ae_free(&ae);
}

Test(nn, init_draws_layer_by_layer_weights_before_biases)
{
    /* One uniform draw per parameter in flat order, which nn.h defines
     * as W0, b0, W1, b1, ...; each scaled to (-1/sqrt(in), 1/sqrt(in)). */
    ae_t ae;
    rng_t rng, replay;
    int64_t i = 0;

    cr_assert_eq(ae_create(&ae, LEN, enc3, 3), 0);
    rng_seed(&rng, 11);
    ae_init(&ae, &rng);
    rng_seed(&replay, 11);
    for (int l = 0; l < layers3; l++) {
        int n = sizes3[l + 1] * (sizes3[l] + 1);
        double bound = 1.0 / sqrt(sizes3[l]);
        for (int k = 0; k < n; k++, i++) {
            double want = (2.0 * rng_uniform(&replay) - 1.0) * bound;
            cr_assert_float_eq(ae.params[i], want, 1e-7, "param %ld",
                               (long)i);
        }
    }
    ae_free(&ae);
}

/* ---- forward ---------------------------------------------------------- */

/*
 * Hand-set net 2 -> 2 -> 1 -> 2 -> 2 (latent layer 1), fed x = [1, 2]:
 *   layer 0 (ReLU):   W [[1, 0], [0, -1]], b [0, 0.5] -> z [1, -1.5]
 *                     -> a1 [1, 0]
 *   layer 1 (latent): W [[-2, 3]], b [0.5] -> -2 + 0 + 0.5 = -1.5
 *   layer 2 (ReLU):   W [[1], [-1]], b [0, 0] -> z [-1.5, 1.5]
 *                     -> a3 [0, 1.5]
 *   layer 3 (output): W [[1, 1], [0, -2]], b [-1, 0]
 *                     -> [0 + 1.5 - 1, -3] = [0.5, -3]
 */
static void hand_net(ae_t *ae, ae_work_t *work)
{
    static const int enc[] = {2, 1};
    static const float p[] = {1, 0, 0, -1, 0, 0.5f, /* layer 0 */
                              -2, 3, 0.5f,          /* layer 1 */
                              1, -1, 0, 0,          /* layer 2 */
                              1, 1, 0, -2, -1, 0};  /* layer 3 */
    static const float x[] = {1, 2};

    cr_assert_eq(ae_create(ae, 2, enc, 2), 0);
    cr_assert_eq(ae->n_params, (int64_t)(sizeof p / sizeof p[0]));
    memcpy(ae->params, p, sizeof p);
    ae_work_create(work, ae, 1);
    ae_forward(ae, work, x, 1);
}

Test(nn, relu_zeroes_negative_units_of_hidden_layers)
{
    ae_t ae;
    ae_work_t work;
    hand_net(&ae, &work);
    cr_assert_float_eq(work.act[1][0], 1.0f, 1e-6);
    cr_assert_float_eq(work.act[1][1], 0.0f, 1e-6);
    cr_assert_float_eq(work.act[3][0], 0.0f, 1e-6);
    cr_assert_float_eq(work.act[3][1], 1.5f, 1e-6);
    ae_work_free(&work);
    ae_free(&ae);
}

Test(nn, latent_and_output_layers_pass_negative_values_through)
{
    ae_t ae;
    ae_work_t work;
    hand_net(&ae, &work);
    cr_assert_float_eq(work.act[2][0], -1.5f, 1e-6);
    cr_assert_float_eq(work.act[4][0], 0.5f, 1e-6);
    cr_assert_float_eq(work.act[4][1], -3.0f, 1e-6);
    ae_work_free(&work);
    ae_free(&ae);
}

Test(nn, forward_matches_a_double_precision_reference)
{
    ae_t ae;
    ae_work_t work;
    float x[BATCH * LEN];
    double out[BATCH * LEN], *p;

    small_net(&ae, x, 3);
    ae_work_create(&work, &ae, BATCH);
    ae_forward(&ae, &work, x, BATCH);
    p = params_as_double(&ae);
    ref_forward(sizes3, layers3, latent3, p, x, BATCH, out, NULL);
    for (int i = 0; i < BATCH * LEN; i++)
        cr_assert_float_eq(work.act[layers3][i], out[i], 1e-5, "[%d]", i);
    free(p);
    ae_work_free(&work);
    ae_free(&ae);
}

/* ---- loss and gradients ---------------------------------------------- */

Test(nn, backward_returns_the_mean_squared_error_over_batch_and_length)
{
    ae_t ae;
    ae_work_t work;
    float x[BATCH * LEN], loss;
    double *p, want;

    small_net(&ae, x, 5);
    ae_work_create(&work, &ae, BATCH);
    ae_forward(&ae, &work, x, BATCH);
    loss = ae_backward(&ae, &work, x, BATCH);
    p = params_as_double(&ae);
    want = ref_forward(sizes3, layers3, latent3, p, x, BATCH, NULL, NULL);
    cr_assert_float_eq(loss, want, 1e-6 * want + 1e-7, "%g vs %g", loss,
                       want);
    free(p);
    ae_work_free(&work);
    ae_free(&ae);
}

Test(nn, output_gradient_is_twice_the_residual_over_the_element_count)
{
    /* The output layer is linear, so the gradient of its bias is the
     * column sum of d loss / d output = 2 (recon - x) / (batch * length). */
    ae_t ae;
    ae_work_t work;
    float x[BATCH * LEN];
    double out[BATCH * LEN], *p;
    const float *db;

    small_net(&ae, x, 9);
    ae_work_create(&work, &ae, BATCH);
    ae_forward(&ae, &work, x, BATCH);
    ae_backward(&ae, &work, x, BATCH);
    p = params_as_double(&ae);
    ref_forward(sizes3, layers3, latent3, p, x, BATCH, out, NULL);
    db = work.grad + ae_bias_offset(&ae, layers3 - 1);
    for (int j = 0; j < LEN; j++) {
        double want = 0.0;
        for (int i = 0; i < BATCH; i++)
            want += 2.0 * (out[i * LEN + j] - x[i * LEN + j]) / (BATCH * LEN);
        cr_assert_float_eq(db[j], want, 1e-6, "column %d", j);
    }
    free(p);
    ae_work_free(&work);
    ae_free(&ae);
}

Test(nn, backward_matches_finite_differences_for_every_parameter)
{
    const double h = 1e-5;
    ae_t ae;
    ae_work_t work;
    float x[BATCH * LEN];
    double *p;
    kink_t kink;

    small_net(&ae, x, 21);
    ae_work_create(&work, &ae, BATCH);
    ae_forward(&ae, &work, x, BATCH);
    ae_backward(&ae, &work, x, BATCH);
    p = params_as_double(&ae);

    /* A step of h moves a pre-activation by far less than 1e-3, so no
     * difference below straddles a ReLU kink; and some units must be off,
     * or the ReLU masks would go untested. */
    ref_forward(sizes3, layers3, latent3, p, x, BATCH, NULL, &kink);
    cr_assert_gt(kink.min_abs, 1e-3, "data on a kink: pick another seed");
    cr_assert_gt(kink.n_off, 0, "no ReLU unit is off: pick another seed");

    for (int64_t i = 0; i < ae.n_params; i++) {
        double keep = p[i], up, down, fd, g = work.grad[i];
        p[i] = keep + h;
        up = ref_forward(sizes3, layers3, latent3, p, x, BATCH, NULL, NULL);
        p[i] = keep - h;
        down = ref_forward(sizes3, layers3, latent3, p, x, BATCH, NULL,
                           NULL);
        p[i] = keep;
        fd = (up - down) / (2.0 * h);
        cr_assert_leq(fabs(g - fd), 1e-6 + 1e-4 * fabs(fd),
                      "param %ld: backward %.9g, finite difference %.9g",
                      (long)i, g, fd);
    }
    free(p);
    ae_work_free(&work);
    ae_free(&ae);
}

Test(nn, loss_rows_gives_each_row_its_own_mean_squared_error)
{
    /* 11 rows through batches of 4: two full batches and a short one. */
    enum { N = 11 };
    ae_t ae;
    ae_work_t work;
    float x[N * LEN], recon[N * LEN], loss[N], unused[BATCH * LEN];
    double out[LEN], *p;

    small_net(&ae, unused, 13);
    fill_normal(x, N * LEN, 14);
    ae_work_create(&work, &ae, BATCH);
    ae_loss_rows(&ae, &work, x, N, loss, recon);
    p = params_as_double(&ae);
    for (int r = 0; r < N; r++) {
        double want = ref_forward(sizes3, layers3, latent3, p, x + r * LEN,
                                  1, out, NULL);
        cr_assert_float_eq(loss[r], want, 1e-5 * want + 1e-7, "row %d", r);
        for (int k = 0; k < LEN; k++)
            cr_assert_float_eq(recon[r * LEN + k], out[k], 1e-5, "row %d",
                               r);
    }
    free(p);
    ae_work_free(&work);
    ae_free(&ae);
}

/* ---- Adam ------------------------------------------------------------ */

static const float adam_p0[] = {1.0f, -2.0f, 0.5f};
static const float adam_g1[] = {0.5f, -1.0f, 0.0f};
static const float adam_g2[] = {0.25f, 1.0f, 2.0f};

Test(nn, adam_first_step_moves_each_parameter_by_lr_against_its_gradient)
{
    /* Step 1: m = 0.1 g and v = 0.001 g^2, so after bias correction
     * m^ = g and sqrt(v^) = |g|: each parameter moves by lr * sign(g),
     * and a zero gradient leaves its parameter alone. */
    adam_t adam;
    float p[3];

    memcpy(p, adam_p0, sizeof p);
    adam_create(&adam, 3, 0.1, 0.9, 0.999, 1e-8);
    adam_step(&adam, p, adam_g1);
    cr_assert_eq(adam.t, 1);
    cr_assert_float_eq(p[0], 0.9f, 1e-6);
    cr_assert_float_eq(p[1], -1.9f, 1e-6);
    cr_assert_float_eq(p[2], 0.5f, 1e-7);
    adam_free(&adam);
}

Test(nn, adam_second_step_applies_both_bias_corrections)
{
    /*
     * Step 2, by hand (1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999):
     * p0: m = 0.9*0.05 + 0.1*0.25 = 0.07, v = 0.999*0.00025 +
     *     0.001*0.0625 = 0.00031225; m^ = 0.368421, v^ = 0.156203,
     *     sqrt 0.395225; step 0.1*0.368421/0.395225 = 0.093218.
     * p1: m = -0.09 + 0.1 = 0.01, v = 0.000999 + 0.001 = 0.001999;
     *     m^ = 0.0526316, v^ = 1; step 0.00526316.
     * p2: m = 0.2, v = 0.004; m^ = 1.0526316, v^ = 2.001, sqrt 1.414568;
     *     step 0.1*1.0526316/1.414568 = 0.0744137.
     */
    adam_t adam;
    float p[3];

    memcpy(p, adam_p0, sizeof p);
    adam_create(&adam, 3, 0.1, 0.9, 0.999, 1e-8);
    adam_step(&adam, p, adam_g1);
    adam_step(&adam, p, adam_g2);
    cr_assert_eq(adam.t, 2);
    cr_assert_float_eq(p[0], 0.9f - 0.093218f, 2e-6, "%.8f", p[0]);
    cr_assert_float_eq(p[1], -1.9f - 0.00526316f, 2e-6, "%.8f", p[1]);
    cr_assert_float_eq(p[2], 0.5f - 0.0744137f, 2e-6, "%.8f", p[2]);
    adam_free(&adam);
}

Test(nn, adam_adds_eps_after_the_square_root)
{
    /* A large eps shows where it goes. Step 1 with eps = 0.5 moves p by
     * lr * g / (|g| + eps): 0.1 * 0.5 / 1.0 = 0.05 and
     * 0.1 * -1 / 1.5 = -0.0666667 (inside the root it would be
     * 0.1 * 0.5 / sqrt(0.75) = 0.0577). */
    adam_t adam;
    float p[3];

    memcpy(p, adam_p0, sizeof p);
    adam_create(&adam, 3, 0.1, 0.9, 0.999, 0.5);
    adam_step(&adam, p, adam_g1);
    cr_assert_float_eq(p[0], 1.0f - 0.05f, 1e-6, "%.8f", p[0]);
    cr_assert_float_eq(p[1], -2.0f + 0.0666667f, 1e-6, "%.8f", p[1]);
    adam_free(&adam);
}

/* ---- training --------------------------------------------------------- */

/* 64 sine beats of 16 samples with random amplitude and phase. */
enum { SN = 64, SLEN = 16 };
static void sine_beats(float *x)
{
    rng_t rng;
    rng_seed(&rng, 99);
    for (int i = 0; i < SN; i++) {
        double amp = 0.5 + rng_uniform(&rng);
        double phase = 2.0 * M_PI * rng_uniform(&rng);
        for (int j = 0; j < SLEN; j++)
            x[i * SLEN + j] = (float)(amp * sin(2.0 * M_PI * j / SLEN +
                                                 phase));
    }
}

typedef struct {
    ae_t ae;
    adam_t adam;
    train_state_t st;
} run_t;

static void run_start(run_t *run, int epochs, uint64_t seed)
{
    static const int enc[] = {8, 4};
    rng_t init;

    cr_assert_eq(ae_create(&run->ae, SLEN, enc, 2), 0);
    rng_seed(&init, seed);
    ae_init(&run->ae, &init);
    adam_create(&run->adam, run->ae.n_params, 1e-2, 0.9, 0.999, 1e-8);
    memset(&run->st, 0, sizeof run->st);
    run->st.epochs = epochs;
    run->st.batch = 10; /* 64 rows: six full batches and one of 4 */
    rng_seed(&run->st.rng, seed + 1);
    run->st.history = xcalloc((size_t)epochs, sizeof(float));
}

static void run_end(run_t *run)
{
    free(run->st.history);
    adam_free(&run->adam);
    ae_free(&run->ae);
}

Test(nn, train_lowers_the_loss_on_sine_beats)
{
    float x[SN * SLEN];
    run_t run;

    sine_beats(x);
    run_start(&run, 40, 1);
    cr_assert_eq(ae_train(&run.ae, &run.adam, &run.st, x, SN, NULL, NULL),
                 0);
    cr_assert_eq(run.st.epoch, 40);
    cr_assert_lt(run.st.history[39], 0.3f * run.st.history[0],
                 "first %g, last %g", run.st.history[0],
                 run.st.history[39]);
    run_end(&run);
}

Test(nn, train_is_bit_identical_for_the_same_seed)
{
    float x[SN * SLEN];
    run_t a, b;

    sine_beats(x);
    run_start(&a, 5, 42);
    run_start(&b, 5, 42);
    cr_assert_eq(ae_train(&a.ae, &a.adam, &a.st, x, SN, NULL, NULL), 0);
    cr_assert_eq(ae_train(&b.ae, &b.adam, &b.st, x, SN, NULL, NULL), 0);
    cr_assert_eq(memcmp(a.ae.params, b.ae.params,
                        (size_t)a.ae.n_params * sizeof(float)), 0);
    cr_assert_eq(memcmp(a.st.history, b.st.history, 5 * sizeof(float)), 0);
    run_end(&a);
    run_end(&b);
}

Test(nn, train_history_is_the_mean_loss_of_the_epoch_batches)
{
    /* With lr = 0 the parameters never move, so every batch's loss is
     * the same function of its rows, and the epoch mean weighted by batch
     * size equals the mean of the per-row losses, whatever the order. */
    float x[SN * SLEN], loss[SN];
    double want = 0.0;
    ae_work_t work;
    run_t run;

    sine_beats(x);
    run_start(&run, 2, 3);
    run.adam.lr = 0.0;
    cr_assert_eq(ae_train(&run.ae, &run.adam, &run.st, x, SN, NULL, NULL),
                 0);
    ae_work_create(&work, &run.ae, 1);
    ae_loss_rows(&run.ae, &work, x, SN, loss, NULL);
    for (int i = 0; i < SN; i++)
        want += loss[i] / SN;
    for (int e = 0; e < 2; e++)
        cr_assert_float_eq(run.st.history[e], want, 1e-5 * want,
                           "epoch %d: %g vs %g", e, run.st.history[e], want);
    ae_work_free(&work);
    run_end(&run);
}

typedef struct {
    int calls, stop_after, last_epoch;
    double seconds;
} seen_t;

static int on_epoch(void *user, const ae_t *ae, const adam_t *adam,
                    const train_state_t *st, double seconds)
{
    seen_t *seen = user;
    (void)ae;
    (void)adam;
    seen->calls++;
    seen->last_epoch = st->epoch;
    seen->seconds = seconds;
    return st->epoch == seen->stop_after ? 7 : 0;
}

Test(nn, train_calls_back_after_each_epoch_with_the_epochs_done)
{
    float x[SN * SLEN];
    seen_t seen = {0, -1, 0, -1.0};
    run_t run;

    sine_beats(x);
    run_start(&run, 3, 5);
    cr_assert_eq(ae_train(&run.ae, &run.adam, &run.st, x, SN, on_epoch,
                          &seen), 0);
    cr_assert_eq(seen.calls, 3);
    cr_assert_eq(seen.last_epoch, 3);
    cr_assert_geq(seen.seconds, 0.0);
    run_end(&run);
}

Test(nn, train_stops_with_the_status_the_callback_returns)
{
    float x[SN * SLEN];
    seen_t seen = {0, 2, 0, -1.0};
    run_t run;

    sine_beats(x);
    run_start(&run, 5, 5);
    cr_assert_eq(ae_train(&run.ae, &run.adam, &run.st, x, SN, on_epoch,
                          &seen), 7);
    cr_assert_eq(seen.calls, 2);
    cr_assert_eq(run.st.epoch, 2);
    run_end(&run);
}

Test(nn, train_resumed_from_its_state_matches_an_uninterrupted_run)
{
    /* What a checkpoint saves (params, Adam moments and step, epoch, rng)
     * is all a later call needs to carry on exactly. */
    float x[SN * SLEN];
    seen_t seen = {0, 2, 0, -1.0};
    run_t whole, split;

    sine_beats(x);
    run_start(&whole, 4, 8);
    run_start(&split, 4, 8);
    cr_assert_eq(ae_train(&whole.ae, &whole.adam, &whole.st, x, SN, NULL,
                          NULL), 0);
    cr_assert_eq(ae_train(&split.ae, &split.adam, &split.st, x, SN,
                          on_epoch, &seen), 7);
    cr_assert_eq(ae_train(&split.ae, &split.adam, &split.st, x, SN, NULL,
                          NULL), 0);
    cr_assert_eq(split.st.epoch, 4);
    cr_assert_eq(memcmp(whole.ae.params, split.ae.params,
                        (size_t)whole.ae.n_params * sizeof(float)), 0);
    cr_assert_eq(memcmp(whole.st.history, split.st.history,
                        4 * sizeof(float)), 0);
    run_end(&whole);
    run_end(&split);
}

Test(nn, train_rejects_an_empty_shard_and_a_zero_batch)
{
    float x[SN * SLEN];
    run_t run;

    sine_beats(x);
    run_start(&run, 1, 2);
    cr_assert_eq(ae_train(&run.ae, &run.adam, &run.st, x, 0, NULL, NULL),
                 -1);
    run.st.batch = 0;
    cr_assert_eq(ae_train(&run.ae, &run.adam, &run.st, x, SN, NULL, NULL),
                 -1);
    cr_assert_eq(run.st.epoch, 0);
    run_end(&run);
}
