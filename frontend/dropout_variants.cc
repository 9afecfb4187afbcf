#include "frontend/dropout_variants.h"

#include "frontend/functional.h"
#include "frontend/functional_activation.h"

namespace kiln::nn {

DropoutVariantBase::DropoutVariantBase(const std::string& name, const DropoutOptions& options_)
    : Module(name), options(options_) {
  double p = options.p();
  if (!(p >= 0.0 && p <= 1.0)) {
    throw Error(name + ": dropout probability has to be between 0 and 1, but got " + py_float(p));
  }
}

std::string DropoutVariantBase::extra_repr() const {
  return "p=" + py_float(options.p()) + ", inplace=" + py_bool(options.inplace());
}

Tensor Dropout2dImpl::forward(const Tensor& input) {
  return F::dropout2d(input, options.p(), is_training(), options.inplace(), generator);
}

Tensor Dropout3dImpl::forward(const Tensor& input) {
  return F::dropout3d(input, options.p(), is_training(), options.inplace(), generator);
}

Tensor AlphaDropoutImpl::forward(const Tensor& input) {
  return F::alpha_dropout(input, options.p(), is_training(), options.inplace(), generator);
}

Tensor FeatureAlphaDropoutImpl::forward(const Tensor& input) {
  return F::feature_alpha_dropout(input, options.p(), is_training(), options.inplace(), generator);
}

}  // namespace kiln::nn
