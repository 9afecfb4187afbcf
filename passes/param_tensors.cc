#include "passes/param_tensors.h"

#include <cctype>
#include <utility>

#include "codegen/reference/interpreter.h"

namespace kiln::passes {

bool KnownTensors::IsKnown(const ir::Value* v) const {
  if (v->kind() == ir::ValueKind::kParam) return graph_.weights().count(v->name()) > 0;
  return v->producer() != nullptr && v->producer()->op() == ir::OpKind::Constant;
}

StatusOr<ir::HostTensor> KnownTensors::Get(const ir::Value* v) {
  if (v->kind() == ir::ValueKind::kParam) {
    auto it = graph_.weights().find(v->name());
    if (it == graph_.weights().end()) return Internal("parameter %" + v->name() + " has no weight data");
    return it->second;
  }
  auto cached = constants_.find(v);
  if (cached != constants_.end()) return cached->second;
  const ir::Node* n = v->producer();
  if (n == nullptr || n->op() != ir::OpKind::Constant) return Internal("value is not a constant");
  auto t = reference::EvaluateOp(ir::OpKind::Constant, n->attrs(), {});
  if (!t.ok()) return t.status().WithContext(n->Describe());
  if (t->size() != 1) return Internal(n->Describe() + ": the constant kernel gave no single result");
  constants_.emplace(v, t->front());
  return t->front();
}

std::string FoldedBaseName(const std::string& name) {
  static const std::string kMarker = ".folded.";
  size_t at = name.rfind(kMarker);
  if (at == std::string::npos || at + kMarker.size() == name.size()) return name;
  for (size_t i = at + kMarker.size(); i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return name;
  }
  return name.substr(0, at);
}

ir::Value* AddFoldedParam(ir::Graph& graph, const std::string& base, ir::HostTensor data) {
  std::string root = FoldedBaseName(base) + ".folded.";
  std::string name;
  for (int n = 0;; ++n) {
    name = root + std::to_string(n);
    if (graph.FindParam(name) == nullptr && graph.FindInput(name) == nullptr) break;
  }
  ir::Value* p = graph.AddParam(name, data.type());
  graph.weights()[name] = std::move(data);
  return p;
}

}  // namespace kiln::passes
