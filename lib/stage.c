/*
 * stage.c — the shared start and end of the ensad programs.
 *
 * Options follow getopt_long; --set may repeat and applies in order after
 * the config file. Only rank 0 prints help, versions and configs.
 */
#include "stage.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "mpiutil.h"
#include "version.h"

static void stage_usage(const stage_t *st, const char *summary,
                        int takes_member)
{
    printf("usage: ensad-%s --run DIR [--config FILE] [--set sec.key=value]"
           "...%s\n\n%s\n\n",
           st->name, takes_member ? " [--member K]" : "", summary);
    printf("  --config FILE     experiment INI file (default: RUN/config.ini "
           "if there,\n                    else every key at its default)\n"
           "  --run DIR         run folder holding every stage's files "
           "(required)\n"
           "  --set S.K=V       override one config key; repeatable\n");
    if (takes_member)
        printf("  --member K        member to train (default: "
               "$SLURM_ARRAY_TASK_ID)\n");
    printf("  --print-config    print the effective config, every key "
           "documented, and exit\n"
           "  -q, --quiet       log errors only\n"
           "  -h, --help, --version\n");
}

static int parse_member(const char *s, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

void stage_begin(stage_t *st, const char *name, const char *summary,
                 int takes_member, int argc, char **argv)
{
    static char prog[64];
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},
        {"run", required_argument, 0, 'r'},
        {"set", required_argument, 0, 's'},
        {"member", required_argument, 0, 'm'},
        {"print-config", no_argument, 0, 'p'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    const char *config_path = NULL, *member_arg = NULL;
    static char run_config[CFG_PATH + 16];
    char **sets = xcalloc((size_t)argc + 1, sizeof *sets);
    int n_sets = 0, print = 0, opt;

    memset(st, 0, sizeof *st);
    st->name = name;
    st->member = -1;
    st->t0 = clock_seconds();
    mpi_start(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &st->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &st->size);
    snprintf(prog, sizeof prog, "ensad-%s", name);
    err_program(prog);
    log_init(name);

    opterr = 0;
    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case 'r': snprintf(st->run, sizeof st->run, "%s", optarg); break;
        case 's': sets[n_sets++] = optarg; break;
        case 'm':
            if (!takes_member)
                die("--member is only for ensad-train-member");
            member_arg = optarg;
            break;
        case 'p': print = 1; break;
        case 'q': log_quiet(1); break;
        case 'h':
            if (st->rank == 0)
                stage_usage(st, summary, takes_member);
            mpi_stop();
            exit(0);
        case 'V':
            if (st->rank == 0)
                printf("%s %s (file format %d)\n", prog, ENSAD_VERSION,
                       ENSAD_FORMAT_VERSION);
            mpi_stop();
            exit(0);
        default:
            die("unknown or incomplete option '%s' (see --help)",
                argv[optind - 1]);
        }
    }
    if (optind < argc)
        die("unexpected argument '%s' (see --help)", argv[optind]);

    /* Without --config, a stage rerun by hand on a run folder takes the
     * run's own effective config, as the jobs do. */
    if (!config_path && st->run[0]) {
        stage_path(st, run_config, sizeof run_config, "config.ini");
        if (access(run_config, R_OK) == 0) {
            config_path = run_config;
            log_info("no --config: using %s", run_config);
        }
    }
    config_defaults(&st->cfg);
    if (config_path)
        CHECK(config_load(&st->cfg, config_path));
    for (int i = 0; i < n_sets; i++)
        CHECK(config_set(&st->cfg, sets[i]));
    free(sets);
    CHECK(config_check(&st->cfg));
    st->config_text = config_format(&st->cfg, 0);
    if (print) {
        if (st->rank == 0) {
            char *doc = config_format(&st->cfg, 1);
            fputs(doc, stdout);
            free(doc);
        }
        free(st->config_text);
        mpi_stop();
        exit(0);
    }

    if (!st->run[0])
        die("--run DIR is required (the run folder; see --help)");
    if (takes_member) {
        const char *env = getenv("SLURM_ARRAY_TASK_ID");
        const char *src = member_arg ? member_arg : env;
        if (!src)
            die("which member? give --member K or run as a Slurm array "
                "task (SLURM_ARRAY_TASK_ID)");
        if (parse_member(src, &st->member) != 0)
            die("%s '%s' is not a member index", member_arg ? "--member"
                : "SLURM_ARRAY_TASK_ID", src);
        if (st->member >= st->cfg.members)
            die("member %d does not exist: partition.members = %d (members "
                "are 0..%d)", st->member, st->cfg.members,
                st->cfg.members - 1);
    }
    if (st->rank == 0)
        CHECK(make_dirs(st->run));
    MPI_Barrier(MPI_COMM_WORLD);
}

void stage_end(stage_t *st)
{
    log_info("done in %.2f s", clock_seconds() - st->t0);
    free(st->config_text);
    mpi_stop();
}

void stage_path(const stage_t *st, char *buf, size_t size, const char *fmt,
                ...)
{
    char rel[CFG_PATH];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rel, sizeof rel, fmt, ap);
    va_end(ap);
    if ((size_t)snprintf(buf, size, "%s/%s", st->run, rel) >= size)
        die("path too long: %s/%s", st->run, rel);
}

void stage_tmp(const stage_t *st, const char *final, char *tmp, size_t size)
{
    long id = (long)getpid();
    MPI_Bcast(&id, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    if ((size_t)snprintf(tmp, size, "%s.tmp-%ld", final, id) >= size)
        die("path too long: %s", final);
    if (st->rank == 0)
        tmp_register(tmp);
}

int stage_commit(const stage_t *st, const char *tmp, const char *final)
{
    int rc = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    if (st->rank == 0)
        rc = tmp_commit(tmp, final);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rc != 0 && st->rank != 0)
        err_set("rank 0 could not rename %s to %s", tmp, final);
    return rc;
}

int make_dirs(const char *path)
{
    char buf[CFG_PATH];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return err_set("%s: cannot create folder: %s", buf,
                               strerror(errno));
            if (c == '\0')
                break;
            *p = c;
        }
    }
    return 0;
}
