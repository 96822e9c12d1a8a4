/*
 * stage.h — what every ensad program does around its real work: MPI start
 * and stop, the common options (--config, --run, --set, --print-config,
 * --help, --version), the effective configuration, paths inside the run
 * folder, temporary output names, and the closing summary line.
 */
#ifndef ENSAD_STAGE_H
#define ENSAD_STAGE_H

#include <mpi.h>
#include <stddef.h>

#include "config.h"

typedef struct {
    const char *name;   /* "partition", "train-member", ... */
    config_t cfg;
    char run[CFG_PATH]; /* run folder */
    char *config_text;  /* effective INI, recorded in outputs */
    int member;         /* --member K, else SLURM_ARRAY_TASK_ID, else -1 */
    int rank, size;     /* in MPI_COMM_WORLD */
    double t0;          /* clock_seconds() at start */
} stage_t;

/* Parses options and the config (exits on --help, --version,
 * --print-config, or any error). takes_member enables --member. */
void stage_begin(stage_t *st, const char *name, const char *summary,
                 int takes_member, int argc, char **argv);
/* Logs "done in S s" and finalises MPI. */
void stage_end(stage_t *st);

/* buf = RUN/rel (printf-style rel). */
void stage_path(const stage_t *st, char *buf, size_t size, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
/* tmp = final + ".tmp-ID", the same on every rank, registered so that a
 * failing rank's exit removes it. */
void stage_tmp(const stage_t *st, const char *final, char *tmp,
               size_t size);
/* Renames tmp to final on rank 0 after every rank is done with it. */
int stage_commit(const stage_t *st, const char *tmp, const char *final);
/* mkdir -p. */
int make_dirs(const char *path);

#endif
