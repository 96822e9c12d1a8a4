/*
 * nn.h — the member model: a dense autoencoder, its training with Adam on
 * mean squared error, and per-beat reconstruction losses.
 *
 * Layer l maps sizes[l] -> sizes[l+1]: y = x W^T + b with W [out, in] and
 * b [out], row-major. ReLU follows every layer except the latent one (the
 * last encoder layer, index latent) and the output layer, which are linear.
 * All parameters live in one flat array (layer 0 weight, layer 0 bias,
 * layer 1 weight, ...) so that Adam and checkpoints treat them as one
 * vector. Matrix work is cblas_sgemm; nothing is allocated inside the
 * training loop. Deterministic for a given seed and BLAS thread count.
 */
#ifndef ENSAD_NN_H
#define ENSAD_NN_H

#include <stdint.h>

#include "rng.h"

#define AE_MAX_LAYERS 32

typedef struct {
    int n_layers;                 /* dense layers */
    int sizes[AE_MAX_LAYERS + 1]; /* sizes[0] = beat length = output */
    int latent;                   /* index of the linear latent layer */
    int64_t n_params;
    float *params;                /* [n_params], owned */
    float *w[AE_MAX_LAYERS];      /* views into params: [out, in] */
    float *b[AE_MAX_LAYERS];      /* views into params: [out] */
} ae_t;

/* Builds length -> enc[0] -> ... -> enc[n_enc-1] -> ... -> length, the
 * decoder mirroring the encoder; returns -1 (err_set) on bad sizes. */
int ae_create(ae_t *ae, int length, const int *enc, int n_enc);
/* PyTorch nn.Linear default: W and b ~ U(-1/sqrt(in), 1/sqrt(in)). */
void ae_init(ae_t *ae, rng_t *rng);
void ae_free(ae_t *ae);
/* Offsets of layer l's weight and bias inside params. */
int64_t ae_weight_offset(const ae_t *ae, int l);
int64_t ae_bias_offset(const ae_t *ae, int l);

/* Activations and gradients for batches of up to max_batch beats. */
typedef struct {
    int max_batch;
    float *act[AE_MAX_LAYERS + 1]; /* act[l] is [batch, sizes[l]] */
    float *delta[2];               /* ping-pong [batch, max width] */
    float *grad;                   /* [n_params] */
} ae_work_t;

void ae_work_create(ae_work_t *work, const ae_t *ae, int max_batch);
void ae_work_free(ae_work_t *work);

/* Forward pass of x [batch, length]; the reconstruction is
 * work->act[n_layers] [batch, length]. */
void ae_forward(const ae_t *ae, ae_work_t *work, const float *x, int batch);
/* After ae_forward on the same x: returns the batch loss, mean over all
 * batch*length squared errors (PyTorch MSELoss), and writes its gradient
 * with respect to every parameter into work->grad. */
float ae_backward(const ae_t *ae, ae_work_t *work, const float *x, int batch);
/* Per-beat loss: loss[i] = mean over the row of (recon - x)^2, for
 * x [n, length]; works through x in batches of work->max_batch. Also
 * writes reconstructions into recon [n, length] when recon is not NULL. */
void ae_loss_rows(const ae_t *ae, ae_work_t *work, const float *x, int64_t n,
                  float *loss, float *recon);

typedef struct {
    double lr, beta1, beta2, eps;
    int64_t t;      /* steps taken */
    int64_t n;      /* parameters */
    float *m, *v;   /* [n] first and second moments, owned */
} adam_t;

void adam_create(adam_t *adam, int64_t n, double lr, double beta1,
                 double beta2, double eps);
void adam_free(adam_t *adam);
/* One PyTorch-style Adam step (bias-corrected, eps outside the sqrt). */
void adam_step(adam_t *adam, float *params, const float *grad);

/* Training of one member on its shard x [n, length]. */
typedef struct {
    int epochs, batch;
    int epoch;          /* epochs done (a resumed run starts here) */
    rng_t rng;          /* shuffles; saved by checkpoints */
    float *history;     /* [epochs] mean training loss per epoch */
} train_state_t;

/* Called after every epoch, st->epoch already counting it; returning
 * non-zero stops training with that status (a checkpoint writer that
 * failed, say). */
typedef int (*train_epoch_fn)(void *user, const ae_t *ae, const adam_t *adam,
                              const train_state_t *st, double seconds);

/* Runs epochs st->epoch .. st->epochs-1 over x, reshuffled every epoch,
 * the last batch possibly short. Each epoch's order depends on st->rng
 * alone, so a run resumed from a checkpoint continues bit for bit.
 * st->history (caller-owned) and on_epoch may be NULL. Returns 0, the
 * callback's status, or -1 (err_set) for n < 1, st->batch < 1, or an
 * epoch whose loss is not finite (training diverged). */
int ae_train(ae_t *ae, adam_t *adam, train_state_t *st, const float *x,
             int64_t n, train_epoch_fn on_epoch, void *user);

#endif
