#include "ir/verifier.h"

#include <set>
#include <unordered_set>

namespace kiln::ir {

namespace {


std::string types_str(const std::vector<TensorType>& types) {
  std::string s;
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + types[i].str();
  return s;
}

}  // namespace

Status Verify(const Graph& graph, const VerifyOptions& options) {
  std::vector<std::string> problems;
  std::set<std::string> names;
  std::unordered_set<const Value*> defined;

  auto check_size = [&](const Value* v) {
    int64_t n = static_cast<int64_t>(dtype_size(v->type().dtype));
    for (const Dim& d : v->type().shape.dims()) {
      if (d.is_static() && d.size() > 0 && __builtin_mul_overflow(n, d.size(), &n)) {
        problems.push_back("%" + v->name() + ": type " + v->type().str() + " is too large (byte size overflows)");
        return;
      }
    }
  };
  auto check_name = [&](const Value* v, const char* what) {
    if (v->name().empty()) {
      problems.push_back(std::string(what) + " #" + std::to_string(v->id()) + " has no name");
    } else if (IsNumericName(v->name())) {
      problems.push_back(std::string(what) + " %" + v->name() + ": names of inputs and parameters cannot be plain numbers");
    } else if (!names.insert(v->name()).second) {
      problems.push_back(std::string(what) + " %" + v->name() + ": name is defined twice");
    }
  };
  for (const Value* v : graph.inputs()) {
    check_name(v, "input");
    defined.insert(v);
  }
  for (const Value* v : graph.params()) {
    check_name(v, "param");
    defined.insert(v);
    if (!v->type().shape.is_static()) {
      problems.push_back("param %" + v->name() + ": shape " + v->type().shape.str() + " must be static");
    }
  }
  // Element counts of declared types must fit int64 (and their bytes size_t), so that code
  // sizing buffers from them never overflows.
  for (const Value* v : graph.inputs()) check_size(v);
  for (const Value* v : graph.params()) check_size(v);

  for (const Node* n : graph.nodes()) {
    const OpSchema& schema = n->schema();
    // Describe() scans the graph, so only build the label when there is something to report.
    auto where = [n] { return "node " + n->Describe(); };
    bool operands_ok = true;
    std::vector<TensorType> types;
    for (int i = 0; i < n->num_operands(); ++i) {
      const Value* v = n->operand(i);
      if (v == nullptr) {
        problems.push_back(where() + ": operand " + std::to_string(i) + " is null");
        operands_ok = false;
      } else if (!defined.count(v)) {
        problems.push_back(where() + ": operand " + std::to_string(i) + " is used before it is defined");
        operands_ok = false;
      } else {
        types.push_back(v->type());
      }
    }
    for (const Value* r : n->results()) {
      if (!r->name().empty() && !IsNumericName(r->name()) && !names.insert(r->name()).second) {
        problems.push_back(where() + ": name %" + r->name() + " is defined twice");
      }
      defined.insert(r);
    }
    auto full = complete_attrs(schema, n->attrs());
    if (!full.ok()) {
      problems.push_back(where() + ": " + full.status().message());
      continue;
    }
    if (full->size() != n->attrs().size()) {  // (not ==: a NaN attribute never equals itself)
      problems.push_back(where() + ": default attributes were not filled in");
    }
    if (!operands_ok) continue;
    auto inferred = infer_result_types(schema, types, n->attrs());
    std::vector<TensorType> recorded;
    for (const Value* r : n->results()) recorded.push_back(r->type());
    if (!inferred.ok()) {
      problems.push_back(where() + " on (" + types_str(types) + "): " + inferred.status().message());
    } else if (*inferred != recorded) {
      problems.push_back(where() + ": result type " + types_str(recorded) + " differs from inferred " +
                         types_str(*inferred) + " for operands (" + types_str(types) + ")");
    }
  }

  std::set<std::string> output_names;
  if (graph.outputs().empty()) problems.push_back("graph has no outputs");
  for (const GraphOutput& out : graph.outputs()) {
    if (out.name.empty()) problems.push_back("an output has no name");
    if (!output_names.insert(out.name).second) problems.push_back("output '" + out.name + "' is defined twice");
    if (out.value == nullptr || !defined.count(out.value)) {
      problems.push_back("output '" + out.name + "' refers to an undefined value");
    }
  }

  if (options.require_weights || !graph.weights().empty()) {
    for (const Value* p : graph.params()) {
      auto it = graph.weights().find(p->name());
      if (it == graph.weights().end()) {
        problems.push_back("param %" + p->name() + " " + p->type().str() + " has no weight data");
      } else if (it->second.type() != p->type()) {
        problems.push_back("param %" + p->name() + " is declared " + p->type().str() + " but its weight is " +
                           it->second.type().str());
      }
    }
  }

  if (problems.empty()) return Status::Ok();
  std::string msg = std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") +
                    " in graph " + graph.name() + ":";
  for (const auto& p : problems) msg += "\n  " + p;
  return InvalidArgument(msg);
}

}  // namespace kiln::ir
