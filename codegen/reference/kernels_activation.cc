// Reference kernels of the Layers II activation and dropout ops: elu, leaky_relu, softplus,
// gelu, random_uniform. Values are computed in double and rounded once to the result dtype.
#include <cmath>
#include <cstdint>
#include <string>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

template <typename F>
StatusOr<Tensors> Unary(const KernelContext& c, F f) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  for (int64_t i = 0; i < x.num_elements(); ++i) out.SetDouble(i, f(x.GetDouble(i)));
  return Tensors{out};
}

StatusOr<Tensors> EluKernel(const KernelContext& c) {
  double alpha = c.attrs.f("alpha"), scale = c.attrs.f("scale"), input_scale = c.attrs.f("input_scale");
  // NaN takes the second branch and stays NaN, as ATen's `x > 0 ? ... : ...`.
  return Unary(c, [&](double x) { return x > 0 ? scale * x : scale * alpha * std::expm1(x * input_scale); });
}

StatusOr<Tensors> LeakyReluKernel(const KernelContext& c) {
  double slope = c.attrs.f("negative_slope");
  return Unary(c, [&](double x) { return x > 0 ? x : x * slope; });
}

StatusOr<Tensors> SoftplusKernel(const KernelContext& c) {
  double beta = c.attrs.f("beta"), threshold = c.attrs.f("threshold");
  return Unary(c, [&](double x) {
    double z = x * beta;
    if (z > threshold) return x;
    // log1p(exp(z)) = max(z, 0) + log1p(exp(-|z|)): exp never overflows.
    return (std::fmax(z, 0.0) + std::log1p(std::exp(-std::fabs(z)))) / beta;
  });
}

StatusOr<Tensors> GeluKernel(const KernelContext& c) {
  bool tanh_form = c.attrs.s("approximate") == "tanh";
  return Unary(c, [&](double x) {
    if (tanh_form) {
      const double k = std::sqrt(2.0 / M_PI);
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    }
    return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  });
}

// splitmix64's output function.
uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

StatusOr<Tensors> RandomUniformKernel(const KernelContext& c) {
  uint64_t key = Mix64(static_cast<uint64_t>(c.attrs.i("seed")));
  uint64_t offset = static_cast<uint64_t>(c.attrs.i("offset"));
  HostTensor out = NewResult(c);
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    // The (offset + i)-th output of a splitmix64 stream started at `key`: a pure function of
    // (seed, counter), so any backend and any thread split reproduces it.
    uint64_t bits = Mix64(key + (offset + static_cast<uint64_t>(i) + 1) * 0x9E3779B97F4A7C15ULL);
    // 24 bits: exactly representable in f32 and f64, so the value stays below 1.
    out.SetDouble(i, static_cast<double>(bits >> 40) * (1.0 / 16777216.0));
  }
  return Tensors{out};
}

}  // namespace

void AddActivationKernels(KernelTable& t) {
  t.Add(OpKind::Elu, EluKernel);
  t.Add(OpKind::LeakyRelu, LeakyReluKernel);
  t.Add(OpKind::Softplus, SoftplusKernel);
  t.Add(OpKind::Gelu, GeluKernel);
  t.Add(OpKind::RandomUniform, RandomUniformKernel);
}

}  // namespace kiln::reference
