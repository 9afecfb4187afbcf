#include "frontend/bilinear.h"

#include <cmath>

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/functional_norm_embedding.h"
#include "frontend/init.h"

namespace kiln::nn {

BilinearImpl::BilinearImpl(const BilinearOptions& options_) : Module("Bilinear"), options(options_) {
  int64_t in1 = options.in1_features(), in2 = options.in2_features(), out = options.out_features();
  if (in1 <= 0 || in2 < 0 || out < 0) {
    // torch divides by sqrt(in1_features) in reset_parameters (ZeroDivisionError for 0).
    throw Error("Bilinear: in1_features must be positive and in2_features, out_features non-negative, got " +
                std::to_string(in1) + ", " + std::to_string(in2) + ", " + std::to_string(out));
  }
  weight = register_parameter("weight", Tensor(ir::HostTensor(DType::kF32, {out, in1, in2})));
  bias = register_parameter("bias", options.bias() ? Tensor(ir::HostTensor(DType::kF32, {out})) : Tensor());
  reset_parameters();
}

void BilinearImpl::reset_parameters() {
  double bound = 1.0 / std::sqrt(static_cast<double>(options.in1_features()));
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

Tensor BilinearImpl::forward(const Tensor& input1, const Tensor& input2) {
  return F::bilinear(input1, input2, weight, bias);
}

std::vector<Tensor> BilinearImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.size() != 2) detail::fail("expected 2 inputs (input1, input2), got " + std::to_string(inputs.size()));
  return {forward(inputs[0], inputs[1])};
}

std::string BilinearImpl::extra_repr() const {
  return "in1_features=" + std::to_string(options.in1_features()) + ", in2_features=" +
         std::to_string(options.in2_features()) + ", out_features=" + std::to_string(options.out_features()) +
         ", bias=" + py_bool(options.bias());
}

}  // namespace kiln::nn
