// Shape rules named by the rows of ir/ops.def. Each computes result types from operand types
// and (already completed) attributes, and returns an error naming the offending shapes.
//
// Symbolic dims: two dims match when equal (same size or same symbol); broadcasting treats a
// static 1 as stretchable. Rules that would need arithmetic on a symbolic dim (a convolution
// over a symbolic spatial dim, a reshape whose -1 is not a whole symbol) answer Unimplemented.
#pragma once

#include "ir/ops.h"

namespace kiln::ir {

#define KILN_DECLARE_RULE(rule) \
  StatusOr<std::vector<TensorType>> rule(const std::vector<TensorType>& in, const Attrs& attrs);
KILN_DECLARE_RULE(infer_unary_numeric)
KILN_DECLARE_RULE(infer_unary_float)
KILN_DECLARE_RULE(infer_unary_bool)
KILN_DECLARE_RULE(infer_cast)
KILN_DECLARE_RULE(infer_binary_numeric)
KILN_DECLARE_RULE(infer_binary_float)
KILN_DECLARE_RULE(infer_binary_compare)
KILN_DECLARE_RULE(infer_binary_bool)
KILN_DECLARE_RULE(infer_where)
KILN_DECLARE_RULE(infer_matmul)
KILN_DECLARE_RULE(infer_linear)
KILN_DECLARE_RULE(infer_conv)
KILN_DECLARE_RULE(infer_pool)
KILN_DECLARE_RULE(infer_reshape)
KILN_DECLARE_RULE(infer_permute)
KILN_DECLARE_RULE(infer_expand)
KILN_DECLARE_RULE(infer_concat)
KILN_DECLARE_RULE(infer_slice)
KILN_DECLARE_RULE(infer_reduce)
KILN_DECLARE_RULE(infer_reduce_float)
KILN_DECLARE_RULE(infer_arg_reduce)
KILN_DECLARE_RULE(infer_constant)
KILN_DECLARE_RULE(infer_pad)
KILN_DECLARE_RULE(infer_conv_transpose)
KILN_DECLARE_RULE(infer_unfold)
KILN_DECLARE_RULE(infer_fold)
KILN_DECLARE_RULE(infer_upsample)
KILN_DECLARE_RULE(infer_max_pool_with_indices)
KILN_DECLARE_RULE(infer_max_unpool)
KILN_DECLARE_RULE(infer_fractional_max_pool)
KILN_DECLARE_RULE(infer_adaptive_pool)
KILN_DECLARE_RULE(infer_adaptive_max_pool)
KILN_DECLARE_RULE(infer_gelu)
KILN_DECLARE_RULE(infer_layer_norm)
KILN_DECLARE_RULE(infer_group_norm)
KILN_DECLARE_RULE(infer_embedding)
KILN_DECLARE_RULE(infer_embedding_bag)
KILN_DECLARE_RULE(infer_rnn)
KILN_DECLARE_RULE(infer_lstm)
KILN_DECLARE_RULE(infer_fused_elementwise)  // ir/fused_body.cc
KILN_DECLARE_RULE(infer_conv_nhwc)          // ir/shape_rules_layout.cc
KILN_DECLARE_RULE(infer_max_pool_nhwc)
KILN_DECLARE_RULE(infer_fused_conv)          // ir/shape_rules_layout.cc
KILN_DECLARE_RULE(infer_fused_linear)
#undef KILN_DECLARE_RULE

/// Broadcasts two shapes like NumPy / PyTorch; an error names both shapes.
StatusOr<Shape> broadcast_shapes(const Shape& a, const Shape& b);

/// Normalizes a possibly negative dim index against `rank`; error if out of range.
StatusOr<int> normalize_dim(int64_t dim, int rank);

}  // namespace kiln::ir
