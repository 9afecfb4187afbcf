#include "passes/cse.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::passes {

namespace {

/// A hash key: equal nodes have equal keys. Unequal nodes may share a key (e.g. NaN
/// attributes print alike), so candidates are confirmed with Equivalent().
std::string NodeKey(const ir::Node& n) {
  std::string key = n.op_name() + "(";
  for (const ir::Value* v : n.operands()) key += std::to_string(v->id()) + ",";
  key += "){";
  for (const auto& [name, value] : n.attrs().map()) key += name + "=" + ir::attr_value_str(value) + ";";
  return key + "}";
}

bool Equivalent(const ir::Node& a, const ir::Node& b) {
  if (a.op() != b.op() || a.operands() != b.operands() || a.attrs() != b.attrs()) return false;
  if (a.num_results() != b.num_results()) return false;
  for (int i = 0; i < a.num_results(); ++i) {
    if (a.result(i)->type() != b.result(i)->type()) return false;
  }
  return true;
}

}  // namespace

StatusOr<bool> CommonSubexpressionElimination::Run(ir::Graph& graph) {
  std::unordered_map<std::string, std::vector<ir::Node*>> seen;
  bool changed = false;
  for (ir::Node* n : graph.nodes()) {
    // Earlier replacements already rewrote this node's operands, so the key sees them.
    std::vector<ir::Node*>& candidates = seen[NodeKey(*n)];
    ir::Node* same = nullptr;
    for (ir::Node* c : candidates) {
      if (Equivalent(*c, *n)) {
        same = c;
        break;
      }
    }
    if (same == nullptr) {
      candidates.push_back(n);
      continue;
    }
    for (int i = 0; i < n->num_results(); ++i) graph.ReplaceAllUsesWith(n->result(i), same->result(i));
    graph.EraseNode(n);
    changed = true;
  }
  return changed;
}

}  // namespace kiln::passes
