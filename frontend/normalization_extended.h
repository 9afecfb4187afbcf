// nn::LayerNorm, nn::GroupNorm, nn::LocalResponseNorm and nn::InstanceNorm1d/2d/3d, as
// torch.nn's (torch 1.13): constructor arguments, defaults, state_dict keys, init and repr.
//
// Contract.
// - LayerNorm / GroupNorm record one `layer_norm` / `group_norm` op (F::layer_norm,
//   F::group_norm); parameters weight (ones) and bias (zeros), None without affine. They
//   behave the same in train and eval mode.
// - LocalResponseNorm has no state; F::local_response_norm's decomposition.
// - InstanceNormNd: registration as BatchNorm (weight, bias, running_mean, running_var,
//   num_batches_tracked; None when off), defaults affine=false, track_running_stats=false.
//   Training mode, or no running stats: per-instance statistics (a `group_norm` with
//   num_groups = C); in eager training with running stats those are updated in place as
//   torch does; num_batches_tracked is NOT incremented (torch's _InstanceNorm never touches
//   it). Eval mode with running stats: BatchNorm's evaluation formula. Unbatched input
//   ([C, L] for 1d, ...) is accepted, as torch. momentum=None is accepted by the constructor
//   (as torch) but a forward that would update running stats with it throws (torch raises a
//   TypeError there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of LayerNorm: normalized_shape, eps (1e-5), elementwise_affine (true).
struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}  // NOLINT
  LayerNormOptions(std::initializer_list<int64_t> normalized_shape) : normalized_shape_(normalized_shape) {}  // NOLINT
  LayerNormOptions(int64_t size) : normalized_shape_({size}) {}  // NOLINT
  KILN_ARG(std::vector<int64_t>, normalized_shape);
  KILN_ARG(double, eps) = 1e-5;
  KILN_ARG(bool, elementwise_affine) = true;
};

/// Normalizes the trailing normalized_shape dims. Parameters weight, bias of normalized_shape.
class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);
  /// weight ones, bias zeros.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  /// "(5,), eps=1e-05, elementwise_affine=True".
  std::string extra_repr() const override;

  LayerNormOptions options;
  Tensor weight;
  Tensor bias;
};
KILN_MODULE(LayerNorm);

/// Options of GroupNorm: num_groups, num_channels, eps (1e-5), affine (true).
struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels) : num_groups_(num_groups), num_channels_(num_channels) {}
  KILN_ARG(int64_t, num_groups);
  KILN_ARG(int64_t, num_channels);
  KILN_ARG(double, eps) = 1e-5;
  KILN_ARG(bool, affine) = true;
};

/// Normalizes [N, C, *] over groups of C/num_groups channels. Parameters weight, bias [C].
class GroupNormImpl : public Module {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels) : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options);
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  /// "2, 4, eps=1e-05, affine=True".
  std::string extra_repr() const override;

  GroupNormOptions options;
  Tensor weight;
  Tensor bias;
};
KILN_MODULE(GroupNorm);

/// Options of LocalResponseNorm: size, alpha (1e-4), beta (0.75), k (1.0).
struct LocalResponseNormOptions {
  LocalResponseNormOptions(int64_t size) : size_(size) {}  // NOLINT
  KILN_ARG(int64_t, size);
  KILN_ARG(double, alpha) = 1e-4;
  KILN_ARG(double, beta) = 0.75;
  KILN_ARG(double, k) = 1.0;
};

/// x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta.
class LocalResponseNormImpl : public Module {
 public:
  explicit LocalResponseNormImpl(int64_t size) : LocalResponseNormImpl(LocalResponseNormOptions(size)) {}
  explicit LocalResponseNormImpl(const LocalResponseNormOptions& options);
  Tensor forward(const Tensor& input) override;
  /// "2, alpha=0.0001, beta=0.75, k=1.0".
  std::string extra_repr() const override;

  LocalResponseNormOptions options;
};
KILN_MODULE(LocalResponseNorm);

/// Options of InstanceNormNd: num_features, eps (1e-5), momentum (0.1), affine (false),
/// track_running_stats (false).
struct InstanceNormOptions {
  InstanceNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT
  KILN_ARG(int64_t, num_features);
  KILN_ARG(double, eps) = 1e-5;
  KILN_ARG(std::optional<double>, momentum) = 0.1;
  KILN_ARG(bool, affine) = false;
  KILN_ARG(bool, track_running_stats) = false;
};
using InstanceNorm1dOptions = InstanceNormOptions;
using InstanceNorm2dOptions = InstanceNormOptions;
using InstanceNorm3dOptions = InstanceNormOptions;

/// The shared implementation; `spatial` is 1, 2 or 3.
class InstanceNormImplBase : public Module {
 public:
  InstanceNormImplBase(const InstanceNormOptions& options, int spatial, const std::string& type_name);
  void reset_running_stats();
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  /// "3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False".
  std::string extra_repr() const override;

  InstanceNormOptions options;
  Tensor weight;
  Tensor bias;
  Tensor running_mean;
  Tensor running_var;
  Tensor num_batches_tracked;

 private:
  int spatial_;
};

/// Over [N, C, L] or unbatched [C, L].
class InstanceNorm1dImpl : public InstanceNormImplBase {
 public:
  explicit InstanceNorm1dImpl(int64_t num_features) : InstanceNorm1dImpl(InstanceNormOptions(num_features)) {}
  explicit InstanceNorm1dImpl(const InstanceNormOptions& options) : InstanceNormImplBase(options, 1, "InstanceNorm1d") {}
};
KILN_MODULE(InstanceNorm1d);

/// Over [N, C, H, W] or unbatched [C, H, W].
class InstanceNorm2dImpl : public InstanceNormImplBase {
 public:
  explicit InstanceNorm2dImpl(int64_t num_features) : InstanceNorm2dImpl(InstanceNormOptions(num_features)) {}
  explicit InstanceNorm2dImpl(const InstanceNormOptions& options) : InstanceNormImplBase(options, 2, "InstanceNorm2d") {}
};
KILN_MODULE(InstanceNorm2d);

/// Over [N, C, D, H, W] or unbatched [C, D, H, W].
class InstanceNorm3dImpl : public InstanceNormImplBase {
 public:
  explicit InstanceNorm3dImpl(int64_t num_features) : InstanceNorm3dImpl(InstanceNormOptions(num_features)) {}
  explicit InstanceNorm3dImpl(const InstanceNormOptions& options) : InstanceNormImplBase(options, 3, "InstanceNorm3d") {}
};
KILN_MODULE(InstanceNorm3d);

}  // namespace kiln::nn
