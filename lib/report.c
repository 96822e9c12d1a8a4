/*
 * report.c — writes RUN/report/: summary.md, members.csv, ensemble.csv,
 * metrics.json, summary.tex, and the figures.
 *
 * Figures are drawn by an external gnuplot (pngcairo terminal) from data
 * files and a script, figures.gp, left beside the PNGs so that a user can
 * restyle them with `cd report && gnuplot figures.gp`; with r->figures
 * off, only the data and the script are written. Tables are plain
 * text written here; nothing in this file computes a metric except the
 * score histogram and the operating points read off the confusion matrix.
 * Members missing from the ensemble have no metrics and are listed as
 * missing everywhere rather than shown as zeros.
 */
#include "report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

#define REPORT_PATH_MAX 4096
#define HIST_BINS 50
/* A curve point nearer than this to the last one drawn is left out, so
 * that a million test beats do not make a million-line roc.dat. */
#define CURVE_STEP 1e-3

/* ---- the metric columns, in one place ---- */

typedef enum { FIELD_RATIO, FIELD_COUNT, FIELD_THRESHOLD } field_kind_t;

typedef struct {
    const char *key;   /* CSV column and JSON key */
    const char *title; /* table heading */
    field_kind_t kind;
    size_t offset;     /* into metrics_t */
} field_t;

/* In the order of metrics.json. */
static const field_t fields[] = {
    {"accuracy", "accuracy", FIELD_RATIO, offsetof(metrics_t, accuracy)},
    {"precision", "precision", FIELD_RATIO, offsetof(metrics_t, precision)},
    {"recall", "recall", FIELD_RATIO, offsetof(metrics_t, recall)},
    {"f1", "F1", FIELD_RATIO, offsetof(metrics_t, f1)},
    {"roc_auc", "ROC AUC", FIELD_RATIO, offsetof(metrics_t, roc_auc)},
    {"average_precision", "AP", FIELD_RATIO,
     offsetof(metrics_t, average_precision)},
    {"tp", "TP", FIELD_COUNT, offsetof(metrics_t, tp)},
    {"fp", "FP", FIELD_COUNT, offsetof(metrics_t, fp)},
    {"tn", "TN", FIELD_COUNT, offsetof(metrics_t, tn)},
    {"fn", "FN", FIELD_COUNT, offsetof(metrics_t, fn)},
    {"threshold", "threshold", FIELD_THRESHOLD,
     offsetof(metrics_t, threshold)},
};
#define N_FIELDS ((int)(sizeof fields / sizeof fields[0]))

/* The CSV and table order: counts first, then ratios, then threshold. */
static const field_kind_t table_order[] = {FIELD_COUNT, FIELD_RATIO,
                                           FIELD_THRESHOLD};

static double field_value(const metrics_t *m, const field_t *f)
{
    const char *base = (const char *)m;
    if (f->kind == FIELD_COUNT)
        return (double)*(const int64_t *)(base + f->offset);
    return *(const double *)(base + f->offset);
}

static void field_print(FILE *f, const metrics_t *m, const field_t *fd,
                        const char *ratio_fmt)
{
    if (fd->kind == FIELD_COUNT)
        fprintf(f, "%lld", (long long)field_value(m, fd));
    else
        fprintf(f, ratio_fmt, field_value(m, fd));
}

/* ---- output files, every failure named ---- */

typedef struct {
    FILE *f;
    char path[REPORT_PATH_MAX];
} out_t;

static int path_join(char *buf, const char *dir, const char *name)
{
    int len = snprintf(buf, REPORT_PATH_MAX, "%s/%s", dir, name);
    if (len < 0 || len >= REPORT_PATH_MAX)
        return err_set("report path too long: %s/%s", dir, name);
    return 0;
}

static int out_open(out_t *o, const char *dir, const char *name)
{
    if (path_join(o->path, dir, name) != 0)
        return -1;
    o->f = fopen(o->path, "w");
    if (!o->f)
        return err_set("cannot write %s: %s", o->path, strerror(errno));
    return 0;
}

/* A stream's error flag is sticky, so one ferror() here catches any
 * fprintf() that failed on the way (a full disk, say). */
static int out_close(out_t *o)
{
    int failed = ferror(o->f);
    int saved = errno;

    if (fclose(o->f) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    o->f = NULL;
    if (failed)
        return err_set("cannot write %s: %s", o->path,
                       saved ? strerror(saved) : "write error");
    return 0;
}

/* ---- small facts shared by the writers ---- */

static int64_t count_anomalous(const report_t *r)
{
    int64_t k = 0;
    for (int64_t i = 0; r->anomalous && i < r->n; i++)
        k += r->anomalous[i] != 0;
    return k;
}

static int count_present(const report_t *r)
{
    int k = 0;
    for (int i = 0; i < r->members; i++)
        k += r->member[i].present != 0;
    return k;
}

static const char *rule_name(const report_t *r)
{
    return r->rule ? r->rule : "mean";
}

static const char *threshold_how(const report_t *r)
{
    return r->threshold_how ? r->threshold_how : "not recorded";
}

/* ---- members.csv and ensemble.csv ---- */

static void csv_header(FILE *f)
{
    const char *sep = "";
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < N_FIELDS; i++)
            if (fields[i].kind == table_order[k]) {
                fprintf(f, "%s%s", sep, fields[i].key);
                sep = ",";
            }
    fputc('\n', f);
}

/* A missing member's metric cells are empty, not zero. */
static void csv_metrics(FILE *f, const metrics_t *m)
{
    const char *sep = "";
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < N_FIELDS; i++)
            if (fields[i].kind == table_order[k]) {
                fputs(sep, f);
                if (m)
                    field_print(f, m, &fields[i], "%.6f");
                sep = ",";
            }
    fputc('\n', f);
}

static int write_members_csv(const report_t *r)
{
    out_t o;

    if (out_open(&o, r->dir, "members.csv") != 0)
        return -1;
    fputs("member,present,rows,", o.f);
    csv_header(o.f);
    for (int i = 0; i < r->members; i++) {
        const report_member_t *m = &r->member[i];
        fprintf(o.f, "%d,%d,%lld,", m->member, m->present ? 1 : 0,
                (long long)m->rows);
        csv_metrics(o.f, m->present ? &m->m : NULL);
    }
    return out_close(&o);
}

static int write_ensemble_csv(const report_t *r)
{
    out_t o;

    if (out_open(&o, r->dir, "ensemble.csv") != 0)
        return -1;
    csv_header(o.f);
    csv_metrics(o.f, &r->ensemble);
    return out_close(&o);
}

/* ---- metrics.json ---- */

/* cJSON prints a number with 15 digits when that is within a relative
 * epsilon of it; the shortest of 15 or 17 digits that reads back exactly
 * keeps every bit instead. JSON has no NaN or infinity: they become null. */
static int json_add_number(cJSON *obj, const char *key, double value)
{
    char text[32];

    if (!isfinite(value))
        return cJSON_AddNullToObject(obj, key) ? 0 : -1;
    snprintf(text, sizeof text, "%.15g", value);
    if (strtod(text, NULL) != value)
        snprintf(text, sizeof text, "%.17g", value);
    return cJSON_AddRawToObject(obj, key, text) ? 0 : -1;
}

static int json_add_metrics(cJSON *obj, const metrics_t *m)
{
    for (int i = 0; i < N_FIELDS; i++)
        if (json_add_number(obj, fields[i].key,
                            field_value(m, &fields[i])) != 0)
            return -1;
    return 0;
}

static cJSON *json_build(const report_t *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *ens = cJSON_AddObjectToObject(root, "ensemble");
    cJSON *members = cJSON_AddArrayToObject(root, "members");
    cJSON *missing = cJSON_AddArrayToObject(root, "missing_members");
    cJSON *timing = cJSON_AddObjectToObject(root, "timing");
    int ok = ens && members && missing && timing &&
             json_add_metrics(ens, &r->ensemble) == 0;

    for (int i = 0; ok && i < r->members; i++) {
        const report_member_t *m = &r->member[i];
        cJSON *item = m->present ? cJSON_CreateObject()
                                 : cJSON_CreateNumber(m->member);
        ok = item != NULL;
        if (ok && m->present)
            ok = json_add_number(item, "member", m->member) == 0 &&
                 json_add_number(item, "rows", (double)m->rows) == 0 &&
                 json_add_metrics(item, &m->m) == 0;
        if (item && !cJSON_AddItemToArray(m->present ? members : missing,
                                          item)) {
            cJSON_Delete(item);
            ok = 0;
        }
    }
    for (int i = 0; ok && i < r->n_timing; i++)
        ok = json_add_number(timing, r->timing[i].stage,
                             r->timing[i].seconds) == 0;
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static int write_metrics_json(const report_t *r)
{
    cJSON *root = json_build(r);
    char *text;
    out_t o;

    if (!root)
        return err_set("%s/metrics.json: cannot build the JSON document "
                       "(out of memory)", r->dir);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return err_set("%s/metrics.json: cannot print the JSON document "
                       "(out of memory)", r->dir);
    if (out_open(&o, r->dir, "metrics.json") != 0) {
        cJSON_free(text);
        return -1;
    }
    fprintf(o.f, "%s\n", text);
    cJSON_free(text);
    return out_close(&o);
}

/* ---- summary.tex ---- */

static void tex_puts(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '_': case '%': case '&': case '#': case '$': case '{': case '}':
            fprintf(f, "\\%c", *s);
            break;
        case '\\':
            fputs("\\textbackslash{}", f);
            break;
        case '~': case '^':
            fprintf(f, "\\%c{}", *s);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* Columns of the paper table: ratios, then the threshold. */
static void tex_metrics(FILE *f, const metrics_t *m)
{
    for (int i = 0; i < N_FIELDS; i++)
        if (fields[i].kind != FIELD_COUNT) {
            fputs(" & ", f);
            field_print(f, m, &fields[i], "%.4f");
        }
    fputs(" \\\\\n", f);
}

static int write_summary_tex(const report_t *r)
{
    int cols = 0;
    out_t o;

    for (int i = 0; i < N_FIELDS; i++)
        cols += fields[i].kind != FIELD_COUNT;
    if (out_open(&o, r->dir, "summary.tex") != 0)
        return -1;
    fputs("% summary.tex -- ensad test-set metrics, written by "
          "ensad-evaluate.\n% \\input{} it inside a table environment; "
          "it needs no package.\n% Run: ", o.f);
    fputs(r->run ? r->run : "(unnamed)", o.f);
    fprintf(o.f, "\n\\begin{tabular}{lr%.*s}\n\\hline\n", cols,
            "rrrrrrrrrrrrrrrr");
    fputs(" & shard", o.f);
    for (int i = 0; i < N_FIELDS; i++)
        if (fields[i].kind != FIELD_COUNT)
            fprintf(o.f, " & %s", fields[i].title);
    fputs(" \\\\\n\\hline\n", o.f);

    fputs("Ensemble (", o.f);
    tex_puts(o.f, rule_name(r));
    fprintf(o.f, ", %d/%d members) & --", count_present(r), r->members);
    tex_metrics(o.f, &r->ensemble);
    fputs("\\hline\n", o.f);
    for (int i = 0; i < r->members; i++) {
        const report_member_t *m = &r->member[i];
        fprintf(o.f, "Member %d & %lld", m->member, (long long)m->rows);
        if (m->present)
            tex_metrics(o.f, &m->m);
        else
            fprintf(o.f, " & \\multicolumn{%d}{c}{missing} \\\\\n", cols);
    }
    fputs("\\hline\n\\end{tabular}\n", o.f);
    return out_close(&o);
}

/* ---- summary.md ---- */

/* lead: the first columns' headings, "| a | b |"; then the metrics. */
static void md_metrics_header(FILE *f, const char *lead, int n_lead)
{
    fputs(lead, f);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < N_FIELDS; i++)
            if (fields[i].kind == table_order[k])
                fprintf(f, " %s |", fields[i].title);
    fputs("\n|", f);
    for (int i = 0; i < n_lead; i++)
        fputs("---|", f);
    for (int i = 0; i < N_FIELDS; i++)
        fputs("---:|", f);
    fputc('\n', f);
}

static void md_metrics_cells(FILE *f, const metrics_t *m)
{
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < N_FIELDS; i++)
            if (fields[i].kind == table_order[k]) {
                fputc(' ', f);
                field_print(f, m, &fields[i], "%.6f");
                fputs(" |", f);
            }
    fputc('\n', f);
}

typedef struct {
    int32_t label;
    int64_t beats, flagged;
} class_count_t;

static int class_cmp(const void *a, const void *b)
{
    int32_t x = ((const class_count_t *)a)->label;
    int32_t y = ((const class_count_t *)b)->label;
    return (x > y) - (x < y);
}

/* Beats per class label of the input, and how many of them the ensemble
 * flagged. Labels are few (ECG5000 has 5); past MAX_CLASSES they are
 * left out and the table says so. */
static void md_classes(FILE *f, const report_t *r)
{
    enum { MAX_CLASSES = 32 };
    class_count_t cc[MAX_CLASSES];
    int n_labels = 0, overflow = 0;

    if (!r->cls || !r->score)
        return;
    for (int64_t i = 0; i < r->n; i++) {
        int c = 0;
        while (c < n_labels && cc[c].label != r->cls[i])
            c++;
        if (c == MAX_CLASSES) {
            overflow = 1;
            continue;
        }
        if (c == n_labels)
            cc[n_labels++] = (class_count_t){r->cls[i], 0, 0};
        cc[c].beats++;
        cc[c].flagged += r->score[i] > r->ensemble.threshold;
    }
    qsort(cc, (size_t)n_labels, sizeof cc[0], class_cmp);

    fputs("\n| input class | beats | flagged anomalous |\n"
          "|---:|---:|---:|\n", f);
    for (int c = 0; c < n_labels; c++)
        fprintf(f, "| %d | %lld | %lld |\n", cc[c].label,
                (long long)cc[c].beats, (long long)cc[c].flagged);
    if (overflow)
        fprintf(f, "\nOnly the first %d class labels are listed.\n",
                MAX_CLASSES);
}

static void md_members(FILE *f, const report_t *r)
{
    int first = 1;

    fputs("\n## Members\n\nEach member flags a beat when its own score "
          "(the empirical CDF of its\ntraining losses at the beat's loss) "
          "is above its threshold.\n\n", f);
    md_metrics_header(f, "| member | rows | present |", 3);
    for (int i = 0; i < r->members; i++) {
        const report_member_t *m = &r->member[i];
        fprintf(f, "| %d | %lld | %s |", m->member, (long long)m->rows,
                m->present ? "yes" : "**missing**");
        if (m->present) {
            md_metrics_cells(f, &m->m);
            continue;
        }
        for (int k = 0; k < N_FIELDS; k++)
            fputs(" - |", f);
        fputc('\n', f);
    }
    for (int i = 0; i < r->members; i++) {
        if (r->member[i].present)
            continue;
        fprintf(f, "%s%d", first ? "\nMissing members (not in the "
                                   "ensemble, no metrics): " : ", ",
                r->member[i].member);
        first = 0;
    }
    if (!first)
        fputs(".\n", f);
}

static void md_timing(FILE *f, const report_t *r)
{
    double total = 0.0;

    if (r->n_timing <= 0)
        return;
    fputs("\n## Timing\n\n| stage | seconds |\n|---|---:|\n", f);
    for (int i = 0; i < r->n_timing; i++) {
        fprintf(f, "| %s | %.3f |\n", r->timing[i].stage,
                r->timing[i].seconds);
        total += r->timing[i].seconds;
    }
    fprintf(f, "| **total** | **%.3f** |\n", total);
}

static void md_figures(FILE *f, const report_t *r)
{
    fputs("\n## Figures\n\n", f);
    if (!r->figures) {
        fputs("Not drawn (evaluate.figures = 0). Their data and script are "
              "here: run\n`gnuplot figures.gp` in this folder to draw "
              "them.\n", f);
        return;
    }
    fputs("![Ensemble score by class](scores.png)\n\n"
          "![ROC curve](roc.png)\n\n"
          "![Precision-recall curve](pr.png)\n\n"
          "![Typical beats and their reconstructions]"
          "(reconstructions.png)\n\n"
          "Data behind them: `scores.dat`, `roc.dat`, `pr.dat`, "
          "`beats.dat`; redraw with\n`gnuplot figures.gp` in this "
          "folder.\n", f);
}

static int write_summary_md(const report_t *r)
{
    int64_t anomalous = count_anomalous(r);
    char when[32];
    out_t o;

    clock_utc(when, sizeof when);
    if (out_open(&o, r->dir, "summary.md") != 0)
        return -1;
    fprintf(o.f, "# ensad report: %s\n\nRun folder `%s`, written %s.\n",
            r->run ? r->run : "(unnamed run)", r->run ? r->run : "-", when);

    fprintf(o.f, "\n## What was tested\n\n%lld test beats of %d samples: "
            "%lld normal, %lld anomalous.\nAn ensemble of %d of %d "
            "configured members, aggregated by `%s`.\n",
            (long long)r->n, r->length, (long long)(r->n - anomalous),
            (long long)anomalous, count_present(r), r->members,
            rule_name(r));
    md_classes(o.f, r);

    fputs("\n## Ensemble\n\n", o.f);
    md_metrics_header(o.f, "| rule |", 1);
    fprintf(o.f, "| %s |", rule_name(r));
    md_metrics_cells(o.f, &r->ensemble);
    fprintf(o.f, "\n## Threshold\n\nA beat is flagged anomalous when its "
            "ensemble score is above %.6f,\nset by: %s.\n",
            r->ensemble.threshold, threshold_how(r));

    md_members(o.f, r);
    md_timing(o.f, r);
    md_figures(o.f, r);
    if (r->config_text) {
        size_t len = strlen(r->config_text);
        fprintf(o.f, "\n## Configuration\n\n```ini\n%s%s```\n",
                r->config_text,
                len && r->config_text[len - 1] != '\n' ? "\n" : "");
    }
    return out_close(&o);
}

/* ---- figure data ---- */

/* Scores fall in [0, 1] (means of CDF values) unless a rule says
 * otherwise; the histogram then spans their own range. */
static void score_range(const report_t *r, double *lo, double *hi)
{
    *lo = 0.0;
    *hi = 1.0;
    for (int64_t i = 0; i < r->n; i++) {
        if (!isfinite(r->score[i]))
            continue;
        if (r->score[i] < *lo)
            *lo = r->score[i];
        if (r->score[i] > *hi)
            *hi = r->score[i];
    }
}

/* scores.dat: bin centre, fraction of normal beats, fraction of
 * anomalous beats in the bin; fractions so that unequal classes compare. */
static int write_scores_dat(const report_t *r, double *bin_width)
{
    int64_t normal[HIST_BINS] = {0}, anomal[HIST_BINS] = {0};
    int64_t n_anomal = count_anomalous(r), n_normal = r->n - n_anomal;
    double lo, hi, w;
    out_t o;

    score_range(r, &lo, &hi);
    w = (hi - lo) / HIST_BINS;
    for (int64_t i = 0; i < r->n; i++) {
        int b;
        if (!isfinite(r->score[i]))
            continue; /* not drawable; metrics.json still counts it */
        b = (int)((r->score[i] - lo) / w);
        b = b < 0 ? 0 : (b >= HIST_BINS ? HIST_BINS - 1 : b);
        if (r->anomalous[i])
            anomal[b]++;
        else
            normal[b]++;
    }
    if (out_open(&o, r->dir, "scores.dat") != 0)
        return -1;
    fputs("# bin_centre fraction_normal fraction_anomalous\n", o.f);
    for (int b = 0; b < HIST_BINS; b++)
        fprintf(o.f, "%.6f %.6f %.6f\n", lo + (b + 0.5) * w,
                n_normal ? (double)normal[b] / n_normal : 0.0,
                n_anomal ? (double)anomal[b] / n_anomal : 0.0);
    *bin_width = w;
    return out_close(&o);
}

/* A curve of up to n points, thinned to those that move at least
 * CURVE_STEP from the last one kept, first and last always kept; then,
 * after two blank lines (gnuplot's next index), the operating point. */
static void curve_print(FILE *f, const double *x, const double *y,
                        int64_t n, double op_x, double op_y)
{
    double last_x = 0.0, last_y = 0.0;

    for (int64_t i = 0; i < n; i++) {
        int keep = i == 0 || i == n - 1 || fabs(x[i] - last_x) > CURVE_STEP ||
                   fabs(y[i] - last_y) > CURVE_STEP;
        if (!keep)
            continue;
        fprintf(f, "%.6f %.6f\n", x[i], y[i]);
        last_x = x[i];
        last_y = y[i];
    }
    fprintf(f, "\n\n%.6f %.6f\n", op_x, op_y);
}

static double ratio(int64_t a, int64_t b) { return b ? (double)a / b : 0.0; }

static int write_curves_dat(const report_t *r)
{
    const metrics_t *e = &r->ensemble;
    double *a = xmalloc(sizeof *a * (size_t)(r->n + 2));
    double *b = xmalloc(sizeof *b * (size_t)(r->n + 2));
    int64_t k;
    out_t o;
    int rc = -1;

    k = r->n ? metrics_roc_curve(r->score, r->anomalous, r->n, a, b) : 0;
    if (out_open(&o, r->dir, "roc.dat") != 0)
        goto done;
    fputs("# false_positive_rate true_positive_rate; then the threshold's"
          " point\n", o.f);
    curve_print(o.f, a, b, k, ratio(e->fp, e->fp + e->tn),
                ratio(e->tp, e->tp + e->fn));
    if (out_close(&o) != 0)
        goto done;

    k = r->n ? metrics_pr_curve(r->score, r->anomalous, r->n, a, b) : 0;
    if (out_open(&o, r->dir, "pr.dat") != 0)
        goto done;
    fputs("# recall precision; then the threshold's point\n", o.f);
    curve_print(o.f, a, b, k, e->recall, e->precision);
    rc = out_close(&o);
done:
    free(a);
    free(b);
    return rc;
}

static void beats_column(FILE *f, const float *x, int i)
{
    if (x)
        fprintf(f, " %.6f", x[i]);
    else
        fputs(" NaN", f);
}

/* beats.dat: sample, normal beat, its reconstruction, anomalous beat, its
 * reconstruction; NaN where the report has none. */
static int write_beats_dat(const report_t *r)
{
    out_t o;

    if (out_open(&o, r->dir, "beats.dat") != 0)
        return -1;
    fputs("# sample normal normal_recon anomalous anomalous_recon\n", o.f);
    for (int i = 0; i < r->length; i++) {
        fprintf(o.f, "%d", i);
        beats_column(o.f, r->normal_x, i);
        beats_column(o.f, r->normal_recon, i);
        beats_column(o.f, r->anomal_x, i);
        beats_column(o.f, r->anomal_recon, i);
        fputc('\n', o.f);
    }
    return out_close(&o);
}

/* ---- figures.gp and gnuplot ---- */

static void gp_scores(FILE *f, const report_t *r, double bin_width)
{
    int64_t a = count_anomalous(r);
    double lo, hi;

    score_range(r, &lo, &hi);
    fprintf(f, "\nreset\nset output 'scores.png'\n"
            "set title 'Ensemble score by class (%s rule)'\n"
            "set xlabel 'ensemble score'\n"
            "set ylabel 'fraction of the class'\n"
            "set style fill transparent solid 0.5 noborder\n"
            "set boxwidth %.9g absolute\nset grid ytics\n"
            "set key top left\nset xrange [%.9g:%.9g]\n"
            "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead dt 2 "
            "lc rgb 'black'\n"
            "set label 'threshold %.4f' at %.9g, graph 0.97 right "
            "offset -0.5, 0\n"
            "plot 'scores.dat' using 1:2 with boxes lc rgb '#1f77b4' "
            "title 'normal (%lld)', \\\n"
            "     '' using 1:3 with boxes lc rgb '#d62728' "
            "title 'anomalous (%lld)'\n",
            rule_name(r), bin_width, lo, hi, r->ensemble.threshold,
            r->ensemble.threshold, r->ensemble.threshold,
            r->ensemble.threshold, (long long)(r->n - a), (long long)a);
}

static void gp_curve(FILE *f, const char *name, const char *title,
                     double value, const char *xlabel, const char *ylabel,
                     const char *key, const char *chance)
{
    fprintf(f, "\nreset\nset output '%s.png'\n"
            "set title '%s %.4f'\n"
            "set xlabel '%s'\nset ylabel '%s'\n"
            "set xrange [0:1]\nset yrange [0:1.02]\n"
            "set size ratio -1\nset grid\nset key %s\n"
            "plot '%s.dat' index 0 using 1:2 with lines lw 2 "
            "lc rgb '#1f77b4' title 'ensemble', \\\n"
            "     '' index 1 using 1:2 with points pt 7 ps 1.5 "
            "lc rgb '#d62728' title 'at the threshold', \\\n"
            "     %s with lines dt 2 lc rgb 'grey50' title 'chance'\n",
            name, title, value, xlabel, ylabel, key, name, chance);
}

/* One panel of reconstructions.png; a beat absent from the test set
 * gets a panel that says so instead of an empty plot. */
static void gp_beat_panel(FILE *f, const char *what, const float *x,
                          const float *recon, int col)
{
    fprintf(f, "set title 'Typical %s beat (median score of its class)'\n",
            what);
    if (!x && !recon) {
        fprintf(f, "set xrange [0:1]\nset yrange [0:1]\nunset border\n"
                "unset tics\nset label 1 'no %s beat in the test set' at "
                "graph 0.5, 0.5 center\nplot 2 notitle\nunset label 1\n"
                "set border\nset tics\nset autoscale\n", what);
        return;
    }
    fputs("plot ", f);
    if (x)
        fprintf(f, "'beats.dat' using 1:%d with lines lw 2 lc rgb "
                "'#333333' title 'beat'%s", col, recon ? ", " : "");
    if (recon)
        fprintf(f, "'beats.dat' using 1:%d with lines lw 2 dt 2 lc rgb "
                "'#d62728' title 'reconstruction (first member present)'",
                col + 1);
    fputc('\n', f);
}

static void gp_beats(FILE *f, const report_t *r)
{
    fputs("\nreset\nset output 'reconstructions.png'\n"
          "set multiplot layout 2, 1\nset grid\n"
          "set key bottom center opaque\n"
          "set xlabel 'sample'\nset ylabel 'z-normalised value'\n", f);
    gp_beat_panel(f, "normal", r->normal_x, r->normal_recon, 2);
    gp_beat_panel(f, "anomalous", r->anomal_x, r->anomal_recon, 4);
    fputs("unset multiplot\n", f);
}

static int write_figures_gp(const report_t *r, double bin_width)
{
    int64_t a = count_anomalous(r);
    char chance[64];
    out_t o;

    if (out_open(&o, r->dir, "figures.gp") != 0)
        return -1;
    fputs("# figures.gp -- draws the report's figures from its .dat "
          "files;\n# run `gnuplot figures.gp` in this folder.\n"
          "set terminal pngcairo size 900,600 noenhanced font "
          "'sans,11'\nset encoding utf8\n", o.f);
    gp_scores(o.f, r, bin_width);
    gp_curve(o.f, "roc", "ROC curve, AUC", r->ensemble.roc_auc,
             "false-positive rate", "true-positive rate", "bottom right",
             "x");
    snprintf(chance, sizeof chance, "%.6f", ratio(a, r->n));
    gp_curve(o.f, "pr", "Precision-recall curve, AP",
             r->ensemble.average_precision, "recall", "precision",
             "bottom left", chance);
    gp_beats(o.f, r);
    return out_close(&o);
}

/* Whether an executable called name is on PATH. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    char buf[REPORT_PATH_MAX];

    while (path && *path) {
        const char *end = strchr(path, ':');
        int len = end ? (int)(end - path) : (int)strlen(path);
        if (len > 0 && snprintf(buf, sizeof buf, "%.*s/%s", len, path,
                                name) < (int)sizeof buf &&
            access(buf, X_OK) == 0)
            return 1;
        path = end ? end + 1 : NULL;
    }
    return 0;
}

int report_can_draw(void)
{
    if (!on_path("gnuplot"))
        return err_set("gnuplot not found on PATH; it draws the report's "
                       "figures (Debian: apt-get install gnuplot-nox), or "
                       "run without them: --set evaluate.figures=0");
    return 0;
}

/* gnuplot's own messages go to stderr, into the stage's log. */
static int run_gnuplot(const char *dir)
{
    struct sigaction ignore, saved;
    FILE *gp;
    int status, failed;

    if (report_can_draw() != 0)
        return err_prefix("%s: ", dir);

    /* A gnuplot that dies early must not kill us through SIGPIPE. */
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &saved);
    gp = popen("gnuplot", "w");
    if (!gp) {
        sigaction(SIGPIPE, &saved, NULL);
        return err_set("cannot start gnuplot for the figures in %s: %s", dir,
                       strerror(errno));
    }
    fputs("cd '", gp); /* gnuplot doubles a quote inside '...' */
    for (const char *c = dir; *c; c++) {
        if (*c == '\'')
            fputc('\'', gp);
        fputc(*c, gp);
    }
    fputs("'\nload 'figures.gp'\n", gp);
    failed = ferror(gp);
    status = pclose(gp);
    sigaction(SIGPIPE, &saved, NULL);

    if (status == -1)
        return err_set("gnuplot for the figures in %s: %s", dir,
                       strerror(errno));
    if (failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return err_set("gnuplot failed (%s %d) drawing %s/figures.gp; its "
                       "message is above",
                       WIFEXITED(status) ? "exit status" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status)
                                         : WTERMSIG(status),
                       dir);
    return 0;
}

/* The data and script always; the PNGs only when r->figures is set, so
 * that a machine without gnuplot can still write a report. */
static int write_figures(const report_t *r)
{
    double bin_width = 0.0;

    if (write_scores_dat(r, &bin_width) != 0 || write_curves_dat(r) != 0 ||
        write_beats_dat(r) != 0 || write_figures_gp(r, bin_width) != 0)
        return -1;
    return r->figures ? run_gnuplot(r->dir) : 0;
}

/* ---- the entry point ---- */

int report_write(const report_t *r)
{
    struct stat st;

    if (!r->dir)
        return err_set("report: no folder given");
    if (stat(r->dir, &st) != 0)
        return err_set("report folder %s: %s", r->dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return err_set("report folder %s: not a directory", r->dir);
    if (r->n > 0 && (!r->score || !r->anomalous))
        return err_set("report for %s: scores or labels missing", r->dir);
    if (r->members > 0 && !r->member)
        return err_set("report for %s: member table missing", r->dir);

    if (write_members_csv(r) != 0 || write_ensemble_csv(r) != 0 ||
        write_metrics_json(r) != 0 || write_summary_tex(r) != 0 ||
        write_summary_md(r) != 0 || write_figures(r) != 0)
        return -1;
    return 0;
}
