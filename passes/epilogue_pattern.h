// The epilogue-fusion pattern, shared by the fuse-epilogue pass that applies it (fused_conv /
// fused_linear nodes, passes/fuse_epilogue.h) and the fuse-elementwise pass, which must leave
// these nodes alone even when it runs without fuse-epilogue: the conv / GEMM kernels apply
// them to the register tile, which is faster than any separate elementwise kernel.
//
// Pattern. A conv (or conv_nhwc) or linear with one f32 result, a constant weight (operand 1) and static
// dims but the batch (operand 0's dims 1..), whose result has exactly one use and is not a
// graph output, absorbs: for conv, an optional `add` of another value of the same type
// computed before the conv (the residual), then, for both, an optional relu or clamp of the
// same type; each step only while the previous value has one use and is not an output, and
// never a node another chain already absorbed. Chains are found in node order.
#pragma once

#include <functional>
#include <vector>

#include "ir/graph.h"

namespace kiln::passes {

/// A conv / linear and the elementwise nodes fused into its epilogue.
struct EpilogueChain {
  const ir::Node* anchor = nullptr;      ///< the conv or linear
  const ir::Value* residual = nullptr;   ///< the fused add's other operand, or null
  const ir::Node* add = nullptr;         ///< the fused residual add, or null
  const ir::Node* activation = nullptr;  ///< the fused relu / clamp, or null
  const ir::Value* result = nullptr;     ///< the value the anchor now writes (the chain's last)
};

/// Every chain of `graph`, in node order; only chains that absorb at least one node.
/// `is_constant(v)` says whether a value's data is known at compile time (a weight or a
/// folded constant), as the packed kernels require of the weight.
std::vector<EpilogueChain> FindEpilogueChains(const ir::Graph& graph,
                                              const std::function<bool(const ir::Value*)>& is_constant);

}  // namespace kiln::passes
