/*
 * data.c — reading labelled beats from text, CSV and HDF5 inputs, or
 * generating them, with one clear error (file:line: what) for bad input.
 *
 * Text files are read in one pass with getline; rows may be any length as
 * long as every row of every file has the same one. Blank lines are
 * skipped. Values go through strtod and must be finite as floats.
 */
#include "data.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "h5.h"
#include "rng.h"
#include "synth.h"

void beats_free(beats_t *b)
{
    free(b->x);
    free(b->anomalous);
    free(b->cls);
    free(b->source_row);
    free(b->site);
    memset(b, 0, sizeof *b);
}

/* Room for `more` rows after the current n. */
static void beats_reserve(beats_t *b, int64_t more)
{
    int64_t need = b->n + more, cap = b->cap ? b->cap : 256;
    if (need <= b->cap)
        return;
    while (cap < need)
        cap *= 2;
    b->x = xrealloc(b->x, (size_t)cap * (size_t)b->length * sizeof *b->x);
    b->anomalous = xrealloc(b->anomalous, (size_t)cap);
    b->cls = xrealloc(b->cls, (size_t)cap * sizeof *b->cls);
    b->source_row = xrealloc(b->source_row,
                             (size_t)cap * sizeof *b->source_row);
    b->site = xrealloc(b->site, (size_t)cap * sizeof *b->site);
    b->cap = cap;
}

static void beats_label(beats_t *b, int64_t i, double label,
                        double normal_label, int site)
{
    b->anomalous[i] = label != normal_label;
    b->cls[i] = (int32_t)lround(label);
    b->source_row[i] = i;
    b->site[i] = site;
}

const char *data_format_of(const char *format, const char *path)
{
    const char *dot;
    if (strcmp(format, "auto") != 0)
        return format;
    dot = strrchr(path, '.');
    if (dot && !strcasecmp(dot, ".csv"))
        return "csv";
    if (dot && (!strcasecmp(dot, ".h5") || !strcasecmp(dot, ".hdf5")))
        return "h5";
    return "ucr";
}

/* Splits a line in place into fields; returns the count. */
static int split_fields(char *line, int csv, char ***fields, int *cap)
{
    int n = 0;
    char *p = line, *save = NULL, *tok;

    if (csv) {
        for (;;) {
            char *comma = strchr(p, ',');
            if (n == *cap) {
                *cap = *cap ? 2 * *cap : 256;
                *fields = xrealloc(*fields, (size_t)*cap * sizeof **fields);
            }
            (*fields)[n++] = p;
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        return n;
    }
    for (tok = strtok_r(line, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save)) {
        if (n == *cap) {
            *cap = *cap ? 2 * *cap : 256;
            *fields = xrealloc(*fields, (size_t)*cap * sizeof **fields);
        }
        (*fields)[n++] = tok;
    }
    return n;
}

static int parse_value(const char *path, long line, int col,
                       const char *field, double *out)
{
    char *end;
    const char *s = field;

    while (isspace((unsigned char)*s))
        s++;
    errno = 0;
    *out = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end != '\0')
        return err_set("%s:%ld: field %d is not a number: '%s'", path, line,
                       col + 1, field);
    if (!isfinite(*out) || !isfinite((float)*out))
        return err_set("%s:%ld: field %d is NaN or infinite (as float): "
                       "'%s'", path, line, col + 1, field);
    return 0;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

int data_read_text(const char *path, int csv, const config_t *cfg, int site,
                   beats_t *b)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, **fields = NULL;
    size_t line_cap = 0;
    int field_cap = 0, rc = 0, first_len_line = 0;
    long lineno = 0;
    int64_t rows = 0;
    ssize_t got;

    if (!f)
        return err_set("%s: cannot open: %s%s", path, strerror(errno),
                       errno == ENOENT && path[0] != '/'
                           ? " (relative paths are read from the folder "
                             "the stage runs in; `make data` downloads "
                             "ECG5000)"
                           : "");
    while (rc == 0 && (got = getline(&line, &line_cap, f)) >= 0) {
        int n, label_col, length;
        double label = 0, v;
        float *row;

        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (lineno == 1 && !strncmp(line, "\xEF\xBB\xBF", 3))
            memmove(line, line + 3, (size_t)got - 2); /* UTF-8 BOM */
        if (lineno <= cfg->data_header || is_blank(line))
            continue;
        n = split_fields(line, csv, &fields, &field_cap);
        length = n - 1;
        if (length < 1) {
            rc = err_set("%s:%ld: only %d field(s); a beat needs a label "
                         "and at least one value", path, lineno, n);
            break;
        }
        if (b->length == 0) {
            b->length = length;
            first_len_line = (int)lineno;
        } else if (length != b->length) {
            rc = first_len_line
                     ? err_set("%s:%ld: %d values, but line %d has %d",
                               path, lineno, length, first_len_line,
                               b->length)
                     : err_set("%s:%ld: %d values, but earlier inputs have "
                               "%d", path, lineno, length, b->length);
            break;
        }
        label_col = 0;
        if (csv)
            label_col = cfg->data_label_column < 0 ? n - 1
                                                   : cfg->data_label_column;
        if (label_col >= n) {
            rc = err_set("%s:%ld: data.label_column = %d but the row has %d "
                         "fields", path, lineno, label_col, n);
            break;
        }
        beats_reserve(b, 1);
        row = b->x + b->n * b->length;
        for (int c = 0, j = 0; c < n && rc == 0; c++) {
            rc = parse_value(path, lineno, c, fields[c], &v);
            if (c == label_col)
                label = v;
            else
                row[j++] = (float)v;
        }
        if (rc != 0)
            break;
        if (label != floor(label) || fabs(label) > INT32_MAX) {
            rc = err_set("%s:%ld: label '%s' (field %d) is not a whole "
                         "number that fits in 32 bits", path, lineno,
                         fields[label_col], label_col + 1);
            break;
        }
        beats_label(b, b->n, label, cfg->data_normal_label, site);
        b->n++;
        rows++;
    }
    if (rc == 0 && ferror(f))
        rc = err_set("%s: read error: %s", path, strerror(errno));
    if (rc == 0 && rows == 0)
        rc = err_set("%s: no beats in the file (empty?)", path);
    free(line);
    free(fields);
    fclose(f);
    return rc;
}

/* Checks that a 1-D dataset of the input has one value per beat. */
static int h5_column_check(hid_t file, const char *path, const char *name,
                           int64_t rows)
{
    int64_t dims[2];
    if (h5_dims(file, path, name, 1, dims) != 0)
        return -1;
    if (dims[0] != rows)
        return err_set("%s: %s has %lld values but /x has %lld beats", path,
                       name, (long long)dims[0], (long long)rows);
    return 0;
}

int data_read_h5(const char *path, int site, beats_t *b)
{
    /* Any HDF5 file with the datasets will do: h5py's, say, as well as
     * ensad-synth's (whose `format` attribute is ensad/beats). */
    hid_t file = h5_open(path, MPI_COMM_SELF, NULL);
    int64_t dims[2], n0 = b->n;
    int rc = 0, has_class;

    if (file < 0)
        return -1;
    if (h5_dims(file, path, "/x", 2, dims) != 0) {
        H5Fclose(file);
        return -1;
    }
    if (dims[0] == 0 || dims[1] == 0) {
        H5Fclose(file);
        return err_set("%s: /x is [%lld, %lld]: no beats, or beats of no "
                       "samples", path, (long long)dims[0],
                       (long long)dims[1]);
    }
    if (b->length && dims[1] != b->length) {
        H5Fclose(file);
        return err_set("%s: /x has beats of %lld samples, earlier inputs %d",
                       path, (long long)dims[1], b->length);
    }
    has_class = h5_exists(file, "/class");
    if (h5_column_check(file, path, "/anomalous", dims[0]) ||
        (has_class && h5_column_check(file, path, "/class", dims[0]))) {
        H5Fclose(file);
        return -1;
    }
    b->length = (int)dims[1];
    beats_reserve(b, dims[0]);
    rc = h5_read_rows(file, path, "/x", H5T_NATIVE_FLOAT,
                      b->x + n0 * b->length, dims[1], 0, dims[0]);
    if (rc == 0)
        rc = h5_read_rows(file, path, "/anomalous", H5T_NATIVE_UINT8,
                          b->anomalous + n0, 0, 0, dims[0]);
    if (rc == 0 && has_class)
        rc = h5_read_rows(file, path, "/class", H5T_NATIVE_INT32,
                          b->cls + n0, 0, 0, dims[0]);
    H5Fclose(file);
    for (int64_t i = 0; rc == 0 && i < dims[0]; i++) {
        const float *row = b->x + (n0 + i) * b->length;
        for (int j = 0; j < b->length; j++)
            if (!isfinite(row[j]))
                return err_set("%s: /x row %lld column %d is NaN or "
                               "infinite", path, (long long)i, j);
        b->anomalous[n0 + i] = b->anomalous[n0 + i] != 0;
        if (!has_class)
            b->cls[n0 + i] = b->anomalous[n0 + i];
        b->source_row[n0 + i] = n0 + i;
        b->site[n0 + i] = site;
    }
    if (rc == 0)
        b->n += dims[0];
    return rc;
}

static void data_generate(const config_t *cfg, beats_t *b)
{
    synth_params_t p = synth_defaults();
    int64_t n = cfg->data_synth_normal + cfg->data_synth_anomalous;
    rng_t rng;
    int32_t *kind = xmalloc((size_t)n * sizeof *kind);

    p.length = cfg->data_synth_length;
    p.noise = cfg->data_synth_noise;
    for (int64_t i = 0; i < n; i++)
        kind[i] = i < cfg->data_synth_normal
                      ? SYNTH_NORMAL
                      : 1 + (int32_t)((i - cfg->data_synth_normal) %
                                      (SYNTH_KINDS - 1));
    b->length = p.length;
    beats_reserve(b, n);
    rng_seed(&rng, (uint64_t)cfg->data_synth_seed);
    synth_beats(&p, &rng, kind, n, b->x);
    for (int64_t i = 0; i < n; i++) {
        b->anomalous[i] = kind[i] != SYNTH_NORMAL;
        b->cls[i] = kind[i];
        b->source_row[i] = i;
        b->site[i] = 0;
    }
    b->n = n;
    b->n_sites = 1;
    free(kind);
}

int data_paths(const char *list, char *buf, const char **paths, int max)
{
    int n = 0;
    char *p = buf, *comma;

    snprintf(buf, CFG_PATH, "%s", list);
    for (;;) {
        char *end;
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (isspace((unsigned char)*p))
            p++;
        for (end = p + strlen(p); end > p && isspace((unsigned char)end[-1]);)
            *--end = '\0';
        if (*p == '\0')
            return err_set("data.path: entry %d of '%s' is empty", n + 1,
                           list);
        if (n == max)
            return err_set("data.path lists more than %d files", max);
        paths[n++] = p;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

int data_load(const config_t *cfg, beats_t *b)
{
    char buf[CFG_PATH];
    const char *paths[DATA_MAX_FILES];
    int n_paths, site;

    memset(b, 0, sizeof *b);
    if (!strcmp(cfg->data_format, "synth")) {
        data_generate(cfg, b);
        return 0;
    }
    n_paths = data_paths(cfg->data_path, buf, paths, DATA_MAX_FILES);
    if (n_paths < 0)
        return -1;
    for (site = 0; site < n_paths; site++) {
        const char *fmt, *path = paths[site];
        int64_t n0 = b->n;
        int rc;

        fmt = data_format_of(cfg->data_format, path);
        if (!strcmp(fmt, "h5"))
            rc = data_read_h5(path, site, b);
        else
            rc = data_read_text(path, !strcmp(fmt, "csv"), cfg, site, b);
        if (rc != 0) {
            beats_free(b);
            return -1;
        }
        for (int64_t i = n0; i < b->n; i++)
            b->source_row[i] = i;
    }
    b->n_sites = n_paths;
    return 0;
}
