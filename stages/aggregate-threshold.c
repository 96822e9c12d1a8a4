/*
 * aggregate-threshold.c — ensad-aggregate-threshold: gathers the member
 * files that exist, checks they belong to this run (same partition, same
 * architecture, same beat length), sets the threshold, and writes the
 * deployable model RUN/ensemble.h5.
 *
 * It runs after every array task has ended, successful or not (Slurm
 * afterany), and decides itself: with at least ensemble.min_members members
 * (0: all) it goes on and records which are missing; with fewer it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecdf.h"
#include "err.h"
#include "h5.h"
#include "log.h"
#include "model.h"
#include "score.h"
#include "stage.h"

typedef struct {
    int length, members;
    int64_t *offsets; /* [members + 1] */
    char sha[65];
} partition_info_t;

static void partition_info(const char *path, const config_t *cfg,
                           partition_info_t *pi)
{
    hid_t f = h5_open(path, MPI_COMM_SELF, "ensad/partition");
    int64_t dims[2], v;

    if (f < 0)
        die("%s (run ensad-partition first)", err_msg());
    CHECK(h5_attr_get_i64(f, path, "length", &v));
    pi->length = (int)v;
    CHECK(h5_dims(f, path, "/train/offsets", 1, dims));
    pi->members = (int)dims[0] - 1;
    if (pi->members != cfg->members)
        die("%s has %d shards but partition.members = %d; rerun "
            "ensad-partition with this config", path, pi->members,
            cfg->members);
    pi->offsets = xmalloc((size_t)dims[0] * sizeof *pi->offsets);
    CHECK(h5_read_rows(f, path, "/train/offsets", H5T_NATIVE_INT64,
                       pi->offsets, 0, 0, dims[0]));
    H5Fclose(f);
    CHECK(file_sha256(path, pi->sha));
}

/* A member retrained by hand with other [train] settings still fits the
 * ensemble, but the run's config no longer describes it: say so. */
static void member_settings_compare(const stage_t *st, const char *path,
                                    const char *member_config)
{
    static const char *const keys[] = {"epochs", "batch", "lr", "beta1",
                                       "beta2", "eps", "seed"};
    char mine[256], theirs[256];

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        config_text_get(st->config_text, "train", keys[i], mine,
                        sizeof mine);
        config_text_get(member_config, "train", keys[i], theirs,
                        sizeof theirs);
        if (strcmp(mine, theirs) != 0)
            log_warn("%s was trained with train.%s = %s; this run's config "
                     "says %s", path, keys[i], theirs, mine);
    }
}

/* Loads member K into e if its file exists; 0 if missing, 1 if loaded;
 * dies on a file that exists but does not fit this run. */
static int member_load(const stage_t *st, const partition_info_t *pi, int k,
                       const char *expect_shape, ensemble_t *e)
{
    char path[CFG_PATH + 64], shape[256], *inputs = NULL, *config = NULL;
    member_model_t *mm = &e->model[e->n];
    int64_t member, rows;
    hid_t f;

    stage_path(st, path, sizeof path, "members/member-%d.h5", k);
    if (access(path, F_OK) != 0)
        return 0;
    if ((f = h5_open(path, MPI_COMM_SELF, "ensad/member")) < 0)
        die("%s", err_msg());
    CHECK(h5_attr_get_i64(f, path, "member", &member));
    CHECK(h5_attr_get_i64(f, path, "shard_rows", &rows));
    CHECK(h5_attr_get_str(f, path, "inputs", &inputs));
    CHECK(h5_attr_get_str(f, path, "config", &config));
    member_settings_compare(st, path, config);
    free(config);
    if (member != k)
        die("%s: holds member %lld, not member %d", path, (long long)member,
            k);
    if (!strstr(inputs, pi->sha))
        die("%s: was trained on another partition.h5 than this run's "
            "(retrain it: ensad-train-member --member %d)", path, k);
    free(inputs);
    CHECK(model_read(f, path, "", mm));
    H5Fclose(f);
    model_shape(&mm->ae, shape, sizeof shape);
    if (strcmp(shape, expect_shape) != 0)
        die("%s: model %s does not match this run's %s (beat length %d, "
            "model.encoder of the config)", path, shape, expect_shape,
            pi->length);
    if (mm->n_loss != rows || rows != pi->offsets[k + 1] - pi->offsets[k])
        die("%s: calibration has %lld losses but shard %d has %lld beats",
            path, (long long)mm->n_loss, k,
            (long long)(pi->offsets[k + 1] - pi->offsets[k]));
    e->index[e->n] = k;
    e->weight[e->n] = (double)rows;
    e->n++;
    return 1;
}

/* Ensemble scores of the validation beats, for calibrated thresholds. */
static double threshold_calibrate(const stage_t *st, const ensemble_t *e,
                                  const char *partition, char *how,
                                  size_t how_size)
{
    const config_t *c = &st->cfg;
    hid_t f;
    int64_t dims[2];
    float *x, *score;
    uint8_t *anomalous;
    double t;

    if (!strcmp(c->threshold, "alpha")) {
        snprintf(how, how_size, "alpha %g: flag when score > 1 - alpha",
                 c->alpha);
        return 1.0 - c->alpha;
    }
    if ((f = h5_open(partition, MPI_COMM_SELF, "ensad/partition")) < 0)
        die("%s", err_msg());
    CHECK(h5_dims(f, partition, "/val/x", 2, dims));
    if (dims[0] == 0)
        die("%s: no validation beats; ensemble.threshold = %s needs "
            "partition.val_normal > 0 when partitioning", partition,
            c->threshold);
    x = xmalloc((size_t)(dims[0] * dims[1]) * sizeof *x);
    score = xmalloc((size_t)dims[0] * sizeof *score);
    anomalous = xmalloc((size_t)dims[0]);
    CHECK(h5_read_rows(f, partition, "/val/x", H5T_NATIVE_FLOAT, x, dims[1],
                       0, dims[0]));
    CHECK(h5_read_rows(f, partition, "/val/anomalous", H5T_NATIVE_UINT8,
                       anomalous, 0, 0, dims[0]));
    H5Fclose(f);
    ensemble_score(e, x, dims[0], NULL, NULL, score);

    if (!strcmp(c->threshold, "val_fpr")) {
        int64_t n = 0;
        for (int64_t i = 0; i < dims[0]; i++)
            if (!anomalous[i])
                score[n++] = score[i];
        t = threshold_for_fpr(score, n, c->target_fpr);
        snprintf(how, how_size, "val_fpr %g on %lld validation normals",
                 c->target_fpr, (long long)n);
    } else {
        t = threshold_best_f1(score, anomalous, dims[0]);
        snprintf(how, how_size, "val_f1: best F1 on %lld validation beats",
                 (long long)dims[0]);
    }
    free(x);
    free(score);
    free(anomalous);
    return t;
}

static void ensemble_write(const stage_t *st, const ensemble_t *e,
                           const int *missing, int n_missing,
                           double threshold, const char *how)
{
    char final[CFG_PATH + 64], tmp[CFG_PATH + 96], group[64];
    const char **inputs = xmalloc(((size_t)e->n + 1) * sizeof *inputs);
    char (*member_paths)[CFG_PATH + 64] =
        xmalloc((size_t)e->n * sizeof *member_paths);
    int32_t *present = xmalloc(((size_t)e->n + 1) * sizeof *present);
    int64_t *rows = xmalloc(((size_t)e->n + 1) * sizeof *rows);
    char partition[CFG_PATH + 64];
    hid_t f;

    stage_path(st, partition, sizeof partition, "partition.h5");
    inputs[0] = partition;
    for (int i = 0; i < e->n; i++) {
        stage_path(st, member_paths[i], sizeof member_paths[i],
                   "members/member-%d.h5", e->index[i]);
        inputs[i + 1] = member_paths[i];
        present[i] = e->index[i];
        rows[i] = (int64_t)e->weight[i];
    }
    stage_path(st, final, sizeof final, "ensemble.h5");
    stage_tmp(st, final, tmp, sizeof tmp);
    if ((f = h5_create(tmp, MPI_COMM_SELF)) < 0)
        die("%s", err_msg());
    for (int i = 0; i < e->n; i++) {
        snprintf(group, sizeof group, "/members/%d", e->index[i]);
        CHECK(model_write(f, group, &e->model[i].ae, e->model[i].loss_sorted,
                          e->model[i].n_loss, 1));
    }
    CHECK(h5_write_rows(f, "/members_present", H5T_NATIVE_INT32,
                        H5T_STD_I32LE, present, e->n, 0, 0, e->n));
    CHECK(h5_write_rows(f, "/members_missing", H5T_NATIVE_INT32,
                        H5T_STD_I32LE, missing, n_missing, 0, 0, n_missing));
    CHECK(h5_write_rows(f, "/member_rows", H5T_NATIVE_INT64, H5T_STD_I64LE,
                        rows, e->n, 0, 0, e->n));
    CHECK(h5_provenance(f, "ensad/ensemble", st->config_text, inputs,
                        e->n + 1, clock_seconds() - st->t0, MPI_COMM_SELF));
    CHECK(h5_attr_put_i64(f, "members", st->cfg.members));
    CHECK(h5_attr_put_i64(f, "members_present_count", e->n));
    CHECK(h5_attr_put_str(f, "rule", agg_rule_name(e->rule)));
    CHECK(h5_attr_put_f64(f, "trim", e->trim));
    CHECK(h5_attr_put_f64(f, "threshold", threshold));
    CHECK(h5_attr_put_str(f, "threshold_method", st->cfg.threshold));
    CHECK(h5_attr_put_str(f, "threshold_how", how));
    CHECK(h5_attr_put_f64(f, "alpha", st->cfg.alpha));
    CHECK(h5_close(f, tmp));
    CHECK(tmp_commit(tmp, final));
    log_info("wrote %s: %d of %d members, rule %s, threshold %.6f (%s)",
             final, e->n, st->cfg.members, agg_rule_name(e->rule), threshold,
             how);
    free(inputs);
    free(member_paths);
    free(present);
    free(rows);
}

int main(int argc, char **argv)
{
    stage_t st;
    partition_info_t pi;
    ensemble_t e = {0};
    char partition[CFG_PATH + 64], shape[256], how[256], list[4096] = "";
    int *missing, n_missing = 0, need;
    double threshold;
    ae_t expect;

    stage_begin(&st, "aggregate-threshold",
                "Collects the member files of the run, sets the threshold "
                "and writes RUN/ensemble.h5.", 0, argc, argv);
    if (st.size > 1)
        die("ensad-aggregate-threshold runs as one process (got %d ranks)",
            st.size);
    stage_path(&st, partition, sizeof partition, "partition.h5");
    partition_info(partition, &st.cfg, &pi);
    if (ae_create(&expect, pi.length, st.cfg.encoder, st.cfg.n_encoder))
        die("model.encoder: %s", err_msg());
    model_shape(&expect, shape, sizeof shape);
    ae_free(&expect);

    e.model = xcalloc((size_t)pi.members, sizeof *e.model);
    e.index = xcalloc((size_t)pi.members, sizeof *e.index);
    e.weight = xcalloc((size_t)pi.members, sizeof *e.weight);
    e.rule = (agg_rule_t)agg_rule_parse(st.cfg.rule);
    e.trim = st.cfg.trim;
    missing = xcalloc((size_t)pi.members, sizeof *missing);
    for (int k = 0; k < pi.members; k++) {
        if (!member_load(&st, &pi, k, shape, &e)) {
            missing[n_missing++] = k;
            snprintf(list + strlen(list), sizeof list - strlen(list),
                     "%s%d", n_missing > 1 ? ", " : "", k);
        }
    }
    need = st.cfg.min_members ? st.cfg.min_members : pi.members;
    if (e.n < need)
        die("only %d of %d member files in %s/members (missing: %s); "
            "ensemble.min_members = %d%s", e.n, pi.members, st.run, list,
            st.cfg.min_members,
            st.cfg.min_members ? "" : " (0 means all members)");
    if (n_missing)
        log_warn("going on without %d member(s): %s (min_members %d)",
                 n_missing, list, need);

    threshold = threshold_calibrate(&st, &e, partition, how, sizeof how);
    ensemble_write(&st, &e, missing, n_missing, threshold, how);

    ensemble_free(&e);
    free(missing);
    free(pi.offsets);
    stage_end(&st);
    return 0;
}
