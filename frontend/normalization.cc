#include "frontend/normalization.h"

#include "frontend/dispatch.h"
#include "frontend/functional.h"

namespace kiln::nn {

BatchNormImplBase::BatchNormImplBase(const BatchNormOptions& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  int64_t c = options.num_features();
  if (c <= 0) throw Error(type_name + ": num_features must be positive, got " + std::to_string(c));
  if (!(options.eps() > 0)) throw Error(type_name + ": eps must be positive, got " + py_float(options.eps()));
  auto f32 = [c] { return Tensor(ir::HostTensor(DType::kF32, {c})); };
  weight = register_parameter("weight", options.affine() ? f32() : Tensor());
  bias = register_parameter("bias", options.affine() ? f32() : Tensor());
  bool track = options.track_running_stats();
  running_mean = register_buffer("running_mean", track ? f32() : Tensor());
  running_var = register_buffer("running_var", track ? f32() : Tensor());
  num_batches_tracked = register_buffer("num_batches_tracked", track ? Tensor(ir::HostTensor(DType::kI64, {})) : Tensor());
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  running_mean.fill_(0.0);
  running_var.fill_(1.0);
  num_batches_tracked.fill_(0.0);
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    weight.fill_(1.0);
    bias.fill_(0.0);
  }
}

Tensor BatchNormImplBase::forward(const Tensor& input) {
  check_input_dim(input);
  bool track = options.track_running_stats();
  double factor = options.momentum().value_or(0.0);
  if (is_training() && track && input.is_concrete()) {
    // num_batches_tracked.add_(1) and the cumulative-average factor, as torch's _BatchNorm.
    ir::HostTensor& n = num_batches_tracked.mutable_data();
    n.SetDouble(0, static_cast<double>(n.GetInt(0) + 1));
    if (!options.momentum()) factor = 1.0 / static_cast<double>(n.GetInt(0));
  }
  bool use_batch_stats = is_training() || !track;
  return F::batch_norm(input, track ? running_mean : Tensor(), track ? running_var : Tensor(), weight, bias,
                       use_batch_stats, factor, options.eps());
}

std::string BatchNormImplBase::extra_repr() const {
  const BatchNormOptions& o = options;
  return std::to_string(o.num_features()) + ", eps=" + py_float(o.eps()) + ", momentum=" +
         (o.momentum() ? py_float(*o.momentum()) : "None") + ", affine=" + py_bool(o.affine()) +
         ", track_running_stats=" + py_bool(o.track_running_stats());
}

void BatchNorm1dImpl::check_input_dim(const Tensor& input) const {
  if (input.dim() != 2 && input.dim() != 3) {
    detail::fail("expected 2D or 3D input (got " + std::to_string(input.dim()) + "D input " + input.type_str() + ")");
  }
}

void BatchNorm2dImpl::check_input_dim(const Tensor& input) const {
  if (input.dim() != 4) {
    detail::fail("expected 4D input (got " + std::to_string(input.dim()) + "D input " + input.type_str() + ")");
  }
}

void BatchNorm3dImpl::check_input_dim(const Tensor& input) const {
  if (input.dim() != 5) {
    detail::fail("expected 5D input (got " + std::to_string(input.dim()) + "D input " + input.type_str() + ")");
  }
}

}  // namespace kiln::nn
