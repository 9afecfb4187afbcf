// nn::F functions of issue 5's normalization, bilinear and embedding layers (torch 1.13's
// torch.nn.functional names, argument order and defaults).
//
// Contract (what each records; see also ir/ops.def):
// - layer_norm -> one `layer_norm` op (a bias without weight adds the bias afterwards).
// - group_norm -> one `group_norm` op.
// - instance_norm: with use_input_stats, `group_norm` with num_groups = C (the per-instance,
//   per-channel statistics); with running stats on concrete tensors it also updates
//   running_mean / running_var in place as torch does (momentum; the batch average of the
//   per-instance means and unbiased variances). Without use_input_stats it is
//   F::batch_norm's evaluation formula with the running stats. While tracing, the running
//   stats are not updated (compiled training state comes with the training issue).
// - local_response_norm: a decomposition: x*x viewed as [N, 1, C, rest], avg_pool over
//   (size, 1) with symmetric padding size/2 (count_include_pad) sliced to C rows — exactly
//   torch's zero padding (size/2 before, (size-1)/2 after) and divisor `size` — then
//   x / (avg * alpha + k)^beta.
// - bilinear: a decomposition: linear(x1, weight permuted to [out*in2, in1]) viewed as
//   [..., out, in2], times x2, summed over in2, plus bias.
// - embedding: one `embedding` op. With max_norm, eager mode first renormalizes the looked-up
//   rows of `weight` IN PLACE, as torch (scale max_norm / (norm + 1e-7) where the p-norm
//   exceeds max_norm). Traced, the graph renormalizes the gathered rows instead and leaves
//   the weight unchanged: every output equals torch's, but the stored weight is not
//   rewritten (graph values are immutable).
// - embedding_bag: one `embedding_bag` op. With max_norm, eager mode renormalizes the
//   looked-up rows in place; traced, the graph renormalizes the whole table before the op
//   (same outputs as torch, weight unchanged).
// - padding_idx may be negative (counted from the end) and is normalized as torch does;
//   scale_grad_by_freq and sparse only affect gradients: they are checked and accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/tensor.h"

namespace kiln::nn::functional {

/// Normalizes over the trailing dims `normalized_shape` (mean, biased variance), then
/// * weight + bias (each optional, shaped as normalized_shape).
Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);

/// Normalizes [N, C, *] over groups of C/num_groups channels, then * weight[C] + bias[C].
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

/// Per-instance, per-channel normalization of [N, C, *] (see the file comment).
Tensor instance_norm(const Tensor& input, const Tensor& running_mean = {}, const Tensor& running_var = {},
                     const Tensor& weight = {}, const Tensor& bias = {}, bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5);

/// Local response normalization across channels of [N, C, *] (rank >= 3).
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha = 1e-4, double beta = 0.75,
                           double k = 1.0);

/// y[..., o] = sum_ij x1[..., i] weight[o, i, j] x2[..., j] + bias[o]; x1 and x2 have the same
/// leading dims (or are both 1-d).
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias = {});

/// Rows of weight[V, D] for i64/i32 indices of any shape -> [*indices, D].
Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx = std::nullopt,
                 std::optional<double> max_norm = std::nullopt, double norm_type = 2.0,
                 bool scale_grad_by_freq = false, bool sparse = false);

/// Bags of rows reduced by mode "sum" | "mean" | "max": 2-d input [B, L] (offsets undefined)
/// or 1-d input with 1-d offsets. per_sample_weights (shape of input) only with "sum".
Tensor embedding_bag(const Tensor& input, const Tensor& weight, const Tensor& offsets = {},
                     std::optional<double> max_norm = std::nullopt, double norm_type = 2.0,
                     bool scale_grad_by_freq = false, const std::string& mode = "mean", bool sparse = false,
                     const Tensor& per_sample_weights = {}, bool include_last_offset = false,
                     std::optional<int64_t> padding_idx = std::nullopt);

}  // namespace kiln::nn::functional
