/*
 * err.h — one way to fail, everywhere in ensad.
 *
 * Library functions that can fail return 0 on success and -1 on failure,
 * after err_set() has put one readable sentence (naming the file, line, key
 * or dataset at fault) into a per-thread buffer. Stages check each call with
 * CHECK(), which prints that sentence as "ensad-STAGE: error: ..." and exits
 * non-zero; before exiting, every output still under its temporary name is
 * removed (see tmp_register), so a failed stage leaves nothing half-written.
 * Allocation failures are not recoverable here: xmalloc() and friends die.
 */
#ifndef ENSAD_ERR_H
#define ENSAD_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 8192

/* Formats the message of the current failure; always returns -1. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prefixes the current message with more context ("file.h5: " + msg). */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_msg(void);
void err_clear(void);

/* The program name used in error lines ("ensad-partition"). */
void err_program(const char *name);

/* Prints "PROGRAM: error: MSG" on stderr, removes registered temporaries
 * and exits with status 1 (or aborts every MPI rank when there are more). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(call)                                                        \
    do {                                                                   \
        if ((call) != 0)                                                   \
            die("%s", err_msg());                                          \
    } while (0)

/* A path being written under a temporary name: removed if the process
 * dies before tmp_commit() renames it to its final name. */
void tmp_register(const char *tmp_path);
int tmp_commit(const char *tmp_path, const char *final_path);
void tmp_forget(const char *tmp_path);
void tmp_remove_all(void);
/* Removes a file, or a folder with everything in it; quiet if absent. */
void remove_tree(const char *path);

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
