/*
 * report.h — the human-facing results of evaluate, in RUN/report/:
 * summary.md (read first), members.csv, ensemble.csv, metrics.json,
 * summary.tex, and PNG figures drawn by gnuplot (score distributions by
 * class, ROC and PR curves, reconstructions of a typical normal and a
 * typical anomalous beat).
 */
#ifndef ENSAD_REPORT_H
#define ENSAD_REPORT_H

#include <stdint.h>

#include "metrics.h"

typedef struct {
    int member;      /* index K */
    int present;     /* 0: missing from the ensemble (no metrics) */
    int64_t rows;    /* shard size */
    metrics_t m;     /* threshold: 1 - alpha on the member's own score */
} report_member_t;

typedef struct {
    const char *stage;
    double seconds;
} report_timing_t;

typedef struct {
    const char *dir;          /* folder to write into; must exist */
    const char *run;          /* run folder, for the title */
    const char *config_text;  /* effective INI */
    const char *rule;         /* aggregation rule name */
    const char *threshold_how;/* "alpha 0.05", "val_fpr 0.01", ... */
    int members;              /* configured member count */
    const report_member_t *member; /* [members] */
    metrics_t ensemble;
    int64_t n;                /* test beats */
    int length;
    const float *score;       /* [n] ensemble score */
    const uint8_t *anomalous; /* [n] */
    const int32_t *cls;       /* [n] the input's own class label */
    /* A typical normal and a typical anomalous test beat (the ones with
     * the median score of their class) and the reconstruction by member 0
     * present; any may be NULL when the class is absent. [length] each. */
    const float *normal_x, *normal_recon;
    const float *anomal_x, *anomal_recon;
    const report_timing_t *timing; /* [n_timing] */
    int n_timing;
    int figures;              /* 0: write no PNGs (gnuplot not needed) */
} report_t;

/* 0 when gnuplot can be started for the figures; -1 (err_set) saying
 * how to get it, or to go without figures, otherwise. */
int report_can_draw(void);

/* Writes every report file into r->dir; -1 with err_set() on failure
 * (a file that cannot be written, gnuplot missing or failing). */
int report_write(const report_t *r);

#endif
