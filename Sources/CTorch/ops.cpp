// Tensor operations of the CTorch shim. Everything here uses ATen only, which compiles faster
// than the full torch API; batch norm lives in norm.cpp, optimizers and serialization in optim.cpp.
#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>
#include <climits>
#include <cmath>
#include <cstring>
#include <malloc.h>
#include <dlfcn.h>
#include <sstream>
#include <vector>

#include "internal.h"

namespace ctorch {
namespace {
thread_local std::string last_error;

// Training allocates and frees the same large activation and gradient buffers every step. With
// glibc's defaults, blocks above the (adaptive) mmap threshold go back to the kernel on free and
// fault in again on the next step; keeping them in the heap makes a training step about 20% faster
// on small models. Set once when the shim loads.
struct AllocatorTuning {
    AllocatorTuning() {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
    }
} allocator_tuning;

at::IntArrayRef dims(const int64_t *p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

std::vector<at::Tensor> tensors(const ct_tensor *ts, int n) {
    std::vector<at::Tensor> v;
    v.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; i++) v.push_back(ts[i]->t);
    return v;
}

at::Tensor apply_binary(int op, const at::Tensor &a, const at::Tensor &b) {
    switch (op) {
    case CT_ADD: return at::add(a, b);
    case CT_SUB: return at::sub(a, b);
    case CT_MUL: return at::mul(a, b);
    case CT_DIV: return at::div(a, b);
    case CT_POW: return at::pow(a, b);
    case CT_MAXIMUM: return at::maximum(a, b);
    case CT_MINIMUM: return at::minimum(a, b);
    case CT_EQ: return at::eq(a, b);
    case CT_NE: return at::ne(a, b);
    case CT_LT: return at::lt(a, b);
    case CT_LE: return at::le(a, b);
    case CT_GT: return at::gt(a, b);
    case CT_GE: return at::ge(a, b);
    case CT_LOGICAL_AND: return at::logical_and(a, b);
    case CT_LOGICAL_OR: return at::logical_or(a, b);
    }
    throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

at::Tensor apply_binary_scalar(int op, const at::Tensor &a, double s) {
    at::Scalar x(s);
    switch (op) {
    case CT_ADD: return at::add(a, x);
    case CT_SUB: return at::sub(a, x);
    case CT_MUL: return at::mul(a, x);
    case CT_DIV: return at::div(a, x);
    case CT_POW: return at::pow(a, x);
    case CT_MAXIMUM: return at::clamp_min(a, x);
    case CT_MINIMUM: return at::clamp_max(a, x);
    case CT_EQ: return at::eq(a, x);
    case CT_NE: return at::ne(a, x);
    case CT_LT: return at::lt(a, x);
    case CT_LE: return at::le(a, x);
    case CT_GT: return at::gt(a, x);
    case CT_GE: return at::ge(a, x);
    }
    throw std::invalid_argument("binary op " + std::to_string(op) + " takes no scalar");
}

at::Tensor apply_unary(int op, const at::Tensor &a) {
    switch (op) {
    case CT_NEG: return at::neg(a);
    case CT_EXP: return at::exp(a);
    case CT_LOG: return at::log(a);
    case CT_SQRT: return at::sqrt(a);
    case CT_RSQRT: return at::rsqrt(a);
    case CT_ABS: return at::abs(a);
    case CT_RELU: return at::relu(a);
    case CT_GELU: return at::gelu(a);
    case CT_GELU_TANH: return at::gelu(a, "tanh");
    case CT_TANH: return at::tanh(a);
    case CT_SIGMOID: return at::sigmoid(a);
    case CT_ISFINITE: return at::isfinite(a);
    case CT_LOGICAL_NOT: return at::logical_not(a);
    case CT_SIGN: return at::sign(a);
    case CT_FLOOR: return at::floor(a);
    case CT_SQUARE: return at::mul(a, a);
    }
    throw std::invalid_argument("unknown unary op " + std::to_string(op));
}

at::Tensor apply_reduce(int op, const at::Tensor &t, at::IntArrayRef d, bool keepdim) {
    bool all = d.empty();
    switch (op) {
    case CT_SUM: return all && !keepdim ? at::sum(t) : at::sum(t, all ? at::IntArrayRef{} : d, keepdim);
    case CT_MEAN: return all && !keepdim ? at::mean(t) : at::mean(t, d, keepdim);
    case CT_AMAX: return at::amax(t, d, keepdim);
    case CT_AMIN: return at::amin(t, d, keepdim);
    case CT_PROD:
        if (all) return at::prod(t);
        if (d.size() != 1) throw std::invalid_argument("prod reduces over one dimension at a time");
        return at::prod(t, d[0], keepdim);
    }
    throw std::invalid_argument("unknown reduction " + std::to_string(op));
}
// Fortran BLAS dsyrk (with the hidden lengths of its two character arguments).
using dsyrk_fn = void (*)(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
                          const double *a, const int *lda, const double *beta, double *c, const int *ldc, size_t,
                          size_t);

// Looked up at run time: a libtorch linked against a shared BLAS (OpenBLAS) has it; PyTorch's wheels, whose MKL is
// linked in statically, do not export it.
dsyrk_fn find_dsyrk() {
    static const dsyrk_fn fn = reinterpret_cast<dsyrk_fn>(dlsym(RTLD_DEFAULT, "dsyrk_"));
    return fn;
}

at::Tensor gram(const at::Tensor &x, bool lower_only) {
    if (x.dim() != 2) throw std::invalid_argument("gram expects a matrix, got " + std::to_string(x.dim()) + " dims");
    dsyrk_fn dsyrk = find_dsyrk();
    bool tracked = x.requires_grad() && at::GradMode::is_enabled();
    if (dsyrk == nullptr || !x.device().is_cpu() || x.scalar_type() != at::kDouble || tracked || x.size(0) == 0 ||
        x.size(1) == 0 || x.size(0) > INT_MAX || x.size(1) > INT_MAX) {
        // The lower triangle, mirrored: exactly symmetric, and its lower triangle is what lower_only returns.
        at::Tensor k = at::matmul(x, x.t()).tril();
        return lower_only ? k : k + k.tril(-1).t();
    }
    at::Tensor a = x.contiguous();
    const int n = static_cast<int>(a.size(0)), k = static_cast<int>(a.size(1));
    at::Tensor c = at::zeros({n, n}, a.options());
    const char uplo = 'U', trans = 'T';
    const double alpha = 1, beta = 0;
    // Row-major x (n×k) is column-major xᵀ (k×n, lda = k): C = (xᵀ)ᵀ·xᵀ with trans = 'T'. BLAS fills the
    // column-major upper triangle, which is the row-major lower one; mirror it.
    dsyrk(&uplo, &trans, &n, &k, &alpha, a.data_ptr<double>(), &k, &beta, c.data_ptr<double>(), &n, 1, 1);
    return lower_only ? c : c + c.tril(-1).t();
}
at::Tensor pack_lower(const at::Tensor &matrix, const c10::optional<at::Tensor> &row_means, double scale) {
    if (matrix.dim() != 2 || matrix.size(0) != matrix.size(1))
        throw std::invalid_argument("pack_lower expects a square matrix");
    const int64_t n = matrix.size(0);
    if (row_means && (row_means->dim() != 1 || row_means->size(0) != n))
        throw std::invalid_argument("pack_lower expects " + std::to_string(n) + " row means");
    at::Tensor k = matrix.to(at::kDouble).contiguous();
    if (!k.device().is_cpu()) {  // the same entries through indexing ops
        at::Tensor rc = at::tril_indices(n, n, 0, k.options().dtype(at::kLong));
        at::Tensor rows = rc[0], cols = rc[1];
        at::Tensor v = k.reshape({-1}).index_select(0, rows * n + cols);
        if (row_means) {
            at::Tensor m = row_means->to(k.options());
            v = v - m.index_select(0, rows) - m.index_select(0, cols) + m.mean();
        }
        return at::where(rows == cols, v, v * scale);
    }
    at::Tensor m = row_means ? row_means->to(at::kDouble).contiguous() : at::Tensor();
    const double *mp = row_means ? m.data_ptr<double>() : nullptr;
    const double grand = row_means ? m.mean().item<double>() : 0;
    at::Tensor out = at::empty({n * (n + 1) / 2}, k.options());
    const double *kp = k.data_ptr<double>();
    double *op = out.data_ptr<double>();
    at::parallel_for(0, n, 64, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) {
            const double *row = kp + i * n;
            double *dst = op + i * (i + 1) / 2;
            const double mi = mp ? mp[i] - grand : 0;
            for (int64_t j = 0; j < i; j++) dst[j] = (row[j] - (mp ? mi + mp[j] : 0)) * scale;
            dst[i] = row[i] - (mp ? mi + mp[i] : 0);
        }
    });
    return out;
}
}  // namespace

void set_error(const std::string &message) { last_error = message; }
}  // namespace ctorch

using namespace ctorch;

extern "C" {

const char *ct_last_error(void) { return last_error.c_str(); }
void ct_set_num_threads(int n) {
    if (n <= 0) return;
    at::set_num_threads(n);
    // libtorch's thread count does not reach the BLAS: Debian's OpenBLAS (pthread build) keeps its own pool,
    // one thread per core, whose idle threads spin on sched_yield between calls. A one-thread task would use
    // every core for its matrix products and keep the others busy yielding. Found at run time, so that any
    // BLAS behind libtorch works.
    using set_threads = void (*)(int);
    if (auto f = reinterpret_cast<set_threads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(n);
}
int ct_get_num_threads(void) { return at::get_num_threads(); }
void ct_manual_seed(uint64_t seed) {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
}
bool ct_set_grad_enabled(bool enabled) {
    bool previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled);
    return previous;
}
bool ct_is_grad_enabled(void) { return at::GradMode::is_enabled(); }
bool ct_set_flush_denormal(bool on) {
#if defined(__x86_64__) || defined(_M_X64)
    bool previous = (_mm_getcsr() & 0x8040) == 0x8040;  // FTZ and DAZ
#else
    bool previous = false;
#endif
    at::globalContext().setFlushDenormal(on);
    return previous;
}

int ct_generator_new(uint64_t seed, ct_generator *out) {
    CT_TRY(*out = new ct_generator_s{at::detail::createCPUGenerator(seed)})
}
void ct_generator_free(ct_generator g) { delete g; }
int ct_generator_get_state(ct_generator g, ct_tensor *out) {
    CT_TRY({
        at::Generator gen = g ? g->g : at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        *out = wrap(gen.get_state());
    })
}
int ct_generator_set_state(ct_generator g, ct_tensor state) {
    CT_TRY({
        at::Generator gen = g ? g->g : at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(state->t);
    })
}

void ct_free(ct_tensor t) { delete t; }
int ct_ndim(ct_tensor t) { return static_cast<int>(t->t.dim()); }
int ct_shape(ct_tensor t, int64_t *out, int capacity) {
    int n = static_cast<int>(t->t.dim());
    if (n > capacity) return -1;
    for (int i = 0; i < n; i++) out[i] = t->t.size(i);
    return n;
}
int64_t ct_numel(ct_tensor t) { return t->t.numel(); }
int ct_dtype_of(ct_tensor t) { return dtype_code(t->t.scalar_type()); }
int ct_device_of(ct_tensor t) { return t->t.is_cuda() ? t->t.device().index() : CT_DEVICE_CPU; }
bool ct_requires_grad(ct_tensor t) { return t->t.requires_grad(); }
bool ct_defined(ct_tensor t) { return t != nullptr && t->t.defined(); }
int ct_item(ct_tensor t, double *out) { CT_TRY(*out = t->t.item<double>()) }
int ct_to_string(ct_tensor t, char *buffer, size_t capacity) {
    CT_TRY({
        std::ostringstream s;
        s << t->t;
        std::string text = s.str();
        size_t n = std::min(text.size(), capacity > 0 ? capacity - 1 : 0);
        std::memcpy(buffer, text.data(), n);
        if (capacity > 0) buffer[n] = 0;
    })
}

int ct_empty(const int64_t *shape, int ndim, int dtype, int device, ct_tensor *out) {
    CT_RETURN(at::empty(dims(shape, ndim), options(dtype, device)))
}
int ct_full(const int64_t *shape, int ndim, double value, int dtype, int device, ct_tensor *out) {
    CT_RETURN(at::full(dims(shape, ndim), value, options(dtype, device)))
}
int ct_arange(double start, double end, double step, int dtype, int device, ct_tensor *out) {
    CT_RETURN(at::arange(start, end, step, options(dtype, device)))
}
int ct_eye(int64_t n, int dtype, int device, ct_tensor *out) { CT_RETURN(at::eye(n, options(dtype, device))) }
int ct_randn(const int64_t *shape, int ndim, int dtype, int device, ct_generator g, ct_tensor *out) {
    CT_RETURN(at::randn(dims(shape, ndim), generator(g), options(dtype, device)))
}
int ct_rand(const int64_t *shape, int ndim, int dtype, int device, ct_generator g, ct_tensor *out) {
    CT_RETURN(at::rand(dims(shape, ndim), generator(g), options(dtype, device)))
}
int ct_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, int device, ct_generator g,
               ct_tensor *out) {
    CT_RETURN(at::randint(low, high, dims(shape, ndim), generator(g), options(CT_INT64, device)))
}
int ct_randperm(int64_t n, int device, ct_generator g, ct_tensor *out) {
    CT_RETURN(at::randperm(n, generator(g), options(CT_INT64, device)))
}
int ct_from_host(const void *data, size_t nbytes, const int64_t *shape, int ndim, int dtype, ct_tensor *out) {
    CT_TRY({
        at::Tensor t = at::empty(dims(shape, ndim), options(dtype, CT_DEVICE_CPU));
        size_t need = static_cast<size_t>(t.numel()) * t.element_size();
        if (need != nbytes)
            throw std::invalid_argument("host buffer holds " + std::to_string(nbytes) + " bytes but shape " +
                                        c10::str(t.sizes()) + " needs " + std::to_string(need));
        if (need > 0) std::memcpy(t.data_ptr(), data, need);
        *out = wrap(std::move(t));
    })
}
int ct_to_host(ct_tensor t, void *data, size_t nbytes, int dtype) {
    CT_TRY({
        at::Tensor c = t->t.detach().to(at::kCPU, scalar_type(dtype)).contiguous();
        size_t have = static_cast<size_t>(c.numel()) * c.element_size();
        if (have != nbytes)
            throw std::invalid_argument("tensor of shape " + c10::str(c.sizes()) + " holds " +
                                        std::to_string(have) + " bytes; host buffer has " + std::to_string(nbytes));
        if (have > 0) std::memcpy(data, c.data_ptr(), have);
    })
}

int ct_reshape(ct_tensor t, const int64_t *shape, int ndim, ct_tensor *out) {
    CT_RETURN(t->t.reshape(dims(shape, ndim)))
}
int ct_permute(ct_tensor t, const int64_t *d, int ndim, ct_tensor *out) { CT_RETURN(t->t.permute(dims(d, ndim))) }
int ct_transpose(ct_tensor t, int64_t d0, int64_t d1, ct_tensor *out) { CT_RETURN(t->t.transpose(d0, d1)) }
int ct_flatten(ct_tensor t, int64_t start, int64_t end, ct_tensor *out) { CT_RETURN(t->t.flatten(start, end)) }
int ct_cat(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out) { CT_RETURN(at::cat(tensors(ts, n), dim)) }
int ct_stack(const ct_tensor *ts, int n, int64_t dim, ct_tensor *out) { CT_RETURN(at::stack(tensors(ts, n), dim)) }
int ct_narrow(ct_tensor t, int64_t dim, int64_t start, int64_t length, ct_tensor *out) {
    CT_RETURN(t->t.narrow(dim, start, length))
}
int ct_unbind(ct_tensor t, int64_t dim, int64_t count, ct_tensor *outs) {
    CT_TRY({
        if (count != t->t.size(dim))
            throw std::invalid_argument("unbind: dimension " + std::to_string(dim) + " has " +
                                        std::to_string(t->t.size(dim)) + " entries, not " + std::to_string(count));
        std::vector<at::Tensor> parts = t->t.unbind(dim);
        for (int64_t i = 0; i < count; i++) outs[i] = wrap(parts[i]);
    })
}
int ct_index_select(ct_tensor t, int64_t dim, ct_tensor index, ct_tensor *out) {
    CT_RETURN(t->t.index_select(dim, index->t))
}
int ct_gather(ct_tensor t, int64_t dim, ct_tensor index, ct_tensor *out) { CT_RETURN(t->t.gather(dim, index->t)) }
int ct_squeeze(ct_tensor t, int64_t dim, ct_tensor *out) { CT_RETURN(t->t.squeeze(dim)) }
int ct_unsqueeze(ct_tensor t, int64_t dim, ct_tensor *out) { CT_RETURN(t->t.unsqueeze(dim)) }
int ct_expand(ct_tensor t, const int64_t *shape, int ndim, ct_tensor *out) {
    CT_RETURN(t->t.expand(dims(shape, ndim)))
}
int ct_contiguous(ct_tensor t, ct_tensor *out) { CT_RETURN(t->t.contiguous()) }
// Always a restrided copy: `contiguous(ChannelsLast)` returns a one-channel NCHW tensor unchanged (its strides
// already qualify), and oneDNN then does not choose its NHWC kernels.
int ct_channels_last(ct_tensor t, ct_tensor *out) {
    CT_RETURN(at::empty(t->t.sizes(), t->t.options(), at::MemoryFormat::ChannelsLast).copy_(t->t))
}
int ct_is_channels_last(ct_tensor t) {
    return t->t.dim() == 4 && t->t.suggest_memory_format() == at::MemoryFormat::ChannelsLast ? 1 : 0;
}
int ct_flip(ct_tensor t, const int64_t *d, int ndim, ct_tensor *out) { CT_RETURN(t->t.flip(dims(d, ndim))) }
int ct_pad(ct_tensor t, const int64_t *pad, int npad, double value, ct_tensor *out) {
    CT_RETURN(at::constant_pad_nd(t->t, dims(pad, npad), value))
}
int ct_diagonal(ct_tensor t, ct_tensor *out) { CT_RETURN(t->t.diagonal()) }

int ct_clone(ct_tensor t, ct_tensor *out) { CT_RETURN(t->t.clone()) }
int ct_detach(ct_tensor t, ct_tensor *out) { CT_RETURN(t->t.detach()) }
int ct_to_dtype(ct_tensor t, int dtype, ct_tensor *out) { CT_RETURN(t->t.to(scalar_type(dtype))) }
int ct_to_device(ct_tensor t, int dev, ct_tensor *out) { CT_RETURN(t->t.to(device(dev))) }
int ct_copy_(ct_tensor dst, ct_tensor src) {
    CT_TRY({
        at::NoGradGuard guard;
        dst->t.copy_(src->t);
    })
}

int ct_binary(int op, ct_tensor a, ct_tensor b, ct_tensor *out) { CT_RETURN(apply_binary(op, a->t, b->t)) }
int ct_binary_scalar(int op, ct_tensor a, double s, ct_tensor *out) {
    CT_RETURN(apply_binary_scalar(op, a->t, s))
}
int ct_unary(int op, ct_tensor a, ct_tensor *out) { CT_RETURN(apply_unary(op, a->t)) }
int ct_relu_inplace(ct_tensor a) { CT_TRY(a->t.relu_()) }
int ct_add_inplace(ct_tensor a, ct_tensor b) { CT_TRY(a->t.add_(b->t)) }
int ct_matmul(ct_tensor a, ct_tensor b, ct_tensor *out) { CT_RETURN(at::matmul(a->t, b->t)) }
int ct_linear(ct_tensor x, ct_tensor w, ct_tensor b, ct_tensor *out) {
    CT_RETURN(at::linear(x->t, w->t, optional(b)))
}
int ct_clamp(ct_tensor t, double lo, double hi, bool has_lo, bool has_hi, ct_tensor *out) {
    CT_RETURN(at::clamp(t->t, has_lo ? c10::optional<at::Scalar>(lo) : c10::nullopt,
                        has_hi ? c10::optional<at::Scalar>(hi) : c10::nullopt))
}
int ct_where(ct_tensor cond, ct_tensor a, ct_tensor b, ct_tensor *out) { CT_RETURN(at::where(cond->t, a->t, b->t)) }
int ct_reduce(int op, ct_tensor t, const int64_t *d, int ndims, bool keepdim, ct_tensor *out) {
    CT_RETURN(apply_reduce(op, t->t, dims(d, ndims), keepdim))
}
int ct_max_dim(ct_tensor t, int64_t dim, bool keepdim, ct_tensor *values, ct_tensor *indices) {
    CT_TRY({
        auto r = at::max(t->t, dim, keepdim);
        *values = wrap(std::get<0>(r));
        *indices = wrap(std::get<1>(r));
    })
}
int ct_argmax(ct_tensor t, int64_t dim, bool keepdim, ct_tensor *out) { CT_RETURN(at::argmax(t->t, dim, keepdim)) }
int ct_median(ct_tensor t, ct_tensor *out) { CT_RETURN(at::median(t->t)) }
int ct_gram(ct_tensor x, bool lower_only, ct_tensor *out) { CT_RETURN(gram(x->t, lower_only)) }
int ct_tril_indices(int64_t n, int64_t offset, int device, ct_tensor *out) {
    CT_RETURN(at::tril_indices(n, n, offset, at::TensorOptions().dtype(at::kLong).device(ctorch::device(device))))
}
int ct_pack_lower(ct_tensor k, ct_tensor means, double off_diagonal_scale, ct_tensor *out) {
    CT_RETURN(pack_lower(k->t, optional(means), off_diagonal_scale))
}
int ct_softmax(ct_tensor t, int64_t dim, ct_tensor *out) { CT_RETURN(at::softmax(t->t, dim)) }
int ct_log_softmax(ct_tensor t, int64_t dim, ct_tensor *out) { CT_RETURN(at::log_softmax(t->t, dim)) }
int ct_scaled_dot_product_attention(ct_tensor q, ct_tensor k, ct_tensor v, double dropout_p, ct_tensor *out) {
    CT_RETURN(at::scaled_dot_product_attention(q->t, k->t, v->t, {}, dropout_p, false))
}

int ct_conv2d(ct_tensor x, ct_tensor w, ct_tensor b, const int64_t *stride, const int64_t *padding,
              const int64_t *dilation, int64_t groups, ct_tensor *out) {
    CT_RETURN(at::conv2d(x->t, w->t, optional(b), dims(stride, 2), dims(padding, 2), dims(dilation, 2), groups))
}
int ct_layer_norm(ct_tensor x, const int64_t *shape, int ndim, ct_tensor weight, ct_tensor bias, double eps,
                  ct_tensor *out) {
    CT_RETURN(at::layer_norm(x->t, dims(shape, ndim), optional(weight), optional(bias), eps))
}
int ct_dropout(ct_tensor x, double p, bool training, ct_tensor *out) { CT_RETURN(at::dropout(x->t, p, training)) }
int ct_max_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                  ct_tensor *out) {
    CT_RETURN(at::max_pool2d(x->t, dims(kernel, 2), dims(stride, 2), dims(padding, 2)))
}
int ct_avg_pool2d(ct_tensor x, const int64_t *kernel, const int64_t *stride, const int64_t *padding,
                  ct_tensor *out) {
    CT_RETURN(at::avg_pool2d(x->t, dims(kernel, 2), dims(stride, 2), dims(padding, 2)))
}
int ct_adaptive_avg_pool2d(ct_tensor x, const int64_t *output_size, ct_tensor *out) {
    CT_RETURN(at::adaptive_avg_pool2d(x->t, dims(output_size, 2)))
}
int ct_cross_entropy(ct_tensor logits, ct_tensor target, int reduction, double label_smoothing, ct_tensor *out) {
    int64_t r = reduction == CT_REDUCTION_NONE ? at::Reduction::None
                : reduction == CT_REDUCTION_SUM ? at::Reduction::Sum
                                                 : at::Reduction::Mean;
    CT_RETURN(at::cross_entropy_loss(logits->t, target->t, c10::nullopt, r, -100, label_smoothing))
}

int ct_set_requires_grad(ct_tensor t, bool requires) { CT_TRY(t->t.set_requires_grad(requires)) }
int ct_backward(ct_tensor t) { CT_TRY(t->t.backward()) }
int ct_grad(ct_tensor t, ct_tensor *out) {
    CT_TRY({
        const at::Tensor &g = t->t.grad();
        *out = g.defined() ? wrap(g) : nullptr;
    })
}
int ct_zero_grad(ct_tensor t) {
    CT_TRY({
        at::Tensor &g = t->t.mutable_grad();
        if (g.defined()) g = at::Tensor();
    })
}
int ct_set_grad(ct_tensor t, ct_tensor grad) { CT_TRY(t->t.mutable_grad() = grad->t) }

}  // extern "C"

// Grouped multinomial logistic regressions trained together by full-batch Adam (the linear probes of every
// tap at once). Per step: logits = W·Z for every group into one buffer, softmax over classes, minus the
// one-hot targets, gradient = residual·(Z/n) into one flat buffer, then Adam's update in one pass over the
// flat weights (ATen ops off the CPU): libtorch's rule (torch::optim::Adam without amsgrad; the weight decay is added to the gradient).
// No allocation inside the loop.
static void grouped_softmax_adam(ct_tensor flat, const ct_tensor *weights, const ct_tensor *inputs,
                                 const ct_tensor *scaled, int groups, ct_tensor targets, int steps, double lr,
                                 double weight_decay, double beta1, double beta2, double eps) {
    at::NoGradGuard no_grad;
    at::Tensor &p = flat->t;
    TORCH_CHECK(p.scalar_type() == at::kFloat && p.is_contiguous(), "grouped softmax Adam needs contiguous float32 weights");
    const at::Tensor &y = targets->t;  // classes × n
    int64_t taps = 0;
    for (int k = 0; k < groups; ++k) taps += weights[k]->t.size(0);
    at::Tensor logits = at::empty({taps, y.size(0), y.size(1)}, p.options());
    at::Tensor probabilities = at::empty_like(logits);
    at::Tensor grad = at::zeros_like(p), m = at::zeros_like(p), v = at::zeros_like(p);
    std::vector<at::Tensor> grad_views;
    int64_t offset = 0;
    for (int k = 0; k < groups; ++k) {
        const at::Tensor &w = weights[k]->t;
        grad_views.push_back(grad.narrow(0, offset, w.numel()).view(w.sizes()));
        offset += w.numel();
    }
    TORCH_CHECK(offset == p.numel(), "the group weights must tile the flat weights");
    const bool cpu = p.device().is_cpu();
    float *P = cpu ? p.data_ptr<float>() : nullptr, *G = cpu ? grad.data_ptr<float>() : nullptr;
    float *M = cpu ? m.data_ptr<float>() : nullptr, *V = cpu ? v.data_ptr<float>() : nullptr;
    const float b1 = float(beta1), b2 = float(beta2), wd = float(weight_decay), e = float(eps);
    for (int step = 1; step <= steps; ++step) {
        int64_t first = 0;
        for (int k = 0; k < groups; ++k) {
            int64_t g = weights[k]->t.size(0);
            at::Tensor out = logits.narrow(0, first, g);
            at::bmm_out(out, weights[k]->t, inputs[k]->t);
            first += g;
        }
        at::_softmax_out(probabilities, logits, 1, false);
        probabilities.sub_(y);
        first = 0;
        for (int k = 0; k < groups; ++k) {
            int64_t g = weights[k]->t.size(0);
            at::bmm_out(grad_views[k], probabilities.narrow(0, first, g), scaled[k]->t);
            first += g;
        }
        const float step_size = float(lr / (1 - std::pow(beta1, step)));
        const float root = float(std::sqrt(1 - std::pow(beta2, step)));
        if (!cpu) {  // the same update in ATen ops, on the weights' device
            grad.add_(p, weight_decay);
            m.mul_(beta1).add_(grad, 1 - beta1);
            v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
            p.addcdiv_(m, v.sqrt().div_(root).add_(eps), -step_size);
            continue;
        }
        for (int64_t i = 0, count = p.numel(); i < count; ++i) {
            float gi = G[i] + wd * P[i];
            M[i] = M[i] * b1 + gi * (1 - b1);
            V[i] = V[i] * b2 + gi * gi * (1 - b2);
            P[i] -= step_size * M[i] / (std::sqrt(V[i]) / root + e);
        }
    }
}

extern "C" int ct_grouped_softmax_adam(ct_tensor flat, const ct_tensor *weights, const ct_tensor *inputs,
                                       const ct_tensor *scaled, int groups, ct_tensor targets, int steps,
                                       double lr, double weight_decay, double beta1, double beta2, double eps) {
    CT_TRY(grouped_softmax_adam(flat, weights, inputs, scaled, groups, targets, steps, lr, weight_decay, beta1,
                                beta2, eps))
}
