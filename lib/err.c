/*
 * err.c — the failure message buffer, die(), and the list of temporary
 * outputs that die() removes so that no half-written file survives.
 */
#include "err.h"

#include <errno.h>
#include <ftw.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char err_buf[ERR_MSG_MAX];
static const char *err_prog = "ensad";

#define TMP_MAX_PATHS 64
static char *tmp_paths[TMP_MAX_PATHS];

int err_set(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_buf, sizeof err_buf, fmt, ap);
    va_end(ap);
    return -1;
}

int err_prefix(const char *fmt, ...)
{
    char head[ERR_MSG_MAX], old[ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    snprintf(old, sizeof old, "%s", err_buf);
    /* Truncation is acceptable: the message is for people. */
    size_t n = strlen(head) < ERR_MSG_MAX ? strlen(head) : ERR_MSG_MAX - 1;
    memcpy(err_buf, head, n);
    snprintf(err_buf + n, ERR_MSG_MAX - n, "%s", old);
    return -1;
}

const char *err_msg(void) { return err_buf[0] ? err_buf : "unknown error"; }

void err_clear(void) { err_buf[0] = '\0'; }

void err_program(const char *name) { err_prog = name; }

void die(const char *fmt, ...)
{
    int inited = 0, finalized = 0, size = 1;
    va_list ap;

    fprintf(stderr, "%s: error: ", err_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    tmp_remove_all();

    MPI_Initialized(&inited);
    MPI_Finalized(&finalized);
    if (inited && !finalized) {
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        if (size > 1)
            MPI_Abort(MPI_COMM_WORLD, 1);
    }
    exit(1);
}

void tmp_register(const char *tmp_path)
{
    for (int i = 0; i < TMP_MAX_PATHS; i++) {
        if (!tmp_paths[i]) {
            tmp_paths[i] = xstrdup(tmp_path);
            return;
        }
    }
    die("too many temporary outputs at once (limit %d)", TMP_MAX_PATHS);
}

void tmp_forget(const char *tmp_path)
{
    for (int i = 0; i < TMP_MAX_PATHS; i++) {
        if (tmp_paths[i] && strcmp(tmp_paths[i], tmp_path) == 0) {
            free(tmp_paths[i]);
            tmp_paths[i] = NULL;
        }
    }
}

int tmp_commit(const char *tmp_path, const char *final_path)
{
    if (rename(tmp_path, final_path) != 0)
        return err_set("cannot rename %s to %s: %s", tmp_path, final_path,
                       strerror(errno));
    tmp_forget(tmp_path);
    return 0;
}

static int tmp_remove_entry(const char *path, const struct stat *sb,
                            int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void remove_tree(const char *path)
{
    if (remove(path) != 0 && errno != ENOENT)
        nftw(path, tmp_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tmp_remove_all(void)
{
    for (int i = 0; i < TMP_MAX_PATHS; i++) {
        if (tmp_paths[i]) {
            /* A file, or a folder (a report) with everything in it. */
            remove_tree(tmp_paths[i]);
            free(tmp_paths[i]);
            tmp_paths[i] = NULL;
        }
    }
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory allocating %zu bytes", n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die("out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory allocating %zu bytes", n);
    return q;
}

char *xstrdup(const char *s)
{
    char *d = xmalloc(strlen(s) + 1);
    strcpy(d, s);
    return d;
}
