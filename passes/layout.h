// layout: runs a model's 2-d convolutions and max pools channels-last (NHWC) inside the
// graph, with the layout changes moved to where they cost least.
//
// Contract. Candidates are 2-d (rank-4) f32 `conv` nodes whose weight (and bias) are graph
// parameters and whose groups are 1 or depthwise (groups == C == O), and 2-d f32 `max_pool`
// nodes. When the graph has at least kMinConvs candidate convs (a lone conv is cheaper left
// channels-first than wrapped in two transposes), every candidate `op(x, ...)` becomes
// `permute(op_nhwc(permute(x, [0,2,3,1]), ...), [0,3,1,2])` (conv_nhwc / max_pool_nhwc; the
// weights keep their [O, C/g, KH, KW] layout, which backends pre-pack at compile time). Then,
// to a fixpoint, a pointwise node (ir::IsFusibleElementwise: the unary, binary, comparison,
// logical, where, cast, clamp ops and elu / leaky_relu / softplus / gelu — not
// random_uniform, whose values depend on element order) with a rank-4 result, at least one operand produced by a
// `permute [0,3,1,2]` and every other operand a scalar, another such permute, or a rank-4
// value of at most as many elements as its channel dim (a per-channel constant, permuted by a
// new `permute [0,2,3,1]`), is computed channels-last and followed by one `permute
// [0,3,1,2]`. Back-to-back inverse permutes are left for `simplify` to cancel, dead ones for
// `dce`: after those, a ResNet or MobileNet runs channels-last from one transpose of its
// input to one transpose before its global pool. Requires a verified graph; preserves
// inputs, outputs and their names, parameters and weights; new nodes take the loc of the node
// they replace. Errors: none (a node it cannot rewrite stays as it is).
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Channels-last layout selection for 2-d convolutions and max pools.
class Layout : public Pass {
 public:
  static constexpr const char* kName = "layout";
  /// Fewer candidate convs than this: the graph keeps its layout.
  static constexpr int kMinConvs = 2;
  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
