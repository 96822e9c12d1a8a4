/*
 * nn.c — the dense autoencoder of nn.h: building and initialising it, the
 * forward and backward passes on cblas_sgemm, Adam, and the epoch loop.
 *
 * Deliberately small: one activation (ReLU), one loss (mean squared error),
 * one optimiser (Adam, no weight decay). Every buffer is allocated up
 * front, so a training step never calls malloc.
 */
#include "nn.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"

int ae_create(ae_t *ae, int length, const int *enc, int n_enc)
{
    int64_t off = 0;

    memset(ae, 0, sizeof *ae);
    if (length < 1)
        return err_set("beat length must be at least 1, not %d", length);
    if (n_enc < 1 || 2 * n_enc > AE_MAX_LAYERS)
        return err_set("the encoder needs 1 to %d layers, not %d",
                       AE_MAX_LAYERS / 2, n_enc);
    for (int i = 0; i < n_enc; i++)
        if (enc[i] < 1)
            return err_set("encoder layer %d has size %d; sizes must be "
                           "at least 1", i + 1, enc[i]);

    /* length -> enc[0] .. enc[n_enc-1] -> enc[n_enc-2] .. enc[0] -> length */
    ae->n_layers = 2 * n_enc;
    ae->latent = n_enc - 1;
    ae->sizes[0] = length;
    for (int i = 0; i < n_enc; i++)
        ae->sizes[i + 1] = enc[i];
    for (int i = 0; i < n_enc - 1; i++)
        ae->sizes[n_enc + 1 + i] = enc[n_enc - 2 - i];
    ae->sizes[ae->n_layers] = length;

    for (int l = 0; l < ae->n_layers; l++)
        off += (int64_t)ae->sizes[l + 1] * (ae->sizes[l] + 1);
    ae->n_params = off;
    ae->params = xcalloc((size_t)off, sizeof *ae->params);
    for (int l = 0; l < ae->n_layers; l++) {
        ae->w[l] = ae->params + ae_weight_offset(ae, l);
        ae->b[l] = ae->params + ae_bias_offset(ae, l);
    }
    return 0;
}

void ae_init(ae_t *ae, rng_t *rng)
{
    for (int l = 0; l < ae->n_layers; l++) {
        int in = ae->sizes[l], out = ae->sizes[l + 1];
        double bound = 1.0 / sqrt((double)in);

        for (int64_t i = 0; i < (int64_t)out * in; i++)
            ae->w[l][i] = (float)((2.0 * rng_uniform(rng) - 1.0) * bound);
        for (int i = 0; i < out; i++)
            ae->b[l][i] = (float)((2.0 * rng_uniform(rng) - 1.0) * bound);
    }
}

void ae_free(ae_t *ae)
{
    free(ae->params);
    memset(ae, 0, sizeof *ae);
}

int64_t ae_weight_offset(const ae_t *ae, int l)
{
    int64_t off = 0;
    for (int k = 0; k < l; k++)
        off += (int64_t)ae->sizes[k + 1] * (ae->sizes[k] + 1);
    return off;
}

int64_t ae_bias_offset(const ae_t *ae, int l)
{
    return ae_weight_offset(ae, l) + (int64_t)ae->sizes[l + 1] * ae->sizes[l];
}

void ae_work_create(ae_work_t *work, const ae_t *ae, int max_batch)
{
    int width = 0;

    memset(work, 0, sizeof *work);
    work->max_batch = max_batch;
    for (int l = 0; l <= ae->n_layers; l++) {
        work->act[l] = xmalloc((size_t)max_batch * ae->sizes[l] *
                               sizeof(float));
        if (ae->sizes[l] > width)
            width = ae->sizes[l];
    }
    for (int k = 0; k < 2; k++)
        work->delta[k] = xmalloc((size_t)max_batch * width * sizeof(float));
    work->grad = xcalloc((size_t)ae->n_params, sizeof(float));
}

void ae_work_free(ae_work_t *work)
{
    for (int l = 0; l <= AE_MAX_LAYERS; l++)
        free(work->act[l]);
    free(work->delta[0]);
    free(work->delta[1]);
    free(work->grad);
    memset(work, 0, sizeof *work);
}

static int layer_has_relu(const ae_t *ae, int l)
{
    return l != ae->latent && l != ae->n_layers - 1;
}

/* y [batch, out] = x [batch, in] W^T + b, then ReLU when relu is set. */
static void layer_forward(float *y, const float *x, const float *w,
                          const float *b, int batch, int in, int out,
                          int relu)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, out, in,
                1.0f, x, in, w, in, 0.0f, y, out);

    for (int i = 0; i < batch; i++) {
        float *row = y + (int64_t)i * out;
        for (int j = 0; j < out; j++) {
            row[j] += b[j];
            if (relu && row[j] < 0.0f)
                row[j] = 0.0f;
        }
    }
}

/* Given dy [batch, out], the gradient at layer l's output after its
 * activation: writes dW [out, in] and db [out], and dx [batch, in] unless
 * dx is NULL. y is the layer's output [batch, out], x its input. */
static void layer_backward(float *dx, float *dw, float *db, float *dy,
                           const float *x, const float *y, const float *w,
                           int batch, int in, int out, int relu)
{
    int64_t n = (int64_t)batch * out;

    /* ReLU passes gradient only where its output is positive, as in
     * PyTorch (the kink at zero gets gradient 0). */
    if (relu)
        for (int64_t i = 0; i < n; i++)
            if (y[i] <= 0.0f)
                dy[i] = 0.0f;

    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, batch,
                1.0f, dy, out, x, in, 0.0f, dw, in);

    for (int j = 0; j < out; j++)
        db[j] = 0.0f;
    for (int i = 0; i < batch; i++)
        for (int j = 0; j < out; j++)
            db[j] += dy[(int64_t)i * out + j];

    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, in,
                    out, 1.0f, dy, out, w, in, 0.0f, dx, in);
}

void ae_forward(const ae_t *ae, ae_work_t *work, const float *x, int batch)
{
    memcpy(work->act[0], x, (size_t)batch * ae->sizes[0] * sizeof(float));
    for (int l = 0; l < ae->n_layers; l++)
        layer_forward(work->act[l + 1], work->act[l], ae->w[l], ae->b[l],
                      batch, ae->sizes[l], ae->sizes[l + 1],
                      layer_has_relu(ae, l));
}

float ae_backward(const ae_t *ae, ae_work_t *work, const float *x, int batch)
{
    int L = ae->n_layers;
    int64_t count = (int64_t)batch * ae->sizes[L];
    const float *recon = work->act[L];
    float *dy = work->delta[0], *dx = work->delta[1];
    double sum = 0.0;
    float scale = 2.0f / (float)count;

    /* d/d recon of mean((recon - x)^2) is 2 (recon - x) / count. */
    for (int64_t i = 0; i < count; i++) {
        float r = recon[i] - x[i];
        sum += (double)r * r;
        dy[i] = scale * r;
    }

    for (int l = L - 1; l >= 0; l--) {
        float *t;
        layer_backward(l > 0 ? dx : NULL, work->grad + ae_weight_offset(ae, l),
                       work->grad + ae_bias_offset(ae, l), dy, work->act[l],
                       work->act[l + 1], ae->w[l], batch, ae->sizes[l],
                       ae->sizes[l + 1], layer_has_relu(ae, l));
        t = dy;
        dy = dx;
        dx = t;
    }
    return (float)(sum / (double)count);
}

void ae_loss_rows(const ae_t *ae, ae_work_t *work, const float *x, int64_t n,
                  float *loss, float *recon)
{
    int len = ae->sizes[0];

    for (int64_t start = 0; start < n; start += work->max_batch) {
        int batch = (int)(n - start < work->max_batch ? n - start
                                                      : work->max_batch);
        const float *xb = x + start * len;
        const float *out = work->act[ae->n_layers];

        ae_forward(ae, work, xb, batch);
        for (int i = 0; i < batch; i++) {
            double sum = 0.0;
            for (int j = 0; j < len; j++) {
                double r = (double)out[i * len + j] - xb[i * len + j];
                sum += r * r;
            }
            loss[start + i] = (float)(sum / len);
        }
        if (recon)
            memcpy(recon + start * len, out,
                   (size_t)batch * len * sizeof(float));
    }
}

void adam_create(adam_t *adam, int64_t n, double lr, double beta1,
                 double beta2, double eps)
{
    adam->lr = lr;
    adam->beta1 = beta1;
    adam->beta2 = beta2;
    adam->eps = eps;
    adam->t = 0;
    adam->n = n;
    adam->m = xcalloc((size_t)n, sizeof(float));
    adam->v = xcalloc((size_t)n, sizeof(float));
}

void adam_free(adam_t *adam)
{
    free(adam->m);
    free(adam->v);
    memset(adam, 0, sizeof *adam);
}

void adam_step(adam_t *adam, float *params, const float *grad)
{
    double bc1, bc2;
    float b1, b2, step, bc2_sqrt, eps;

    adam->t++;
    bc1 = 1.0 - pow(adam->beta1, (double)adam->t);
    bc2 = 1.0 - pow(adam->beta2, (double)adam->t);
    b1 = (float)adam->beta1;
    b2 = (float)adam->beta2;
    step = (float)(adam->lr / bc1);
    bc2_sqrt = (float)sqrt(bc2);
    eps = (float)adam->eps;

    /* The same arrangement as PyTorch's: the corrections fold into the
     * step size and into sqrt(v), with eps added after the division. */
    for (int64_t i = 0; i < adam->n; i++) {
        float g = grad[i];
        adam->m[i] = b1 * adam->m[i] + (1.0f - b1) * g;
        adam->v[i] = b2 * adam->v[i] + (1.0f - b2) * g * g;
        params[i] -= step * adam->m[i] / (sqrtf(adam->v[i]) / bc2_sqrt + eps);
    }
}

/* One pass over x in the order idx, in batches of work->max_batch;
 * returns the mean loss over all rows. */
static double train_epoch(ae_t *ae, adam_t *adam, ae_work_t *work,
                          float *xb, const float *x, const int64_t *idx,
                          int64_t n)
{
    int len = ae->sizes[0];
    double total = 0.0;

    for (int64_t start = 0; start < n; start += work->max_batch) {
        int batch = (int)(n - start < work->max_batch ? n - start
                                                      : work->max_batch);
        float loss;

        for (int i = 0; i < batch; i++)
            memcpy(xb + (int64_t)i * len, x + idx[start + i] * len,
                   (size_t)len * sizeof(float));
        ae_forward(ae, work, xb, batch);
        loss = ae_backward(ae, work, xb, batch);
        adam_step(adam, ae->params, work->grad);
        total += (double)loss * batch;
    }
    return total / (double)n;
}

int ae_train(ae_t *ae, adam_t *adam, train_state_t *st, const float *x,
             int64_t n, train_epoch_fn on_epoch, void *user)
{
    ae_work_t work;
    int64_t *idx;
    float *xb;
    int status = 0;

    if (n < 1)
        return err_set("cannot train on an empty shard");
    if (st->batch < 1)
        return err_set("batch size must be at least 1, not %d", st->batch);

    ae_work_create(&work, ae, st->batch);
    idx = xmalloc((size_t)n * sizeof *idx);
    xb = xmalloc((size_t)st->batch * ae->sizes[0] * sizeof *xb);

    while (st->epoch < st->epochs && status == 0) {
        double t0 = clock_seconds(), loss;

        /* Restart from the identity every epoch so that the order depends
         * on the rng state alone, which a checkpoint saves. */
        for (int64_t i = 0; i < n; i++)
            idx[i] = i;
        rng_shuffle(&st->rng, idx, n);
        loss = train_epoch(ae, adam, &work, xb, x, idx, n);

        if (!isfinite(loss)) {
            /* Nothing useful can come after this: say so, do not go on. */
            status = err_set("training diverged in epoch %d: the loss is "
                             "%s (lower train.lr, or look for extreme "
                             "values in the shard)", st->epoch + 1,
                             isnan(loss) ? "NaN" : "infinite");
            break;
        }
        if (st->history)
            st->history[st->epoch] = (float)loss;
        st->epoch++;
        if (on_epoch)
            status = on_epoch(user, ae, adam, st, clock_seconds() - t0);
    }

    free(xb);
    free(idx);
    ae_work_free(&work);
    return status;
}
