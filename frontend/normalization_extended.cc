#include "frontend/normalization_extended.h"

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/functional_norm_embedding.h"

namespace kiln::nn {

namespace {

Tensor f32(const std::vector<int64_t>& sizes) { return Tensor(ir::HostTensor(DType::kF32, sizes)); }

void check_eps(const std::string& type_name, double eps) {
  if (!(eps >= 0)) throw Error(type_name + ": eps must be non-negative, got " + py_float(eps));
}

}  // namespace

// ---- LayerNorm ----

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options_) : Module("LayerNorm"), options(options_) {
  const auto& shape = options.normalized_shape();
  if (shape.empty()) throw Error("LayerNorm: normalized_shape must have at least one dim, got ()");
  for (int64_t s : shape) {
    if (s < 0) throw Error("LayerNorm: normalized_shape " + py_tuple(shape) + " has a negative size");
  }
  check_eps("LayerNorm", options.eps());
  bool affine = options.elementwise_affine();
  weight = register_parameter("weight", affine ? f32(shape) : Tensor());
  bias = register_parameter("bias", affine ? f32(shape) : Tensor());
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine()) return;
  weight.fill_(1.0);
  bias.fill_(0.0);
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return F::layer_norm(input, options.normalized_shape(), weight, bias, options.eps());
}

std::string LayerNormImpl::extra_repr() const {
  return py_tuple(options.normalized_shape()) + ", eps=" + py_float(options.eps()) +
         ", elementwise_affine=" + py_bool(options.elementwise_affine());
}

// ---- GroupNorm ----

GroupNormImpl::GroupNormImpl(const GroupNormOptions& options_) : Module("GroupNorm"), options(options_) {
  int64_t g = options.num_groups(), c = options.num_channels();
  if (g <= 0 || c < 0) {
    throw Error("GroupNorm: num_groups must be positive and num_channels non-negative, got " + std::to_string(g) +
                " and " + std::to_string(c));
  }
  if (c % g != 0) {
    throw Error("GroupNorm: num_channels must be divisible by num_groups, got num_channels " + std::to_string(c) +
                " and num_groups " + std::to_string(g));
  }
  check_eps("GroupNorm", options.eps());
  weight = register_parameter("weight", options.affine() ? f32({c}) : Tensor());
  bias = register_parameter("bias", options.affine() ? f32({c}) : Tensor());
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (!options.affine()) return;
  weight.fill_(1.0);
  bias.fill_(0.0);
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  if (input.dim() >= 2 && input.shape().dim(1).is_static() && input.size(1) != options.num_channels()) {
    detail::fail("expected input with " + std::to_string(options.num_channels()) + " channels, got " +
                 input.type_str());
  }
  return F::group_norm(input, options.num_groups(), weight, bias, options.eps());
}

std::string GroupNormImpl::extra_repr() const {
  return std::to_string(options.num_groups()) + ", " + std::to_string(options.num_channels()) +
         ", eps=" + py_float(options.eps()) + ", affine=" + py_bool(options.affine());
}

// ---- LocalResponseNorm ----

LocalResponseNormImpl::LocalResponseNormImpl(const LocalResponseNormOptions& options_)
    : Module("LocalResponseNorm"), options(options_) {
  if (options.size() <= 0) throw Error("LocalResponseNorm: size must be positive, got " + std::to_string(options.size()));
}

Tensor LocalResponseNormImpl::forward(const Tensor& input) {
  return F::local_response_norm(input, options.size(), options.alpha(), options.beta(), options.k());
}

std::string LocalResponseNormImpl::extra_repr() const {
  return std::to_string(options.size()) + ", alpha=" + py_float(options.alpha()) + ", beta=" +
         py_float(options.beta()) + ", k=" + py_float(options.k());
}

// ---- InstanceNorm1d/2d/3d ----

InstanceNormImplBase::InstanceNormImplBase(const InstanceNormOptions& options_, int spatial,
                                           const std::string& type_name)
    : Module(type_name), options(options_), spatial_(spatial) {
  int64_t c = options.num_features();
  if (c <= 0) throw Error(type_name + ": num_features must be positive, got " + std::to_string(c));
  check_eps(type_name, options.eps());
  weight = register_parameter("weight", options.affine() ? f32({c}) : Tensor());
  bias = register_parameter("bias", options.affine() ? f32({c}) : Tensor());
  bool track = options.track_running_stats();
  running_mean = register_buffer("running_mean", track ? f32({c}) : Tensor());
  running_var = register_buffer("running_var", track ? f32({c}) : Tensor());
  num_batches_tracked =
      register_buffer("num_batches_tracked", track ? Tensor(ir::HostTensor(DType::kI64, {})) : Tensor());
  reset_parameters();
}

void InstanceNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  running_mean.fill_(0.0);
  running_var.fill_(1.0);
  num_batches_tracked.fill_(0.0);
}

void InstanceNormImplBase::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    weight.fill_(1.0);
    bias.fill_(0.0);
  }
}

Tensor InstanceNormImplBase::forward(const Tensor& input) {
  int64_t unbatched = spatial_ + 1;
  if (input.dim() != unbatched && input.dim() != unbatched + 1) {
    detail::fail("expected " + std::to_string(unbatched) + "D or " + std::to_string(unbatched + 1) + "D input (got " +
                 std::to_string(input.dim()) + "D input " + input.type_str() + ")");
  }
  Tensor x = input.dim() == unbatched ? input.unsqueeze(0) : input;
  if (x.shape().dim(1).is_static() && x.size(1) != options.num_features() &&
      (options.affine() || options.track_running_stats())) {
    detail::fail("expected input with " + std::to_string(options.num_features()) + " channels, got " +
                 input.type_str());
  }
  bool track = options.track_running_stats();
  bool use_input_stats = is_training() || !track;
  if (track && use_input_stats && !options.momentum()) {
    detail::fail("momentum=None is not supported when updating running statistics (torch.instance_norm needs a "
                 "float momentum)");
  }
  Tensor y = F::instance_norm(x, track ? running_mean : Tensor(), track ? running_var : Tensor(), weight, bias,
                              use_input_stats, options.momentum().value_or(0.1), options.eps());
  return input.dim() == unbatched ? y.squeeze(0) : y;
}

std::string InstanceNormImplBase::extra_repr() const {
  const InstanceNormOptions& o = options;
  return std::to_string(o.num_features()) + ", eps=" + py_float(o.eps()) + ", momentum=" +
         (o.momentum() ? py_float(*o.momentum()) : "None") + ", affine=" + py_bool(o.affine()) +
         ", track_running_stats=" + py_bool(o.track_running_stats());
}

}  // namespace kiln::nn
