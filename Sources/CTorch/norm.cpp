// Batch normalization of the CTorch shim. libtorch's training-mode backward pass of a channels-last batch norm on
// the CPU (2.13) sums each thread's share of the rows into that thread's row of one shared buffer of C floats per
// thread. When C floats do not fill whole 64-byte cache lines (C not a multiple of 16), neighbouring threads write
// to the same line on every row, and the pass runs slower on two threads than on one (forward and backward of 8
// channels at 28 × 28, batch 128, in PyTorch 2.13 on a 2-core Intel Xeon VM: 12.1 ms on two threads, 6.5 on one;
// bench/RESULTS.md, "Batch norm on two threads").
// Here such a layer's backward pass runs libtorch's kernel on the calling thread alone: its gradients are, bit for
// bit, those that kernel gives on one thread. Its forward pass, evaluation mode and every other case are libtorch's
// own batch_norm.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <dlfcn.h>

#include "internal.h"

namespace ctorch {
namespace {

// Runs this thread's OpenMP parallel regions (libtorch's intra-op parallelism, in an OpenMP build such as PyTorch's
// wheels) on one thread while it lives. OpenMP keeps the thread count per thread, so other threads are untouched.
// Found at run time: with a libtorch without OpenMP it does nothing.
class SerialRegion {
  public:
    SerialRegion() {
        if (set_ && get_) {
            previous_ = get_();
            set_(1);
        }
    }
    ~SerialRegion() {
        if (set_ && get_) set_(previous_);
    }
    SerialRegion(const SerialRegion &) = delete;
    SerialRegion &operator=(const SerialRegion &) = delete;

  private:
    using Set = void (*)(int);
    using Get = int (*)();
    static inline const Set set_ = reinterpret_cast<Set>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    static inline const Get get_ = reinterpret_cast<Get>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
    int previous_ = 1;
};

// Training-mode batch norm with libtorch's forward pass (which also updates the running statistics) and libtorch's
// backward kernel run on one thread.
struct SerialBackwardBatchNorm : public torch::autograd::Function<SerialBackwardBatchNorm> {
    static torch::autograd::variable_list forward(torch::autograd::AutogradContext *ctx, const at::Tensor &x,
                                                  const at::Tensor &weight, const at::Tensor &bias,
                                                  const c10::optional<at::Tensor> &running_mean,
                                                  const c10::optional<at::Tensor> &running_var, double momentum,
                                                  double eps) {
        // The running statistics are passed as optionals so that autograd does not take them for inputs.
        auto [y, mean, invstd] = at::native_batch_norm(x, weight, bias, running_mean, running_var, true, momentum, eps);
        ctx->save_for_backward({x, weight, mean, invstd});
        ctx->saved_data["eps"] = eps;
        return {y};
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext *ctx,
                                                   torch::autograd::variable_list grads) {
        at::Tensor gx, gw, gb;
        if (grads[0].defined()) {
            const auto saved = ctx->get_saved_variables();
            SerialRegion serial;
            std::tie(gx, gw, gb) = at::native_batch_norm_backward(
                grads[0], saved[0], saved[1], c10::nullopt, c10::nullopt, saved[2], saved[3], true,
                ctx->saved_data["eps"].toDouble(),
                {ctx->needs_input_grad(0), ctx->needs_input_grad(1), ctx->needs_input_grad(2)});
        }
        return {gx, gw, gb, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

// Whether libtorch's backward pass of this batch norm would share cache lines between threads (see the top).
bool shares_cache_lines(const at::Tensor &x, const c10::optional<at::Tensor> &weight,
                        const c10::optional<at::Tensor> &bias, bool training) {
    return training && at::GradMode::is_enabled() && at::get_num_threads() > 1 && x.device().is_cpu() &&
           x.dim() == 4 && x.size(1) % 16 != 0 && x.scalar_type() == at::kFloat && !x.is_contiguous() &&
           x.is_contiguous(at::MemoryFormat::ChannelsLast) && weight && weight->defined() && bias && bias->defined();
}

at::Tensor batch_norm(const at::Tensor &x, const c10::optional<at::Tensor> &weight,
                      const c10::optional<at::Tensor> &bias, const c10::optional<at::Tensor> &running_mean,
                      const c10::optional<at::Tensor> &running_var, bool training, double momentum, double eps) {
    if (shares_cache_lines(x, weight, bias, training))
        return SerialBackwardBatchNorm::apply(x, *weight, *bias, running_mean, running_var, momentum, eps)[0];
    return at::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps,
                          at::globalContext().userEnabledCuDNN());
}

}  // namespace
}  // namespace ctorch

extern "C" {

int ct_batch_norm(ct_tensor x, ct_tensor weight, ct_tensor bias, ct_tensor running_mean, ct_tensor running_var,
                  bool training, double momentum, double eps, ct_tensor *out) {
    using ctorch::optional;
    CT_RETURN(ctorch::batch_norm(x->t, optional(weight), optional(bias), optional(running_mean),
                                 optional(running_var), training, momentum, eps))
}

}  // extern "C"
