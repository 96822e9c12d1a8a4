/*
 * score.h — scoring beats with an ensemble: each member's reconstruction
 * loss, its ECDF score against the member's own training losses, and the
 * ensemble score under one aggregation rule.
 */
#ifndef ENSAD_SCORE_H
#define ENSAD_SCORE_H

#include <stdint.h>

#include "ecdf.h"
#include "model.h"

typedef struct {
    int n;                   /* members present */
    member_model_t *model;   /* [n] */
    int *index;              /* [n] member index K of each */
    double *weight;          /* [n] shard sizes */
    agg_rule_t rule;
    double trim;
} ensemble_t;

/* For x [rows, length]: member_loss and member_score [rows, n] (either may
 * be NULL) and score [rows]. */
void ensemble_score(const ensemble_t *e, const float *x, int64_t rows,
                    float *member_loss, float *member_score, float *score);
void ensemble_free(ensemble_t *e);

#endif
