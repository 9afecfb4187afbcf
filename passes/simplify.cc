#include "passes/simplify.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "ir/ops.h"

namespace kiln::passes {

namespace {

using ir::OpKind;

/// The values of a `constant` node's result, or nullopt when `v` is not one.
std::optional<std::vector<double>> ConstantValues(const ir::Value* v) {
  const ir::Node* p = v->producer();
  if (p == nullptr || p->op() != OpKind::Constant) return std::nullopt;
  return p->attrs().floats("value");
}

/// True when `v` is a `constant` whose every element satisfies `pred`.
bool ConstantAll(const ir::Value* v, const std::function<bool(double)>& pred) {
  auto values = ConstantValues(v);
  if (!values || values->empty()) return false;
  for (double d : *values) {
    if (!pred(d)) return false;
  }
  return true;
}

bool IsOne(double d) { return d == 1.0; }
bool IsZero(double d) { return d == 0.0; }
bool IsPlusZero(double d) { return d == 0.0 && !std::signbit(d); }
bool IsMinusZero(double d) { return d == 0.0 && std::signbit(d); }

/// `x` when it has `n`'s result type (so dropping `n` changes neither shape nor dtype).
ir::Value* IfSameType(const ir::Node& n, ir::Value* x) {
  return x->type() == n.result()->type() ? x : nullptr;
}

/// add(x, c) / add(c, x) with c a zero that is exact for x's dtype.
ir::Value* AddZero(const ir::Node& n) {
  bool floating = ir::is_floating(n.result()->type().dtype);
  auto zero = [floating](double d) { return floating ? IsMinusZero(d) : IsZero(d); };
  for (int i = 0; i < 2; ++i) {
    if (ConstantAll(n.operand(i), zero)) {
      if (ir::Value* x = IfSameType(n, n.operand(1 - i))) return x;
    }
  }
  return nullptr;
}

/// sub(x, c) with c a zero that is exact for x's dtype.
ir::Value* SubZero(const ir::Node& n) {
  bool floating = ir::is_floating(n.result()->type().dtype);
  if (!ConstantAll(n.operand(1), floating ? IsPlusZero : IsZero)) return nullptr;
  return IfSameType(n, n.operand(0));
}

/// mul(x, 1) / mul(1, x).
ir::Value* MulOne(const ir::Node& n) {
  for (int i = 0; i < 2; ++i) {
    if (ConstantAll(n.operand(i), IsOne)) {
      if (ir::Value* x = IfSameType(n, n.operand(1 - i))) return x;
    }
  }
  return nullptr;
}

/// div(x, 1).
ir::Value* DivOne(const ir::Node& n) {
  return ConstantAll(n.operand(1), IsOne) ? IfSameType(n, n.operand(0)) : nullptr;
}

/// where(all true, a, b) = a; where(all false, a, b) = b.
ir::Value* WhereConstant(const ir::Node& n) {
  if (ConstantAll(n.operand(0), [](double d) { return d != 0.0; })) return IfSameType(n, n.operand(1));
  if (ConstantAll(n.operand(0), IsZero)) return IfSameType(n, n.operand(2));
  return nullptr;
}

bool IsIdentityPermutation(const std::vector<int64_t>& dims) {
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

/// The value that `n` merely passes through, or nullptr when `n` does real work.
ir::Value* IdentityOperand(const ir::Node& n) {
  switch (n.op()) {
    case OpKind::Reshape:
    case OpKind::Expand:
    case OpKind::Cast:
    case OpKind::Slice:
      return IfSameType(n, n.operand(0));
    case OpKind::Permute:
      return IsIdentityPermutation(n.attrs().ints("dims")) ? IfSameType(n, n.operand(0)) : nullptr;
    case OpKind::Concat:
      return n.num_operands() == 1 ? IfSameType(n, n.operand(0)) : nullptr;
    case OpKind::Add:
      return AddZero(n);
    case OpKind::Sub:
      return SubZero(n);
    case OpKind::Mul:
      return MulOne(n);
    case OpKind::Div:
      return DivOne(n);
    case OpKind::Where:
      return WhereConstant(n);
    default:
      return nullptr;
  }
}

/// reshape(reshape(x)) -> reshape(x), when the outer shape gives x the same result type.
bool CollapseReshape(ir::Node& n) {
  bool changed = false;
  while (true) {
    const ir::Node* inner = n.operand(0)->producer();
    if (inner == nullptr || inner->op() != OpKind::Reshape) return changed;
    ir::Value* x = inner->operand(0);
    auto types = ir::infer_result_types(n.schema(), {x->type()}, n.attrs());
    if (!types.ok() || types->size() != 1 || (*types)[0] != n.result()->type()) return changed;
    n.set_operand(0, x);
    changed = true;
  }
}

/// permute(permute(x), outer) -> permute(x, composed): result dim i = x dim inner[outer[i]].
bool CollapsePermute(ir::Node& n) {
  bool changed = false;
  while (true) {
    const ir::Node* inner = n.operand(0)->producer();
    if (inner == nullptr || inner->op() != OpKind::Permute) return changed;
    std::vector<int64_t> outer = n.attrs().ints("dims"), in = inner->attrs().ints("dims");
    if (outer.size() != in.size()) return changed;
    std::vector<int64_t> composed(outer.size());
    for (size_t i = 0; i < outer.size(); ++i) {
      int64_t o = outer[i] < 0 ? outer[i] + static_cast<int64_t>(outer.size()) : outer[i];
      if (o < 0 || o >= static_cast<int64_t>(in.size())) return changed;
      int64_t c = in[static_cast<size_t>(o)];
      composed[i] = c < 0 ? c + static_cast<int64_t>(in.size()) : c;
    }
    n.set_operand(0, inner->operand(0));
    n.mutable_attrs().set("dims", composed);
    changed = true;
  }
}

}  // namespace

StatusOr<bool> Simplify::Run(ir::Graph& graph) {
  bool changed = false;
  for (ir::Node* n : graph.nodes()) {
    if (n->op() == OpKind::Reshape) changed |= CollapseReshape(*n);
    if (n->op() == OpKind::Permute) changed |= CollapsePermute(*n);
    ir::Value* keep = IdentityOperand(*n);
    if (keep == nullptr || keep == n->result()) continue;
    if (!graph.HasUses(n->result())) continue;  // already dead: dce's job, not a change
    graph.ReplaceAllUsesWith(n->result(), keep);
    changed = true;
  }
  return changed;
}

}  // namespace kiln::passes
