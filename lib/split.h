/*
 * split.h — how partition divides labelled beats: a test set, an optional
 * validation set, and one training shard of normal beats per member.
 *
 * Indices refer to rows of a beats_t. Test and validation indices are in
 * input order; shard rows are in the shuffled order they were drawn in.
 */
#ifndef ENSAD_SPLIT_H
#define ENSAD_SPLIT_H

#include <stdint.h>

#include "config.h"
#include "data.h"

typedef struct {
    int members;
    int64_t *train;   /* [offsets[members]] grouped by member */
    int64_t *offsets; /* [members + 1] */
    int64_t *val, n_val;
    int64_t *test, n_test;
} split_t;

/* Draws the split with partition.seed; -1 with err_set() when the beats
 * cannot satisfy the config (too few normal or anomalous beats, ...). */
int split_make(const config_t *cfg, const beats_t *b, split_t *s);
void split_free(split_t *s);

#endif
