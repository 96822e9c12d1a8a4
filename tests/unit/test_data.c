/*
 * test_data.c — specification of data.h: how UCR text and CSV rows become
 * labelled beats, how a list of files is appended, that every malformed
 * input is refused with its file and line, how "auto" picks a reader, and
 * what data.format = synth generates. The HDF5 reader has its own suite
 * at the end, under MPI.
 *
 * Inputs are small files written by each test under /tmp (mkstemps keeps
 * the extension that "auto" looks at) and removed when the test ends.
 * Every value in them is exact in binary, so floats compare with ==.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "data.h"
#include "err.h"
#include "mpiutil.h"
#include "h5.h"

#define MAX_FILES 4

static char paths[MAX_FILES][64];
static int n_paths;

/* Writes text to a new temporary file ending in suffix (".txt", ".csv");
 * removed by files_remove. */
static const char *file_with(const char *suffix, const char *text)
{
    char *path = paths[n_paths];
    int fd;
    FILE *f;

    cr_assert_lt(n_paths, MAX_FILES);
    snprintf(path, sizeof paths[0], "/tmp/ensad-test-data-XXXXXX%s", suffix);
    fd = mkstemps(path, (int)strlen(suffix));
    cr_assert_geq(fd, 0, "mkstemps failed");
    f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    n_paths++;
    return path;
}

static void files_remove(void)
{
    for (int i = 0; i < n_paths; i++)
        unlink(paths[i]);
    n_paths = 0;
}

/* Defaults reading `path` as the given format. */
static config_t config_for(const char *path, const char *format)
{
    config_t cfg;

    config_defaults(&cfg);
    snprintf(cfg.data_path, sizeof cfg.data_path, "%s", path);
    snprintf(cfg.data_format, sizeof cfg.data_format, "%s", format);
    return cfg;
}

/* data_load that must succeed. */
static void load_ok(const config_t *cfg, beats_t *b)
{
    cr_assert_eq(data_load(cfg, b), 0, "data_load: %s", err_msg());
}

/* data_load that must fail; its message is in err_msg(). */
static void load_fails(const config_t *cfg)
{
    beats_t b;

    cr_assert_eq(data_load(cfg, &b), -1, "data_load accepted bad input");
}

#define assert_msg_has(part)                                               \
    cr_assert_not_null(strstr(err_msg(), (part)),                          \
                       "message lacks \"%s\": %s", (part), err_msg())

static void assert_row(const beats_t *b, int64_t i, const float *want)
{
    for (int j = 0; j < b->length; j++)
        cr_assert_eq(b->x[i * b->length + j], want[j],
                     "x[%lld][%d] = %g, want %g", (long long)i, j,
                     b->x[i * b->length + j], want[j]);
}

/* ---- UCR text ---------------------------------------------------------- */

TestSuite(data_ucr, .fini = files_remove);

Test(data_ucr, row_is_the_label_then_the_values)
{
    config_t cfg = config_for(file_with(".txt", "1 0.5 -1.25 2\n"
                                                "1 3 4 -0.75\n"),
                              "auto");
    const float row0[] = {0.5f, -1.25f, 2.0f}, row1[] = {3, 4, -0.75f};
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.length, 3);
    assert_row(&b, 0, row0);
    assert_row(&b, 1, row1);
    beats_free(&b);
}

Test(data_ucr, tabs_and_runs_of_spaces_separate_values)
{
    config_t cfg = config_for(file_with(".txt", "  1.0000000e+00 \t 0.5"
                                                "   -2.5e-01\t8\n"),
                              "auto");
    const float row[] = {0.5f, -0.25f, 8.0f};
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.length, 3);
    assert_row(&b, 0, row);
    cr_assert_eq(b.anomalous[0], 0);
    beats_free(&b);
}

Test(data_ucr, label_one_is_normal_and_every_other_label_anomalous)
{
    config_t cfg = config_for(file_with(".txt", "1 0 0\n2 0 0\n3 0 0\n"
                                                "4 0 0\n5 0 0\n1 0 0\n"),
                              "auto");
    const uint8_t want[] = {0, 1, 1, 1, 1, 0};
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 6);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(b.anomalous[i], want[i], "beat %d", i);
    beats_free(&b);
}

Test(data_ucr, class_keeps_the_input_label)
{
    config_t cfg = config_for(file_with(".txt", "3 0 0\n1 0 0\n"
                                                "5.0000000e+00 0 0\n"),
                              "auto");
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.cls[0], 3);
    cr_assert_eq(b.cls[1], 1);
    cr_assert_eq(b.cls[2], 5);
    beats_free(&b);
}

Test(data_ucr, normal_label_setting_decides_what_is_normal)
{
    config_t cfg = config_for(file_with(".txt", "1 0 0\n2 0 0\n"), "auto");
    beats_t b;

    cfg.data_normal_label = 2;
    load_ok(&cfg, &b);
    cr_assert_eq(b.anomalous[0], 1);
    cr_assert_eq(b.anomalous[1], 0);
    beats_free(&b);
}

Test(data_ucr, blank_lines_and_crlf_endings_are_accepted)
{
    config_t cfg = config_for(file_with(".txt", "\n1 1 2\r\n   \n"
                                                "2 3 4\r\n\n"),
                              "auto");
    const float row1[] = {3, 4};
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.length, 2);
    assert_row(&b, 1, row1);
    beats_free(&b);
}

/* ---- CSV --------------------------------------------------------------- */

TestSuite(data_csv, .fini = files_remove);

Test(data_csv, label_is_the_last_column_by_default)
{
    config_t cfg = config_for(file_with(".csv", "0.5,1.5,-2,1.0\n"
                                                "4,5,6,0.0\n"),
                              "auto");
    const float row0[] = {0.5f, 1.5f, -2}, row1[] = {4, 5, 6};
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.length, 3);
    assert_row(&b, 0, row0);
    assert_row(&b, 1, row1);
    beats_free(&b);
}

Test(data_csv, label_1_0_is_normal_and_0_0_anomalous)
{
    config_t cfg = config_for(file_with(".csv", "7,1.0\n7,0.0\n7,1.0\n"),
                              "auto");
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.anomalous[0], 0);
    cr_assert_eq(b.anomalous[1], 1);
    cr_assert_eq(b.anomalous[2], 0);
    cr_assert_eq(b.cls[0], 1);
    cr_assert_eq(b.cls[1], 0);
    beats_free(&b);
}

Test(data_csv, label_column_zero_takes_the_first_column)
{
    config_t cfg = config_for(file_with(".csv", "0,10,20\n1,30,40\n"),
                              "auto");
    const float row0[] = {10, 20}, row1[] = {30, 40};
    beats_t b;

    cfg.data_label_column = 0;
    load_ok(&cfg, &b);
    cr_assert_eq(b.length, 2);
    assert_row(&b, 0, row0);
    assert_row(&b, 1, row1);
    cr_assert_eq(b.anomalous[0], 1);
    cr_assert_eq(b.anomalous[1], 0);
    beats_free(&b);
}

Test(data_csv, label_column_in_the_middle_is_taken_out_of_the_values)
{
    config_t cfg = config_for(file_with(".csv", "10,1,20,30\n"), "auto");
    const float row[] = {10, 20, 30};
    beats_t b;

    cfg.data_label_column = 1;
    load_ok(&cfg, &b);
    cr_assert_eq(b.length, 3);
    assert_row(&b, 0, row);
    cr_assert_eq(b.anomalous[0], 0);
    beats_free(&b);
}

Test(data_csv, header_lines_are_skipped)
{
    config_t cfg = config_for(file_with(".csv", "t0,t1,label\n"
                                                "0.25,0.5,1\n"),
                              "auto");
    const float row[] = {0.25f, 0.5f};
    beats_t b;

    cfg.data_header = 1;
    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 1);
    assert_row(&b, 0, row);
    beats_free(&b);
}

Test(data_csv, spaces_around_fields_are_allowed)
{
    config_t cfg = config_for(file_with(".csv", " 1.5 , 2 ,1\n"), "auto");
    const float row[] = {1.5f, 2};
    beats_t b;

    load_ok(&cfg, &b);
    assert_row(&b, 0, row);
    beats_free(&b);
}

Test(data_csv, explicit_format_overrides_the_extension)
{
    config_t cfg = config_for(file_with(".txt", "1,2,1\n"), "csv");
    const float row[] = {1, 2};
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.length, 2);
    assert_row(&b, 0, row);
    beats_free(&b);
}

/* ---- lists of files ---------------------------------------------------- */

TestSuite(data_list, .fini = files_remove);

/* Two CSV files, 2 and 3 beats, each with a header line; the first value
 * of every beat is its row number across both files. */
static config_t two_files(const char *separator)
{
    char list[CFG_PATH];
    const char *a = file_with(".csv", "h,h,h\n0,9,1\n1,9,0\n");
    const char *b = file_with(".csv", "h,h,h\n2,9,0\n3,9,1\n4,9,1\n");
    config_t cfg;

    snprintf(list, sizeof list, "%s%s%s", a, separator, b);
    cfg = config_for(list, "auto");
    cfg.data_header = 1;
    return cfg;
}

Test(data_list, files_are_appended_in_order)
{
    config_t cfg = two_files(",");
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(b.x[i * b.length], (float)i, "beat %d", i);
    beats_free(&b);
}

Test(data_list, source_row_counts_across_files)
{
    config_t cfg = two_files(",");
    beats_t b;

    load_ok(&cfg, &b);
    for (int64_t i = 0; i < 5; i++)
        cr_assert_eq(b.source_row[i], i, "beat %lld", (long long)i);
    beats_free(&b);
}

Test(data_list, site_is_the_index_of_the_file_in_the_list)
{
    config_t cfg = two_files(",");
    const int32_t want[] = {0, 0, 1, 1, 1};
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n_sites, 2);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(b.site[i], want[i], "beat %d", i);
    beats_free(&b);
}

Test(data_list, labels_are_read_in_every_file)
{
    config_t cfg = two_files(",");
    const uint8_t want[] = {0, 1, 1, 0, 0};
    beats_t b;

    load_ok(&cfg, &b);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(b.anomalous[i], want[i], "beat %d", i);
    beats_free(&b);
}

Test(data_list, space_after_a_comma_is_allowed)
{
    config_t cfg = two_files(", ");
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 5);
    cr_assert_eq(b.n_sites, 2);
    beats_free(&b);
}

Test(data_list, space_before_a_comma_is_allowed)
{
    config_t cfg = two_files(" , ");
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 5);
    cr_assert_eq(b.n_sites, 2);
    beats_free(&b);
}

Test(data_list, single_file_is_site_zero_of_one)
{
    config_t cfg = config_for(file_with(".txt", "1 2\n1 3\n"), "auto");
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n_sites, 1);
    cr_assert_eq(b.site[0], 0);
    cr_assert_eq(b.site[1], 0);
    beats_free(&b);
}

Test(data_list, text_reader_appends_with_the_site_it_is_given)
{
    const char *a = file_with(".txt", "1 5 6\n");
    const char *c = file_with(".txt", "2 7 8\n");
    config_t cfg = config_for(a, "auto");
    beats_t b = {0};

    cr_assert_eq(data_read_text(a, 0, &cfg, 0, &b), 0, "%s", err_msg());
    cr_assert_eq(data_read_text(c, 0, &cfg, 3, &b), 0, "%s", err_msg());
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.site[1], 3);
    cr_assert_eq(b.x[2], 7.0f);
    beats_free(&b);
}

/* ---- malformed input --------------------------------------------------- */

TestSuite(data_errors, .fini = files_remove);

Test(data_errors, missing_file_is_named)
{
    const char *path = "/tmp/ensad-test-data-no-such-file.txt";
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
}

Test(data_errors, missing_second_file_of_a_list_is_named)
{
    char list[CFG_PATH];
    const char *path = "/tmp/ensad-test-data-no-such-file.txt";
    config_t cfg;

    snprintf(list, sizeof list, "%s,%s", file_with(".txt", "1 2\n"), path);
    cfg = config_for(list, "auto");
    load_fails(&cfg);
    assert_msg_has(path);
}

Test(data_errors, non_numeric_field_is_named_by_file_line_and_number)
{
    const char *path = file_with(".txt", "1 2 3\n1 2 x3\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
    assert_msg_has(":2:");
    assert_msg_has("field 3");
    assert_msg_has("x3");
}

Test(data_errors, empty_csv_field_is_not_a_number)
{
    const char *path = file_with(".csv", "1,,1\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(":1:");
    assert_msg_has("field 2");
}

Test(data_errors, row_of_another_length_is_named_by_file_and_line)
{
    const char *path = file_with(".txt", "1 2 3\n1 2 3\n\n1 2 3 4\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
    assert_msg_has(":4:");
}

Test(data_errors, second_file_of_another_length_is_named)
{
    char list[CFG_PATH];
    const char *first = file_with(".txt", "1 2 3\n");
    const char *second = file_with(".txt", "1 2 3\n1 2 3 4\n");
    config_t cfg;

    /* Line 2 of the second file has 3 values, the first file's rows 2. */
    snprintf(list, sizeof list, "%s,%s", first, second);
    cfg = config_for(list, "auto");
    load_fails(&cfg);
    cr_assert_null(strstr(err_msg(), first), "%s", err_msg());
    assert_msg_has(second);
    assert_msg_has(":2:");
}

Test(data_errors, nan_value_is_refused_with_file_and_line)
{
    const char *path = file_with(".txt", "1 0 0\n1 nan 0\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
    assert_msg_has(":2:");
    assert_msg_has("field 2");
}

Test(data_errors, infinite_value_is_refused_with_file_and_line)
{
    const char *path = file_with(".csv", "0,-inf,1\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
    assert_msg_has(":1:");
    assert_msg_has("field 2");
}

Test(data_errors, value_beyond_float_range_is_refused)
{
    /* 1e39 is a finite double but above FLT_MAX (about 3.4e38). */
    const char *path = file_with(".txt", "1 0 0\n1 0 0\n1 0 1e39\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
    assert_msg_has(":3:");
    assert_msg_has("field 3");
}

Test(data_errors, label_beyond_float_range_is_refused)
{
    const char *path = file_with(".txt", "-1e39 0 0\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(":1:");
    assert_msg_has("field 1");
}

Test(data_errors, empty_file_is_named)
{
    const char *path = file_with(".txt", "");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
}

Test(data_errors, file_of_blank_lines_is_named)
{
    const char *path = file_with(".txt", "\n  \n\t\n\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
}

Test(data_errors, csv_of_only_a_header_is_named)
{
    const char *path = file_with(".csv", "a,b,label\n");
    config_t cfg = config_for(path, "auto");

    cfg.data_header = 1;
    load_fails(&cfg);
    assert_msg_has(path);
}

Test(data_errors, row_of_a_label_alone_is_refused)
{
    const char *path = file_with(".txt", "1\n");
    config_t cfg = config_for(path, "auto");

    load_fails(&cfg);
    assert_msg_has(path);
    assert_msg_has(":1:");
}

Test(data_errors, label_column_beyond_the_row_is_refused)
{
    const char *path = file_with(".csv", "1,2,3\n");
    config_t cfg = config_for(path, "auto");

    cfg.data_label_column = 3;
    load_fails(&cfg);
    assert_msg_has(path);
    assert_msg_has("data.label_column");
}

Test(data_errors, empty_path_list_is_refused)
{
    config_t cfg = config_for("", "auto");

    load_fails(&cfg);
    assert_msg_has("data.path");
}

/* ---- data_format_of ---------------------------------------------------- */

Test(data_format, auto_reads_csv_extension_as_csv)
{
    cr_assert_str_eq(data_format_of("auto", "ecg.csv"), "csv");
    cr_assert_str_eq(data_format_of("auto", "/d/ECG.CSV"), "csv");
}

Test(data_format, auto_reads_h5_and_hdf5_extensions_as_h5)
{
    cr_assert_str_eq(data_format_of("auto", "beats.h5"), "h5");
    cr_assert_str_eq(data_format_of("auto", "beats.hdf5"), "h5");
    cr_assert_str_eq(data_format_of("auto", "beats.H5"), "h5");
}

Test(data_format, auto_reads_anything_else_as_ucr)
{
    cr_assert_str_eq(data_format_of("auto", "ECG5000_TRAIN.txt"), "ucr");
    cr_assert_str_eq(data_format_of("auto", "ECG5000_TEST"), "ucr");
    cr_assert_str_eq(data_format_of("auto", "data.csv.gz"), "ucr");
}

Test(data_format, auto_looks_at_the_file_name_not_the_folder)
{
    cr_assert_str_eq(data_format_of("auto", "/runs/a.csv/beats"), "ucr");
}

Test(data_format, explicit_format_is_kept_whatever_the_extension)
{
    cr_assert_str_eq(data_format_of("ucr", "beats.csv"), "ucr");
    cr_assert_str_eq(data_format_of("csv", "beats.txt"), "csv");
    cr_assert_str_eq(data_format_of("h5", "beats"), "h5");
}

/* ---- data.format = synth ----------------------------------------------- */

#define SYN_NORMAL 20
#define SYN_ANOMALOUS 11
#define SYN_LENGTH 32

static config_t synth_config(void)
{
    config_t cfg = config_for("", "synth");

    cfg.data_synth_normal = SYN_NORMAL;
    cfg.data_synth_anomalous = SYN_ANOMALOUS;
    cfg.data_synth_length = SYN_LENGTH;
    return cfg;
}

Test(data_synth, generates_the_asked_number_and_length_of_beats)
{
    config_t cfg = synth_config();
    beats_t b;

    load_ok(&cfg, &b);
    cr_assert_eq(b.n, SYN_NORMAL + SYN_ANOMALOUS);
    cr_assert_eq(b.length, SYN_LENGTH);
    cr_assert_eq(b.n_sites, 1);
    beats_free(&b);
}

Test(data_synth, normal_beats_come_first_and_are_labelled_normal)
{
    config_t cfg = synth_config();
    beats_t b;
    int64_t anomalous = 0;

    load_ok(&cfg, &b);
    for (int64_t i = 0; i < b.n; i++) {
        cr_assert_eq(b.anomalous[i], i >= SYN_NORMAL, "beat %lld",
                     (long long)i);
        anomalous += b.anomalous[i];
    }
    cr_assert_eq(anomalous, SYN_ANOMALOUS);
    beats_free(&b);
}

Test(data_synth, class_is_zero_for_normal_and_a_kind_for_anomalous)
{
    config_t cfg = synth_config();
    beats_t b;

    load_ok(&cfg, &b);
    for (int64_t i = 0; i < b.n; i++) {
        if (b.anomalous[i])
            cr_assert(b.cls[i] >= 1 && b.cls[i] <= 5, "beat %lld: %d",
                      (long long)i, b.cls[i]);
        else
            cr_assert_eq(b.cls[i], 0);
    }
    beats_free(&b);
}

Test(data_synth, every_anomalous_kind_appears)
{
    config_t cfg = synth_config();
    int seen[6] = {0};
    beats_t b;

    /* 11 anomalous beats are enough for each of the 5 kinds. */
    load_ok(&cfg, &b);
    for (int64_t i = SYN_NORMAL; i < b.n; i++)
        if (b.cls[i] >= 1 && b.cls[i] <= 5)
            seen[b.cls[i]] = 1;
    for (int k = 1; k <= 5; k++)
        cr_assert(seen[k], "kind %d never generated", k);
    beats_free(&b);
}

Test(data_synth, values_are_finite_and_rows_numbered)
{
    config_t cfg = synth_config();
    beats_t b;

    load_ok(&cfg, &b);
    for (int64_t i = 0; i < b.n * b.length; i++)
        cr_assert(isfinite(b.x[i]), "x[%lld] not finite", (long long)i);
    for (int64_t i = 0; i < b.n; i++)
        cr_assert_eq(b.source_row[i], i);
    beats_free(&b);
}

Test(data_synth, same_seed_generates_the_same_beats)
{
    config_t cfg = synth_config();
    beats_t a, b;

    load_ok(&cfg, &a);
    load_ok(&cfg, &b);
    cr_assert_eq(memcmp(a.x, b.x, (size_t)(a.n * a.length) * sizeof *a.x),
                 0);
    beats_free(&a);
    beats_free(&b);
}

/* ---- HDF5 input (needs MPI) -------------------------------------------- */

static char h5_dir[64], h5_path[96];

static void h5_setup(void)
{
    mpi_start(NULL, NULL);
    snprintf(h5_dir, sizeof h5_dir, "/tmp/ensad-test-data-h5-XXXXXX");
    cr_assert_not_null(mkdtemp(h5_dir));
    snprintf(h5_path, sizeof h5_path, "%s/beats.h5", h5_dir);
}

static void h5_teardown(void)
{
    unlink(h5_path);
    rmdir(h5_dir);
    mpi_stop();
}

/* Three beats of length 2 as ensad-synth lays them out. */
static void beats_h5_write(const char *format)
{
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const uint8_t anomalous[3] = {0, 1, 0};
    const int32_t cls[3] = {0, 4, 0};
    hid_t f = h5_create(h5_path, MPI_COMM_SELF);

    cr_assert_geq(f, 0, "%s", err_msg());
    cr_assert_eq(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                               x, 3, 2, 0, 3), 0, "%s", err_msg());
    cr_assert_eq(h5_write_rows(f, "/anomalous", H5T_NATIVE_UINT8,
                               H5T_STD_U8LE, anomalous, 3, 0, 0, 3), 0);
    cr_assert_eq(h5_write_rows(f, "/class", H5T_NATIVE_INT32,
                               H5T_STD_I32LE, cls, 3, 0, 0, 3), 0);
    cr_assert_eq(h5_attr_put_str(f, "format", format), 0);
    cr_assert_eq(h5_close(f, h5_path), 0);
}

TestSuite(data_h5, .init = h5_setup, .fini = h5_teardown);

Test(data_h5, beats_file_is_read_with_its_labels)
{
    const float want[2] = {3, 4};
    config_t cfg;
    beats_t b;

    beats_h5_write("ensad/beats");
    cfg = config_for(h5_path, "auto");
    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.length, 2);
    assert_row(&b, 1, want);
    cr_assert_eq(b.anomalous[1], 1);
    cr_assert_eq(b.cls[1], 4);
    cr_assert_eq(b.source_row[2], 2);
    beats_free(&b);
}

Test(data_h5, file_of_another_tool_is_read_without_a_format_attribute)
{
    config_t cfg;
    beats_t b;

    /* Any label for the format: only the datasets matter for input. */
    beats_h5_write("written by h5py");
    cfg = config_for(h5_path, "auto");
    load_ok(&cfg, &b);
    cr_assert_eq(b.n, 3);
    beats_free(&b);
}

Test(data_h5, labels_of_another_length_than_the_beats_are_refused)
{
    const float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t anomalous[3] = {0, 1, 0};
    hid_t f = h5_create(h5_path, MPI_COMM_SELF);
    config_t cfg;

    cr_assert_geq(f, 0, "%s", err_msg());
    cr_assert_eq(h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                               x, 4, 2, 0, 4), 0, "%s", err_msg());
    cr_assert_eq(h5_write_rows(f, "/anomalous", H5T_NATIVE_UINT8,
                               H5T_STD_U8LE, anomalous, 3, 0, 0, 3), 0);
    cr_assert_eq(h5_close(f, h5_path), 0);
    cfg = config_for(h5_path, "auto");
    load_fails(&cfg);
    assert_msg_has(h5_path);
    assert_msg_has("/anomalous has 3 values but /x has 4 beats");
}
