#include "passes/param_fold.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "passes/param_tensors.h"

namespace kiln::passes {

namespace {

/// Whether `n` is a node param-fold evaluates: every operand known, at least one a parameter,
/// and results static and no larger than the largest operand.
bool Foldable(const ir::Node& n, const KnownTensors& known) {
  if (n.op() == ir::OpKind::Constant || n.op() == ir::OpKind::RandomUniform || n.num_operands() == 0) return false;
  bool reads_param = false;
  int64_t largest_operand = 0;
  for (const ir::Value* v : n.operands()) {
    if (!known.IsKnown(v) || !v->type().shape.is_static()) return false;
    reads_param = reads_param || v->kind() == ir::ValueKind::kParam;
    largest_operand = std::max(largest_operand, v->type().shape.num_elements());
  }
  if (!reads_param) return false;
  for (const ir::Value* r : n.results()) {
    if (!r->type().shape.is_static() || r->type().shape.num_elements() > largest_operand) return false;
  }
  return true;
}

/// Gives `p` the first free `<base>.folded.N` name, moving its weight along.
void RenameFoldedParam(ir::Graph& graph, ir::Value* p) {
  std::string base = FoldedBaseName(p->name());
  for (int i = 0;; ++i) {
    std::string name = base + ".folded." + std::to_string(i);
    if (name == p->name()) return;
    if (graph.FindParam(name) != nullptr || graph.FindInput(name) != nullptr) continue;
    auto entry = graph.weights().extract(p->name());
    entry.key() = name;
    graph.weights().insert(std::move(entry));
    p->set_name(name);
    return;
  }
}

}  // namespace

StatusOr<bool> ParamFold::Run(ir::Graph& graph) {
  if (graph.weights().empty()) return false;
  KnownTensors known(graph);
  std::unordered_set<ir::Value*> created;  // parameters this run made; erased once unused
  bool changed = false;
  for (ir::Node* n : graph.nodes()) {
    if (!Foldable(*n, known)) continue;
    std::vector<ir::HostTensor> operands;
    const ir::Value* first_param = nullptr;
    for (const ir::Value* v : n->operands()) {
      auto t = known.Get(v);
      if (!t.ok()) return t.status().WithContext("cannot fold " + n->Describe());
      operands.push_back(std::move(t).value());
      if (first_param == nullptr && v->kind() == ir::ValueKind::kParam) first_param = v;
    }
    auto results = reference::EvaluateOp(n->op(), n->attrs(), operands);
    if (!results.ok()) return results.status().WithContext("cannot fold " + n->Describe());
    if (static_cast<int>(results->size()) != n->num_results()) {
      return Internal("cannot fold " + n->Describe() + ": the reference kernel gave " +
                      std::to_string(results->size()) + " results");
    }
    for (int i = 0; i < n->num_results(); ++i) {
      const ir::HostTensor& t = (*results)[static_cast<size_t>(i)];
      if (t.type() != n->result(i)->type()) {
        return Internal("cannot fold " + n->Describe() + ": the reference kernel gave " + t.type().str() +
                        " where the node has " + n->result(i)->type().str());
      }
    }
    std::vector<ir::Value*> made;
    for (int i = 0; i < n->num_results(); ++i) {
      made.push_back(AddFoldedParam(graph, first_param->name(), (*results)[static_cast<size_t>(i)]));
      graph.ReplaceAllUsesWith(n->result(i), made.back());
    }
    std::vector<ir::Value*> inputs(n->operands().begin(), n->operands().end());
    graph.EraseNode(n);
    for (ir::Value* v : inputs) {
      if (created.count(v) && !graph.HasUses(v)) {
        created.erase(v);
        graph.EraseParam(v);
      }
    }
    // A chain reshape -> add -> sqrt ends as `<param>.folded.0`, not `.folded.2`: the names of
    // the intermediates just erased are free again.
    for (ir::Value* p : made) {
      RenameFoldedParam(graph, p);
      created.insert(p);
    }
    changed = true;
  }
  return changed;
}

}  // namespace kiln::passes
