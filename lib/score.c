/*
 * score.c — ensemble scoring, in blocks of beats so that memory stays
 * bounded whatever the number of rows.
 */
#include "score.h"

#include <stdlib.h>

#include "err.h"

#define SCORE_BLOCK 1024

void ensemble_score(const ensemble_t *e, const float *x, int64_t rows,
                    float *member_loss, float *member_score, float *score)
{
    int length;
    float *loss, *ms, *scratch;
    ae_work_t *work;

    if (e->n == 0 || rows == 0)
        return;
    length = e->model[0].ae.sizes[0];
    loss = xmalloc((size_t)SCORE_BLOCK * (size_t)e->n * sizeof *loss);
    ms = xmalloc((size_t)e->n * sizeof *ms);
    scratch = xmalloc((size_t)e->n * sizeof *scratch);
    work = xmalloc((size_t)e->n * sizeof *work);
    for (int k = 0; k < e->n; k++)
        ae_work_create(&work[k], &e->model[k].ae, SCORE_BLOCK);

    for (int64_t r0 = 0; r0 < rows; r0 += SCORE_BLOCK) {
        int64_t nb = rows - r0 < SCORE_BLOCK ? rows - r0 : SCORE_BLOCK;
        const float *xb = x + r0 * length;

        for (int k = 0; k < e->n; k++)
            ae_loss_rows(&e->model[k].ae, &work[k], xb, nb,
                         loss + (int64_t)k * SCORE_BLOCK, NULL);
        for (int64_t i = 0; i < nb; i++) {
            int64_t row = r0 + i;
            for (int k = 0; k < e->n; k++) {
                float l = loss[(int64_t)k * SCORE_BLOCK + i];
                ms[k] = (float)ecdf_eval(e->model[k].loss_sorted,
                                         e->model[k].n_loss, l);
                if (member_loss)
                    member_loss[row * e->n + k] = l;
                if (member_score)
                    member_score[row * e->n + k] = ms[k];
            }
            score[row] = agg_combine(e->rule, ms, e->weight, e->n, e->trim,
                                     scratch);
        }
    }
    for (int k = 0; k < e->n; k++)
        ae_work_free(&work[k]);
    free(work);
    free(scratch);
    free(ms);
    free(loss);
}

void ensemble_free(ensemble_t *e)
{
    for (int k = 0; k < e->n; k++)
        model_free(&e->model[k]);
    free(e->model);
    free(e->index);
    free(e->weight);
    e->n = 0;
}
