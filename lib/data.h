/*
 * data.h — labelled beats in memory, and the readers of ensad's inputs:
 * UCR text (label first, whitespace separated), CSV with a label column
 * (the study's ecg.csv), the HDF5 written by ensad-synth, and beats
 * generated on the fly (data.format = synth).
 *
 * A beat is normal when its label equals data.normal_label, anomalous
 * otherwise. The beat length comes from the data. Each reader rejects, with
 * the file and line, anything that is not a clean table of finite numbers.
 */
#ifndef ENSAD_DATA_H
#define ENSAD_DATA_H

#include <stdint.h>

#include "config.h"

typedef struct {
    int64_t n;
    int length;
    float *x;            /* [n, length] */
    uint8_t *anomalous;  /* [n] 1 = anomalous */
    int32_t *cls;        /* [n] the input's own label (class, kind) */
    int64_t *source_row; /* [n] data row in the input, from 0, counted
                            across every file of the list */
    int32_t *site;       /* [n] which file of data.path's list */
    int n_sites;
    int64_t cap;
} beats_t;

#define DATA_MAX_FILES 4096

/* Splits data.path's comma-separated list into paths (trimmed, pointing
 * into buf of CFG_PATH bytes); returns the count, or -1 (err_set) for an
 * empty entry or more than max files. */
int data_paths(const char *list, char *buf, const char **paths, int max);
/* Reads every input of cfg into b (empty on entry). */
int data_load(const config_t *cfg, beats_t *b);
void beats_free(beats_t *b);

/* One text file appended to b; csv selects commas and label_column,
 * otherwise UCR (label first, whitespace). */
int data_read_text(const char *path, int csv, const config_t *cfg,
                   int site, beats_t *b);
/* One ensad-synth HDF5 file (/x, /class, /anomalous) appended to b. */
int data_read_h5(const char *path, int site, beats_t *b);

/* "auto" resolved by extension; returns "ucr", "csv", "h5" or "synth". */
const char *data_format_of(const char *format, const char *path);

#endif
