// shape-inference: recomputes every result type from the op table's shape rules.
//
// Contract. First, with bindings (`shape-inference{N=8}`), it replaces each symbolic dim of a
// graph input whose symbol is bound by the bound static size; a binding whose symbol appears
// in no graph input is an error (it is a typo, not a no-op). Then it visits the nodes in
// program order, runs each node's shape rule (ir::infer_result_types) on the operands'
// current types and sets the node's result types to what the rule answers. Produces a graph
// whose recorded types are exactly the inferred ones, so it verifies whenever every rule
// accepts its operands; with all symbols bound, every type is static. It changes types only:
// no node, value, attribute or name is added or removed; parameters (always static) and the
// attributes of shape-bearing ops (`reshape{shape=...}`, `expand`) are left as they are.
// Returns changed=true when any type differs from before. An error names the node
// (Node::Describe()) and its operand types, e.g. after binding N=8 a `reshape` whose shape no
// longer fits. Requires nodes in topological order with operands defined (as the verifier
// checks); it does not require the recorded types to be right, which is what it repairs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "passes/pass.h"

namespace kiln::passes {

/// Re-runs the shape rules, optionally binding symbolic dims of the graph inputs first.
class ShapeInference : public Pass {
 public:
  static constexpr const char* kName = "shape-inference";

  /// `bindings` maps a symbolic dim name (e.g. "N") to the static size it takes.
  explicit ShapeInference(std::map<std::string, int64_t> bindings = {}) : bindings_(std::move(bindings)) {}

  /// Builds the pass from textual options `{N=8, M=4}` (key = symbol, value = a
  /// non-negative integer). Every bad option is reported at once.
  static StatusOr<std::unique_ptr<ShapeInference>> FromOptions(
      const std::vector<std::pair<std::string, std::string>>& options);

  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;

  const std::map<std::string, int64_t>& bindings() const { return bindings_; }

 private:
  std::map<std::string, int64_t> bindings_;
};

}  // namespace kiln::passes
