/*
 * model.c — writing and reading a member's layers and calibration.
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "h5.h"

int model_write(hid_t file, const char *group, const ae_t *ae,
                const float *loss_sorted, int64_t n_loss, int writer)
{
    char name[256];
    for (int l = 0; l < ae->n_layers; l++) {
        int out = ae->sizes[l + 1], in = ae->sizes[l];
        snprintf(name, sizeof name, "%s/layers/%d/weight", group, l);
        if (h5_write_rows(file, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                          ae->w[l], out, in, 0, writer ? out : 0))
            return -1;
        snprintf(name, sizeof name, "%s/layers/%d/bias", group, l);
        if (h5_write_rows(file, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                          ae->b[l], out, 0, 0, writer ? out : 0))
            return -1;
    }
    snprintf(name, sizeof name, "%s/calibration/train_loss_sorted", group);
    return h5_write_rows(file, name, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                         loss_sorted, n_loss, 0, 0, writer ? n_loss : 0);
}

void model_shape(const ae_t *ae, char *buf, int size)
{
    int at = 0;
    buf[0] = '\0';
    for (int l = 0; l <= ae->n_layers && at < size; l++)
        at += snprintf(buf + at, (size_t)(size - at), "%s%d", l ? "-" : "",
                       ae->sizes[l]);
}

/* A model with NaN or infinite weights, or an unsorted calibration,
 * would score every beat the same: refuse it by name. */
static int model_check(const char *path, const char *group,
                       const member_model_t *mm)
{
    for (int64_t i = 0; i < mm->ae.n_params; i++)
        if (!isfinite(mm->ae.params[i]))
            return err_set("%s: %s/layers holds NaN or infinite weights "
                           "(training diverged?)", path, group);
    for (int64_t i = 0; i < mm->n_loss; i++)
        if (!isfinite(mm->loss_sorted[i]) ||
            (i > 0 && mm->loss_sorted[i] < mm->loss_sorted[i - 1]))
            return err_set("%s: %s/calibration/train_loss_sorted is not "
                           "finite and ascending at row %lld", path, group,
                           (long long)i);
    return 0;
}

static int model_read_parts(hid_t file, const char *path,
                            const char *group, member_model_t *mm)
{
    char name[256];
    int sizes[AE_MAX_LAYERS + 1], n_layers = 0;
    int64_t dims[2];

    memset(mm, 0, sizeof *mm);
    for (;;) {
        snprintf(name, sizeof name, "%s/layers/%d/weight", group, n_layers);
        if (!h5_exists(file, name))
            break;
        if (n_layers == AE_MAX_LAYERS)
            return err_set("%s: more than %d layers under %s/layers", path,
                           AE_MAX_LAYERS, group);
        if (h5_dims(file, path, name, 2, dims) != 0)
            return -1;
        if (n_layers > 0 && dims[1] != sizes[n_layers])
            return err_set("%s: %s takes %lld inputs but layer %d gives %d",
                           path, name, (long long)dims[1], n_layers - 1,
                           sizes[n_layers]);
        sizes[n_layers] = (int)dims[1];
        sizes[n_layers + 1] = (int)dims[0];
        n_layers++;
    }
    if (n_layers < 2 || n_layers % 2)
        return err_set("%s: %s/layers holds %d layers; an autoencoder has an "
                       "even number, at least 2", path, group, n_layers);
    for (int l = 0; l <= n_layers; l++)
        if (sizes[l] != sizes[n_layers - l])
            return err_set("%s: layers of %s are not a mirrored autoencoder",
                           path, group);
    if (ae_create(&mm->ae, sizes[0], sizes + 1, n_layers / 2) != 0)
        return err_prefix("%s: ", path);
    for (int l = 0; l < n_layers; l++) {
        snprintf(name, sizeof name, "%s/layers/%d/weight", group, l);
        if (h5_read_rows(file, path, name, H5T_NATIVE_FLOAT, mm->ae.w[l],
                         sizes[l], 0, sizes[l + 1]))
            return -1;
        snprintf(name, sizeof name, "%s/layers/%d/bias", group, l);
        if (h5_dims(file, path, name, 1, dims) != 0)
            return -1;
        if (dims[0] != sizes[l + 1])
            return err_set("%s: %s has %lld values, expected %d", path, name,
                           (long long)dims[0], sizes[l + 1]);
        if (h5_read_rows(file, path, name, H5T_NATIVE_FLOAT, mm->ae.b[l], 0,
                         0, sizes[l + 1]))
            return -1;
    }
    snprintf(name, sizeof name, "%s/calibration/train_loss_sorted", group);
    if (h5_dims(file, path, name, 1, dims) != 0)
        return -1;
    if (dims[0] < 1)
        return err_set("%s: %s is empty", path, name);
    mm->n_loss = dims[0];
    mm->loss_sorted = xmalloc((size_t)dims[0] * sizeof *mm->loss_sorted);
    if (h5_read_rows(file, path, name, H5T_NATIVE_FLOAT, mm->loss_sorted, 0,
                     0, dims[0]))
        return -1;
    return model_check(path, group, mm);
}

int model_read(hid_t file, const char *path, const char *group,
               member_model_t *mm)
{
    if (model_read_parts(file, path, group, mm) == 0)
        return 0;
    model_free(mm);
    return -1;
}

void model_free(member_model_t *mm)
{
    ae_free(&mm->ae);
    free(mm->loss_sorted);
    memset(mm, 0, sizeof *mm);
}
