/*
 * train-member.c — ensad-train-member: trains member K of the ensemble on
 * shard K of RUN/partition.h5, and writes RUN/members/member-K.h5 with its
 * layers, the sorted losses of its training beats (its calibration) and
 * its loss history.
 *
 * One process per member: members run as Slurm array tasks, in parallel
 * across nodes; BLAS threads come from OPENBLAS_NUM_THREADS. Every
 * train.checkpoint_every epochs the optimiser, generator and weights go to
 * RUN/members/member-K.ckpt.h5; a rerun with the same settings resumes
 * from it, and SIGTERM (Slurm's preemption and time-limit signal) makes the
 * task checkpoint at the end of the current epoch and exit with status 3
 * (so does Ctrl-C, SIGINT).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecdf.h"
#include "err.h"
#include "h5.h"
#include "log.h"
#include "mpiutil.h"
#include "model.h"
#include "nn.h"
#include "stage.h"

#define EXIT_PREEMPTED 3

static volatile sig_atomic_t stop_requested;

static void on_term(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct {
    const stage_t *st;
    const char *ckpt;    /* checkpoint path */
    const char *fingerprint;
    double train_seconds;
} epoch_ctx_t;

/* The settings a checkpoint must share with this run to be resumed: the
 * shard's source file and everything that shapes training but the epoch
 * count (so a finished run can be extended). */
static char *fingerprint(const stage_t *st, const char *partition_sha)
{
    const config_t *c = &st->cfg;
    char enc[256] = "", *fp = xmalloc(1024);
    for (int i = 0; i < c->n_encoder; i++)
        snprintf(enc + strlen(enc), sizeof enc - strlen(enc), "%s%d",
                 i ? "," : "", c->encoder[i]);
    snprintf(fp, 1024, "partition %s member %d encoder %s batch %d lr %.17g "
             "betas %.17g %.17g eps %.17g seed %lld", partition_sha,
             st->member, enc, c->batch, c->lr, c->beta1, c->beta2, c->eps,
             (long long)c->train_seed);
    return fp;
}

static int ckpt_write(const epoch_ctx_t *ctx, const ae_t *ae,
                      const adam_t *adam, const train_state_t *ts)
{
    char tmp[CFG_PATH + 32];
    hid_t f;
    int rc = 0;

    snprintf(tmp, sizeof tmp, "%s.tmp", ctx->ckpt);
    tmp_register(tmp);
    if ((f = h5_create(tmp, MPI_COMM_SELF)) < 0)
        return -1;
    rc |= h5_write_rows(f, "/params", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                        ae->params, ae->n_params, 0, 0, ae->n_params);
    rc |= h5_write_rows(f, "/adam/m", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                        adam->m, adam->n, 0, 0, adam->n);
    rc |= h5_write_rows(f, "/adam/v", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                        adam->v, adam->n, 0, 0, adam->n);
    rc |= h5_write_rows(f, "/rng", H5T_NATIVE_UINT64, H5T_STD_U64LE,
                        ts->rng.s, 4, 0, 0, 4);
    rc |= h5_write_rows(f, "/history/loss", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                        ts->history, ts->epoch, 0, 0, ts->epoch);
    rc |= h5_attr_put_str(f, "format", "ensad/checkpoint");
    rc |= h5_attr_put_str(f, "fingerprint", ctx->fingerprint);
    rc |= h5_attr_put_i64(f, "epoch", ts->epoch);
    rc |= h5_attr_put_i64(f, "adam_t", adam->t);
    rc |= h5_attr_put_f64(f, "train_seconds", ctx->train_seconds);
    rc |= h5_close(f, tmp);
    if (rc)
        return err_prefix("checkpoint %s: ", ctx->ckpt);
    return tmp_commit(tmp, ctx->ckpt);
}

/* Restores state from a matching checkpoint; 1 if resumed, 0 if none. */
static int ckpt_resume(epoch_ctx_t *ctx, ae_t *ae, adam_t *adam,
                       train_state_t *ts)
{
    hid_t f;
    char *fp = NULL;
    int64_t epoch, t;
    int rc;

    if (access(ctx->ckpt, F_OK) != 0)
        return 0;
    f = h5_open(ctx->ckpt, MPI_COMM_SELF, "ensad/checkpoint");
    if (f < 0) {
        log_warn("ignoring unreadable checkpoint: %s", err_msg());
        return 0;
    }
    rc = h5_attr_get_str(f, ctx->ckpt, "fingerprint", &fp);
    if (rc == 0 && strcmp(fp, ctx->fingerprint) != 0) {
        log_warn("ignoring %s: it was made with other settings or data",
                 ctx->ckpt);
        free(fp);
        H5Fclose(f);
        return 0;
    }
    free(fp);
    rc = rc || h5_attr_get_i64(f, ctx->ckpt, "epoch", &epoch) ||
         h5_attr_get_i64(f, ctx->ckpt, "adam_t", &t) ||
         h5_attr_get_f64(f, ctx->ckpt, "train_seconds",
                         &ctx->train_seconds);
    if (rc == 0 && epoch > ts->epochs)
        epoch = -1;
    rc = rc || epoch < 0 ||
         h5_read_rows(f, ctx->ckpt, "/params", H5T_NATIVE_FLOAT, ae->params,
                      0, 0, ae->n_params) ||
         h5_read_rows(f, ctx->ckpt, "/adam/m", H5T_NATIVE_FLOAT, adam->m, 0,
                      0, adam->n) ||
         h5_read_rows(f, ctx->ckpt, "/adam/v", H5T_NATIVE_FLOAT, adam->v, 0,
                      0, adam->n) ||
         h5_read_rows(f, ctx->ckpt, "/rng", H5T_NATIVE_UINT64, ts->rng.s, 0,
                      0, 4) ||
         h5_read_rows(f, ctx->ckpt, "/history/loss", H5T_NATIVE_FLOAT,
                      ts->history, 0, 0, epoch);
    H5Fclose(f);
    if (rc) {
        log_warn("ignoring checkpoint %s: %s", ctx->ckpt,
                 epoch < 0 ? "more epochs than train.epochs" : err_msg());
        return 0;
    }
    ts->epoch = (int)epoch;
    adam->t = t;
    return 1;
}

static int on_epoch(void *user, const ae_t *ae, const adam_t *adam,
                    const train_state_t *ts, double seconds)
{
    epoch_ctx_t *ctx = user;
    int every = ctx->st->cfg.checkpoint_every;

    ctx->train_seconds += seconds;
    log_info("member %d epoch %d/%d loss %.6f %.3f s", ctx->st->member,
             ts->epoch, ts->epochs, ts->history[ts->epoch - 1], seconds);
    if (stop_requested || (every > 0 && ts->epoch % every == 0 &&
                           ts->epoch < ts->epochs)) {
        if (ckpt_write(ctx, ae, adam, ts) != 0)
            return -1;
        if (stop_requested) {
            log_info("member %d: stopped by a signal after epoch %d; "
                     "checkpoint %s, rerun to resume", ctx->st->member,
                     ts->epoch, ctx->ckpt);
            return EXIT_PREEMPTED;
        }
    }
    return 0;
}

/* Shard K of partition.h5: rows [offsets[K], offsets[K+1]) of /train/x. */
static float *shard_read(const stage_t *st, const char *path, int *length,
                         int64_t *rows)
{
    hid_t f = h5_open(path, MPI_COMM_SELF, "ensad/partition");
    int64_t dims[2], m = st->cfg.members, *offsets;
    float *x;

    if (f < 0)
        die("%s (run ensad-partition first)", err_msg());
    CHECK(h5_dims(f, path, "/train/x", 2, dims));
    CHECK(h5_dims(f, path, "/train/offsets", 1, &dims[0]) == 0 ? 0 : -1);
    if (dims[0] != m + 1)
        die("%s: /train/offsets has %lld shards but partition.members = "
            "%lld; rerun ensad-partition with this config",
            path, (long long)dims[0] - 1, (long long)m);
    offsets = xmalloc((size_t)(m + 1) * sizeof *offsets);
    CHECK(h5_read_rows(f, path, "/train/offsets", H5T_NATIVE_INT64, offsets,
                       0, 0, m + 1));
    CHECK(h5_dims(f, path, "/train/x", 2, dims));
    *length = (int)dims[1];
    *rows = offsets[st->member + 1] - offsets[st->member];
    if (*rows < 1 || offsets[st->member + 1] > dims[0])
        die("%s: shard %d is empty or beyond /train/x", path, st->member);
    x = xmalloc((size_t)*rows * (size_t)*length * sizeof *x);
    CHECK(h5_read_rows(f, path, "/train/x", H5T_NATIVE_FLOAT, x, *length,
                       offsets[st->member], *rows));
    free(offsets);
    H5Fclose(f);
    return x;
}

static void member_write(const stage_t *st, const char *partition,
                         const ae_t *ae, const float *loss_sorted,
                         int64_t rows, const train_state_t *ts,
                         double train_seconds)
{
    char final[CFG_PATH + 64], tmp[CFG_PATH + 96];
    const char *inputs[1] = {partition};
    hid_t f;

    stage_path(st, final, sizeof final, "members/member-%d.h5", st->member);
    stage_tmp(st, final, tmp, sizeof tmp);
    if ((f = h5_create(tmp, MPI_COMM_SELF)) < 0)
        die("%s", err_msg());
    CHECK(model_write(f, "", ae, loss_sorted, rows, 1));
    CHECK(h5_write_rows(f, "/history/loss", H5T_NATIVE_FLOAT,
                        H5T_IEEE_F32LE, ts->history, ts->epochs, 0, 0,
                        ts->epochs));
    CHECK(h5_provenance(f, "ensad/member", st->config_text, inputs, 1,
                        clock_seconds() - st->t0, MPI_COMM_SELF));
    CHECK(h5_attr_put_i64(f, "member", st->member));
    CHECK(h5_attr_put_i64(f, "shard_rows", rows));
    CHECK(h5_attr_put_i64(f, "length", ae->sizes[0]));
    CHECK(h5_attr_put_i64(f, "epochs", ts->epochs));
    CHECK(h5_attr_put_i64(f, "seed", st->cfg.train_seed + st->member));
    CHECK(h5_attr_put_f64(f, "train_seconds", train_seconds));
    CHECK(h5_close(f, tmp));
    CHECK(tmp_commit(tmp, final));
    log_info("wrote %s", final);
}

int main(int argc, char **argv)
{
    stage_t st;
    char partition[CFG_PATH + 64], dir[CFG_PATH + 64], ckpt[CFG_PATH + 64];
    char sha[65], shape[256];
    int length, rc;
    double loss_start = 0, loss_end = 0;
    int64_t rows;
    float *x, *loss;
    ae_t ae;
    adam_t adam;
    ae_work_t work;
    train_state_t ts = {0};
    epoch_ctx_t ctx;
    rng_t init_rng;

    stage_begin(&st, "train-member",
                "Trains member K on shard K of RUN/partition.h5 and writes "
                "RUN/members/member-K.h5.", 1, argc, argv);
    if (st.size > 1)
        die("ensad-train-member is one process per member (got %d MPI "
            "ranks); run members as array tasks", st.size);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);

    stage_path(&st, partition, sizeof partition, "partition.h5");
    x = shard_read(&st, partition, &length, &rows);
    CHECK(file_sha256(partition, sha));
    if (ae_create(&ae, length, st.cfg.encoder, st.cfg.n_encoder) != 0)
        die("model.encoder: %s", err_msg());
    model_shape(&ae, shape, sizeof shape);
    log_info("member %d: %lld beats of %d samples, model %s (%lld "
             "parameters), %d epochs", st.member, (long long)rows, length,
             shape, (long long)ae.n_params, st.cfg.epochs);

    rng_seed(&init_rng, (uint64_t)(st.cfg.train_seed + st.member));
    ae_init(&ae, &init_rng);
    adam_create(&adam, ae.n_params, st.cfg.lr, st.cfg.beta1, st.cfg.beta2,
                st.cfg.eps);
    ts.epochs = st.cfg.epochs;
    ts.batch = st.cfg.batch;
    ts.rng = init_rng; /* shuffles continue the same stream */
    ts.history = xcalloc((size_t)ts.epochs, sizeof *ts.history);

    stage_path(&st, dir, sizeof dir, "members");
    CHECK(make_dirs(dir));
    stage_path(&st, ckpt, sizeof ckpt, "members/member-%d.ckpt.h5",
               st.member);
    /* The untrained model's loss: training that ends above it diverged,
     * even when every loss stayed finite (train.lr far too large). */
    ae_work_create(&work, &ae, 1024);
    loss = xmalloc((size_t)rows * sizeof *loss);
    ae_loss_rows(&ae, &work, x, rows, loss, NULL);
    for (int64_t i = 0; i < rows; i++)
        loss_start += loss[i] / (double)rows;

    ctx = (epoch_ctx_t){&st, ckpt, fingerprint(&st, sha), 0};
    if (ckpt_resume(&ctx, &ae, &adam, &ts))
        log_info("member %d: resumed from %s at epoch %d", st.member, ckpt,
                 ts.epoch);

    rc = ae_train(&ae, &adam, &ts, x, rows, on_epoch, &ctx);
    if (rc == EXIT_PREEMPTED) {
        mpi_stop();
        return EXIT_PREEMPTED;
    }
    if (rc != 0)
        die("member %d: %s", st.member, err_msg());

    ae_loss_rows(&ae, &work, x, rows, loss, NULL);
    for (int64_t i = 0; i < rows; i++)
        loss_end += loss[i] / (double)rows;
    if (!(loss_end < loss_start))
        die("member %d: training diverged: the mean loss on the shard is "
            "%g after %d epochs, %g with the initial weights (lower "
            "train.lr)", st.member, loss_end, ts.epochs, loss_start);
    ecdf_sort(loss, rows);
    member_write(&st, partition, &ae, loss, rows, &ts, ctx.train_seconds);
    remove(ckpt);
    log_info("member %d: final loss %.6f, training-loss median %.6f, "
             "95th percentile %.6f, %.2f s training", st.member,
             ts.history[ts.epochs - 1], loss[rows / 2],
             loss[(int64_t)(0.95 * (double)(rows - 1))], ctx.train_seconds);

    free((char *)ctx.fingerprint);
    ae_work_free(&work);
    adam_free(&adam);
    ae_free(&ae);
    free(ts.history);
    free(loss);
    free(x);
    stage_end(&st);
    return 0;
}
