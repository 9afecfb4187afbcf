// kiln::nn::functional (alias kiln::nn::F): the stateless forms of the layers, as
// torch.nn.functional, with Python's argument order and defaults.
//
// Contract.
// - Every function validates its arguments and the static parts of the shapes first and
//   throws kiln::Error with a torch-like message naming the function and the shapes
//   ("conv2d: expected input with 3 channels, got 1 ..."), prefixed by the module path when
//   a module's forward is running. Then it records or evaluates IR ops through
//   detail::apply / Tensor ops, so eager results and traced graphs compute the same thing.
// - Concrete inputs evaluate eagerly (reference kernels); symbolic ones record nodes. The
//   batch dim may be symbolic; channel and spatial dims of conv/pool inputs must be static.
// - Unbatched inputs ([C, *spatial]) are accepted where torch accepts them (conv, pool).
// - batch_norm: in training mode it normalizes with the batch mean and biased variance. On
//   concrete tensors it also updates running_mean / running_var in place exactly as torch
//   (momentum, unbiased variance). On symbolic input (tracing) it uses batch statistics and
//   does NOT update the buffers: compiled training state comes with the training issue.
//   Parameters/buffers of the traced module used by batch_norm become graph parameters named
//   by their state_dict keys (they are reshaped to [1, C, 1, ...] inside the graph).
// - dropout: identity when !training or p == 0; training draws a keep-mask with the
//   counter-based random_uniform op seeded from the generator (default_generator() if null)
//   and scales by 1/(1-p); it traces (the seed becomes a node attribute, see
//   functional_activation.h).
// - Max pooling with indices, 3-d pools, unpooling, fractional/LP/adaptive pools:
//   functional_pooling.h. Padding, transposed convolution, fold/unfold and interpolation:
//   functional_spatial.h. Activations, dropout variants, distances: functional_activation.h.
//   Normalization, embedding, bilinear: functional_norm_embedding.h.
#pragma once

#include <cstdint>
#include <optional>

#include "frontend/expanding_array.h"
#include "frontend/random.h"
#include "frontend/tensor.h"

namespace kiln::nn {

/// An optional ExpandingArray (Python's stride=None): implicit from an int or a list.
template <size_t N>
class OptionalExpandingArray {
 public:
  OptionalExpandingArray() = default;
  OptionalExpandingArray(std::nullopt_t) {}                                         // NOLINT
  OptionalExpandingArray(int64_t v) : value_(ExpandingArray<N>(v)) {}                // NOLINT
  OptionalExpandingArray(std::initializer_list<int64_t> v) : value_(ExpandingArray<N>(v)) {}  // NOLINT
  OptionalExpandingArray(const std::vector<int64_t>& v) : value_(ExpandingArray<N>(v)) {}     // NOLINT
  OptionalExpandingArray(const ExpandingArray<N>& v) : value_(v) {}                  // NOLINT
  bool has_value() const { return value_.has_value(); }
  const ExpandingArray<N>& operator*() const { return *value_; }
  ExpandingArray<N> value_or(const ExpandingArray<N>& other) const { return value_ ? *value_ : other; }

 private:
  std::optional<ExpandingArray<N>> value_;
};

namespace functional {

/// input[..., in] @ weight[out, in]^T + bias[out] (bias optional).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});

/// Convolution over [N, C, *spatial] (or unbatched [C, *spatial]) with weight
/// [O, C/groups, *kernel] and optional bias [O]; zero padding.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, ExpandingArray<1> stride = 1,
              ExpandingArray<1> padding = 0, ExpandingArray<1> dilation = 1, int64_t groups = 1);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, ExpandingArray<2> stride = 1,
              ExpandingArray<2> padding = 0, ExpandingArray<2> dilation = 1, int64_t groups = 1);
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, ExpandingArray<3> stride = 1,
              ExpandingArray<3> padding = 0, ExpandingArray<3> dilation = 1, int64_t groups = 1);

/// Max pooling; stride defaults to kernel_size; padding counts as -inf.
Tensor max_pool1d(const Tensor& input, ExpandingArray<1> kernel_size, OptionalExpandingArray<1> stride = {},
                  ExpandingArray<1> padding = 0, ExpandingArray<1> dilation = 1, bool ceil_mode = false);
Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, OptionalExpandingArray<2> stride = {},
                  ExpandingArray<2> padding = 0, ExpandingArray<2> dilation = 1, bool ceil_mode = false);

/// Average pooling; stride defaults to kernel_size.
Tensor avg_pool1d(const Tensor& input, ExpandingArray<1> kernel_size, OptionalExpandingArray<1> stride = {},
                  ExpandingArray<1> padding = 0, bool ceil_mode = false, bool count_include_pad = true);
Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, OptionalExpandingArray<2> stride = {},
                  ExpandingArray<2> padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

/// Adaptive average pooling to output_size (a None entry keeps that input size), with torch's
/// windows start = floor(i * in / out), end = ceil((i + 1) * in / out).
Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size);

/// Activations. `inplace` on a concrete tensor also writes the result into `input` (as torch);
/// it is ignored while tracing (graph values are immutable).
Tensor relu(const Tensor& input, bool inplace = false);
Tensor relu6(const Tensor& input, bool inplace = false);
Tensor sigmoid(const Tensor& input);
Tensor tanh(const Tensor& input);
Tensor softmax(const Tensor& input, int64_t dim);
Tensor log_softmax(const Tensor& input, int64_t dim);

/// Batch normalization over dim 1 of [N, C, *] (see the file comment for training mode).
/// running_mean/running_var may be undefined only in training mode.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = {}, const Tensor& bias = {}, bool training = false, double momentum = 0.1,
                  double eps = 1e-5);

/// Zeroes elements with probability p and scales the rest by 1/(1-p) when training.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true, Generator* generator = nullptr);

/// torch.flatten(input, start_dim, end_dim).
Tensor flatten(const Tensor& input, int64_t start_dim = 0, int64_t end_dim = -1);

}  // namespace functional

namespace F = functional;

}  // namespace kiln::nn
