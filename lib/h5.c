/*
 * h5.c — parallel HDF5 access through MPI-IO with collective transfers,
 * attribute helpers and output provenance (nettle computes the SHA-256).
 *
 * Datasets are chunked (up to 1024 rows a chunk) and uncompressed: HDF5
 * 1.10 writes filtered datasets in parallel only in some configurations,
 * and ensad's files are small beside the data they came from.
 */
#include "h5.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "log.h"
#include "mpiutil.h"
#include "version.h"

static void h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* The innermost HDF5 error description, for messages. */
static herr_t h5_walk(unsigned n, const H5E_error2_t *e, void *user)
{
    if (n == 0)
        snprintf(user, 256, "%s", e->desc ? e->desc : "");
    return 0;
}

static const char *h5_reason(void)
{
    static char reason[256];
    reason[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5_walk, reason);
    return reason[0] ? reason : "HDF5 error";
}

static hid_t h5_fapl(MPI_Comm comm)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    return fapl;
}

hid_t h5_create(const char *path, MPI_Comm comm)
{
    hid_t fapl, file;

    h5_quiet();
    fapl = h5_fapl(comm);
    mpi_io_begin();
    file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    mpi_io_end();
    H5Pclose(fapl);
    if (file < 0)
        err_set("%s: cannot create HDF5 file (%s; is the folder there and "
                "writable?)", path, h5_reason());
    return file;
}

hid_t h5_open(const char *path, MPI_Comm comm, const char *format)
{
    struct stat st;
    hid_t fapl, file;
    char *found = NULL;

    h5_quiet();
    if (stat(path, &st) != 0) {
        err_set("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (H5Fis_hdf5(path) <= 0) {
        err_set("%s: not an HDF5 file (truncated or of another kind)", path);
        return -1;
    }
    fapl = h5_fapl(comm);
    mpi_io_begin();
    file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    mpi_io_end();
    H5Pclose(fapl);
    if (file < 0) {
        err_set("%s: cannot open as HDF5 (%s; truncated?)", path,
                h5_reason());
        return -1;
    }
    if (!format)
        return file;
    if (h5_attr_get_str(file, path, "format", &found) != 0 ||
        strcmp(found, format) != 0) {
        err_set("%s: expected an ensad file of format '%s', found '%s'",
                path, format, found ? found : "(no format attribute)");
        free(found);
        H5Fclose(file);
        return -1;
    }
    free(found);
    return file;
}

int h5_close(hid_t file, const char *path)
{
    if (H5Fclose(file) < 0)
        return err_set("%s: cannot close (%s; disk full?)", path,
                       h5_reason());
    return 0;
}

int h5_exists(hid_t file, const char *name)
{
    /* Walks the path so that a missing group is "no", not an error. */
    char buf[512];
    char *p;

    snprintf(buf, sizeof buf, "%s", name);
    for (p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (H5Lexists(file, buf, H5P_DEFAULT) <= 0)
            return 0;
        *p = '/';
    }
    return H5Lexists(file, buf, H5P_DEFAULT) > 0;
}

static hid_t h5_xfer(void)
{
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    return dxpl;
}

/* File and memory selections of rows [row0, row0 + rows). */
static void h5_select(hid_t fspace, hid_t *mspace, int nd, int64_t cols,
                      int64_t row0, int64_t rows)
{
    hsize_t start[2] = {(hsize_t)row0, 0};
    hsize_t count[2] = {(hsize_t)rows, (hsize_t)cols};
    hsize_t mdims[2] = {(hsize_t)(rows > 0 ? rows : 1), (hsize_t)cols};

    *mspace = H5Screate_simple(nd, mdims, NULL);
    if (rows > 0) {
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count,
                            NULL);
    } else {
        H5Sselect_none(fspace);
        H5Sselect_none(*mspace);
    }
}

int h5_write_rows(hid_t file, const char *name, hid_t mem_type,
                  hid_t file_type, const void *data, int64_t rows_total,
                  int64_t cols, int64_t row0, int64_t rows)
{
    int nd = cols > 0 ? 2 : 1;
    hsize_t dims[2] = {(hsize_t)rows_total, (hsize_t)cols};
    hsize_t maxd[2] = {H5S_UNLIMITED, (hsize_t)cols};
    hsize_t chunk[2] = {(hsize_t)(rows_total < 1024 ? rows_total : 1024),
                        (hsize_t)(cols > 0 ? cols : 1)};
    hid_t lcpl, dcpl, fspace, mspace, dset, dxpl;
    herr_t status;

    if (chunk[0] == 0)
        chunk[0] = 1;
    lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, nd, chunk);
    fspace = H5Screate_simple(nd, dims, maxd);
    dset = H5Dcreate2(file, name, file_type, fspace, lcpl, dcpl,
                      H5P_DEFAULT);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    if (dset < 0) {
        H5Sclose(fspace);
        return err_set("cannot create dataset %s (%s)", name, h5_reason());
    }
    h5_select(fspace, &mspace, nd, cols, row0, rows);
    dxpl = h5_xfer();
    status = H5Dwrite(dset, mem_type, mspace, fspace, dxpl, data);
    H5Pclose(dxpl);
    H5Sclose(mspace);
    H5Sclose(fspace);
    H5Dclose(dset);
    if (status < 0)
        return err_set("cannot write dataset %s (%s)", name, h5_reason());
    return 0;
}

int h5_dims(hid_t file, const char *path, const char *name, int rank,
            int64_t dims[2])
{
    hsize_t d[H5S_MAX_RANK];
    hid_t dset, space;
    int nd;

    if (!h5_exists(file, name))
        return err_set("%s: dataset %s is missing", path, name);
    dset = H5Dopen2(file, name, H5P_DEFAULT);
    if (dset < 0)
        return err_set("%s: cannot open dataset %s (%s)", path, name,
                       h5_reason());
    space = H5Dget_space(dset);
    nd = H5Sget_simple_extent_dims(space, d, NULL);
    H5Sclose(space);
    H5Dclose(dset);
    if (nd != rank)
        return err_set("%s: dataset %s has %d dimensions, expected %d", path,
                       name, nd, rank);
    dims[0] = (int64_t)d[0];
    dims[1] = rank > 1 ? (int64_t)d[1] : 0;
    return 0;
}

int h5_read_rows(hid_t file, const char *path, const char *name,
                 hid_t mem_type, void *data, int64_t cols, int64_t row0,
                 int64_t rows)
{
    int nd = cols > 0 ? 2 : 1;
    int64_t dims[2];
    hid_t dset, fspace, mspace, dxpl;
    herr_t status;

    if (h5_dims(file, path, name, nd, dims) != 0)
        return -1;
    if (cols > 0 && dims[1] != cols)
        return err_set("%s: dataset %s has rows of %lld values, expected "
                       "%lld", path, name, (long long)dims[1],
                       (long long)cols);
    if (row0 + rows > dims[0])
        return err_set("%s: dataset %s has %lld rows, expected at least "
                       "%lld", path, name, (long long)dims[0],
                       (long long)(row0 + rows));
    dset = H5Dopen2(file, name, H5P_DEFAULT);
    fspace = H5Dget_space(dset);
    h5_select(fspace, &mspace, nd, cols, row0, rows);
    dxpl = h5_xfer();
    status = H5Dread(dset, mem_type, mspace, fspace, dxpl, data);
    H5Pclose(dxpl);
    H5Sclose(mspace);
    H5Sclose(fspace);
    H5Dclose(dset);
    if (status < 0)
        return err_set("%s: cannot read dataset %s (%s; truncated file?)",
                       path, name, h5_reason());
    return 0;
}

static int h5_attr_put(hid_t obj, const char *name, hid_t type,
                       const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR), attr;
    herr_t status;

    if (H5Aexists(obj, name) > 0)
        H5Adelete(obj, name);
    attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(space);
    if (attr < 0)
        return err_set("cannot create attribute %s (%s)", name, h5_reason());
    status = H5Awrite(attr, type, value);
    H5Aclose(attr);
    if (status < 0)
        return err_set("cannot write attribute %s (%s)", name, h5_reason());
    return 0;
}

int h5_attr_put_str(hid_t obj, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    int rc;

    H5Tset_size(type, strlen(value) + 1);
    H5Tset_strpad(type, H5T_STR_NULLTERM);
    rc = h5_attr_put(obj, name, type, value);
    H5Tclose(type);
    return rc;
}

int h5_attr_put_i64(hid_t obj, const char *name, int64_t value)
{
    return h5_attr_put(obj, name, H5T_NATIVE_INT64, &value);
}

int h5_attr_put_f64(hid_t obj, const char *name, double value)
{
    return h5_attr_put(obj, name, H5T_NATIVE_DOUBLE, &value);
}

static hid_t h5_attr_find(hid_t obj, const char *path, const char *name)
{
    hid_t attr;
    if (H5Aexists(obj, name) <= 0) {
        err_set("%s: attribute %s is missing", path, name);
        return -1;
    }
    attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (attr < 0)
        err_set("%s: cannot open attribute %s (%s)", path, name,
                h5_reason());
    return attr;
}

int h5_attr_get_str(hid_t obj, const char *path, const char *name,
                    char **value)
{
    hid_t attr = h5_attr_find(obj, path, name), type, mem;
    size_t size;
    herr_t status;

    *value = NULL;
    if (attr < 0)
        return -1;
    type = H5Aget_type(attr);
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) > 0) {
        H5Tclose(type);
        H5Aclose(attr);
        return err_set("%s: attribute %s is not a fixed-length string",
                       path, name);
    }
    size = H5Tget_size(type);
    mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, size + 1);
    H5Tset_strpad(mem, H5T_STR_NULLTERM);
    *value = xcalloc(size + 1, 1);
    status = H5Aread(attr, mem, *value);
    H5Tclose(mem);
    H5Tclose(type);
    H5Aclose(attr);
    if (status < 0) {
        free(*value);
        *value = NULL;
        return err_set("%s: cannot read attribute %s", path, name);
    }
    return 0;
}

static int h5_attr_get(hid_t obj, const char *path, const char *name,
                       hid_t mem, void *value)
{
    hid_t attr = h5_attr_find(obj, path, name), space;
    herr_t status;

    if (attr < 0)
        return -1;
    space = H5Aget_space(attr);
    if (H5Sget_simple_extent_npoints(space) != 1) {
        H5Sclose(space);
        H5Aclose(attr);
        return err_set("%s: attribute %s is not a single value", path, name);
    }
    H5Sclose(space);
    status = H5Aread(attr, mem, value);
    H5Aclose(attr);
    if (status < 0)
        return err_set("%s: attribute %s is not a number", path, name);
    return 0;
}

int h5_attr_get_i64(hid_t obj, const char *path, const char *name,
                    int64_t *value)
{
    return h5_attr_get(obj, path, name, H5T_NATIVE_INT64, value);
}

int h5_attr_get_f64(hid_t obj, const char *path, const char *name,
                    double *value)
{
    return h5_attr_get(obj, path, name, H5T_NATIVE_DOUBLE, value);
}

int file_sha256(const char *path, char hex[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE], buf[1 << 16];
    size_t got;
    FILE *f = fopen(path, "rb");

    if (!f)
        return err_set("%s: cannot open for its checksum: %s", path,
                       strerror(errno));
    sha256_init(&ctx);
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, got, buf);
    if (ferror(f)) {
        fclose(f);
        return err_set("%s: read error: %s", path, strerror(errno));
    }
    fclose(f);
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

int h5_provenance(hid_t file, const char *format, const char *config_text,
                  const char *const *inputs, int n_inputs, double seconds,
                  MPI_Comm comm)
{
    char when[32], *lines;
    size_t cap = 1;
    int rank, rc = 0;
    long len;

    /* Rank 0 reads the inputs; every rank writes the same attributes. */
    MPI_Comm_rank(comm, &rank);
    for (int i = 0; i < n_inputs; i++)
        cap += strlen(inputs[i]) + 68;
    lines = xcalloc(cap, 1);
    if (rank == 0) {
        for (int i = 0; i < n_inputs && rc == 0; i++) {
            char hex[65];
            rc = file_sha256(inputs[i], hex);
            if (rc == 0)
                snprintf(lines + strlen(lines), cap - strlen(lines),
                         "%s  %s\n", hex, inputs[i]);
        }
        if (rc != 0)
            snprintf(lines, cap, "!%s", err_msg());
    }
    len = (long)cap;
    MPI_Bcast(lines, (int)len, MPI_CHAR, 0, comm);
    if (lines[0] == '!') {
        err_set("%s", lines + 1);
        free(lines);
        return -1;
    }
    clock_utc(when, sizeof when);
    if (h5_attr_put_str(file, "format", format) ||
        h5_attr_put_i64(file, "format_version", ENSAD_FORMAT_VERSION) ||
        h5_attr_put_str(file, "ensad_version", ENSAD_VERSION) ||
        h5_attr_put_str(file, "config", config_text) ||
        h5_attr_put_str(file, "created_utc", when) ||
        h5_attr_put_f64(file, "seconds", seconds) ||
        h5_attr_put_str(file, "inputs", lines))
        rc = -1;
    free(lines);
    return rc;
}
