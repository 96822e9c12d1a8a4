/*
 * log.c — timestamped log lines on stderr, and the clocks stages time
 * themselves with.
 */
#include "log.h"

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static char log_stage[64] = "ensad";
static int log_silent;

void log_init(const char *stage)
{
    snprintf(log_stage, sizeof log_stage, "%s", stage);
}

void log_quiet(int quiet) { log_silent = quiet; }

static int log_rank(void)
{
    int inited = 0, finalized = 0, rank = 0;
    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (inited && !finalized)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
    char when[32];
    if (log_silent || log_rank() != 0)
        return;
    clock_utc(when, sizeof when);
    fprintf(stderr, "%s %s %s", when, log_stage, level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("warning: ", fmt, ap);
    va_end(ap);
}

double clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void clock_utc(char *buf, int size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, (size_t)size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
