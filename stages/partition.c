/*
 * partition.c — ensad-partition: reads the labelled input, holds out the
 * test (and validation) beats, cuts the remaining normal beats into one
 * shard per member, and writes RUN/partition.h5.
 *
 * Rank 0 reads and splits (inputs are text or small HDF5 files); every rank
 * then writes its block of rows of each dataset collectively.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "err.h"
#include "h5.h"
#include "log.h"
#include "mpiutil.h"
#include "split.h"
#include "stage.h"

/* One part of the output (train, val or test), gathered in split order. */
typedef struct {
    int64_t n;
    float *x;            /* [n, length] */
    uint8_t *anomalous;
    int32_t *cls;
    int64_t *source_row;
} part_t;

static void part_gather(part_t *p, const beats_t *b, const int64_t *idx,
                        int64_t n)
{
    size_t len = (size_t)b->length;
    p->n = n;
    p->x = xmalloc((size_t)n * len * sizeof *p->x);
    p->anomalous = xmalloc((size_t)n);
    p->cls = xmalloc((size_t)n * sizeof *p->cls);
    p->source_row = xmalloc((size_t)n * sizeof *p->source_row);
    for (int64_t i = 0; i < n; i++) {
        memcpy(p->x + (size_t)i * len, b->x + (size_t)idx[i] * len,
               len * sizeof *p->x);
        p->anomalous[i] = b->anomalous[idx[i]];
        p->cls[i] = b->cls[idx[i]];
        p->source_row[i] = b->source_row[idx[i]];
    }
}

static void part_bcast(part_t *p, int length, int rank)
{
    MPI_Bcast(&p->n, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (rank != 0) {
        p->x = xmalloc((size_t)p->n * (size_t)length * sizeof *p->x);
        p->anomalous = xmalloc((size_t)p->n);
        p->cls = xmalloc((size_t)p->n * sizeof *p->cls);
        p->source_row = xmalloc((size_t)p->n * sizeof *p->source_row);
    }
    bcast_bytes(p->x, (size_t)p->n * (size_t)length * sizeof *p->x,
                MPI_COMM_WORLD);
    bcast_bytes(p->anomalous, (size_t)p->n, MPI_COMM_WORLD);
    bcast_bytes(p->cls, (size_t)p->n * sizeof *p->cls, MPI_COMM_WORLD);
    bcast_bytes(p->source_row, (size_t)p->n * sizeof *p->source_row,
                MPI_COMM_WORLD);
}

static void part_free(part_t *p)
{
    free(p->x);
    free(p->anomalous);
    free(p->cls);
    free(p->source_row);
}

/* Writes GROUP/x, anomalous, class, source_row; this rank its block. */
static int part_write(const stage_t *st, hid_t file, const char *group,
                      const part_t *p, int length)
{
    char name[64];
    int64_t r0, rows;
    block_rows(p->n, st->rank, st->size, &r0, &rows);

    snprintf(name, sizeof name, "/%s/x", group);
    if (h5_write_rows(file, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                      p->x + r0 * length, p->n, length, r0, rows))
        return -1;
    snprintf(name, sizeof name, "/%s/anomalous", group);
    if (h5_write_rows(file, name, H5T_NATIVE_UINT8, H5T_STD_U8LE,
                      p->anomalous + r0, p->n, 0, r0, rows))
        return -1;
    snprintf(name, sizeof name, "/%s/class", group);
    if (h5_write_rows(file, name, H5T_NATIVE_INT32, H5T_STD_I32LE,
                      p->cls + r0, p->n, 0, r0, rows))
        return -1;
    snprintf(name, sizeof name, "/%s/source_row", group);
    return h5_write_rows(file, name, H5T_NATIVE_INT64, H5T_STD_I64LE,
                         p->source_row + r0, p->n, 0, r0, rows);
}

/* The input files, for the provenance checksums. */
static int input_list(const config_t *cfg, char *buf, const char **list)
{
    if (!strcmp(cfg->data_format, "synth"))
        return 0;
    return data_paths(cfg->data_path, buf, list, DATA_MAX_FILES);
}

static void log_split(const beats_t *b, const split_t *s, const config_t *c)
{
    int64_t lo = INT64_MAX, hi = 0, n_anom = 0;
    for (int64_t i = 0; i < b->n; i++)
        n_anom += b->anomalous[i];
    for (int k = 0; k < s->members; k++) {
        int64_t size = s->offsets[k + 1] - s->offsets[k];
        lo = size < lo ? size : lo;
        hi = size > hi ? size : hi;
    }
    log_info("read %lld beats of %d samples (%lld normal, %lld anomalous)",
             (long long)b->n, b->length, (long long)(b->n - n_anom),
             (long long)n_anom);
    log_info("split: test %lld (%lld normal, %lld anomalous), validation "
             "%lld, training %lld in %d %s shards of %lld..%lld beats",
             (long long)s->n_test, (long long)c->test_normal,
             (long long)c->test_anomalous, (long long)s->n_val,
             (long long)s->offsets[s->members], s->members, c->scheme,
             (long long)lo, (long long)hi);
}

int main(int argc, char **argv)
{
    stage_t st;
    beats_t beats = {0};
    split_t split = {0};
    part_t train = {0}, val = {0}, test = {0};
    int length = 0, m;
    int64_t *offsets;
    char final[CFG_PATH + 64], tmp[CFG_PATH + 96], inbuf[CFG_PATH];
    static const char *inputs[DATA_MAX_FILES];
    int n_inputs;
    hid_t file;

    stage_begin(&st, "partition",
                "Splits the labelled input into test and validation beats "
                "and one training shard\nper member; writes "
                "RUN/partition.h5.", 0, argc, argv);
    m = st.cfg.members;
    offsets = xcalloc((size_t)m + 1, sizeof *offsets);

    if (st.rank == 0) {
        CHECK(data_load(&st.cfg, &beats));
        if (split_make(&st.cfg, &beats, &split) != 0)
            die("%s: %s", !strcmp(st.cfg.data_format, "synth")
                              ? "generated beats" : st.cfg.data_path,
                err_msg());
        log_split(&beats, &split, &st.cfg);
        length = beats.length;
        part_gather(&train, &beats, split.train, split.offsets[m]);
        part_gather(&val, &beats, split.val, split.n_val);
        part_gather(&test, &beats, split.test, split.n_test);
        memcpy(offsets, split.offsets, ((size_t)m + 1) * sizeof *offsets);
        split_free(&split);
        beats_free(&beats);
    }
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(offsets, m + 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    part_bcast(&train, length, st.rank);
    part_bcast(&val, length, st.rank);
    part_bcast(&test, length, st.rank);

    stage_path(&st, final, sizeof final, "partition.h5");
    stage_tmp(&st, final, tmp, sizeof tmp);
    file = h5_create(tmp, MPI_COMM_WORLD);
    if (file < 0)
        die("%s", err_msg());
    CHECK(part_write(&st, file, "train", &train, length));
    CHECK(part_write(&st, file, "val", &val, length));
    CHECK(part_write(&st, file, "test", &test, length));
    CHECK(h5_write_rows(file, "/train/offsets", H5T_NATIVE_INT64,
                        H5T_STD_I64LE, offsets, m + 1, 0, 0,
                        st.rank == 0 ? m + 1 : 0));
    if ((n_inputs = input_list(&st.cfg, inbuf, inputs)) < 0)
        die("%s", err_msg());
    CHECK(h5_provenance(file, "ensad/partition", st.config_text, inputs,
                        n_inputs, clock_seconds() - st.t0, MPI_COMM_WORLD));
    CHECK(h5_attr_put_i64(file, "members", m));
    CHECK(h5_attr_put_i64(file, "length", length));
    CHECK(h5_attr_put_str(file, "scheme", st.cfg.scheme));
    CHECK(h5_close(file, tmp));
    CHECK(stage_commit(&st, tmp, final));

    log_info("wrote %s: %lld training, %lld validation, %lld test beats "
             "with %d ranks", final, (long long)train.n, (long long)val.n,
             (long long)test.n, st.size);
    part_free(&train);
    part_free(&val);
    part_free(&test);
    free(offsets);
    stage_end(&st);
    return 0;
}
