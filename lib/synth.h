/*
 * synth.h — synthetic ECG beats, the embedded default input of ensad and
 * the source of large data sets.
 *
 * Each beat is a sum of Gaussian waves (P, Q, R, S, T) over one cardiac
 * cycle, in the spirit of McSharry et al. (2003), with beat-to-beat
 * variation of every wave's time, width and height, heart-rate variation,
 * baseline wander and measurement noise; then resampled to `length`
 * samples and z-normalised per beat as ECG5000's beats are. Anomalous
 * beats change the morphology in the ways listed in synth_kind_t.
 */
#ifndef ENSAD_SYNTH_H
#define ENSAD_SYNTH_H

#include <stdint.h>

#include "rng.h"

typedef enum {
    SYNTH_NORMAL = 0,
    SYNTH_PVC = 1,          /* premature ventricular: wide QRS, no P,
                               T opposite to the QRS */
    SYNTH_ST_ELEVATION = 2,
    SYNTH_ST_DEPRESSION = 3,
    SYNTH_T_INVERTED = 4,
    SYNTH_P_MISSING = 5,
    SYNTH_KINDS = 6
} synth_kind_t;

typedef struct {
    int length;            /* samples per beat after resampling */
    double noise;          /* measurement noise, in units of the R height */
    double wander;         /* baseline wander amplitude, same units */
    double variation;      /* beat-to-beat relative variation of waves */
} synth_params_t;

/* The defaults used by ensad-synth (length 140). */
synth_params_t synth_defaults(void);
const char *synth_kind_name(synth_kind_t kind);

/* Writes n beats of the given kinds into x [n, length]. */
void synth_beats(const synth_params_t *p, rng_t *rng, const int32_t *kind,
                 int64_t n, float *x);

#endif
