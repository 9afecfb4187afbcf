// dce: dead-code elimination.
//
// Contract. Matches every node none of whose results reaches a graph output (directly or
// through other nodes), and every parameter that no node and no output uses. Produces the
// same graph without them: the nodes are erased, and the parameters are erased together with
// their entries in graph.weights(). Requires a graph whose nodes are in topological order
// (ir::Verify). Preserves graph inputs (always, even unused ones: they are the artifact's
// calling convention), outputs, the order of the remaining nodes, and every name. It treats
// every op as pure: there is no op with a side effect in the op table today; when one arrives
// (an RNG state update, a running-stats write) this pass must learn to keep it.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Removes nodes and parameters that do not contribute to a graph output.
class DeadCodeElimination : public Pass {
 public:
  static constexpr const char* kName = "dce";
  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
