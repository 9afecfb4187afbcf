#include "frontend/activation_extended.h"

#include <cmath>

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/functional_activation.h"

namespace kiln::nn {

namespace {

std::string inplace_suffix(bool inplace) { return inplace ? ", inplace=True" : ""; }

/// Python prints an int argument without ".0": torch's int defaults (Softplus) print that way.
std::string int_or_float(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  return py_float(v);
}

// torch's _get_softmax_dim for dim=None.
int64_t implicit_dim(const std::optional<int64_t>& dim, const Tensor& input) {
  if (dim) return *dim;
  int64_t r = input.dim();
  return (r == 0 || r == 1 || r == 3) ? 0 : 1;
}

}  // namespace

Tensor ELUImpl::forward(const Tensor& input) { return F::elu(input, options.alpha(), options.inplace()); }

std::string ELUImpl::extra_repr() const { return "alpha=" + py_float(options.alpha()) + inplace_suffix(options.inplace()); }

Tensor CELUImpl::forward(const Tensor& input) { return F::celu(input, options.alpha(), options.inplace()); }

std::string CELUImpl::extra_repr() const {
  return "alpha=" + py_float(options.alpha()) + inplace_suffix(options.inplace());
}

Tensor SELUImpl::forward(const Tensor& input) { return F::selu(input, options.inplace()); }

GELUImpl::GELUImpl(const GELUOptions& options_) : Module("GELU"), options(options_) {
  if (options.approximate() != "none" && options.approximate() != "tanh") {
    throw Error("GELU: approximate argument must be either none or tanh, got '" + options.approximate() + "'");
  }
}

Tensor GELUImpl::forward(const Tensor& input) { return F::gelu(input, options.approximate()); }

Tensor HardshrinkImpl::forward(const Tensor& input) { return F::hardshrink(input, options.lambd()); }

SoftshrinkImpl::SoftshrinkImpl(const SoftshrinkOptions& options_) : Module("Softshrink"), options(options_) {
  if (options.lambd() < 0) {
    throw Error("Softshrink: lambda must be greater or equal to 0, but found to be " + py_float(options.lambd()) + ".");
  }
}

Tensor SoftshrinkImpl::forward(const Tensor& input) { return F::softshrink(input, options.lambd()); }

HardtanhImpl::HardtanhImpl(const HardtanhOptions& options_) : Module("Hardtanh"), options(options_) {
  if (!(options.max_val() > options.min_val())) {
    throw Error("Hardtanh: max_val (" + py_float(options.max_val()) + ") must be greater than min_val (" +
                py_float(options.min_val()) + ")");
  }
}

Tensor HardtanhImpl::forward(const Tensor& input) {
  return F::hardtanh(input, options.min_val(), options.max_val(), options.inplace());
}

std::string HardtanhImpl::extra_repr() const {
  return "min_val=" + py_float(options.min_val()) + ", max_val=" + py_float(options.max_val()) +
         inplace_suffix(options.inplace());
}

Tensor LeakyReLUImpl::forward(const Tensor& input) {
  return F::leaky_relu(input, options.negative_slope(), options.inplace());
}

std::string LeakyReLUImpl::extra_repr() const {
  return "negative_slope=" + py_float(options.negative_slope()) + inplace_suffix(options.inplace());
}

Tensor LogSigmoidImpl::forward(const Tensor& input) { return F::logsigmoid(input); }

PReLUImpl::PReLUImpl(const PReLUOptions& options_) : Module("PReLU"), options(options_) {
  if (options.num_parameters() < 0) {
    throw Error("PReLU: num_parameters must be non-negative, got " + std::to_string(options.num_parameters()));
  }
  weight = register_parameter("weight", full({options.num_parameters()}, options.init()));
}

Tensor PReLUImpl::forward(const Tensor& input) { return F::prelu(input, weight); }

Tensor RReLUImpl::forward(const Tensor& input) {
  return F::rrelu(input, options.lower(), options.upper(), is_training(), options.inplace(), generator);
}

std::string RReLUImpl::extra_repr() const {
  return "lower=" + py_float(options.lower()) + ", upper=" + py_float(options.upper()) +
         inplace_suffix(options.inplace());
}

Tensor SoftplusImpl::forward(const Tensor& input) { return F::softplus(input, options.beta(), options.threshold()); }

std::string SoftplusImpl::extra_repr() const {
  return "beta=" + int_or_float(options.beta()) + ", threshold=" + int_or_float(options.threshold());
}

Tensor SoftsignImpl::forward(const Tensor& input) { return F::softsign(input); }

Tensor TanhshrinkImpl::forward(const Tensor& input) { return F::tanhshrink(input); }

Tensor ThresholdImpl::forward(const Tensor& input) {
  return F::threshold(input, options.threshold(), options.value(), options.inplace());
}

std::string ThresholdImpl::extra_repr() const {
  return "threshold=" + py_float(options.threshold()) + ", value=" + py_float(options.value()) +
         inplace_suffix(options.inplace());
}

Tensor SoftminImpl::forward(const Tensor& input) { return F::softmin(input, implicit_dim(options.dim(), input)); }

std::string SoftminImpl::extra_repr() const {
  return "dim=" + (options.dim() ? std::to_string(*options.dim()) : std::string("None"));
}

Tensor Softmax2dImpl::forward(const Tensor& input) {
  if (input.dim() != 3 && input.dim() != 4) {
    detail::fail("Softmax2d requires a 3D or 4D tensor as input, got " + input.type_str());
  }
  return F::softmax(input, -3);
}

}  // namespace kiln::nn
