// kiln::nn::functional, pooling of issue 4 (Layers I): max pooling with indices and 3-d,
// max_unpool, avg_pool3d, fractional_max_pool2d, lp_pool1d/2d and the adaptive pools, with
// torch.nn.functional's names, argument order and defaults (and libtorch's *_with_indices
// spellings for the variants that also return indices).
//
// How each maps to the IR:
// - max_poolNd_with_indices -> max_pool_with_indices (values + i64 indices: each max's flat
//   index into its input plane, as torch); max_pool3d -> max_pool; avg_pool3d -> avg_pool.
// - max_unpoolNd -> max_unpool {output_size}: zeros with the values scattered to the indices.
//   output_size (nd or nd + 2 entries, as torch) defaults to (in - 1) * stride - 2 * padding +
//   kernel_size and must lie strictly within stride of that default.
// - fractional_max_pool2d -> fractional_max_pool(x, samples): samples [N, C, 2] in [0, 1)
//   (index 0 for W, 1 for H, torch's layout) are an operand, so a traced graph stays pure.
//   When `random_samples` is undefined they are drawn from `generator` (the default
//   generator if null) with the input's dtype; while tracing that needs a static batch (the
//   drawn samples become a constant of the graph) — pass symbolic samples (a second graph
//   input) to keep the batch symbolic. kiln is stricter than torch: samples must be exactly
//   [N, C, 2] (torch reads past or ignores a wrong batch).
// - lp_poolNd: a decomposition, exactly torch's formula:
//   (sign(a) * relu(|a|) * prod(kernel_size)) ^ (1 / p), a = avg_pool(x ^ p, kernel, stride, 0, ceil_mode).
// - adaptive_{avg,max}_poolNd -> adaptive_avg_pool / adaptive_max_pool {output_size}, windows
//   [floor(i * in / out), ceil((i + 1) * in / out)). A None entry keeps that input size.
//
// Unbatched input ([C, *spatial]) is accepted everywhere torch accepts it.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <tuple>
#include <vector>

#include "frontend/functional.h"

namespace kiln::nn {

/// Two floats given as one (repeated) or two, as output_ratio of FractionalMaxPool2d.
class RatioPair {
 public:
  RatioPair(double v) : values_{v, v}, scalar_(true) {}  // NOLINT: implicit, as torch
  RatioPair(std::initializer_list<double> v);           // NOLINT
  double operator[](size_t i) const { return values_.at(i); }
  /// "0.5" or "(0.5, 0.25)".
  std::string repr() const;

 private:
  std::array<double, 2> values_{};
  bool scalar_ = false;
};

namespace functional {

using TensorPair = std::tuple<Tensor, Tensor>;

Tensor max_pool3d(const Tensor& input, ExpandingArray<3> kernel_size, OptionalExpandingArray<3> stride = {},
                  ExpandingArray<3> padding = 0, ExpandingArray<3> dilation = 1, bool ceil_mode = false);

/// (values, indices): indices are i64 flat offsets into each input plane, as torch.
TensorPair max_pool1d_with_indices(const Tensor& input, ExpandingArray<1> kernel_size,
                                   OptionalExpandingArray<1> stride = {}, ExpandingArray<1> padding = 0,
                                   ExpandingArray<1> dilation = 1, bool ceil_mode = false);
TensorPair max_pool2d_with_indices(const Tensor& input, ExpandingArray<2> kernel_size,
                                   OptionalExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0,
                                   ExpandingArray<2> dilation = 1, bool ceil_mode = false);
TensorPair max_pool3d_with_indices(const Tensor& input, ExpandingArray<3> kernel_size,
                                   OptionalExpandingArray<3> stride = {}, ExpandingArray<3> padding = 0,
                                   ExpandingArray<3> dilation = 1, bool ceil_mode = false);

Tensor avg_pool3d(const Tensor& input, ExpandingArray<3> kernel_size, OptionalExpandingArray<3> stride = {},
                  ExpandingArray<3> padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

/// Inverse of max pooling: zeros of output_size with input scattered to indices.
Tensor max_unpool1d(const Tensor& input, const Tensor& indices, ExpandingArray<1> kernel_size,
                    OptionalExpandingArray<1> stride = {}, ExpandingArray<1> padding = 0,
                    const std::optional<std::vector<int64_t>>& output_size = std::nullopt);
Tensor max_unpool2d(const Tensor& input, const Tensor& indices, ExpandingArray<2> kernel_size,
                    OptionalExpandingArray<2> stride = {}, ExpandingArray<2> padding = 0,
                    const std::optional<std::vector<int64_t>>& output_size = std::nullopt);
Tensor max_unpool3d(const Tensor& input, const Tensor& indices, ExpandingArray<3> kernel_size,
                    OptionalExpandingArray<3> stride = {}, ExpandingArray<3> padding = 0,
                    const std::optional<std::vector<int64_t>>& output_size = std::nullopt);

/// Fractional max pooling (exactly one of output_size / output_ratio); see the file comment
/// for random_samples and generator.
TensorPair fractional_max_pool2d_with_indices(const Tensor& input, ExpandingArray<2> kernel_size,
                                              std::optional<ExpandingArray<2>> output_size = std::nullopt,
                                              std::optional<RatioPair> output_ratio = std::nullopt,
                                              const Tensor& random_samples = {}, Generator* generator = nullptr);
Tensor fractional_max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size,
                             std::optional<ExpandingArray<2>> output_size = std::nullopt,
                             std::optional<RatioPair> output_ratio = std::nullopt, const Tensor& random_samples = {},
                             Generator* generator = nullptr);

/// Power-average pooling (see the file comment for the formula).
Tensor lp_pool1d(const Tensor& input, double norm_type, ExpandingArray<1> kernel_size,
                 OptionalExpandingArray<1> stride = {}, bool ceil_mode = false);
Tensor lp_pool2d(const Tensor& input, double norm_type, ExpandingArray<2> kernel_size,
                 OptionalExpandingArray<2> stride = {}, bool ceil_mode = false);

/// Adaptive pooling to output_size (adaptive_avg_pool2d is declared in functional.h).
Tensor adaptive_avg_pool1d(const Tensor& input, ExpandingArray<1> output_size);
Tensor adaptive_avg_pool3d(const Tensor& input, ExpandingArrayWithOptionalElem<3> output_size);
Tensor adaptive_max_pool1d(const Tensor& input, ExpandingArray<1> output_size);
Tensor adaptive_max_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size);
Tensor adaptive_max_pool3d(const Tensor& input, ExpandingArrayWithOptionalElem<3> output_size);
TensorPair adaptive_max_pool1d_with_indices(const Tensor& input, ExpandingArray<1> output_size);
TensorPair adaptive_max_pool2d_with_indices(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size);
TensorPair adaptive_max_pool3d_with_indices(const Tensor& input, ExpandingArrayWithOptionalElem<3> output_size);

}  // namespace functional

}  // namespace kiln::nn
