/*
 * rng.h — the seeded random generator behind every random choice in ensad
 * (splits, shuffles, initial weights, synthetic beats): xoshiro256**
 * seeded through splitmix64. Its whole state is four words, so a checkpoint
 * can save and restore it exactly. Not for cryptography.
 */
#ifndef ENSAD_RNG_H
#define ENSAD_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} rng_t;

void rng_seed(rng_t *rng, uint64_t seed);
uint64_t rng_next(rng_t *rng);
/* Uniform in [0, 1). */
double rng_uniform(rng_t *rng);
/* Standard normal (Box-Muller; no cached second value, so the state is
 * fully described by s[]). */
double rng_normal(rng_t *rng);
/* Uniform integer in [0, n), without modulo bias. */
uint64_t rng_below(rng_t *rng, uint64_t n);
/* Gamma(shape, 1) for shape > 0 (Marsaglia-Tsang). */
double rng_gamma(rng_t *rng, double shape);
/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(rng_t *rng, int64_t *idx, int64_t n);

#endif
