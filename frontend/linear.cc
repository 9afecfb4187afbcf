#include "frontend/linear.h"

#include <cmath>

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/init.h"

namespace kiln::nn {

LinearImpl::LinearImpl(const LinearOptions& options_) : Module("Linear"), options(options_) {
  if (options.in_features() < 0 || options.out_features() < 0) {
    throw Error("Linear: in_features and out_features must be non-negative, got " +
                std::to_string(options.in_features()) + " and " + std::to_string(options.out_features()));
  }
  weight = register_parameter("weight", Tensor(ir::HostTensor(DType::kF32, {options.out_features(), options.in_features()})));
  bias = register_parameter("bias", options.bias() ? Tensor(ir::HostTensor(DType::kF32, {options.out_features()})) : Tensor());
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    int64_t fan_in = init::_calculate_fan_in_and_fan_out(weight).first;
    double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor LinearImpl::forward(const Tensor& input) { return F::linear(input, weight, bias); }

std::string LinearImpl::extra_repr() const {
  return "in_features=" + std::to_string(options.in_features()) + ", out_features=" +
         std::to_string(options.out_features()) + ", bias=" + py_bool(options.bias());
}

Tensor FlattenImpl::forward(const Tensor& input) {
  return F::flatten(input, options.start_dim(), options.end_dim());
}

std::string FlattenImpl::extra_repr() const {
  return "start_dim=" + std::to_string(options.start_dim()) + ", end_dim=" + std::to_string(options.end_dim());
}

}  // namespace kiln::nn
