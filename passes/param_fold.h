// param-fold: evaluates nodes computed from weights alone and makes their results parameters.
//
// Contract. Matches a node, other than `constant` and `random_uniform`, all of whose operands
// are known at compile time (passes/param_tensors.h: parameters with weight data, results of
// `constant` nodes) and at least one of which is a parameter — e.g. the eval-mode BatchNorm
// prelude reshape(running_var) -> add(., eps) -> sqrt. Evaluates it with the reference kernels
// (kiln::reference::EvaluateOp) and produces one NEW parameter per result, named
// `<first parameter operand>.folded.N` (the operand's own `.folded.K` suffix dropped, N the
// first free number) with the result attached as its weight; every use of the old result
// (node operands and graph outputs) now uses the parameter and the node is erased. Nodes are
// visited in program order, so a chain folds in one run, and the intermediate parameters this
// run created are erased as soon as nothing uses them; the original parameters stay for `dce`.
// Requires a verified graph with weights attached; with no weights (a graph read from .kir
// text) it changes nothing. It treats parameters as constants of the artifact, which holds
// for inference; a training pipeline, whose parameters the step updates, must not run it. Preserves graph inputs, outputs, every other node and its order,
// and the original parameters and their data (new tensors are built, none is mutated).
// Deliberately does NOT fold: nodes with an operand derived from a graph input (that is work
// left for run time, whatever the operand shapes); nodes of constants only (`constant-fold`
// does those and keeps them in the text); a node whose result has more elements than its
// largest operand (expand, outer products, low-rank matmuls), since materializing it would
// grow the weights; symbolic result shapes; `random_uniform`, whose samples are run-time state
// in training graphs. A parameter used by both a folded and an unfolded node keeps its data,
// so the folded copy adds to the artifact. An evaluation error is a compile error naming the
// node, e.g. an integer division by zero between weights.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Replaces nodes computed from weights (and constants) by new parameters holding the result.
class ParamFold : public Pass {
 public:
  static constexpr const char* kName = "param-fold";

  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
