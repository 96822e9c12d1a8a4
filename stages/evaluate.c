/*
 * evaluate.c — ensad-evaluate: scores the test beats of RUN/partition.h5
 * with RUN/ensemble.h5, writes per-beat scores to RUN/scores.h5, and the
 * metrics, tables and figures of every member and the ensemble to
 * RUN/report/.
 *
 * Each MPI rank scores its block of test rows and writes it collectively;
 * rank 0 gathers the scores (not the beats) for metrics and the report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecdf.h"
#include "err.h"
#include "h5.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "mpiutil.h"
#include "report.h"
#include "score.h"
#include "stage.h"

typedef struct {
    ensemble_t e;
    int members;        /* configured */
    double threshold;
    char how[256];
    int *missing, n_missing;
    double seconds;     /* aggregate-threshold's wall time */
    char *inputs;       /* checksums of the files it was made from */
    char *config;       /* its effective configuration */
} loaded_t;

static void ensemble_load(const char *path, loaded_t *L)
{
    hid_t f = h5_open(path, MPI_COMM_WORLD, "ensad/ensemble");
    int64_t dims[2], members;
    char *rule = NULL, *how = NULL, group[64];
    int32_t *present;

    if (f < 0)
        die("%s (run ensad-aggregate-threshold first)", err_msg());
    CHECK(h5_attr_get_i64(f, path, "members", &members));
    CHECK(h5_attr_get_f64(f, path, "threshold", &L->threshold));
    CHECK(h5_attr_get_f64(f, path, "trim", &L->e.trim));
    CHECK(h5_attr_get_f64(f, path, "seconds", &L->seconds));
    CHECK(h5_attr_get_str(f, path, "rule", &rule));
    CHECK(h5_attr_get_str(f, path, "threshold_how", &how));
    CHECK(h5_attr_get_str(f, path, "inputs", &L->inputs));
    CHECK(h5_attr_get_str(f, path, "config", &L->config));
    if (agg_rule_parse(rule) < 0)
        die("%s: unknown aggregation rule '%s'", path, rule);
    L->e.rule = (agg_rule_t)agg_rule_parse(rule);
    snprintf(L->how, sizeof L->how, "%s", how);
    L->members = (int)members;

    CHECK(h5_dims(f, path, "/members_present", 1, dims));
    L->e.n = (int)dims[0];
    present = xmalloc(((size_t)dims[0] + 1) * sizeof *present);
    CHECK(h5_read_rows(f, path, "/members_present", H5T_NATIVE_INT32,
                       present, 0, 0, dims[0]));
    CHECK(h5_dims(f, path, "/members_missing", 1, dims));
    L->n_missing = (int)dims[0];
    L->missing = xmalloc(((size_t)dims[0] + 1) * sizeof *L->missing);
    CHECK(h5_read_rows(f, path, "/members_missing", H5T_NATIVE_INT32,
                       L->missing, 0, 0, dims[0]));

    L->e.model = xcalloc((size_t)L->e.n + 1, sizeof *L->e.model);
    L->e.index = xcalloc((size_t)L->e.n + 1, sizeof *L->e.index);
    L->e.weight = xcalloc((size_t)L->e.n + 1, sizeof *L->e.weight);
    for (int i = 0; i < L->e.n; i++) {
        snprintf(group, sizeof group, "/members/%d", present[i]);
        CHECK(model_read(f, path, group, &L->e.model[i]));
        L->e.index[i] = present[i];
        L->e.weight[i] = (double)L->e.model[i].n_loss;
    }
    H5Fclose(f);
    free(present);
    free(rule);
    free(how);
}

/* The threshold and rule come from ensemble.h5, not from this stage's
 * config: say so when the two disagree, rather than report one and use
 * the other. */
static void ensemble_config_compare(const stage_t *st, const loaded_t *L)
{
    static const char *const keys[] = {"rule", "threshold", "alpha",
                                       "target_fpr", "trim", "min_members"};
    char mine[256], theirs[256];

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        config_text_get(st->config_text, "ensemble", keys[i], mine, sizeof mine);
        config_text_get(L->config, "ensemble", keys[i], theirs, sizeof theirs);
        if (strcmp(mine, theirs) != 0)
            log_warn("ensemble.%s = %s here, but ensemble.h5 was made with "
                     "%s, which is what counts: rerun "
                     "ensad-aggregate-threshold to change it", keys[i],
                     mine, theirs);
    }
}

/* Refuses an ensemble made from another partition.h5 than the run's:
 * its members may have trained on today's test beats. */
static void ensemble_matches_partition(const stage_t *st, const loaded_t *L,
                                       const char *partition)
{
    char sha[65];
    int ok = 1;

    if (st->rank == 0) {
        CHECK(file_sha256(partition, sha));
        ok = strstr(L->inputs, sha) != NULL;
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!ok)
        die("%s/ensemble.h5 was made from another partition.h5 than %s "
            "(partition was rerun?): rerun the members and "
            "ensad-aggregate-threshold", st->run, partition);
}

/* Concatenates every rank's rows on rank 0 (elem bytes per row). */
static void *gather_rows(const void *mine, int64_t rows, size_t elem,
                         int64_t total, const stage_t *st)
{
    int *counts = NULL, *displs = NULL, bytes = (int)((size_t)rows * elem);
    char *all = NULL;

    if (st->rank == 0) {
        counts = xmalloc((size_t)st->size * sizeof *counts);
        displs = xmalloc((size_t)st->size * sizeof *displs);
        all = xmalloc((size_t)total * elem);
    }
    MPI_Gather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st->rank == 0)
        for (int r = 0, at = 0; r < st->size; at += counts[r], r++)
            displs[r] = at;
    MPI_Gatherv(mine, bytes, MPI_BYTE, all, counts, displs, MPI_BYTE, 0,
                MPI_COMM_WORLD);
    free(counts);
    free(displs);
    return all;
}

typedef struct {
    float score;
    int64_t row;
} ranked_t;

static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked_t *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* The test beat whose score is the median of its class; -1 if none. */
static int64_t typical_beat(const float *score, const uint8_t *anomalous,
                            int64_t n, int want)
{
    ranked_t *beats = xmalloc((size_t)(n + 1) * sizeof *beats);
    int64_t count = 0, pick = -1;

    for (int64_t i = 0; i < n; i++)
        if (anomalous[i] == want)
            beats[count++] = (ranked_t){score[i], i};
    if (count > 0) {
        qsort(beats, (size_t)count, sizeof *beats, ranked_cmp);
        pick = beats[count / 2].row;
    }
    free(beats);
    return pick;
}

/* Replaces RUN/report with the freshly written tmp folder. */
static int report_commit(const char *tmp, const char *final)
{
    char old[CFG_PATH + 96];
    snprintf(old, sizeof old, "%s.old-%ld", final, (long)getpid());
    if (access(final, F_OK) == 0 && rename(final, old) != 0)
        return err_set("cannot move the old %s aside", final);
    if (rename(tmp, final) != 0)
        return err_set("cannot rename %s to %s", tmp, final);
    remove_tree(old);
    return 0;
}

typedef struct {
    float *x;           /* this rank's test rows [rows, length] */
    int64_t n, row0, rows;
    int length;
    uint8_t *anomalous; /* [rows] */
    int32_t *cls;       /* [rows] */
    double seconds;     /* partition's wall time */
} test_t;

static void test_read(const stage_t *st, const char *path, test_t *t)
{
    hid_t f = h5_open(path, MPI_COMM_WORLD, "ensad/partition");
    int64_t dims[2];

    if (f < 0)
        die("%s", err_msg());
    CHECK(h5_dims(f, path, "/test/x", 2, dims));
    if (dims[0] == 0)
        die("%s: the test set is empty (partition.test_normal and "
            "test_anomalous are 0)", path);
    CHECK(h5_attr_get_f64(f, path, "seconds", &t->seconds));
    t->n = dims[0];
    t->length = (int)dims[1];
    block_rows(t->n, st->rank, st->size, &t->row0, &t->rows);
    t->x = xmalloc((size_t)(t->rows * t->length + 1) * sizeof *t->x);
    t->anomalous = xmalloc((size_t)t->rows + 1);
    t->cls = xmalloc(((size_t)t->rows + 1) * sizeof *t->cls);
    CHECK(h5_read_rows(f, path, "/test/x", H5T_NATIVE_FLOAT, t->x,
                       t->length, t->row0, t->rows));
    CHECK(h5_read_rows(f, path, "/test/anomalous", H5T_NATIVE_UINT8,
                       t->anomalous, 0, t->row0, t->rows));
    CHECK(h5_read_rows(f, path, "/test/class", H5T_NATIVE_INT32, t->cls, 0,
                       t->row0, t->rows));
    H5Fclose(f);
    for (int64_t i = 0; i < t->rows * t->length; i++)
        if (!isfinite(t->x[i]))
            die("%s: /test/x row %lld holds NaN or an infinity", path,
                (long long)(t->row0 + i / t->length));
}

/* Writes RUN/scores.h5 under its temporary name tmp; main renames it
 * once the report is written too. */
static void scores_write(const stage_t *st, const loaded_t *L,
                         const test_t *t, const float *mloss,
                         const float *mscore, const float *score,
                         const uint8_t *flagged, char *final, char *tmp,
                         size_t size)
{
    char partition[CFG_PATH + 64], ensemble[CFG_PATH + 64];
    const char *inputs[2] = {partition, ensemble};
    int m = L->e.n;
    hid_t f;

    stage_path(st, partition, sizeof partition, "partition.h5");
    stage_path(st, ensemble, sizeof ensemble, "ensemble.h5");
    stage_path(st, final, size, "scores.h5");
    stage_tmp(st, final, tmp, size);
    if ((f = h5_create(tmp, MPI_COMM_WORLD)) < 0)
        die("%s", err_msg());
    CHECK(h5_write_rows(f, "/test/member_loss", H5T_NATIVE_FLOAT,
                        H5T_IEEE_F32LE, mloss, t->n, m, t->row0, t->rows));
    CHECK(h5_write_rows(f, "/test/member_score", H5T_NATIVE_FLOAT,
                        H5T_IEEE_F32LE, mscore, t->n, m, t->row0, t->rows));
    CHECK(h5_write_rows(f, "/test/score", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                        score, t->n, 0, t->row0, t->rows));
    CHECK(h5_write_rows(f, "/test/flagged", H5T_NATIVE_UINT8, H5T_STD_U8LE,
                        flagged, t->n, 0, t->row0, t->rows));
    CHECK(h5_write_rows(f, "/test/anomalous", H5T_NATIVE_UINT8,
                        H5T_STD_U8LE, t->anomalous, t->n, 0, t->row0,
                        t->rows));
    CHECK(h5_write_rows(f, "/members", H5T_NATIVE_INT32, H5T_STD_I32LE,
                        L->e.index, m, 0, 0, st->rank == 0 ? m : 0));
    CHECK(h5_provenance(f, "ensad/scores", st->config_text, inputs, 2,
                        clock_seconds() - st->t0, MPI_COMM_WORLD));
    CHECK(h5_attr_put_f64(f, "threshold", L->threshold));
    CHECK(h5_close(f, tmp));
    log_info("scored %lld test beats x %d members", (long long)t->n, m);
}

/* Timing of the earlier stages, from their files' attributes. */
static int timing_collect(const stage_t *st, const loaded_t *L,
                          const test_t *t, report_timing_t *tm)
{
    double sum = 0, max = 0;
    for (int i = 0; i < L->e.n; i++) {
        char path[CFG_PATH + 64];
        double s = 0;
        hid_t f;
        stage_path(st, path, sizeof path, "members/member-%d.h5",
                   L->e.index[i]);
        f = h5_open(path, MPI_COMM_SELF, NULL);
        if (f >= 0) {
            if (h5_attr_get_f64(f, path, "seconds", &s) == 0) {
                sum += s;
                max = s > max ? s : max;
            }
            H5Fclose(f);
        }
    }
    /* Members train side by side, so the chain waits for the slowest;
     * the total of the report is then the chain's critical path. */
    log_info("members trained in %.2f s together, %.2f s the slowest", sum,
             max);
    tm[0] = (report_timing_t){"partition", t->seconds};
    tm[1] = (report_timing_t){"train-member", max};
    tm[2] = (report_timing_t){"aggregate-threshold", L->seconds};
    tm[3] = (report_timing_t){"evaluate", clock_seconds() - st->t0};
    return 4;
}

/* Writes the report into a temporary folder, tmp; main puts it in place
 * of RUN/report (dir) after scores.h5. */
static void report_make(const stage_t *st, const loaded_t *L,
                        const test_t *t, const float *mscore,
                        const float *score, const uint8_t *anomalous,
                        const int32_t *cls, char *dir, char *tmp,
                        size_t size)
{
    int m = L->e.n, members = L->members;
    report_member_t *rm = xcalloc((size_t)members, sizeof *rm);
    float *col = xmalloc((size_t)t->n * sizeof *col);
    float *beat[2] = {0}, *recon[2] = {0};
    report_timing_t timing[8];
    report_t r = {0};

    for (int k = 0; k < members; k++)
        rm[k].member = k;
    for (int i = 0; i < m; i++) {
        report_member_t *p = &rm[L->e.index[i]];
        for (int64_t j = 0; j < t->n; j++)
            col[j] = mscore[j * m + i];
        p->present = 1;
        p->rows = L->e.model[i].n_loss;
        metrics_compute(col, anomalous, t->n, L->threshold, &p->m);
    }
    metrics_compute(score, anomalous, t->n, L->threshold, &r.ensemble);
    if (r.ensemble.tp + r.ensemble.fn == 0 ||
        r.ensemble.tn + r.ensemble.fp == 0)
        log_warn("the test set holds only %s beats: ROC AUC and average "
                 "precision are undefined and reported as 0.5 and %s",
                 r.ensemble.tp + r.ensemble.fn ? "anomalous" : "normal",
                 r.ensemble.tp + r.ensemble.fn ? "1" : "0");

    /* Typical beats, read back and reconstructed by the first member. */
    for (int want = 0; want < 2; want++) {
        char path[CFG_PATH + 64];
        int64_t i = typical_beat(score, anomalous, t->n, want);
        ae_work_t work;
        float loss;
        hid_t f;
        if (i < 0)
            continue;
        stage_path(st, path, sizeof path, "partition.h5");
        if ((f = h5_open(path, MPI_COMM_SELF, "ensad/partition")) < 0)
            die("%s", err_msg());
        beat[want] = xmalloc((size_t)t->length * sizeof *beat[want]);
        recon[want] = xmalloc((size_t)t->length * sizeof *recon[want]);
        CHECK(h5_read_rows(f, path, "/test/x", H5T_NATIVE_FLOAT, beat[want],
                           t->length, i, 1));
        H5Fclose(f);
        ae_work_create(&work, &L->e.model[0].ae, 1);
        ae_loss_rows(&L->e.model[0].ae, &work, beat[want], 1, &loss,
                     recon[want]);
        ae_work_free(&work);
    }

    stage_path(st, dir, size, "report");
    stage_path(st, tmp, size, "report.tmp-%ld", (long)getpid());
    CHECK(make_dirs(tmp));
    tmp_register(tmp);
    r.dir = tmp;
    r.run = st->run;
    r.config_text = st->config_text;
    r.rule = agg_rule_name(L->e.rule);
    r.threshold_how = L->how;
    r.members = members;
    r.member = rm;
    r.n = t->n;
    r.length = t->length;
    r.score = score;
    r.anomalous = anomalous;
    r.cls = cls;
    r.normal_x = beat[0];
    r.normal_recon = recon[0];
    r.anomal_x = beat[1];
    r.anomal_recon = recon[1];
    r.timing = timing;
    r.n_timing = timing_collect(st, L, t, timing);
    r.figures = st->cfg.figures;
    CHECK(report_write(&r));
    log_info("ensemble of %d/%d members: accuracy %.4f precision %.4f "
             "recall %.4f F1 %.4f ROC AUC %.4f AP %.4f (tp %lld fp %lld "
             "tn %lld fn %lld)", m, members, r.ensemble.accuracy,
             r.ensemble.precision, r.ensemble.recall, r.ensemble.f1,
             r.ensemble.roc_auc, r.ensemble.average_precision,
             (long long)r.ensemble.tp, (long long)r.ensemble.fp,
             (long long)r.ensemble.tn, (long long)r.ensemble.fn);
    for (int w = 0; w < 2; w++) {
        free(beat[w]);
        free(recon[w]);
    }
    free(col);
    free(rm);
}

int main(int argc, char **argv)
{
    stage_t st;
    loaded_t L = {0};
    test_t t = {0};
    char partition[CFG_PATH + 64], ensemble[CFG_PATH + 64];
    char scores[CFG_PATH + 64], scores_tmp[CFG_PATH + 64];
    char report[CFG_PATH + 64], report_tmp[CFG_PATH + 64];
    float *mloss, *mscore, *score, *all_mscore, *all_score;
    uint8_t *flagged, *all_anom;
    int32_t *all_cls;
    int m;

    stage_begin(&st, "evaluate",
                "Scores the test beats with RUN/ensemble.h5; writes "
                "RUN/scores.h5 and RUN/report/.", 0, argc, argv);
    stage_path(&st, partition, sizeof partition, "partition.h5");
    stage_path(&st, ensemble, sizeof ensemble, "ensemble.h5");
    ensemble_load(ensemble, &L);
    ensemble_matches_partition(&st, &L, partition);
    ensemble_config_compare(&st, &L);
    if (st.cfg.figures && st.rank == 0)
        CHECK(report_can_draw());
    test_read(&st, partition, &t);
    m = L.e.n;
    if (L.e.model[0].ae.sizes[0] != t.length)
        die("%s: members take beats of %d samples but %s has %d", ensemble,
            L.e.model[0].ae.sizes[0], partition, t.length);

    mloss = xmalloc((size_t)(t.rows * m + 1) * sizeof *mloss);
    mscore = xmalloc((size_t)(t.rows * m + 1) * sizeof *mscore);
    score = xmalloc(((size_t)t.rows + 1) * sizeof *score);
    flagged = xmalloc((size_t)t.rows + 1);
    for (int64_t r0 = 0; r0 < t.rows; r0 += st.cfg.eval_chunk) {
        int64_t nb = t.rows - r0 < st.cfg.eval_chunk ? t.rows - r0
                                                     : st.cfg.eval_chunk;
        ensemble_score(&L.e, t.x + r0 * t.length, nb, mloss + r0 * m,
                       mscore + r0 * m, score + r0);
        if (st.size == 1)
            log_info("scored %lld/%lld test beats",
                     (long long)(r0 + nb), (long long)t.rows);
    }
    for (int64_t i = 0; i < t.rows; i++)
        flagged[i] = score[i] > L.threshold;
    scores_write(&st, &L, &t, mloss, mscore, score, flagged, scores,
                 scores_tmp, sizeof scores);

    all_mscore = gather_rows(mscore, t.rows, (size_t)m * sizeof *mscore,
                             t.n, &st);
    all_score = gather_rows(score, t.rows, sizeof *score, t.n, &st);
    all_anom = gather_rows(t.anomalous, t.rows, 1, t.n, &st);
    all_cls = gather_rows(t.cls, t.rows, sizeof *t.cls, t.n, &st);
    if (st.rank == 0)
        report_make(&st, &L, &t, all_mscore, all_score, all_anom, all_cls,
                    report, report_tmp, sizeof report);

    /* Both outputs are complete: only now replace the earlier ones. */
    CHECK(stage_commit(&st, scores_tmp, scores));
    if (st.rank == 0) {
        tmp_forget(report_tmp);
        CHECK(report_commit(report_tmp, report));
        log_info("wrote %s and %s/summary.md", scores, report);
    }

    free(all_mscore);
    free(all_score);
    free(all_anom);
    free(all_cls);
    free(mloss);
    free(mscore);
    free(score);
    free(flagged);
    free(t.x);
    free(t.anomalous);
    free(t.cls);
    free(L.missing);
    free(L.inputs);
    free(L.config);
    ensemble_free(&L.e);
    stage_end(&st);
    return 0;
}
