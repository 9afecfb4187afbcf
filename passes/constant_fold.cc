#include "passes/constant_fold.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "codegen/reference/interpreter.h"

namespace kiln::passes {

namespace {

constexpr int64_t kMaxExactInteger = int64_t{1} << 53;  // beyond it, doubles skip integers

/// The tensor a `constant` node denotes, as the reference backend materializes it (so folding
/// and running agree, e.g. on an i32 value out of range).
StatusOr<ir::HostTensor> ConstantTensor(const ir::Node& n) {
  auto t = reference::EvaluateOp(ir::OpKind::Constant, n.attrs(), {});
  if (!t.ok()) return t.status().WithContext(n.Describe());
  if (t->size() != 1) return Internal(n.Describe() + ": the constant kernel gave no single result");
  return std::move(t).value().front();
}

/// Whether a static type is small enough to fold into a constant.
bool SmallEnough(const ir::TensorType& type) {
  return type.shape.is_static() && type.shape.num_elements() <= ConstantFold::kMaxFoldedElements;
}

/// The shortest decimal that stores back to the same element: an f32 result 1.7320508f is
/// written `1.7320508`, not the 17 digits of its double expansion. Exact by construction:
/// the constant materializes by rounding the attribute to the dtype, as checked here.
double ShortestFor(ir::DType dtype, double v) {
  if (dtype == ir::DType::kF64 || !std::isfinite(v)) return v;
  ir::HostTensor probe(dtype, {1});
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    double candidate = std::strtod(buf, nullptr);
    probe.SetDouble(0, candidate);
    if (probe.GetDouble(0) == v && std::signbit(candidate) == std::signbit(v)) return candidate;
  }
  return v;
}

/// The `value` attribute of a folded tensor, or nothing when a value cannot be carried
/// exactly by a double attribute.
std::optional<std::vector<double>> ConstantValues(const ir::HostTensor& t) {
  std::vector<double> values;
  values.reserve(static_cast<size_t>(t.num_elements()));
  bool integral = !ir::is_floating(t.dtype());
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    double v;
    if (integral) {
      int64_t iv = t.GetInt(i);
      if (iv > kMaxExactInteger || iv < -kMaxExactInteger) return std::nullopt;
      v = static_cast<double>(iv);
    } else {
      v = ShortestFor(t.dtype(), t.GetDouble(i));
    }
    values.push_back(v);
  }
  // All elements bitwise alike (so -0.0 and 0.0 stay apart): one value, repeated.
  bool splat = !values.empty();
  for (size_t i = 1; i < values.size() && splat; ++i) splat = std::memcmp(&values[i], &values[0], sizeof(double)) == 0;
  if (splat) values.resize(1);
  return values;
}

}  // namespace

StatusOr<bool> ConstantFold::Run(ir::Graph& graph) {
  std::unordered_map<const ir::Value*, ir::HostTensor> known;  // constant values, built lazily
  auto constant_value = [&](const ir::Value* v) -> StatusOr<ir::HostTensor> {
    auto it = known.find(v);
    if (it != known.end()) return it->second;
    KILN_ASSIGN_OR_RETURN(ir::HostTensor t, ConstantTensor(*v->producer()));
    known.emplace(v, t);
    return t;
  };

  bool changed = false;
  for (ir::Node* n : graph.nodes()) {
    if (n->op() == ir::OpKind::Constant || n->num_operands() == 0) continue;
    bool foldable = true;
    for (const ir::Value* v : n->operands()) {
      foldable = foldable && v->producer() != nullptr && v->producer()->op() == ir::OpKind::Constant &&
                 SmallEnough(v->type());
    }
    for (const ir::Value* r : n->results()) foldable = foldable && SmallEnough(r->type());
    if (!foldable) continue;

    std::vector<ir::HostTensor> operands;
    for (const ir::Value* v : n->operands()) {
      auto t = constant_value(v);
      if (!t.ok()) return t.status().WithContext("cannot fold " + n->Describe());
      operands.push_back(std::move(t).value());
    }
    auto results = reference::EvaluateOp(n->op(), n->attrs(), operands);
    if (!results.ok()) return results.status().WithContext("cannot fold " + n->Describe());
    if (static_cast<int>(results->size()) != n->num_results()) {
      return Internal("cannot fold " + n->Describe() + ": the reference kernel gave " +
                      std::to_string(results->size()) + " results");
    }

    std::vector<std::vector<double>> values;
    for (const ir::HostTensor& t : *results) {
      auto v = ConstantValues(t);
      if (!v) break;
      values.push_back(std::move(*v));
    }
    if (values.size() != results->size()) continue;  // an integer too large for a double

    std::vector<ir::Node*> folded;
    for (size_t i = 0; i < results->size(); ++i) {
      const ir::HostTensor& t = (*results)[i];
      ir::Attrs attrs{{"dtype", t.dtype()}, {"shape", t.sizes()}, {"value", values[i]}};
      KILN_ASSIGN_OR_RETURN(ir::Node * c,
                            graph.InsertNodeInferred(n, ir::OpKind::Constant, {}, std::move(attrs), n->loc()));
      if (c->result()->type() != n->result(static_cast<int>(i))->type()) {
        return Internal("cannot fold " + n->Describe() + ": the reference kernel gave " + c->result()->type().str() +
                        " where the node has " + n->result(static_cast<int>(i))->type().str());
      }
      known.emplace(c->result(), t);
      folded.push_back(c);
    }
    for (size_t i = 0; i < folded.size(); ++i) {
      ir::Value* old_result = n->result(static_cast<int>(i));
      folded[i]->result()->set_name(old_result->name());
      graph.ReplaceAllUsesWith(old_result, folded[i]->result());
    }
    graph.EraseNode(n);
    changed = true;
  }
  return changed;
}

}  // namespace kiln::passes
