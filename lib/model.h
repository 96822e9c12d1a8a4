/*
 * model.h — a member on disk: its layers and its calibration (the sorted
 * losses of its own training beats), under a group of an HDF5 file:
 *   GROUP/layers/N/weight [out, in], GROUP/layers/N/bias [out],
 *   GROUP/calibration/train_loss_sorted [rows]
 * The architecture is read back from the layer shapes and must be a
 * mirrored autoencoder; the writer is one rank (the others pass no rows).
 */
#ifndef ENSAD_MODEL_H
#define ENSAD_MODEL_H

#include <hdf5.h>
#include <stdint.h>

#include "nn.h"

typedef struct {
    ae_t ae;
    float *loss_sorted; /* [n_loss] ascending */
    int64_t n_loss;
} member_model_t;

int model_write(hid_t file, const char *group, const ae_t *ae,
                const float *loss_sorted, int64_t n_loss, int writer);
/* path is only for messages. */
int model_read(hid_t file, const char *path, const char *group,
               member_model_t *mm);
void model_free(member_model_t *mm);
/* "140-32-16-10-16-32-140" into buf. */
void model_shape(const ae_t *ae, char *buf, int size);

#endif
