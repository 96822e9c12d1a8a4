/*
 * h5.h — HDF5 for ensad: files opened through MPI-IO on a communicator
 * (one rank or many), datasets of rows written and read collectively by
 * row ranges, attributes, and the provenance every output carries.
 *
 * Every rank calls every function here (HDF5's parallel rule for metadata):
 * a rank with no rows to write passes rows = 0. Failures return -1 (or a
 * negative id) with a message naming the file and the dataset; HDF5's own
 * error stack is not printed.
 */
#ifndef ENSAD_H5_H
#define ENSAD_H5_H

#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>

/* Creates (truncating) path for writing; < 0 on failure. */
hid_t h5_create(const char *path, MPI_Comm comm);
/* Opens an existing file read-only, checking that it is HDF5 and that
 * its root attribute `format` equals format (unless format is NULL). */
hid_t h5_open(const char *path, MPI_Comm comm, const char *format);
int h5_close(hid_t file, const char *path);

/* Dataset name, e.g. "/test/x", is [rows_total, cols] (or [rows_total]
 * when cols == 0) of file_type; this rank writes rows [row0, row0 + rows)
 * from data in mem_type. Intermediate groups are created. */
int h5_write_rows(hid_t file, const char *name, hid_t mem_type,
                  hid_t file_type, const void *data, int64_t rows_total,
                  int64_t cols, int64_t row0, int64_t rows);
/* Dimensions of a dataset that must have `rank` dimensions (1 or 2);
 * path is only for messages. */
int h5_dims(hid_t file, const char *path, const char *name, int rank,
            int64_t dims[2]);
/* Reads rows [row0, row0 + rows) of a dataset with `cols` columns
 * (0: one-dimensional) into data, converting to mem_type. */
int h5_read_rows(hid_t file, const char *path, const char *name,
                 hid_t mem_type, void *data, int64_t cols, int64_t row0,
                 int64_t rows);
int h5_exists(hid_t file, const char *name);

int h5_attr_put_str(hid_t obj, const char *name, const char *value);
int h5_attr_put_i64(hid_t obj, const char *name, int64_t value);
int h5_attr_put_f64(hid_t obj, const char *name, double value);
/* Readers; *value of get_str is malloc'd. path is only for messages. */
int h5_attr_get_str(hid_t obj, const char *path, const char *name,
                    char **value);
int h5_attr_get_i64(hid_t obj, const char *path, const char *name,
                    int64_t *value);
int h5_attr_get_f64(hid_t obj, const char *path, const char *name,
                    double *value);

/* Root attributes of every ensad output: format, format_version,
 * ensad_version, config, created_utc, seconds (the stage's wall time) and
 * inputs ("SHA256  PATH" per line, as sha256sum prints them). */
int h5_provenance(hid_t file, const char *format, const char *config_text,
                  const char *const *inputs, int n_inputs, double seconds,
                  MPI_Comm comm);

/* SHA-256 of a file as 64 hex digits plus NUL. */
int file_sha256(const char *path, char hex[65]);

#endif
