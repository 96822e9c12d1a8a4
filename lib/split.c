/*
 * split.c — the study's split (hold out test normals and random test
 * anomalies, shuffle the remaining normals, cut them into shards) and its
 * two variants: Dirichlet-skewed shard sizes and one shard per input site.
 */
#include "split.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Shard sizes summing to total, each at least 1. */
static void shard_sizes(const config_t *cfg, rng_t *rng, int64_t total,
                        int64_t *size)
{
    int m = cfg->members;
    int64_t given = 0;

    if (strcmp(cfg->scheme, "dirichlet") != 0) {
        for (int k = 0; k < m; k++)
            size[k] = total / m + (k < total % m);
        return;
    }
    double *g = xmalloc((size_t)m * sizeof *g), sum = 0;
    for (int k = 0; k < m; k++)
        sum += g[k] = rng_gamma(rng, cfg->dirichlet_alpha);
    if (!(sum > 0) || !isfinite(sum)) {
        /* At tiny alpha every draw can underflow to 0: the limit of the
         * Dirichlet there puts all the weight on one member. */
        memset(g, 0, (size_t)m * sizeof *g);
        g[rng_below(rng, (uint64_t)m)] = sum = 1;
    }
    for (int k = 0; k < m; k++) {
        size[k] = 1 + (int64_t)((double)(total - m) * g[k] / sum);
        given += size[k];
    }
    for (int k = 0; given < total; k = (k + 1) % m, given++)
        size[k]++;
    free(g);
}

int split_make(const config_t *cfg, const beats_t *b, split_t *s)
{
    int m = cfg->members;
    int64_t n_norm = 0, n_anom = 0, t = 0, v = 0;
    int64_t *norm, *anom;
    rng_t rng;

    memset(s, 0, sizeof *s);
    for (int64_t i = 0; i < b->n; i++)
        b->anomalous[i] ? n_anom++ : n_norm++;
    if (n_norm == 0)
        return err_set("no normal beats in the input (a beat is normal when "
                       "its label is data.normal_label = %g)",
                       cfg->data_normal_label);
    if (n_norm < cfg->test_normal + cfg->val_normal + m)
        return err_set("only %lld normal beats; need test_normal (%lld) + "
                       "val_normal (%lld) + at least one per member (%d)",
                       (long long)n_norm, (long long)cfg->test_normal,
                       (long long)cfg->val_normal, m);
    if (n_anom < cfg->test_anomalous + cfg->val_anomalous)
        return err_set("only %lld anomalous beats; need test_anomalous "
                       "(%lld) + val_anomalous (%lld)", (long long)n_anom,
                       (long long)cfg->test_anomalous,
                       (long long)cfg->val_anomalous);
    if (!strcmp(cfg->scheme, "sites") && b->n_sites != m)
        return err_set("partition.scheme = sites needs one input file per "
                       "member: %d file(s) in data.path, members = %d",
                       b->n_sites, m);

    norm = xmalloc((size_t)n_norm * sizeof *norm);
    anom = xmalloc((size_t)(n_anom ? n_anom : 1) * sizeof *anom);
    n_norm = n_anom = 0;
    for (int64_t i = 0; i < b->n; i++) {
        if (b->anomalous[i])
            anom[n_anom++] = i;
        else
            norm[n_norm++] = i;
    }
    rng_seed(&rng, (uint64_t)cfg->partition_seed);
    rng_shuffle(&rng, norm, n_norm);
    rng_shuffle(&rng, anom, n_anom);

    s->members = m;
    s->n_test = cfg->test_normal + cfg->test_anomalous;
    s->n_val = cfg->val_normal + cfg->val_anomalous;
    s->test = xmalloc((size_t)(s->n_test ? s->n_test : 1) * sizeof *s->test);
    s->val = xmalloc((size_t)(s->n_val ? s->n_val : 1) * sizeof *s->val);
    for (int64_t i = 0; i < cfg->test_normal; i++)
        s->test[t++] = norm[i];
    for (int64_t i = 0; i < cfg->test_anomalous; i++)
        s->test[t++] = anom[i];
    for (int64_t i = 0; i < cfg->val_normal; i++)
        s->val[v++] = norm[cfg->test_normal + i];
    for (int64_t i = 0; i < cfg->val_anomalous; i++)
        s->val[v++] = anom[cfg->test_anomalous + i];
    qsort(s->test, (size_t)s->n_test, sizeof *s->test, cmp_i64);
    qsort(s->val, (size_t)s->n_val, sizeof *s->val, cmp_i64);

    /* What is left of the shuffled normals becomes the shards. */
    int64_t first = cfg->test_normal + cfg->val_normal;
    int64_t total = n_norm - first;
    s->train = xmalloc((size_t)total * sizeof *s->train);
    s->offsets = xcalloc((size_t)m + 1, sizeof *s->offsets);
    if (!strcmp(cfg->scheme, "sites")) {
        int64_t at = 0;
        for (int k = 0; k < m; k++) {
            for (int64_t i = first; i < n_norm; i++)
                if (b->site[norm[i]] == k)
                    s->train[at++] = norm[i];
            s->offsets[k + 1] = at;
            if (s->offsets[k + 1] == s->offsets[k]) {
                free(norm);
                free(anom);
                split_free(s);
                return err_set("site %d (file %d of data.path) has no "
                               "normal training beats left", k, k + 1);
            }
        }
    } else {
        int64_t *size = xmalloc((size_t)m * sizeof *size);
        shard_sizes(cfg, &rng, total, size);
        memcpy(s->train, norm + first, (size_t)total * sizeof *s->train);
        for (int k = 0; k < m; k++)
            s->offsets[k + 1] = s->offsets[k] + size[k];
        free(size);
    }
    free(norm);
    free(anom);
    return 0;
}

void split_free(split_t *s)
{
    free(s->train);
    free(s->offsets);
    free(s->val);
    free(s->test);
    memset(s, 0, sizeof *s);
}
