#include "frontend/dropout.h"

#include "frontend/functional.h"

namespace kiln::nn {

DropoutImpl::DropoutImpl(const DropoutOptions& options_) : Module("Dropout"), options(options_) {
  double p = options.p();
  if (!(p >= 0.0 && p <= 1.0)) {
    throw Error("dropout probability has to be between 0 and 1, but got " + py_float(p));
  }
}

Tensor DropoutImpl::forward(const Tensor& input) {
  Tensor y = F::dropout(input, options.p(), is_training());
  if (options.inplace() && input.is_concrete() && !y.is_same(input)) {
    Tensor target = input;
    target.copy_(y);
    return target;
  }
  return y;
}

std::string DropoutImpl::extra_repr() const {
  return "p=" + py_float(options.p()) + ", inplace=" + py_bool(options.inplace());
}

}  // namespace kiln::nn
