#include "passes/dce.h"

#include <unordered_set>
#include <vector>

namespace kiln::passes {

StatusOr<bool> DeadCodeElimination::Run(ir::Graph& graph) {
  // Liveness flows backwards from the outputs; one reverse sweep suffices because nodes are
  // in topological order (every user comes after the values it uses).
  std::unordered_set<const ir::Value*> live;
  for (const ir::GraphOutput& out : graph.outputs()) live.insert(out.value);
  std::vector<ir::Node*> nodes = graph.nodes();
  std::vector<ir::Node*> dead;  // in reverse program order: users before their producers
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    ir::Node* n = *it;
    bool is_live = false;
    for (const ir::Value* r : n->results()) is_live = is_live || live.count(r) != 0;
    if (!is_live) {
      dead.push_back(n);
      continue;
    }
    for (const ir::Value* v : n->operands()) live.insert(v);
  }
  for (ir::Node* n : dead) graph.EraseNode(n);

  std::vector<ir::Value*> unused_params;
  for (ir::Value* p : graph.params()) {
    if (!live.count(p)) unused_params.push_back(p);
  }
  for (ir::Value* p : unused_params) graph.EraseParam(p);

  return !dead.empty() || !unused_params.empty();
}

}  // namespace kiln::passes
