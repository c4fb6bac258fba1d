// Optimizers and serialization of the CTorch shim, on libtorch's C++ frontend.
#include <torch/torch.h>
#include <torch/version.h>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <memory>
#include <unistd.h>
#include <vector>

#include "internal.h"

struct ct_optimizer_s {
    std::unique_ptr<torch::optim::Optimizer> o;
};

using namespace ctorch;

namespace {
torch::optim::OptimizerOptions &group_options(ct_optimizer o) {
    auto &groups = o->o->param_groups();
    if (groups.empty()) throw std::logic_error("optimizer has no parameter group");
    return groups.front().options();
}
// CUDA. Strata links only libtorch's CPU libraries (torch_cpu, c10), so that one build runs wherever its libtorch
// does, with or without CUDA. When a CUDA-enabled libtorch_cuda.so lies beside the libtorch_cpu.so this process
// loaded (a CUDA wheel of PyTorch, a CUDA libtorch zip), it is loaded here, as the process starts: its static
// initialisers register the CUDA backend, which libtorch looks up once, on its first CUDA query.
// STRATA_CUDA=0 skips it (a coordinator on a GPU node need not pay for loading the CUDA libraries).
std::string cuda_status = "not loaded";

int find_torch_cpu(struct dl_phdr_info *info, size_t, void *data) {
    const char *name = info->dlpi_name;
    size_t n = name ? std::strlen(name) : 0;
    static const char suffix[] = "/libtorch_cpu.so";
    size_t k = sizeof(suffix) - 1;
    if (n >= k && std::strcmp(name + n - k, suffix) == 0) {
        *static_cast<std::string *>(data) = std::string(name, n - k);
        return 1;
    }
    return 0;
}

struct CudaLoader {
    CudaLoader() {
        const char *env = std::getenv("STRATA_CUDA");
        if (env && std::strcmp(env, "0") == 0) {
            cuda_status = "not loaded (STRATA_CUDA=0)";
            return;
        }
        std::string dir;
        dl_iterate_phdr(find_torch_cpu, &dir);
        if (dir.empty()) {
            cuda_status = "not loaded (libtorch_cpu.so not found among the loaded libraries)";
            return;
        }
        std::string path = dir + "/libtorch_cuda.so";
        if (access(path.c_str(), R_OK) != 0) {
            cuda_status = "this libtorch has no CUDA (no libtorch_cuda.so in " + dir + ")";
            return;
        }
        if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
            const char *why = dlerror();
            cuda_status = std::string("libtorch_cuda.so did not load: ") + (why ? why : "unknown error")
                + " (the CUDA runtime libraries must be on the loader's path, e.g. LD_LIBRARY_PATH)";
            return;
        }
        cuda_status = "loaded " + path;
    }
} cuda_loader;
}  // namespace

extern "C" {

const char *ct_version(void) { return TORCH_VERSION; }
const char *ct_cuda_status(void) { return cuda_status.c_str(); }
bool ct_cuda_is_available(void) { return torch::cuda::is_available(); }
int ct_cuda_device_count(void) { return static_cast<int>(torch::cuda::device_count()); }

int ct_optimizer_new(int kind, const ct_tensor *params, int n, double lr, double momentum, double dampening,
                     double weight_decay, bool nesterov, double beta1, double beta2, double eps,
                     ct_optimizer *out) {
    CT_TRY({
        std::vector<at::Tensor> ps;
        ps.reserve(static_cast<size_t>(n));
        for (int i = 0; i < n; i++) ps.push_back(params[i]->t);
        std::unique_ptr<torch::optim::Optimizer> o;
        switch (kind) {
        case CT_SGD:
            o = std::make_unique<torch::optim::SGD>(
                ps, torch::optim::SGDOptions(lr).momentum(momentum).dampening(dampening)
                        .weight_decay(weight_decay).nesterov(nesterov));
            break;
        case CT_ADAM:
            o = std::make_unique<torch::optim::Adam>(
                ps, torch::optim::AdamOptions(lr).betas({beta1, beta2}).eps(eps).weight_decay(weight_decay));
            break;
        case CT_ADAMW:
            o = std::make_unique<torch::optim::AdamW>(
                ps, torch::optim::AdamWOptions(lr).betas({beta1, beta2}).eps(eps).weight_decay(weight_decay));
            break;
        default:
            throw std::invalid_argument("unknown optimizer kind " + std::to_string(kind));
        }
        *out = new ct_optimizer_s{std::move(o)};
    })
}

void ct_optimizer_free(ct_optimizer o) { delete o; }

int ct_optimizer_step(ct_optimizer o) {
    CT_TRY({
        torch::NoGradGuard guard;
        o->o->step();
    })
}

int ct_optimizer_zero_grad(ct_optimizer o) {
    CT_TRY({
        for (auto &group : o->o->param_groups())
            for (auto &p : group.params())
                if (p.grad().defined()) p.mutable_grad() = at::Tensor();
    })
}

int ct_optimizer_set_lr(ct_optimizer o, double lr) { CT_TRY(group_options(o).set_lr(lr)) }

int ct_optimizer_get_lr(ct_optimizer o, double *out) { CT_TRY(*out = group_options(o).get_lr()) }

int ct_optimizer_save(ct_optimizer o, const char *path) {
    CT_TRY({
        torch::serialize::OutputArchive archive;
        o->o->save(archive);
        // libtorch restores per-parameter state but not the group's options; keep the learning
        // rate (the only option a schedule changes) beside them.
        archive.write("strata_lr", at::scalar_tensor(group_options(o).get_lr(), at::kDouble));
        archive.save_to(path);
    })
}

int ct_optimizer_load(ct_optimizer o, const char *path) {
    CT_TRY({
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        o->o->load(archive);
        at::Tensor lr;
        if (archive.try_read("strata_lr", lr)) group_options(o).set_lr(lr.item<double>());
    })
}

int ct_save(const char *path, const char *const *names, const ct_tensor *ts, int n) {
    CT_TRY({
        torch::serialize::OutputArchive archive;
        for (int i = 0; i < n; i++) archive.write(names[i], ts[i]->t.detach().to(at::kCPU));
        archive.save_to(path);
    })
}

int ct_load(const char *path, const char *const *names, int n, ct_tensor *out) {
    CT_TRY({
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        std::vector<ct_tensor> loaded;
        try {
            for (int i = 0; i < n; i++) {
                at::Tensor t;
                if (!archive.try_read(names[i], t))
                    throw std::invalid_argument(std::string("no tensor named '") + names[i] + "' in " + path);
                loaded.push_back(wrap(std::move(t)));
            }
        } catch (...) {
            for (auto t : loaded) delete t;
            throw;
        }
        for (int i = 0; i < n; i++) out[i] = loaded[static_cast<size_t>(i)];
    })
}

}  // extern "C"
