/*
 * synth.c — synthetic ECG beats as sums of Gaussian waves.
 *
 * Time is measured in nominal cardiac cycles (one cycle = one RR interval
 * at the resting rate, about 0.8 s). A window starts just after the R peak
 * of "this" beat, as ECG5000's windows do, and ends just after the R peak
 * of the next one, so it shows this beat's S, ST segment and T wave, then
 * the next beat's P wave and QRS. Each wave is a Gaussian bump
 * h * exp(-(t - at)^2 / (2 w^2)), the explicit form of the McSharry et al.
 * (2003) model rather than its ODE; the ODE's limit cycle adds nothing a
 * fixed-length window can show. Deliberately left out: respiration
 * coupling of the amplitudes, and any claim to clinical fidelity.
 */
#include "synth.h"

#include <math.h>
#include <stdlib.h>

#include "err.h"

enum { WAVE_P, WAVE_Q, WAVE_R, WAVE_S, WAVE_T, WAVES };

/* A resting sinus beat, times in cycles from its own R peak, heights in
 * units of the R height. S is deep, as in ECG5000's lead. */
static const double normal_at[WAVES] = {-0.21, -0.03, 0.0, 0.03, 0.50};
static const double normal_width[WAVES] = {0.028, 0.010, 0.011, 0.018,
                                           0.085};
static const double normal_height[WAVES] = {1.0, -0.2, 1.0, -3.2, 0.6};

/* Where the window sits around the beat's RR interval. */
#define WINDOW_START 0.005 /* cycles after this beat's R peak */
#define WINDOW_END 0.012   /* cycles after the next beat's R peak */

/* Samples per output sample on the fine grid the waves are drawn on. */
#define GRID_OVERSAMPLE 16

typedef struct {
    double at[WAVES], width[WAVES], height[WAVES];
} beat_shape_t;

/* Everything drawn at random for one window, then kind-specific edits. */
typedef struct {
    beat_shape_t self, next; /* this beat at t = 0, the next at t = rr */
    double rr;               /* RR interval, cycles */
    double start, end;       /* window, cycles */
    double st_height;        /* plateau between S and T (0: none) */
    double wander_amp, wander_freq, wander_phase;
} beat_plan_t;

synth_params_t synth_defaults(void)
{
    synth_params_t p;
    p.length = 140;
    p.noise = 0.06;
    p.wander = 0.15;
    p.variation = 0.08;
    return p;
}

const char *synth_kind_name(synth_kind_t kind)
{
    switch (kind) {
    case SYNTH_NORMAL:
        return "normal";
    case SYNTH_PVC:
        return "pvc";
    case SYNTH_ST_ELEVATION:
        return "st_elevation";
    case SYNTH_ST_DEPRESSION:
        return "st_depression";
    case SYNTH_T_INVERTED:
        return "t_inverted";
    case SYNTH_P_MISSING:
        return "p_missing";
    default:
        return "unknown";
    }
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

static double uniform_in(rng_t *rng, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform(rng);
}

/* A sinus beat whose every wave varies in time, width and height by the
 * relative amount v; times move by a fraction of the wave's width so that
 * the order P < Q < R < S < T is kept. */
static void shape_draw(beat_shape_t *b, double v, rng_t *rng)
{
    for (int w = 0; w < WAVES; w++) {
        double width = normal_width[w];
        b->at[w] = normal_at[w] + 0.5 * v * width * rng_normal(rng);
        b->width[w] = width * clamp(1.0 + v * rng_normal(rng), 0.5, 1.5);
        b->height[w] =
            normal_height[w] * clamp(1.0 + v * rng_normal(rng), 0.3, 1.7);
    }
}

/* Ventricular origin: a broad, mostly positive QRS with a small broad S,
 * and a T wave of the opposite sign to the QRS's net area (discordant). */
static void shape_make_pvc(beat_shape_t *b, rng_t *rng)
{
    double qrs_area = 0.0;

    b->height[WAVE_Q] = 0.0;
    b->width[WAVE_R] *= uniform_in(rng, 2.0, 3.0);
    b->height[WAVE_R] *= uniform_in(rng, 0.9, 1.3);
    b->width[WAVE_S] *= uniform_in(rng, 2.0, 3.0);
    b->height[WAVE_S] *= uniform_in(rng, 0.3, 0.6);
    b->at[WAVE_S] += 1.5 * b->width[WAVE_S];

    for (int w = WAVE_Q; w <= WAVE_S; w++)
        qrs_area += b->height[w] * b->width[w];
    b->height[WAVE_T] = -copysign(uniform_in(rng, 0.35, 0.6), qrs_area);
    b->width[WAVE_T] *= uniform_in(rng, 1.0, 1.4);
    b->at[WAVE_T] *= uniform_in(rng, 0.75, 0.9);
}

static void plan_draw(beat_plan_t *plan, const synth_params_t *p,
                      synth_kind_t kind, rng_t *rng)
{
    double v = p->variation;

    plan->rr = clamp(1.0 + 0.6 * v * rng_normal(rng), 0.75, 1.35);
    shape_draw(&plan->self, v, rng);
    shape_draw(&plan->next, v, rng);
    /* QT shortens with the square root of RR (Bazett); PR stays. */
    plan->self.at[WAVE_T] *= sqrt(plan->rr);
    plan->start = WINDOW_START + 0.002 * rng_normal(rng);
    plan->st_height = 0.0;
    plan->wander_amp = p->wander * uniform_in(rng, 0.5, 1.5);
    plan->wander_freq = uniform_in(rng, 0.12, 0.3); /* per cycle */
    plan->wander_phase = uniform_in(rng, 0.0, 2.0 * M_PI);

    switch (kind) {
    case SYNTH_PVC:
        shape_make_pvc(&plan->self, rng);
        plan->next.height[WAVE_P] = 0.0;
        /* The compensatory pause: the next sinus beat comes late. */
        plan->rr *= uniform_in(rng, 1.15, 1.4);
        break;
    case SYNTH_ST_ELEVATION:
        plan->st_height = uniform_in(rng, 0.2, 0.5);
        break;
    case SYNTH_ST_DEPRESSION:
        plan->st_height = -uniform_in(rng, 0.2, 0.5);
        break;
    case SYNTH_T_INVERTED:
        plan->self.height[WAVE_T] *= -uniform_in(rng, 0.4, 1.0);
        break;
    case SYNTH_P_MISSING:
        plan->next.height[WAVE_P] *= uniform_in(rng, 0.0, 0.15);
        break;
    default:
        break;
    }
    plan->end = plan->rr + WINDOW_END;
}

static double shape_eval(const beat_shape_t *b, double t)
{
    double sum = 0.0;
    for (int w = 0; w < WAVES; w++) {
        double d = (t - b->at[w]) / b->width[w];
        if (fabs(d) < 8.0)
            sum += b->height[w] * exp(-0.5 * d * d);
    }
    return sum;
}

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* The raised or lowered segment from the end of S to the T peak, with
 * soft edges a few milliseconds wide. */
static double st_eval(const beat_plan_t *plan, double t)
{
    const beat_shape_t *b = &plan->self;
    double from = b->at[WAVE_S] + 1.5 * b->width[WAVE_S];
    double to = b->at[WAVE_T];
    double edge = 0.008;

    if (plan->st_height == 0.0)
        return 0.0;
    return plan->st_height * logistic((t - from) / edge) *
           logistic((to - t) / edge);
}

static double plan_eval(const beat_plan_t *plan, double t)
{
    double y = shape_eval(&plan->self, t) +
               shape_eval(&plan->next, t - plan->rr) + st_eval(plan, t);
    return y + plan->wander_amp * sin(2.0 * M_PI * plan->wander_freq * t +
                                      plan->wander_phase);
}

/* Linear interpolation of fine [g] onto out [length] over the same span. */
static void resample(const double *fine, int g, double *out, int length)
{
    for (int i = 0; i < length; i++) {
        double u = length > 1 ? (double)i * (g - 1) / (length - 1) : 0.0;
        int j = (int)u;
        double f = u - j;
        if (j >= g - 1) {
            j = g - 2;
            f = 1.0;
        }
        out[i] = (1.0 - f) * fine[j] + f * fine[j + 1];
    }
}

/* Mean 0 and standard deviation 1 (population), as ECG5000's beats. */
static void znormalise(const double *y, int length, float *x)
{
    double mean = 0.0, var = 0.0, sd;

    for (int i = 0; i < length; i++)
        mean += y[i];
    mean /= length;
    for (int i = 0; i < length; i++)
        var += (y[i] - mean) * (y[i] - mean);
    sd = sqrt(var / length);
    for (int i = 0; i < length; i++)
        x[i] = sd > 0.0 ? (float)((y[i] - mean) / sd) : 0.0f;
}

/* fine [g] and y [length] are scratch. */
static void beat_write(const synth_params_t *p, rng_t *rng,
                       synth_kind_t kind, double *fine, int g, double *y,
                       float *x)
{
    beat_plan_t plan;

    plan_draw(&plan, p, kind, rng);
    for (int j = 0; j < g; j++) {
        double t = plan.start + (plan.end - plan.start) * j / (g - 1);
        fine[j] = plan_eval(&plan, t);
    }
    resample(fine, g, y, p->length);
    for (int i = 0; i < p->length; i++)
        y[i] += p->noise * rng_normal(rng);
    znormalise(y, p->length, x);
}

void synth_beats(const synth_params_t *p, rng_t *rng, const int32_t *kind,
                 int64_t n, float *x)
{
    int g = p->length * GRID_OVERSAMPLE;
    double *fine, *y;

    if (p->length < 1 || n < 1)
        return;
    if (g < 2)
        g = 2;
    fine = xmalloc(sizeof *fine * (size_t)g);
    y = xmalloc(sizeof *y * (size_t)p->length);
    for (int64_t i = 0; i < n; i++)
        beat_write(p, rng, (synth_kind_t)kind[i], fine, g, y,
                   x + i * p->length);
    free(fine);
    free(y);
}
