// Pass: one transformation of an ir::Graph, run by the PassManager (passes/pass_manager.h).
//
// A pass rewrites the graph in place and says whether it changed anything. It may assume the
// graph it receives verifies (ir::Verify), and must leave a graph that verifies: the
// PassManager checks that after every pass with `verify_each`, and tests always do. A pass
// reports bad input as a Status whose message names the node (Node::Describe()) and the
// shapes; it never aborts on bad input. The PassManager prefixes the pass's name.
//
// Every pass has a stable kebab-case name (`constant-fold`, `dce`): it is what pipelines,
// `--print-ir-after`, `--stop-after` and dump file names use, so it never changes once
// published. See docs/adding_a_pass.md.
#pragma once

#include <string>

#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::passes {

/// A graph-to-graph transformation.
class Pass {
 public:
  virtual ~Pass() = default;

  /// The stable kebab-case name (e.g. "constant-fold").
  virtual std::string name() const = 0;

  /// Rewrites `graph` in place. Returns true when the graph changed, false when it is
  /// exactly as before, or an error naming the offending node.
  virtual StatusOr<bool> Run(ir::Graph& graph) = 0;
};

}  // namespace kiln::passes
