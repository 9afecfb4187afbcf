// nn::BatchNorm1d, nn::BatchNorm2d and nn::BatchNorm3d, as torch.nn's (torch 1.13).
//
// Contract.
// - Registration order (state_dict keys): parameters weight, bias (None when affine=false);
//   buffers running_mean, running_var, num_batches_tracked (None when
//   track_running_stats=false). Init: weight ones, bias zeros, running_mean zeros,
//   running_var ones, num_batches_tracked i64 0.
// - Eval mode (with running stats): y = (x - running_mean) / sqrt(running_var + eps) * weight
//   + bias, the [C] tensors reshaped to broadcast over [N, C, *].
// - Training mode, or no running stats: batch mean and biased variance over every dim but 1.
//   On concrete tensors (eager) with track_running_stats, num_batches_tracked += 1 and the
//   running stats are updated in place exactly as torch (momentum, or the cumulative average
//   1/num_batches_tracked when momentum is None; unbiased variance).
// - While tracing (symbolic input) in training mode the batch statistics are used and the
//   buffers are NOT updated: compiled training state (running stats as train_step outputs)
//   comes with the training issue.
// - Inference stays a decomposition into elementwise ops (sub, add, sqrt, div, mul on the
//   [1, C, 1, ...] reshaped statistics); folding it into a preceding conv/linear is the
//   performance issue's BN-folding pass, which matches that pattern.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of BatchNormNd: num_features, eps (1e-5), momentum (0.1; nullopt = cumulative
/// average), affine (true), track_running_stats (true).
struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT
  KILN_ARG(int64_t, num_features);
  KILN_ARG(double, eps) = 1e-5;
  KILN_ARG(std::optional<double>, momentum) = 0.1;
  KILN_ARG(bool, affine) = true;
  KILN_ARG(bool, track_running_stats) = true;
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;
using BatchNorm3dOptions = BatchNormOptions;

/// The shared implementation; subclasses check the input rank.
class BatchNormImplBase : public Module {
 public:
  BatchNormImplBase(const BatchNormOptions& options, const std::string& type_name);
  /// Running stats back to zeros/ones and num_batches_tracked to 0.
  void reset_running_stats();
  /// reset_running_stats(), weight ones, bias zeros.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  /// "64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True".
  std::string extra_repr() const override;

  BatchNormOptions options;
  Tensor weight;
  Tensor bias;
  Tensor running_mean;
  Tensor running_var;
  Tensor num_batches_tracked;

 protected:
  virtual void check_input_dim(const Tensor& input) const = 0;
};

/// Over [N, C] or [N, C, L].
class BatchNorm1dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm1dImpl(int64_t num_features) : BatchNorm1dImpl(BatchNorm1dOptions(num_features)) {}
  explicit BatchNorm1dImpl(const BatchNorm1dOptions& options) : BatchNormImplBase(options, "BatchNorm1d") {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};
KILN_MODULE(BatchNorm1d);

/// Over [N, C, H, W].
class BatchNorm2dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm2dImpl(int64_t num_features) : BatchNorm2dImpl(BatchNorm2dOptions(num_features)) {}
  explicit BatchNorm2dImpl(const BatchNorm2dOptions& options) : BatchNormImplBase(options, "BatchNorm2d") {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};
KILN_MODULE(BatchNorm2d);

/// Over [N, C, D, H, W].
class BatchNorm3dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm3dImpl(int64_t num_features) : BatchNorm3dImpl(BatchNorm3dOptions(num_features)) {}
  explicit BatchNorm3dImpl(const BatchNorm3dOptions& options) : BatchNormImplBase(options, "BatchNorm3d") {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};
KILN_MODULE(BatchNorm3d);

}  // namespace kiln::nn
