// Shared internals of the CTorch shim: handle structs and the exception barrier.
#pragma once

#include <ATen/ATen.h>
#include <string>

#include "ctorch.h"

struct ct_tensor_s {
    at::Tensor t;
};

struct ct_generator_s {
    at::Generator g;
};

namespace ctorch {

void set_error(const std::string &message);

inline ct_tensor wrap(at::Tensor t) { return new ct_tensor_s{std::move(t)}; }

inline at::ScalarType scalar_type(int dtype) {
    switch (dtype) {
    case CT_FLOAT32: return at::kFloat;
    case CT_FLOAT64: return at::kDouble;
    case CT_INT64: return at::kLong;
    case CT_UINT8: return at::kByte;
    case CT_BOOL: return at::kBool;
    case CT_INT32: return at::kInt;
    case CT_FLOAT16: return at::kHalf;
    case CT_BFLOAT16: return at::kBFloat16;
    }
    throw std::invalid_argument("unknown dtype code " + std::to_string(dtype));
}

inline int dtype_code(at::ScalarType s) {
    switch (s) {
    case at::kFloat: return CT_FLOAT32;
    case at::kDouble: return CT_FLOAT64;
    case at::kLong: return CT_INT64;
    case at::kByte: return CT_UINT8;
    case at::kBool: return CT_BOOL;
    case at::kInt: return CT_INT32;
    case at::kHalf: return CT_FLOAT16;
    case at::kBFloat16: return CT_BFLOAT16;
    default: return -1;
    }
}

inline at::Device device(int code) {
    if (code < 0) return at::Device(at::kCPU);
    return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(code));
}

inline at::TensorOptions options(int dtype, int dev) {
    return at::TensorOptions().dtype(scalar_type(dtype)).device(device(dev));
}

inline c10::optional<at::Tensor> optional(ct_tensor t) {
    if (t == nullptr) return c10::nullopt;
    return t->t;
}

inline c10::optional<at::Generator> generator(ct_generator g) {
    if (g == nullptr) return c10::nullopt;
    return g->g;
}

}  // namespace ctorch

// Runs body, turning every C++ exception into a status and a thread-local message.
// c10::Error keeps only its message: the C++ backtrace is of no use to a Swift caller.
#define CT_TRY(body)                                                          \
    try {                                                                     \
        body;                                                                 \
        return 0;                                                             \
    } catch (const c10::Error &e) {                                           \
        ctorch::set_error(e.what_without_backtrace());                        \
    } catch (const std::exception &e) {                                       \
        ctorch::set_error(e.what());                                          \
    } catch (...) {                                                           \
        ctorch::set_error("unknown C++ exception in libtorch");               \
    }                                                                         \
    return 1;

// Runs an expression producing a tensor and stores it, new, in *out.
#define CT_RETURN(expr) CT_TRY(*out = ctorch::wrap(expr))
