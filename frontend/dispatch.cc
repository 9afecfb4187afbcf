// Eager evaluation vs. graph recording for every frontend operation, and the module-path
// scope that names errors and traced nodes.
#include "frontend/dispatch.h"

#include <cmath>

#include "codegen/reference/interpreter.h"
#include "frontend/module.h"
#include "frontend/tensor_impl.h"

namespace kiln::detail {

namespace {

thread_local TraceState* g_trace = nullptr;

struct ScopeEntry {
  const nn::Module* module;
  std::string path;
};
thread_local std::vector<ScopeEntry> g_scopes;

// Largest constant embedded in the graph text; bigger concrete operands become parameters.
constexpr int64_t kMaxInlineConstant = 4096;

std::string types_str(const std::vector<Tensor>& ts) {
  std::string s;
  for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + ts[i].type_str();
  return s;
}

bool exactly_representable(const ir::HostTensor& t) {
  if (ir::is_floating(t.dtype())) return true;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    int64_t v = t.GetInt(i);
    if (v > (int64_t{1} << 53) || v < -(int64_t{1} << 53)) return false;
  }
  return true;
}

// The graph value standing for a concrete operand of a traced op.
ir::Value* trace_concrete(TraceState& ts, const Tensor& t) {
  const TensorImpl* impl = t.impl();
  if (auto it = ts.params.find(impl); it != ts.params.end()) return it->second;
  ir::Graph& g = *ts.graph;
  const ir::HostTensor& data = t.data();
  if (auto it = ts.param_names.find(impl); it != ts.param_names.end()) {
    ir::Value* v = g.AddParam(it->second, data.type());
    g.weights()[it->second] = data;
    ts.params[impl] = v;
    return v;
  }
  if (data.num_elements() <= kMaxInlineConstant && exactly_representable(data)) {
    std::vector<double> values(static_cast<size_t>(data.num_elements()));
    for (int64_t i = 0; i < data.num_elements(); ++i) values[static_cast<size_t>(i)] = data.GetDouble(i);
    ir::Attrs attrs{{"dtype", data.dtype()}, {"shape", data.sizes()}, {"value", values}};
    ir::Node* n = value_or_throw(g.AddNodeInferred(ir::OpKind::Constant, {}, attrs, current_module_path()));
    return n->result();
  }
  std::string name = "_constant." + std::to_string(ts.next_constant++);
  ir::Value* v = g.AddParam(name, data.type());
  g.weights()[name] = data;
  ts.params[impl] = v;
  return v;
}

std::string scope_label() {
  if (g_scopes.empty()) return "";
  const ScopeEntry& e = g_scopes.back();
  return e.path.empty() ? e.module->name() : e.path + " (" + e.module->name() + ")";
}

}  // namespace

TraceState* current_trace() { return g_trace; }
void set_current_trace(TraceState* state) { g_trace = state; }

void fail(const std::string& message) {
  std::string label = scope_label();
  throw Error(label.empty() ? message : label + ": " + message);
}

std::string current_module_path() { return g_scopes.empty() ? "" : g_scopes.back().path; }

ModuleScope::ModuleScope(const nn::Module* module) {
  std::string path;
  if (!g_scopes.empty()) {
    const ScopeEntry& parent = g_scopes.back();
    std::string name = "<" + module->name() + ">";  // called without being registered
    for (const auto& [child_name, child] : parent.module->named_children()) {
      if (child.get() == module) {
        name = child_name;
        break;
      }
    }
    path = parent.path.empty() ? name : parent.path + "." + name;
  }
  g_scopes.push_back({module, path});
}

ModuleScope::~ModuleScope() { g_scopes.pop_back(); }

std::vector<Tensor> apply(ir::OpKind op, const std::vector<Tensor>& operands, const ir::Attrs& attrs) {
  const ir::OpSchema& schema = ir::op_schema(op);
  // While tracing, an op on a parameter or buffer of the traced module is recorded too (not
  // folded into a constant), so the graph keeps the weight's name and its computation
  // (weight.t(), weight_norm's recomputation) for later passes and training.
  TraceState* ts = current_trace();
  bool symbolic = false;
  for (const Tensor& t : operands) {
    if (!t.defined()) fail(schema.name + ": an operand is an undefined tensor");
    symbolic = symbolic || t.is_symbolic() || (ts && ts->param_names.count(t.impl()));
  }
  if (!symbolic) {
    std::vector<ir::HostTensor> in;
    in.reserve(operands.size());
    for (const Tensor& t : operands) in.push_back(t.data());
    auto out = reference::EvaluateOp(op, attrs, in);
    if (!out.ok()) fail(out.status().message() + " (operands " + types_str(operands) + ")");
    std::vector<Tensor> results;
    for (ir::HostTensor& h : *out) results.emplace_back(std::move(h));
    return results;
  }
  if (ts == nullptr) fail(schema.name + ": a symbolic tensor was used outside of kiln::trace");
  for (const Tensor& t : operands) {
    if (t.is_symbolic() && t.impl()->trace_id != ts->id) {
      fail(schema.name + ": a symbolic tensor from another (finished) trace was used");
    }
  }
  std::vector<ir::Value*> values;
  for (const Tensor& t : operands) values.push_back(t.is_symbolic() ? t.value() : trace_concrete(*ts, t));
  auto node = ts->graph->AddNodeInferred(op, values, attrs, current_module_path());
  if (!node.ok()) fail(node.status().message());
  std::vector<Tensor> results;
  for (ir::Value* r : (*node)->results()) results.push_back(Tensor::Symbolic(r));
  return results;
}

Tensor apply1(ir::OpKind op, const std::vector<Tensor>& operands, const ir::Attrs& attrs) {
  return apply(op, operands, attrs).at(0);
}

Tensor scalar_like(const Tensor& like, double value) {
  DType dtype = like.dtype();
  if (!ir::is_floating(dtype) && std::floor(value) != value) {
    fail("scalar " + ir::float_str(value) + " is not representable in a " + like.type_str() + " tensor");
  }
  if (dtype == DType::kBool && value != 0 && value != 1) {
    fail("scalar " + ir::float_str(value) + " is not representable in a " + like.type_str() + " tensor");
  }
  ir::HostTensor h(dtype, {});
  h.SetDouble(0, value);
  return Tensor(std::move(h));
}

}  // namespace kiln::detail
