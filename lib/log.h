/*
 * log.h — plain log lines an operator can read in a batch log:
 *   2026-12-03T17:01:02Z train-member[3] epoch 12/100 loss 0.0213 0.01 s
 * One line per call, UTC time first, then the stage; no progress bars.
 * Only MPI rank 0 logs unless log_all_ranks() is called.
 */
#ifndef ENSAD_LOG_H
#define ENSAD_LOG_H

void log_init(const char *stage);
void log_quiet(int quiet);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds since an arbitrary start, monotonic. */
double clock_seconds(void);
/* "2026-12-03T17:01:02Z" into buf (at least 21 bytes). */
void clock_utc(char *buf, int size);

#endif
