/*
 * test_report.c — the report files a user and a script read: the exact
 * shape of metrics.json, the CSV columns, missing members shown as
 * missing, figures that are real PNGs, and failures that name the path.
 *
 * Every test writes a report of one small hand-made evaluation (8 beats,
 * 3 configured members of which member 1 is missing) into its own
 * temporary folder, removed afterwards. Figures need gnuplot.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "report.h"

#define N 8
#define LEN 6

static char dir[64];

static const float score[N] = {0.1f, 0.2f, 0.3f, 0.55f,
                               0.6f, 0.9f, 0.97f, 0.99f};
static const uint8_t anomalous[N] = {0, 0, 0, 1, 0, 1, 1, 1};
static const int32_t cls[N] = {1, 1, 1, 3, 1, 2, 2, 3};
static const float normal_x[LEN] = {-2, -1, 0, 1, 1, 1};
static const float normal_recon[LEN] = {-1.9f, -1.1f, 0.1f, 0.9f, 1, 1.1f};
static const float anomal_x[LEN] = {1, 2, -1, -2, 0, 0};
static const float anomal_recon[LEN] = {0, 1, 0, -1, 0, 0};

static const report_timing_t timing[2] = {{"partition", 1.5},
                                          {"evaluate", 0.25}};

/* Values chosen to be told apart; they need not be consistent. */
static metrics_t metrics_of(int64_t tp, double base)
{
    metrics_t m;
    m.tp = tp;
    m.fp = tp + 1;
    m.tn = tp + 2;
    m.fn = tp + 3;
    m.accuracy = base + 0.01;
    m.precision = base + 0.02;
    m.recall = base + 0.03;
    m.f1 = base + 0.04;
    m.roc_auc = base + 0.05;
    m.average_precision = base + 0.06;
    m.threshold = 0.95;
    return m;
}

static report_member_t members[3];

static report_t sample_report(void)
{
    report_t r;

    memset(&r, 0, sizeof r);
    members[0] = (report_member_t){0, 1, 270, metrics_of(3, 0.5)};
    members[1] = (report_member_t){1, 0, 271, metrics_of(0, 0.0)};
    members[2] = (report_member_t){2, 1, 272, metrics_of(4, 0.6)};
    r.dir = dir;
    r.run = "runs/test";
    r.config_text = "[data]\nsource = synth\n";
    r.rule = "trimmed_mean";
    r.threshold_how = "alpha 0.05";
    r.members = 3;
    r.member = members;
    r.ensemble = metrics_of(3, 0.123456789012345);
    r.ensemble.threshold = 0.95;
    r.n = N;
    r.length = LEN;
    r.score = score;
    r.anomalous = anomalous;
    r.cls = cls;
    r.normal_x = normal_x;
    r.normal_recon = normal_recon;
    r.anomal_x = anomal_x;
    r.anomal_recon = anomal_recon;
    r.timing = timing;
    r.n_timing = 2;
    r.figures = 1;
    return r;
}

static void dir_make(void)
{
    snprintf(dir, sizeof dir, "/tmp/ensad-test-report-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void dir_remove(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void write_sample(void)
{
    report_t r = sample_report();
    int rc = report_write(&r);
    cr_assert_eq(rc, 0, "report_write: %s", err_msg());
}

/* The whole file as a string, freed by the caller. */
static char *slurp(const char *name)
{
    char path[256];
    FILE *f;
    long size;
    char *text;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    text = malloc((size_t)size + 1);
    cr_assert_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

static cJSON *load_json(void)
{
    char *text = slurp("metrics.json");
    cJSON *root = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(root, "metrics.json does not parse");
    return root;
}

static int count_lines(const char *text)
{
    int lines = 0;
    for (; *text; text++)
        lines += *text == '\n';
    return lines;
}

/* Asserts that obj has exactly these keys, in any order. */
static void expect_keys(const cJSON *obj, const char *const *keys, int n)
{
    const cJSON *item;
    int count = 0;

    cJSON_ArrayForEach(item, obj)
    {
        int known = 0;
        for (int i = 0; i < n; i++)
            known |= strcmp(item->string, keys[i]) == 0;
        cr_expect(known, "unexpected key \"%s\"", item->string);
        count++;
    }
    cr_expect_eq(count, n, "%d keys, expected %d", count, n);
}

static const char *const metric_keys[] = {
    "accuracy", "precision", "recall", "f1", "roc_auc",
    "average_precision", "tp", "fp", "tn", "fn", "threshold"};
#define N_METRIC_KEYS 11

static double number(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    cr_assert(cJSON_IsNumber(v), "\"%s\" is not a number", key);
    return v->valuedouble;
}

TestSuite(report, .init = dir_make, .fini = dir_remove);

Test(report, metrics_json_has_exactly_the_documented_top_level_keys)
{
    static const char *const top[] = {"ensemble", "members",
                                      "missing_members", "timing"};
    cJSON *root;

    write_sample();
    root = load_json();
    expect_keys(root, top, 4);
    cJSON_Delete(root);
}

Test(report, metrics_json_ensemble_has_every_metric_with_its_value)
{
    cJSON *root, *ens;

    write_sample();
    root = load_json();
    ens = cJSON_GetObjectItemCaseSensitive(root, "ensemble");
    expect_keys(ens, metric_keys, N_METRIC_KEYS);
    cr_expect_eq(number(ens, "tp"), 3);
    cr_expect_eq(number(ens, "fp"), 4);
    cr_expect_eq(number(ens, "tn"), 5);
    cr_expect_eq(number(ens, "fn"), 6);
    cr_expect_eq(number(ens, "threshold"), 0.95);
    cr_expect_eq(number(ens, "roc_auc"), 0.123456789012345 + 0.05);
    cJSON_Delete(root);
}

Test(report, metrics_json_keeps_every_digit_of_a_ratio)
{
    cJSON *root, *ens;

    write_sample();
    root = load_json();
    ens = cJSON_GetObjectItemCaseSensitive(root, "ensemble");
    cr_expect_eq(number(ens, "accuracy"), 0.123456789012345 + 0.01);
    cr_expect_eq(number(ens, "average_precision"),
                 0.123456789012345 + 0.06);
    cJSON_Delete(root);
}

Test(report, metrics_json_members_hold_present_members_with_rows)
{
    static const char *const keys[] = {
        "member", "rows", "accuracy", "precision", "recall", "f1",
        "roc_auc", "average_precision", "tp", "fp", "tn", "fn",
        "threshold"};
    cJSON *root, *list, *m0, *m2;

    write_sample();
    root = load_json();
    list = cJSON_GetObjectItemCaseSensitive(root, "members");
    cr_assert(cJSON_IsArray(list));
    cr_assert_eq(cJSON_GetArraySize(list), 2);
    m0 = cJSON_GetArrayItem(list, 0);
    m2 = cJSON_GetArrayItem(list, 1);
    expect_keys(m0, keys, 13);
    cr_expect_eq(number(m0, "member"), 0);
    cr_expect_eq(number(m0, "rows"), 270);
    cr_expect_eq(number(m0, "f1"), 0.5 + 0.04);
    cr_expect_eq(number(m2, "member"), 2);
    cr_expect_eq(number(m2, "rows"), 272);
    cr_expect_eq(number(m2, "tp"), 4);
    cJSON_Delete(root);
}

Test(report, metrics_json_lists_the_missing_member_by_index)
{
    cJSON *root, *missing;

    write_sample();
    root = load_json();
    missing = cJSON_GetObjectItemCaseSensitive(root, "missing_members");
    cr_assert(cJSON_IsArray(missing));
    cr_assert_eq(cJSON_GetArraySize(missing), 1);
    cr_expect_eq(cJSON_GetArrayItem(missing, 0)->valuedouble, 1);
    cJSON_Delete(root);
}

Test(report, metrics_json_timing_maps_stage_to_seconds)
{
    static const char *const stages[] = {"partition", "evaluate"};
    cJSON *root, *t;

    write_sample();
    root = load_json();
    t = cJSON_GetObjectItemCaseSensitive(root, "timing");
    expect_keys(t, stages, 2);
    cr_expect_eq(number(t, "partition"), 1.5);
    cr_expect_eq(number(t, "evaluate"), 0.25);
    cJSON_Delete(root);
}

Test(report, members_csv_has_the_header_and_one_row_per_member)
{
    char *text;

    write_sample();
    text = slurp("members.csv");
    cr_expect(strncmp(text,
                      "member,present,rows,tp,fp,tn,fn,accuracy,precision,"
                      "recall,f1,roc_auc,average_precision,threshold\n",
                      strlen("member,present,rows,tp,fp,tn,fn,accuracy,"
                             "precision,recall,f1,roc_auc,"
                             "average_precision,threshold\n")) == 0,
              "header: %.120s", text);
    cr_expect_eq(count_lines(text), 1 + 3);
    free(text);
}

Test(report, members_csv_gives_a_missing_member_no_metrics)
{
    char *text;

    write_sample();
    text = slurp("members.csv");
    cr_expect_not_null(strstr(text, "\n1,0,271,,,,,,,,,,,\n"), "%s", text);
    cr_expect_not_null(strstr(text, "\n0,1,270,3,4,5,6,0.510000,0.520000,"
                                    "0.530000,0.540000,0.550000,0.560000,"
                                    "0.950000\n"),
                       "%s", text);
    free(text);
}

Test(report, ensemble_csv_is_one_row_under_the_metric_columns)
{
    char *text;

    write_sample();
    text = slurp("ensemble.csv");
    cr_expect_eq(count_lines(text), 2);
    cr_expect(strncmp(text, "tp,fp,tn,fn,accuracy,precision,recall,f1,"
                            "roc_auc,average_precision,threshold\n3,4,5,6,",
                      strlen("tp,fp,tn,fn,accuracy,precision,recall,f1,"
                             "roc_auc,average_precision,threshold\n"
                             "3,4,5,6,")) == 0,
              "%s", text);
    free(text);
}

Test(report, summary_md_says_the_missing_member_is_missing)
{
    char *text;

    write_sample();
    text = slurp("summary.md");
    cr_expect_not_null(strstr(text, "| 1 | 271 | **missing** |"), "%s",
                       text);
    cr_expect_not_null(strstr(text, "Missing members (not in the ensemble"
                                    ", no metrics): 1."));
    free(text);
}

Test(report, summary_md_names_the_threshold_and_how_it_was_set)
{
    char *text;

    write_sample();
    text = slurp("summary.md");
    cr_expect_not_null(strstr(text, "above 0.950000"));
    cr_expect_not_null(strstr(text, "set by: alpha 0.05"));
    free(text);
}

Test(report, summary_md_links_every_figure)
{
    static const char *const png[] = {"(scores.png)", "(roc.png)",
                                      "(pr.png)", "(reconstructions.png)"};
    char *text;

    write_sample();
    text = slurp("summary.md");
    for (int i = 0; i < 4; i++)
        cr_expect_not_null(strstr(text, png[i]), "no link %s", png[i]);
    free(text);
}

Test(report, summary_md_has_a_timing_row_per_stage_and_a_total)
{
    char *text;

    write_sample();
    text = slurp("summary.md");
    cr_expect_not_null(strstr(text, "| partition | 1.500 |"));
    cr_expect_not_null(strstr(text, "| evaluate | 0.250 |"));
    cr_expect_not_null(strstr(text, "| **total** | **1.750** |"));
    free(text);
}

Test(report, summary_tex_is_one_tabular_with_escaped_rule_name)
{
    char *text;

    write_sample();
    text = slurp("summary.tex");
    cr_expect_not_null(strstr(text, "\\begin{tabular}"));
    cr_expect_not_null(strstr(text, "\\end{tabular}"));
    cr_expect_not_null(strstr(text, "trimmed\\_mean"));
    cr_expect_not_null(strstr(text, "Member 1 & 271 & \\multicolumn{7}"
                                    "{c}{missing}"));
    free(text);
}

Test(report, figures_are_png_files)
{
    static const char *const png[] = {"scores.png", "roc.png", "pr.png",
                                      "reconstructions.png"};
    static const unsigned char magic[8] = {0x89, 'P',  'N',  'G',
                                           '\r', '\n', 0x1a, '\n'};

    write_sample();
    for (int i = 0; i < 4; i++) {
        char path[256];
        unsigned char head[8] = {0};
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, png[i]);
        f = fopen(path, "rb");
        cr_assert_not_null(f, "%s was not drawn", path);
        cr_expect_eq(fread(head, 1, 8, f), 8);
        fclose(f);
        cr_expect_arr_eq(head, magic, 8, "%s is not a PNG", path);
    }
}

Test(report, figures_are_drawn_without_an_anomalous_beat)
{
    report_t r = sample_report();
    char *text;

    r.anomal_x = NULL;
    r.anomal_recon = NULL;
    cr_assert_eq(report_write(&r), 0, "report_write: %s", err_msg());
    text = slurp("reconstructions.png");
    cr_expect_eq(text[1], 'P');
    free(text);
}

Test(report, a_folder_that_does_not_exist_fails_naming_it)
{
    report_t r = sample_report();

    r.dir = "/nonexistent/ensad-report";
    cr_expect_eq(report_write(&r), -1);
    cr_expect_not_null(strstr(err_msg(), "/nonexistent/ensad-report"),
                       "message: %s", err_msg());
}

Test(report, gnuplot_missing_from_path_is_a_clear_error)
{
    report_t r = sample_report();

    setenv("PATH", dir, 1); /* a folder without gnuplot */
    cr_expect_eq(report_write(&r), -1);
    cr_expect_not_null(strstr(err_msg(), "gnuplot not found"), "message: %s",
                       err_msg());
}

Test(report, a_report_without_test_beats_is_still_written)
{
    report_t r = sample_report();

    r.n = 0;
    r.score = NULL;
    r.anomalous = NULL;
    r.cls = NULL;
    r.normal_x = r.normal_recon = r.anomal_x = r.anomal_recon = NULL;
    cr_expect_eq(report_write(&r), 0, "report_write: %s", err_msg());
}

Test(report, a_threshold_outside_the_score_range_still_draws)
{
    report_t r = sample_report();

    r.ensemble.threshold = 1.5;
    cr_expect_eq(report_write(&r), 0, "report_write: %s", err_msg());
}

Test(report, figures_off_writes_no_png_and_needs_no_gnuplot)
{
    report_t r = sample_report();
    char path[256];
    char *text;

    r.figures = 0;
    setenv("PATH", dir, 1);
    cr_assert_eq(report_write(&r), 0, "report_write: %s", err_msg());
    snprintf(path, sizeof path, "%s/roc.png", dir);
    cr_expect_neq(access(path, F_OK), 0, "%s was drawn", path);
    text = slurp("summary.md");
    cr_expect_null(strstr(text, "(roc.png)"));
    free(text);
    text = slurp("figures.gp");
    cr_expect_not_null(strstr(text, "set output 'roc.png'"));
    free(text);
}
