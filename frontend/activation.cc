#include "frontend/activation.h"

#include "frontend/functional.h"

namespace kiln::nn {

namespace {

// torch's _get_softmax_dim for dim=None.
int64_t softmax_dim(const std::optional<int64_t>& dim, const Tensor& input) {
  if (dim) return *dim;
  int64_t r = input.dim();
  return (r == 0 || r == 1 || r == 3) ? 0 : 1;
}

std::string dim_repr(const std::optional<int64_t>& dim) { return "dim=" + (dim ? std::to_string(*dim) : "None"); }

}  // namespace

Tensor ReLUImpl::forward(const Tensor& input) { return F::relu(input, options.inplace()); }

Tensor ReLU6Impl::forward(const Tensor& input) { return F::relu6(input, options.inplace()); }

Tensor SigmoidImpl::forward(const Tensor& input) { return F::sigmoid(input); }

Tensor TanhImpl::forward(const Tensor& input) { return F::tanh(input); }

Tensor SoftmaxImpl::forward(const Tensor& input) { return F::softmax(input, softmax_dim(options.dim(), input)); }

std::string SoftmaxImpl::extra_repr() const { return dim_repr(options.dim()); }

Tensor LogSoftmaxImpl::forward(const Tensor& input) {
  return F::log_softmax(input, softmax_dim(options.dim(), input));
}

std::string LogSoftmaxImpl::extra_repr() const { return dim_repr(options.dim()); }

}  // namespace kiln::nn
