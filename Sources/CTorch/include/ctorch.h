/*
 * ctorch.h — a small C API over libtorch for Strata.
 *
 * Conventions (after tch-rs's torch_api.h and mlx-c):
 *  - Handles are typed and opaque. Every handle a function returns through an out-parameter is
 *    new and owned by the caller, who frees it with the matching *_free. Inputs are borrowed.
 *  - Every function that can fail returns an int status: 0 on success, non-zero on error. The
 *    message of the last error on the calling thread is ct_last_error(). No C++ exception ever
 *    crosses this boundary.
 *  - Devices are encoded as an int: CT_DEVICE_CPU (-1) or a CUDA device index (>= 0).
 */
#ifndef CTORCH_H
#define CTORCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_tensor_s *ct_tensor;
typedef struct ct_generator_s *ct_generator;
typedef struct ct_optimizer_s *ct_optimizer;

enum { CT_DEVICE_CPU = -1 };

typedef enum {
    CT_FLOAT32 = 0,
    CT_FLOAT64 = 1,
    CT_INT64 = 2,
    CT_UINT8 = 3,
    CT_BOOL = 4,
    CT_INT32 = 5,
    CT_FLOAT16 = 6,
    CT_BFLOAT16 = 7
} ct_dtype;

typedef enum {
    CT_ADD = 0, CT_SUB, CT_MUL, CT_DIV, CT_POW, CT_MAXIMUM, CT_MINIMUM,
    CT_EQ, CT_NE, CT_LT, CT_LE, CT_GT, CT_GE, CT_LOGICAL_AND, CT_LOGICAL_OR
} ct_binary_op;

typedef enum {
    CT_NEG = 0, CT_EXP, CT_LOG, CT_SQRT, CT_RSQRT, CT_ABS, CT_RELU, CT_GELU, CT_GELU_TANH, CT_TANH,
    CT_SIGMOID, CT_ISFINITE, CT_LOGICAL_NOT, CT_SIGN, CT_FLOOR, CT_SQUARE
} ct_unary_op;

typedef enum { CT_SUM = 0, CT_MEAN, CT_AMAX, CT_AMIN, CT_PROD } ct_reduce_op;

typedef enum { CT_REDUCTION_NONE = 0, CT_REDUCTION_MEAN = 1, CT_REDUCTION_SUM = 2 } ct_reduction;

typedef enum { CT_SGD = 0, CT_ADAM = 1, CT_ADAMW = 2 } ct_optimizer_kind;

/* Errors, threads, seeds, devices. */
const char *ct_last_error(void);
const char *ct_version(void);
void ct_set_num_threads(int n);
int ct_get_num_threads(void);
void ct_manual_seed(uint64_t seed);
bool ct_cuda_is_available(void);
/* How CUDA was set up as the process started: loaded, absent from this libtorch, or why it did not load. */
const char *ct_cuda_status(void);
int ct_cuda_device_count(void);
bool ct_set_grad_enabled(bool enabled); /* returns the previous mode (thread-local) */
bool ct_is_grad_enabled(void);
bool ct_set_flush_denormal(bool on); /* flush denormal floats to zero on this thread (x86: FTZ and DAZ); returns the previous mode */

/* Generators. A NULL generator means libtorch's default CPU generator. */
int ct_generator_new(uint64_t seed, ct_generator *out);
void ct_generator_free(ct_generator g);
int ct_generator_get_state(ct_generator g, ct_tensor *out);
int ct_generator_set_state(ct_generator g, ct_tensor state);

/* Tensor lifetime and inspection. */
void ct_free(ct_tensor t);
int ct_ndim(ct_tensor t);
int ct_shape(ct_tensor t, int64_t *out, int capacity); /* returns ndim, or -1 on error */
int64_t ct_numel(ct_tensor t);
int ct_dtype_of(ct_tensor t);
int ct_device_of(ct_tensor t);
bool ct_requires_grad(ct_tensor t);
bool ct_defined(ct_tensor t);
int ct_item(ct_tensor t, double *out);
int ct_to_string(ct_tensor t, char *buffer, size_t capacity);

/* Creation. */
int ct_empty(const int64_t *shape, int ndim, int dtype, int device, ct_tensor *out);
int ct_full(const int64_t *shape, int ndim, double value, int dtype, int device, ct_tensor *out);
int ct_arange(double start, double end, double step, int dtype, int device, ct_tensor *out);
int ct_eye(int64_t n, int dtype, int device, ct_tensor *out);
int ct_randn(const int64_t *shape, int ndim, int dtype, int device, ct_generator g, ct_tensor *out);
int ct_rand(const int64_t *shape, int ndim, int dtype, int device, ct_generator g, ct_tensor *out);
int ct_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, int device, ct_generator g,
               ct_tensor *out);
int ct_randperm(int64_t n, int device, ct_generator g, ct_tensor *out);
/* Copies nbytes from host memory into a new CPU tensor of the given shape and dtype. */
int ct_from_host(const void *data, size_t nbytes, const int64_t *shape, int ndim, int dtype, ct_tensor *out);
/* Copies the tensor's values (converted to dtype) into host memory of nbytes. */
int ct_to_host(ct_tensor t, void *data, size_t nbytes, int dtype);

/* Shape. */
int ct_reshape(ct_tensor t, const int64_t *shape, int ndim, ct_tensor *out);
int ct_permute(ct_tensor t, const int64_t *dims, int ndim, ct_tensor *out);
int ct_transpose(ct_tensor t, int64_t d0, int64_t d1, ct_tensor *out);
int ct_flatten(ct_tensor t, int64_t start, int64_t end, ct_tensor *out);
int ct_cat(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out);
int ct_stack(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out);
int ct_narrow(ct_tensor t, int64_t dim, int64_t start, int64_t length, ct_tensor *out);
/* Views of the `count` entries of dimension `dim` (count must be its size), that dimension removed; their
   gradients flow back as one stacked tensor (narrowing instead pads each with zeros and adds them). */
int ct_unbind(ct_tensor t, int64_t dim, int64_t count, ct_tensor *outs);
int ct_index_select(ct_tensor t, int64_t dim, ct_tensor index, ct_tensor *out);
int ct_gather(ct_tensor t, int64_t dim, ct_tensor index, ct_tensor *out);
int ct_squeeze(ct_tensor t, int64_t dim, ct_tensor *out);
int ct_unsqueeze(ct_tensor t, int64_t dim, ct_tensor *out);
int ct_expand(ct_tensor t, const int64_t *shape, int ndim, ct_tensor *out);
int ct_contiguous(ct_tensor t, ct_tensor *out);
/* A 4-D tensor in channels-last (NHWC) memory order, same shape; oneDNN's convolutions keep that order. */
int ct_channels_last(ct_tensor t, ct_tensor *out);
/* 1 when `t` is 4-D and laid out channels-last, else 0 (never an error). */
int ct_is_channels_last(ct_tensor t);
int ct_flip(ct_tensor t, const int64_t *dims, int ndim, ct_tensor *out);
int ct_pad(ct_tensor t, const int64_t *pad, int npad, double value, ct_tensor *out); /* constant pad */
int ct_diagonal(ct_tensor t, ct_tensor *out);

/* Conversion and copies. */
int ct_clone(ct_tensor t, ct_tensor *out);
int ct_detach(ct_tensor t, ct_tensor *out);
int ct_to_dtype(ct_tensor t, int dtype, ct_tensor *out);
int ct_to_device(ct_tensor t, int device, ct_tensor *out);
int ct_copy_(ct_tensor dst, ct_tensor src); /* in place, without recording autograd */

/* Math. */
int ct_binary(int op, ct_tensor a, ct_tensor b, ct_tensor *out);
int ct_binary_scalar(int op, ct_tensor a, double s, ct_tensor *out);
int ct_unary(int op, ct_tensor a, ct_tensor *out);
/* In place, for inference without autograd: a = relu(a); a += b (b broadcast to a's shape). */
/* Grouped multinomial logistic regressions by full-batch Adam, in place on `flat` (contiguous float32, any device), which
   `weights` (group k: taps × classes × d, views of it in order) tile. `inputs[k]` is taps × d × n, `scaled[k]` the
   same features as taps × n × d divided by n, `targets` the one-hot labels as classes × n. */
int ct_grouped_softmax_adam(ct_tensor flat, const ct_tensor *weights, const ct_tensor *inputs,
                            const ct_tensor *scaled, int groups, ct_tensor targets, int steps,
                            double lr, double weight_decay, double beta1, double beta2, double eps);
int ct_relu_inplace(ct_tensor a);
int ct_add_inplace(ct_tensor a, ct_tensor b);
int ct_matmul(ct_tensor a, ct_tensor b, ct_tensor *out);
int ct_linear(ct_tensor x, ct_tensor w, ct_tensor b /* nullable */, ct_tensor *out);
int ct_clamp(ct_tensor t, double lo, double hi, bool has_lo, bool has_hi, ct_tensor *out);
int ct_where(ct_tensor cond, ct_tensor a, ct_tensor b, ct_tensor *out);
int ct_reduce(int op, ct_tensor t, const int64_t *dims, int ndims /* 0 = all */, bool keepdim, ct_tensor *out);
int ct_max_dim(ct_tensor t, int64_t dim, bool keepdim, ct_tensor *values, ct_tensor *indices);
int ct_argmax(ct_tensor t, int64_t dim, bool keepdim, ct_tensor *out);
int ct_median(ct_tensor t, ct_tensor *out);
/* x·xᵀ of a matrix, exactly symmetric; with lower_only, only its lower triangle and diagonal (zeros above).
 * A CPU float64 matrix outside autograd goes through BLAS dsyrk when the process has one (half the flops of a
 * general product); anything else (and PyTorch's wheels, which do not export it) through a matrix product whose
 * lower triangle is mirrored. */
int ct_gram(ct_tensor x, bool lower_only, ct_tensor *out);
/* The 2×L (row, column) Int64 indices of the lower triangle of an n×n matrix down from diagonal `offset`,
 * row-major. */
int ct_tril_indices(int64_t n, int64_t offset, int device, ct_tensor *out);
/* The lower triangle of a square matrix (diagonal included, row-major) as a float64 vector of n(n+1)/2 entries,
 * off-diagonal entries multiplied by `off_diagonal_scale`; with `means` (n values, nullable), each entry (i, j)
 * first gets m_i + m_j − mean(m) subtracted (double centring of a symmetric matrix by its row means). */
int ct_pack_lower(ct_tensor k, ct_tensor means, double off_diagonal_scale, ct_tensor *out);
int ct_softmax(ct_tensor t, int64_t dim, ct_tensor *out);
int ct_log_softmax(ct_tensor t, int64_t dim, ct_tensor *out);
/* softmax(q·kᵀ/√d)·v over the last two dims of (…, tokens, d) tensors, libtorch's fused kernel (flash attention on
   CPU and CUDA where it applies); attention weights dropped out with probability dropout_p (0 in evaluation). */
int ct_scaled_dot_product_attention(ct_tensor q, ct_tensor k, ct_tensor v, double dropout_p, ct_tensor *out);

/* Neural-network functions. Array parameters of pools and convolutions hold two values (h, w). */
int ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b /* nullable */, const int64_t *stride,
              const int64_t *padding, const int64_t *dilation, int64_t groups, ct_tensor *out);
int ct_batch_norm(ct_tensor x, ct_tensor weight, ct_tensor bias, ct_tensor running_mean, ct_tensor running_var,
                  bool training, double momentum, double eps, ct_tensor *out); /* all but x nullable */
int ct_layer_norm(ct_tensor x, const int64_t *shape, int ndim, ct_tensor weight, ct_tensor bias, double eps,
                  ct_tensor *out);
int ct_dropout(ct_tensor x, double p, bool training, ct_tensor *out);
int ct_max_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                  ct_tensor *out);
int ct_avg_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                  ct_tensor *out);
int ct_adaptive_avg_pool2d(ct_tensor x, const int64_t *output_size, ct_tensor *out);
int ct_cross_entropy(ct_tensor logits, ct_tensor target, int reduction, double label_smoothing, ct_tensor *out);

/* Autograd. */
int ct_set_requires_grad(ct_tensor t, bool requires);
int ct_backward(ct_tensor t);
int ct_grad(ct_tensor t, ct_tensor *out); /* *out is NULL when the tensor has no gradient */
int ct_zero_grad(ct_tensor t);
int ct_set_grad(ct_tensor t, ct_tensor grad); /* a gradient computed by hand, for an optimizer step */

/* Optimizers over a fixed list of parameters (one group). */
int ct_optimizer_new(int kind, const ct_tensor *params, int n, double lr, double momentum, double dampening,
                     double weight_decay, bool nesterov, double beta1, double beta2, double eps,
                     ct_optimizer *out);
void ct_optimizer_free(ct_optimizer o);
int ct_optimizer_step(ct_optimizer o);
int ct_optimizer_zero_grad(ct_optimizer o);
int ct_optimizer_set_lr(ct_optimizer o, double lr);
int ct_optimizer_get_lr(ct_optimizer o, double *out);
int ct_optimizer_save(ct_optimizer o, const char *path);
int ct_optimizer_load(ct_optimizer o, const char *path);

/* Named tensors in a file (libtorch's archive format). */
int ct_save(const char *path, const char *const *names, const ct_tensor *ts, int n);
/* Reads the tensors with the given names; fails naming the first that is missing. */
int ct_load(const char *path, const char *const *names, int n, ct_tensor *out);

#ifdef __cplusplus
}
#endif

#endif
