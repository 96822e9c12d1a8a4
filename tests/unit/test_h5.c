/*
 * test_h5.c — specification of h5.h and model.h: rows written through
 * MPI-IO read back bit for bit, attributes keep their values, files that
 * are not what they should be (not HDF5, truncated, of another format)
 * are refused with their path, a member's layers and calibration survive
 * the disk, and every output carries its provenance.
 *
 * HDF5 here runs on MPI-IO: each test (a process of its own under
 * Criterion) initialises MPI and works on one rank, MPI_COMM_SELF, in a
 * temporary folder removed afterwards. Checksums are checked against the
 * standard SHA-256 test vectors and against sha256sum(1).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "mpiutil.h"
#include "h5.h"
#include "model.h"
#include "nn.h"
#include "rng.h"
#include "version.h"

static char dir[64];

static void mpi_up(void)
{
    mpi_start(NULL, NULL);
    snprintf(dir, sizeof dir, "/tmp/ensad-test-h5-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void mpi_down(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];

    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
    mpi_stop();
}

/* dir/name, in a static buffer of its own per call site's slot. */
static const char *in_dir(const char *name)
{
    static char buf[4][128];
    static int next;
    char *p = buf[next++ % 4];

    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static void text_write(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");

    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(text, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static hid_t create_ok(const char *path)
{
    hid_t f = h5_create(path, MPI_COMM_SELF);

    cr_assert_geq(f, 0, "h5_create: %s", err_msg());
    return f;
}

static hid_t open_ok(const char *path, const char *format)
{
    hid_t f = h5_open(path, MPI_COMM_SELF, format);

    cr_assert_geq(f, 0, "h5_open: %s", err_msg());
    return f;
}

static void close_ok(hid_t f, const char *path)
{
    cr_assert_eq(h5_close(f, path), 0, "h5_close: %s", err_msg());
}

#define assert_msg_has(part)                                               \
    cr_assert_not_null(strstr(err_msg(), (part)),                          \
                       "message lacks \"%s\": %s", (part), err_msg())

#define assert_ok(call) cr_assert_eq((call), 0, "%s", err_msg())

/* ---- rows -------------------------------------------------------------- */

TestSuite(h5_rows, .init = mpi_up, .fini = mpi_down);

/* x [5, 3] with values no rounding could produce by accident. */
static void x_fill(float x[15])
{
    for (int i = 0; i < 15; i++)
        x[i] = (float)(i - 7) / 3.0f + 1e-7f * (float)i;
}

Test(h5_rows, float_matrix_reads_back_bit_for_bit)
{
    const char *path = in_dir("x.h5");
    float x[15], got[15];
    int64_t dims[2];
    hid_t f = create_ok(path);

    x_fill(x);
    assert_ok(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, x, 5,
                            3, 0, 5));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(h5_dims(f, path, "/x", 2, dims));
    cr_assert_eq(dims[0], 5);
    cr_assert_eq(dims[1], 3);
    assert_ok(h5_read_rows(f, path, "/x", H5T_NATIVE_FLOAT, got, 3, 0, 5));
    cr_assert_eq(memcmp(got, x, sizeof x), 0);
    close_ok(f, path);
}

Test(h5_rows, row_range_reads_just_those_rows)
{
    const char *path = in_dir("x.h5");
    float x[15], got[6];
    hid_t f = create_ok(path);

    x_fill(x);
    assert_ok(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, x, 5,
                            3, 0, 5));
    /* Rows 2 and 3 are x[6..12). */
    assert_ok(h5_read_rows(f, path, "/x", H5T_NATIVE_FLOAT, got, 3, 2, 2));
    cr_assert_eq(memcmp(got, x + 6, sizeof got), 0);
    close_ok(f, path);
}

Test(h5_rows, dataset_in_groups_creates_the_groups)
{
    const char *path = in_dir("g.h5");
    const float v[2] = {1.5f, -2.5f};
    hid_t f = create_ok(path);

    assert_ok(h5_write_rows(f, "/a/b/c/v", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                            v, 2, 0, 0, 2));
    cr_assert(h5_exists(f, "/a/b/c/v"));
    cr_assert(h5_exists(f, "/a/b"));
    close_ok(f, path);
}

Test(h5_rows, int64_vector_reads_back_exactly)
{
    const char *path = in_dir("i.h5");
    const int64_t v[5] = {0, -1, INT64_MAX, INT64_MIN, 1234567890123LL};
    int64_t got[5];
    hid_t f = create_ok(path);

    assert_ok(h5_write_rows(f, "/i", H5T_NATIVE_INT64, H5T_STD_I64LE, v, 5,
                            0, 0, 5));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(h5_read_rows(f, path, "/i", H5T_NATIVE_INT64, got, 0, 0, 5));
    for (int i = 0; i < 5; i++)
        cr_assert_eq(got[i], v[i], "i[%d]", i);
    close_ok(f, path);
}

Test(h5_rows, uint8_vector_reads_back_exactly)
{
    const char *path = in_dir("u.h5");
    const uint8_t v[6] = {0, 1, 1, 0, 255, 7};
    uint8_t got[6];
    hid_t f = create_ok(path);

    assert_ok(h5_write_rows(f, "/u", H5T_NATIVE_UINT8, H5T_STD_U8LE, v, 6,
                            0, 0, 6));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(h5_read_rows(f, path, "/u", H5T_NATIVE_UINT8, got, 0, 0, 6));
    cr_assert_eq(memcmp(got, v, sizeof v), 0);
    close_ok(f, path);
}

Test(h5_rows, dataset_of_no_rows_keeps_its_columns)
{
    const char *path = in_dir("e.h5");
    float none[1] = {0}, got[1] = {42};
    int64_t dims[2];
    hid_t f = create_ok(path);

    assert_ok(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, none,
                            0, 4, 0, 0));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(h5_dims(f, path, "/x", 2, dims));
    cr_assert_eq(dims[0], 0);
    cr_assert_eq(dims[1], 4);
    assert_ok(h5_read_rows(f, path, "/x", H5T_NATIVE_FLOAT, got, 4, 0, 0));
    cr_assert_eq(got[0], 42.0f, "reading no rows wrote into the buffer");
    close_ok(f, path);
}

Test(h5_rows, reading_past_the_last_row_is_refused)
{
    const char *path = in_dir("x.h5");
    float x[15], got[15];
    hid_t f = create_ok(path);

    x_fill(x);
    assert_ok(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, x, 5,
                            3, 0, 5));
    cr_assert_eq(h5_read_rows(f, path, "/x", H5T_NATIVE_FLOAT, got, 3, 3,
                              3), -1);
    assert_msg_has(path);
    assert_msg_has("/x");
    close_ok(f, path);
}

Test(h5_rows, reading_with_other_columns_is_refused)
{
    const char *path = in_dir("x.h5");
    float x[15], got[15];
    hid_t f = create_ok(path);

    x_fill(x);
    assert_ok(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, x, 5,
                            3, 0, 5));
    cr_assert_eq(h5_read_rows(f, path, "/x", H5T_NATIVE_FLOAT, got, 5, 0,
                              3), -1);
    assert_msg_has("/x");
    close_ok(f, path);
}

Test(h5_rows, dims_of_a_missing_dataset_name_it)
{
    const char *path = in_dir("x.h5");
    int64_t dims[2];
    hid_t f = create_ok(path);

    cr_assert_eq(h5_dims(f, path, "/test/nope", 2, dims), -1);
    assert_msg_has(path);
    assert_msg_has("/test/nope");
    close_ok(f, path);
}

Test(h5_rows, dims_with_the_wrong_rank_are_refused)
{
    const char *path = in_dir("x.h5");
    const int64_t v[2] = {1, 2};
    int64_t dims[2];
    hid_t f = create_ok(path);

    assert_ok(h5_write_rows(f, "/v", H5T_NATIVE_INT64, H5T_STD_I64LE, v, 2,
                            0, 0, 2));
    cr_assert_eq(h5_dims(f, path, "/v", 2, dims), -1);
    assert_msg_has("/v");
    close_ok(f, path);
}

Test(h5_rows, exists_is_false_under_a_missing_group)
{
    const char *path = in_dir("x.h5");
    hid_t f = create_ok(path);

    cr_assert_not(h5_exists(f, "/no/such/thing"));
    cr_assert_not(h5_exists(f, "/x"));
    close_ok(f, path);
}

/* ---- attributes -------------------------------------------------------- */

TestSuite(h5_attr, .init = mpi_up, .fini = mpi_down);

Test(h5_attr, string_reads_back_the_same)
{
    const char *path = in_dir("a.h5");
    const char *text = "[train]\nepochs = 20\n; with, punctuation = ok\n";
    char *got;
    hid_t f = create_ok(path);

    assert_ok(h5_attr_put_str(f, "config", text));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(h5_attr_get_str(f, path, "config", &got));
    cr_assert_str_eq(got, text);
    free(got);
    close_ok(f, path);
}

Test(h5_attr, empty_string_reads_back_empty)
{
    const char *path = in_dir("a.h5");
    char *got;
    hid_t f = create_ok(path);

    assert_ok(h5_attr_put_str(f, "note", ""));
    assert_ok(h5_attr_get_str(f, path, "note", &got));
    cr_assert_str_eq(got, "");
    free(got);
    close_ok(f, path);
}

Test(h5_attr, int64_reads_back_exactly)
{
    const char *path = in_dir("a.h5");
    int64_t got = 0;
    hid_t f = create_ok(path);

    assert_ok(h5_attr_put_i64(f, "rows", -9007199254740993LL));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(h5_attr_get_i64(f, path, "rows", &got));
    /* 2^53 + 1, negated: not representable as a double. */
    cr_assert_eq(got, -9007199254740993LL);
    close_ok(f, path);
}

Test(h5_attr, double_reads_back_bit_for_bit)
{
    const char *path = in_dir("a.h5");
    const double want = 0.1 + 0.2;
    double got = 0;
    hid_t f = create_ok(path);

    assert_ok(h5_attr_put_f64(f, "seconds", want));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(h5_attr_get_f64(f, path, "seconds", &got));
    cr_assert_eq(memcmp(&got, &want, sizeof got), 0, "%.17g", got);
    close_ok(f, path);
}

Test(h5_attr, writing_again_replaces_the_value)
{
    const char *path = in_dir("a.h5");
    char *got;
    hid_t f = create_ok(path);

    assert_ok(h5_attr_put_str(f, "format", "a much longer first value"));
    assert_ok(h5_attr_put_str(f, "format", "short"));
    assert_ok(h5_attr_get_str(f, path, "format", &got));
    cr_assert_str_eq(got, "short");
    free(got);
    close_ok(f, path);
}

Test(h5_attr, missing_attribute_is_named)
{
    const char *path = in_dir("a.h5");
    int64_t v;
    hid_t f = create_ok(path);

    cr_assert_eq(h5_attr_get_i64(f, path, "members", &v), -1);
    assert_msg_has(path);
    assert_msg_has("members");
    close_ok(f, path);
}

Test(h5_attr, number_read_as_a_string_is_refused)
{
    const char *path = in_dir("a.h5");
    char *got;
    hid_t f = create_ok(path);

    assert_ok(h5_attr_put_i64(f, "rows", 3));
    cr_assert_eq(h5_attr_get_str(f, path, "rows", &got), -1);
    cr_assert_null(got);
    assert_msg_has("rows");
    close_ok(f, path);
}

/* ---- opening ----------------------------------------------------------- */

TestSuite(h5_open, .init = mpi_up, .fini = mpi_down);

/* A valid file of about 64 KiB: format "ensad/test" and a 1000 x 16
 * float dataset. */
static void file_valid(const char *path)
{
    static float x[1000 * 16];
    hid_t f = create_ok(path);

    for (int i = 0; i < 1000 * 16; i++)
        x[i] = (float)i;
    assert_ok(h5_attr_put_str(f, "format", "ensad/test"));
    assert_ok(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, x,
                            1000, 16, 0, 1000));
    close_ok(f, path);
}

Test(h5_open, missing_file_is_named)
{
    const char *path = in_dir("absent.h5");

    cr_assert_lt(h5_open(path, MPI_COMM_SELF, NULL), 0);
    assert_msg_has(path);
}

Test(h5_open, text_file_is_refused_naming_it)
{
    const char *path = in_dir("notes.h5");
    const char text[] = "1 0.5 0.25\n1 0.5 0.25\n";

    text_write(path, text, sizeof text - 1);
    cr_assert_lt(h5_open(path, MPI_COMM_SELF, NULL), 0);
    assert_msg_has(path);
    assert_msg_has("not an HDF5 file");
}

Test(h5_open, truncated_file_is_refused_naming_it)
{
    const char *path = in_dir("cut.h5");
    struct stat st;

    file_valid(path);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size / 2), 0);
    cr_assert_lt(h5_open(path, MPI_COMM_SELF, NULL), 0,
                 "opened a file cut from %lld to %lld bytes",
                 (long long)st.st_size, (long long)st.st_size / 2);
    assert_msg_has(path);
}

Test(h5_open, file_of_the_expected_format_opens)
{
    const char *path = in_dir("ok.h5");
    hid_t f;

    file_valid(path);
    f = open_ok(path, "ensad/test");
    close_ok(f, path);
}

Test(h5_open, file_of_another_format_is_refused_naming_both)
{
    const char *path = in_dir("ok.h5");

    file_valid(path);
    cr_assert_lt(h5_open(path, MPI_COMM_SELF, "ensad/model"), 0);
    assert_msg_has(path);
    assert_msg_has("'ensad/model'");
    assert_msg_has("'ensad/test'");
}

Test(h5_open, file_without_a_format_is_refused_when_one_is_expected)
{
    const char *path = in_dir("bare.h5");
    hid_t f = create_ok(path);

    close_ok(f, path);
    cr_assert_lt(h5_open(path, MPI_COMM_SELF, "ensad/model"), 0);
    assert_msg_has(path);
    assert_msg_has("ensad/model");
}

/* ---- a member on disk -------------------------------------------------- */

TestSuite(model_file, .init = mpi_up, .fini = mpi_down);

#define LOSSES 6

/* A 12 -> 6 -> 3 -> 6 -> 12 autoencoder with random weights and biases. */
static void ae_sample(ae_t *ae)
{
    const int enc[2] = {6, 3};
    rng_t rng;

    assert_ok(ae_create(ae, 12, enc, 2));
    rng_seed(&rng, 2024);
    ae_init(ae, &rng);
}

static const float losses[LOSSES] = {0.01f, 0.02f, 0.02f,
                                     0.3f,  0.7f,  1.9f};

Test(model_file, read_restores_the_architecture)
{
    const char *path = in_dir("m.h5");
    const int want[5] = {12, 6, 3, 6, 12};
    member_model_t mm;
    ae_t ae;
    hid_t f = create_ok(path);

    ae_sample(&ae);
    assert_ok(model_write(f, "/member/4", &ae, losses, LOSSES, 1));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(model_read(f, path, "/member/4", &mm));
    cr_assert_eq(mm.ae.n_layers, 4);
    for (int l = 0; l <= 4; l++)
        cr_assert_eq(mm.ae.sizes[l], want[l], "sizes[%d]", l);
    model_free(&mm);
    ae_free(&ae);
    close_ok(f, path);
}

Test(model_file, read_restores_every_weight_and_bias_bit_for_bit)
{
    const char *path = in_dir("m.h5");
    member_model_t mm;
    ae_t ae;
    hid_t f = create_ok(path);

    ae_sample(&ae);
    assert_ok(model_write(f, "/member/4", &ae, losses, LOSSES, 1));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(model_read(f, path, "/member/4", &mm));
    for (int l = 0; l < ae.n_layers; l++) {
        size_t out = (size_t)ae.sizes[l + 1], in = (size_t)ae.sizes[l];
        cr_assert_eq(memcmp(mm.ae.w[l], ae.w[l], out * in * sizeof(float)),
                     0, "weight of layer %d", l);
        cr_assert_eq(memcmp(mm.ae.b[l], ae.b[l], out * sizeof(float)), 0,
                     "bias of layer %d", l);
    }
    model_free(&mm);
    ae_free(&ae);
    close_ok(f, path);
}

Test(model_file, read_restores_the_calibration_bit_for_bit)
{
    const char *path = in_dir("m.h5");
    member_model_t mm;
    ae_t ae;
    hid_t f = create_ok(path);

    ae_sample(&ae);
    assert_ok(model_write(f, "/member/4", &ae, losses, LOSSES, 1));
    close_ok(f, path);
    f = open_ok(path, NULL);
    assert_ok(model_read(f, path, "/member/4", &mm));
    cr_assert_eq(mm.n_loss, LOSSES);
    cr_assert_eq(memcmp(mm.loss_sorted, losses, sizeof losses), 0);
    model_free(&mm);
    ae_free(&ae);
    close_ok(f, path);
}

/* Zero-valued layers of the given widths under group, plus a calibration:
 * everything model_read needs, but arranged as the caller says. */
static void layers_write(hid_t f, const char *group, const int *widths,
                         int n_layers)
{
    static float zeros[64 * 64];
    char name[128];

    for (int l = 0; l < n_layers; l++) {
        int out = widths[l + 1], in = widths[l];
        snprintf(name, sizeof name, "%s/layers/%d/weight", group, l);
        assert_ok(h5_write_rows(f, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                                zeros, out, in, 0, out));
        snprintf(name, sizeof name, "%s/layers/%d/bias", group, l);
        assert_ok(h5_write_rows(f, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                                zeros, out, 0, 0, out));
    }
    snprintf(name, sizeof name, "%s/calibration/train_loss_sorted", group);
    assert_ok(h5_write_rows(f, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                            losses, LOSSES, 0, 0, LOSSES));
}

Test(model_file, layers_that_do_not_mirror_are_refused)
{
    const char *path = in_dir("m.h5");
    const int widths[3] = {6, 4, 5}; /* 6 -> 4 -> 5: output != input */
    member_model_t mm;
    hid_t f = create_ok(path);

    layers_write(f, "/m", widths, 2);
    cr_assert_eq(model_read(f, path, "/m", &mm), -1);
    assert_msg_has(path);
    assert_msg_has("mirrored");
    close_ok(f, path);
}

Test(model_file, inner_widths_that_do_not_mirror_are_refused)
{
    const char *path = in_dir("m.h5");
    const int widths[5] = {8, 6, 3, 5, 8}; /* 6 on the way in, 5 out */
    member_model_t mm;
    hid_t f = create_ok(path);

    layers_write(f, "/m", widths, 4);
    cr_assert_eq(model_read(f, path, "/m", &mm), -1);
    assert_msg_has("mirrored");
    close_ok(f, path);
}

Test(model_file, odd_number_of_layers_is_refused)
{
    const char *path = in_dir("m.h5");
    const int widths[4] = {8, 4, 4, 8};
    member_model_t mm;
    hid_t f = create_ok(path);

    layers_write(f, "/m", widths, 3);
    cr_assert_eq(model_read(f, path, "/m", &mm), -1);
    assert_msg_has("3 layers");
    close_ok(f, path);
}

Test(model_file, missing_calibration_is_named)
{
    const char *path = in_dir("m.h5");
    member_model_t mm;
    ae_t ae;
    hid_t f = create_ok(path);

    ae_sample(&ae);
    for (int l = 0; l < ae.n_layers; l++) {
        char name[64];
        snprintf(name, sizeof name, "/m/layers/%d/weight", l);
        assert_ok(h5_write_rows(f, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                                ae.w[l], ae.sizes[l + 1], ae.sizes[l], 0,
                                ae.sizes[l + 1]));
        snprintf(name, sizeof name, "/m/layers/%d/bias", l);
        assert_ok(h5_write_rows(f, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                                ae.b[l], ae.sizes[l + 1], 0, 0,
                                ae.sizes[l + 1]));
    }
    cr_assert_eq(model_read(f, path, "/m", &mm), -1);
    assert_msg_has("/m/calibration/train_loss_sorted");
    model_free(&mm);
    ae_free(&ae);
    close_ok(f, path);
}

Test(model_file, shape_is_written_as_dashed_widths)
{
    char buf[64];
    ae_t ae;

    ae_sample(&ae);
    model_shape(&ae, buf, sizeof buf);
    cr_assert_str_eq(buf, "12-6-3-6-12");
    ae_free(&ae);
}

/* ---- checksums --------------------------------------------------------- */

TestSuite(sha256, .init = mpi_up, .fini = mpi_down);

/* What sha256sum(1) prints for path: "HEX  PATH\n". */
static void sha256sum_line(const char *path, char *line, size_t size)
{
    char cmd[256];
    FILE *p;

    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_not_null(fgets(line, (int)size, p), "sha256sum gave nothing");
    cr_assert_eq(pclose(p), 0, "sha256sum failed");
}

Test(sha256, of_abc_is_the_fips_test_vector)
{
    const char *path = in_dir("abc");
    char hex[65];

    text_write(path, "abc", 3);
    assert_ok(file_sha256(path, hex));
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
                          "b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, of_an_empty_file_is_the_empty_message_digest)
{
    const char *path = in_dir("empty");
    char hex[65];

    text_write(path, "", 0);
    assert_ok(file_sha256(path, hex));
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                          "27ae41e4649b934ca495991b7852b855");
}

Test(sha256, of_a_file_of_several_buffers_matches_sha256sum)
{
    const char *path = in_dir("big");
    static char data[200003];
    char hex[65], line[512];

    /* More than three 64 KiB reads, the last one partial. */
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7 + i / 251);
    text_write(path, data, sizeof data);
    assert_ok(file_sha256(path, hex));
    sha256sum_line(path, line, sizeof line);
    cr_assert_eq(strncmp(line, hex, 64), 0, "ours %s, sha256sum %s", hex,
                 line);
}

Test(sha256, of_a_missing_file_names_it)
{
    const char *path = in_dir("absent");
    char hex[65];

    cr_assert_eq(file_sha256(path, hex), -1);
    assert_msg_has(path);
}

/* ---- provenance -------------------------------------------------------- */

TestSuite(provenance, .init = mpi_up, .fini = mpi_down);

static const char config_text[] = "[train]\nepochs = 20\n";

/* Writes out.h5 with provenance of the given inputs; reopens it. */
static hid_t provenance_file(const char *const *inputs, int n_inputs)
{
    const char *path = in_dir("out.h5");
    hid_t f = create_ok(path);

    assert_ok(h5_provenance(f, "ensad/test", config_text, inputs, n_inputs,
                            2.5, MPI_COMM_SELF));
    close_ok(f, path);
    return open_ok(path, NULL);
}

static char *attr_str(hid_t f, const char *name)
{
    char *v;

    assert_ok(h5_attr_get_str(f, "out.h5", name, &v));
    return v;
}

Test(provenance, records_format_and_versions)
{
    hid_t f = provenance_file(NULL, 0);
    char *format = attr_str(f, "format"), *version;
    int64_t format_version;

    version = attr_str(f, "ensad_version");
    assert_ok(h5_attr_get_i64(f, "out.h5", "format_version",
                              &format_version));
    cr_assert_str_eq(format, "ensad/test");
    cr_assert_str_eq(version, ENSAD_VERSION);
    cr_assert_eq(format_version, ENSAD_FORMAT_VERSION);
    free(format);
    free(version);
    H5Fclose(f);
}

Test(provenance, records_the_config_text_unchanged)
{
    hid_t f = provenance_file(NULL, 0);
    char *config = attr_str(f, "config");

    cr_assert_str_eq(config, config_text);
    free(config);
    H5Fclose(f);
}

Test(provenance, records_the_seconds_given)
{
    hid_t f = provenance_file(NULL, 0);
    double seconds = 0;

    assert_ok(h5_attr_get_f64(f, "out.h5", "seconds", &seconds));
    cr_assert_eq(seconds, 2.5);
    H5Fclose(f);
}

Test(provenance, records_creation_time_as_utc_iso_8601)
{
    time_t before = time(NULL), after;
    hid_t f = provenance_file(NULL, 0);
    char *when = attr_str(f, "created_utc"), z = 0;
    struct tm tm = {0};
    time_t t;
    int n;

    after = time(NULL);
    n = sscanf(when, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z);
    cr_assert_eq(n, 7, "created_utc = %s", when);
    cr_assert_eq(z, 'Z', "created_utc = %s", when);
    cr_assert_eq(strlen(when), 20, "created_utc = %s", when);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm);
    cr_assert(t >= before - 1 && t <= after + 1,
              "created_utc = %s is not now", when);
    free(when);
    H5Fclose(f);
}

Test(provenance, records_each_input_as_sha256sum_prints_it)
{
    const char *a = in_dir("a.txt"), *b = in_dir("b.csv");
    const char *inputs[2];
    char want[1024], line[512];
    hid_t f;
    char *got;

    text_write(a, "1 0.5 0.25\n", 11);
    text_write(b, "0.5,1\n", 6);
    inputs[0] = a;
    inputs[1] = b;
    sha256sum_line(a, want, sizeof want);
    sha256sum_line(b, line, sizeof line);
    strcat(want, line);
    f = provenance_file(inputs, 2);
    got = attr_str(f, "inputs");
    cr_assert_str_eq(got, want);
    free(got);
    H5Fclose(f);
}

Test(provenance, without_inputs_records_an_empty_list)
{
    hid_t f = provenance_file(NULL, 0);
    char *got = attr_str(f, "inputs");

    cr_assert_str_eq(got, "");
    free(got);
    H5Fclose(f);
}

Test(provenance, missing_input_fails_naming_it)
{
    const char *path = in_dir("out.h5"), *absent = in_dir("absent.csv");
    hid_t f = create_ok(path);

    cr_assert_eq(h5_provenance(f, "ensad/test", config_text, &absent, 1,
                               1.0, MPI_COMM_SELF), -1);
    assert_msg_has(absent);
    close_ok(f, path);
}
