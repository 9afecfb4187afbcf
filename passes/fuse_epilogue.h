// fuse-epilogue: folds the elementwise tail of a convolution or linear layer into it, as
// one `fused_conv` / `fused_linear` node whose kernel applies the tail to its output tile.
//
// Contract. The chains are those of passes/epilogue_pattern.h (FindEpilogueChains), with a
// weight that is a parameter or a `constant` result: a conv / conv_nhwc (f32, static dims but
// the batch) followed by an optional `add` of a same-typed value computed before it (the
// residual) and then an optional relu or clamp; a linear followed by a relu or clamp — each
// step only through a value with one use that is not a graph output. Each chain becomes one
// node inserted where the conv / linear was: `fused_conv(x, weight[, bias][, residual])`
// with the conv's stride / padding / dilation / groups, layout NCHW or NHWC, has_bias,
// has_residual, activation none / relu / clamp and its min / max; or `fused_linear(x,
// weight[, bias])` with the activation. Its result replaces the chain's last value
// everywhere (graph outputs keep their names), it takes the conv's / linear's loc, and the
// chain's nodes are erased. Numerically it is the chain's own order: conv + bias, then
// + residual, then the activation. Requires a verified graph; preserves inputs, outputs,
// parameters and weights. Runs after `layout` (which makes conv_nhwc) and before
// `fuse-elementwise`. Errors: none.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Conv / linear epilogue fusion into fused_conv / fused_linear nodes.
class FuseEpilogue : public Pass {
 public:
  static constexpr const char* kName = "fuse-epilogue";
  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
