// fuse-elementwise: merges connected elementwise nodes (and a reduction they feed) into one
// fused_elementwise node, so backends compute the chain without intermediate tensors.
//
// Contract. Matches groups of connected nodes whose op is fusible (ir::IsFusibleElementwise:
// unary / binary / compare / logical ops, where, clamp, cast, elu, leaky_relu, softplus,
// gelu) with one result each, whose operand and result dtypes are one floating dtype (f32 or
// f64) or bool, the same floating dtype across the group, and whose every value except the
// group's result is used only inside the group and is not a graph output. A group grows
// greedily from its root — the latest unassigned candidate in node order — towards its
// operands' producers, and a reduce_sum / mean / max / min of a floating dtype may be a
// group's root (its last instruction), so an elementwise prologue fuses into the reduction.
// Groups stay within kMaxOperands external operands and kMaxInstructions nodes (the CPU
// kernel's register file). Produces, for each group of >= 2 nodes, one `fused_elementwise`
// node whose operands are the group's external values in order of first use and whose body
// (ir/fused_body.h) lists the group's nodes in program order with their attributes; it is
// inserted where the root was, takes over the root's result name and loc, and the group's
// nodes are erased. Requires a verified graph. Preserves inputs, parameters, outputs, every
// node outside the groups and their order, and the values computed (each instruction is the
// op it replaces). Deliberately does NOT take the conv / linear epilogue chains the CPU
// backend fuses into its GEMM kernels (passes/epilogue_pattern.h; a parameter or a
// `constant` counts as a constant weight), fuse across a value that has other users (that
// would recompute it), fuse integer ops, random_uniform, reduce_prod or reductions in the
// middle of a chain, nor fuse a lone node (nothing to save). Deterministic: groups depend
// only on node order. Errors: none beyond an internal failure to build the fused node, which
// names the root node.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Fuses chains of elementwise ops (and a trailing reduction) into fused_elementwise nodes.
class FuseElementwise : public Pass {
 public:
  static constexpr const char* kName = "fuse-elementwise";
  /// The most external operands / instructions of one fused node. They match the CPU
  /// kernel's limits (codegen/cpu/kernel_codes.h, kFusedMaxOperands / kFusedMaxInstrs).
  static constexpr int kMaxOperands = 12;
  static constexpr int kMaxInstructions = 20;

  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
