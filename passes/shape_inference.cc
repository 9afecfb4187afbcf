#include "passes/shape_inference.h"

#include <cerrno>
#include <cstdlib>
#include <set>

namespace kiln::passes {

namespace {

std::string types_str(const std::vector<ir::TensorType>& types) {
  std::string s;
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + types[i].str();
  return s;
}

std::string join(const std::set<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

}  // namespace

StatusOr<std::unique_ptr<ShapeInference>> ShapeInference::FromOptions(
    const std::vector<std::pair<std::string, std::string>>& options) {
  std::map<std::string, int64_t> bindings;
  std::vector<std::string> problems;
  for (const auto& [key, text] : options) {
    if (key.empty()) {
      problems.push_back("an option has no symbol name (expected SYMBOL=SIZE)");
      continue;
    }
    errno = 0;
    char* end = nullptr;
    long long size = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || end == nullptr || *end != '\0' || errno == ERANGE || size < 0) {
      problems.push_back("'" + key + "=" + text + "': the size must be a non-negative integer");
    } else if (!bindings.emplace(key, static_cast<int64_t>(size)).second) {
      problems.push_back("symbol '" + key + "' is bound twice");
    }
  }
  if (!problems.empty()) {
    std::string msg = std::string(kName) + " options: ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    return InvalidArgument(msg);
  }
  return std::make_unique<ShapeInference>(std::move(bindings));
}

StatusOr<bool> ShapeInference::Run(ir::Graph& graph) {
  bool changed = false;
  if (!bindings_.empty()) {
    std::set<std::string> symbols, used;
    for (ir::Value* input : graph.inputs()) {
      ir::TensorType type = input->type();
      for (ir::Dim& d : type.shape.dims()) {
        if (!d.is_symbolic()) continue;
        symbols.insert(d.symbol());
        auto it = bindings_.find(d.symbol());
        if (it == bindings_.end()) continue;
        used.insert(d.symbol());
        d = ir::Dim(it->second);
      }
      if (type != input->type()) {
        input->set_type(std::move(type));
        changed = true;
      }
    }
    std::set<std::string> unknown;
    for (const auto& [symbol, size] : bindings_) {
      if (!used.count(symbol)) unknown.insert(symbol);
    }
    if (!unknown.empty()) {
      return InvalidArgument("cannot bind " + join(unknown) + ": no graph input has such a symbolic dim (" +
                             (symbols.empty() ? std::string("the inputs have none")
                                              : "the inputs have " + join(symbols)) +
                             ")");
    }
  }

  for (ir::Node* n : graph.nodes()) {
    std::vector<ir::TensorType> operand_types;
    for (const ir::Value* v : n->operands()) {
      if (v == nullptr) return InvalidArgument(n->Describe() + ": an operand is null");
      operand_types.push_back(v->type());
    }
    auto inferred = ir::infer_result_types(n->schema(), operand_types, n->attrs());
    if (!inferred.ok()) {
      return inferred.status().WithContext(n->Describe() + " on (" + types_str(operand_types) + ")");
    }
    if (static_cast<int>(inferred->size()) != n->num_results()) {
      return Internal(n->Describe() + ": the shape rule gives " + std::to_string(inferred->size()) +
                      " results, the node has " + std::to_string(n->num_results()));
    }
    for (int i = 0; i < n->num_results(); ++i) {
      if (n->result(i)->type() == (*inferred)[static_cast<size_t>(i)]) continue;
      n->result(i)->set_type((*inferred)[static_cast<size_t>(i)]);
      changed = true;
    }
  }
  return changed;
}

}  // namespace kiln::passes
