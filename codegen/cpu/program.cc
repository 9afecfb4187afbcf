#include "codegen/cpu/program.h"

#include "ir/status.h"

namespace kiln::cpu {

struct Expr::Node {
  Kind kind;
  int64_t value = 0;  // kConst: the value; kCeilDiv: the divisor; kSymbol: the index
  std::string name;   // kSymbol
  std::shared_ptr<const Node> lhs, rhs;
};

Expr Expr::Make(Kind kind, int64_t value, const Expr* lhs, const Expr* rhs) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->value = value;
  if (lhs) n->lhs = lhs->node_;
  if (rhs) n->rhs = rhs->node_;
  return Expr(std::shared_ptr<const Node>(std::move(n)));
}

Expr::Expr(int64_t value) : node_(Make(kConst, value, nullptr, nullptr).node_) {}

Expr Expr::Symbol(int index, const std::string& name) {
  auto n = std::make_shared<Node>();
  n->kind = kSymbol;
  n->value = index;
  n->name = name;
  return Expr(std::shared_ptr<const Node>(std::move(n)));
}

Expr Expr::Batch() { return Symbol(0, "N"); }

Expr Expr::CeilDiv(const Expr& a, int64_t divisor) {
  KILN_CHECK(divisor > 0, "CeilDiv by a non-positive number");
  if (a.is_const()) return Expr((a.value() + divisor - 1) / divisor);
  if (divisor == 1) return a;
  return Make(kCeilDiv, divisor, &a, nullptr);
}

Expr::Kind Expr::kind() const { return node_->kind; }
int64_t Expr::value() const { return node_->value; }
Expr Expr::lhs() const { return Expr(node_->lhs); }
Expr Expr::rhs() const { return Expr(node_->rhs); }

int Expr::symbol() const { return static_cast<int>(node_->value); }

int64_t Expr::Eval(const std::vector<int64_t>& sizes) const {
  switch (kind()) {
    case kConst: return node_->value;
    case kSymbol: {
      size_t k = static_cast<size_t>(node_->value);
      return k < sizes.size() ? sizes[k] : 1;
    }
    case kAdd: return lhs().Eval(sizes) + rhs().Eval(sizes);
    case kMul: return lhs().Eval(sizes) * rhs().Eval(sizes);
    case kCeilDiv: return (lhs().Eval(sizes) + node_->value - 1) / node_->value;
  }
  return 0;
}

std::string Expr::str() const {
  switch (kind()) {
    case kConst: return std::to_string(node_->value);
    case kSymbol: return node_->name;
    case kAdd: return "(" + lhs().str() + "+" + rhs().str() + ")";
    case kMul: return "(" + lhs().str() + "*" + rhs().str() + ")";
    case kCeilDiv: return "ceildiv(" + lhs().str() + "," + std::to_string(node_->value) + ")";
  }
  return "?";
}

Expr operator+(const Expr& a, const Expr& b) {
  if (a.is_const() && b.is_const()) return Expr(a.value() + b.value());
  if (a.is_const() && a.value() == 0) return b;
  if (b.is_const() && b.value() == 0) return a;
  return Expr::Make(Expr::kAdd, 0, &a, &b);
}

Expr operator*(const Expr& a, const Expr& b) {
  if (a.is_const() && b.is_const()) return Expr(a.value() * b.value());
  if ((a.is_const() && a.value() == 0) || (b.is_const() && b.value() == 0)) return Expr(0);
  if (a.is_const() && a.value() == 1) return b;
  if (b.is_const() && b.value() == 1) return a;
  return Expr::Make(Expr::kMul, 0, &a, &b);
}

Expr Product(const std::vector<Expr>& dims, size_t begin, size_t end) {
  Expr p(1);
  for (size_t i = begin; i < end && i < dims.size(); ++i) p = p * dims[i];
  return p;
}

}  // namespace kiln::cpu
