// conv-bn-fold: folds a per-output-channel affine transform into the convolution or linear
// layer that feeds it (BatchNorm in eval mode, and plain scalings and shifts).
//
// Contract. Matches a `conv` or `linear` node whose weight is a parameter with weight data
// (its bias, when it has one, a parameter with data or a constant), followed by a chain of
// one or more `mul`, `div`, `add`, `sub` nodes, each taking the previous result and a known
// value (a parameter with weight data or a `constant`, see passes/param_tensors.h) that
// varies at most along the output-channel dim — shape [1,C,1,...], [C,1,...] or all ones for
// conv (channel dim 1); [C], [1,C] or all ones for linear (channel dim last) — with each
// node's result type equal to its chain operand's. Both operand orders are accepted except a
// division by the chain value (c / y is not affine). Every value of the chain but the last
// must have that chain node as its only use and must not be a graph output (the last may
// have any uses). Produces, in place of the conv, the same op with the same attributes and
// loc and new parameters W' and b' (b' also when the conv had no bias) named
// `<weight>.folded.N` and `<bias>.folded.N` (`<prefix>.bias.folded.N` for a weight
// `<prefix>.weight` whose bias is absent or a constant); its result takes the name of the
// chain's last value and replaces it, and the chain nodes are erased. Numerically, with the
// chain equal to y -> alpha[o] * y + beta[o]: W'[o] = W[o] * alpha[o] and
// b'[o] = alpha[o] * b[o] + beta[o], computed in double and stored in the weight's dtype.
// Requires a verified graph with weights attached (without weights it changes nothing) and,
// for a traced BatchNorm, `param-fold` first: the frontend reshapes the running stats,
// weight and bias to [1,C,1,1] inside the graph and computes sqrt(running_var + eps) there,
// and only param-fold turns those into parameters. Like param-fold it is for inference
// (BatchNorm in training mode normalizes by batch statistics, not by parameters). Preserves graph inputs, outputs, the
// original parameters (left for `dce`; another node may share them) and every other node.
// Deliberately does NOT handle: `conv_transpose` (its weight is [C_in, C_out/groups, ...],
// another channel layout); an affine op before the conv (zero padding would make that fold
// inexact); a chain through a reshape, an activation or a residual add (it stops at the
// first node that is not a per-channel affine op with a known operand); integer dtypes; a
// chain whose folded scale or shift is not finite (a zero divisor), which stays as it is
// rather than change inf/NaN semantics. Never fails on a verified graph.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Folds per-channel affine ops (BatchNorm in eval mode) into the preceding conv / linear.
class ConvBnFold : public Pass {
 public:
  static constexpr const char* kName = "conv-bn-fold";

  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
