// Tensor operations: elementwise, comparisons, operators, reductions, matmul, where, allclose.
// Shape operations live in tensor_shape_ops.cc, factories in factories.cc.
//
// Every operation is one IR op or a short composition of IR ops run through detail::apply, so
// eager evaluation and tracing share the code. Where torch and the IR differ, the frontend
// bridges the gap with casts, as torch's type promotion would:
//   - Binary ops promote operand dtypes as torch.result_type (the IR wants equal dtypes).
//   - Float-only math (exp, log, sigmoid, ...) on integer or bool tensors casts to f32 first,
//     as torch computes them in the default float dtype. floor/ceil/round of integers are
//     copies (as in torch).
//   - `/` is true division: integer or bool operands are cast to f32 first (IR div truncates
//     integers). There is no floor_divide here.
//   - pow on integer tensors computes in f64 and casts back to the integer dtype (IR pow is
//     float-only); exact while results stay below 2^53. A negative exponent truncates to 0
//     (1 for a base of 1, ...) where torch raises for scalar exponents.
//   - sum/prod of bool and i32 tensors accumulate in i64, as torch does; max/min of bool
//     compute in i64 and cast back. mean of an integer tensor is an error, as in torch.
//   - A double operand of an operator (x + 2.0) is a 0-d tensor of x's dtype; a C++ double
//     cannot tell 2 from 2.0, so an integral value keeps an integer tensor integral (as a
//     Python int would), while a non-integral one promotes to f32 (as a Python float).
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "frontend/dispatch.h"
#include "frontend/tensor.h"
#include "frontend/tensor_ops_util.h"
#include "ir/shape_rules.h"

namespace kiln {

using ir::OpKind;

namespace detail {

namespace {

int category(DType d) {
  if (d == DType::kBool) return 0;
  if (ir::is_integer(d)) return 1;
  return 2;
}

int float_rank(DType d) {
  switch (d) {
    case DType::kF16:
    case DType::kBF16: return 0;
    case DType::kF32: return 1;
    default: return 2;  // f64
  }
}

}  // namespace

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  int ca = category(a), cb = category(b);
  if (ca != cb) return ca > cb ? a : b;
  if (ca == 1) return DType::kI64;  // i32 + i64
  // Two different floating dtypes.
  if (float_rank(a) == 0 && float_rank(b) == 0) return DType::kF32;  // f16 + bf16
  return float_rank(a) > float_rank(b) ? a : b;
}

DType result_type(const std::vector<Tensor>& tensors) {
  bool have_dim = false, have_zero = false;
  DType dim_t = DType::kBool, zero_t = DType::kBool;
  for (const Tensor& t : tensors) {
    if (!t.defined()) fail("an operand is an undefined tensor");
    if (t.dim() > 0) {
      dim_t = have_dim ? promote_types(dim_t, t.dtype()) : t.dtype();
      have_dim = true;
    } else {
      zero_t = have_zero ? promote_types(zero_t, t.dtype()) : t.dtype();
      have_zero = true;
    }
  }
  if (!have_dim) return zero_t;
  if (!have_zero) return dim_t;
  return category(zero_t) > category(dim_t) ? zero_t : dim_t;
}

Tensor cast_to(const Tensor& t, DType dtype) { return t.to(dtype); }

Tensor scalar_operand(const Tensor& like, double value) {
  DType d = like.dtype();
  bool integral = std::isfinite(value) && std::floor(value) == value;
  if (ir::is_floating(d) || (ir::is_integer(d) && integral)) return scalar_like(like, value);
  ir::HostTensor h(integral ? DType::kI64 : DType::kF32, {});
  h.SetDouble(0, value);
  return Tensor(std::move(h));
}

int64_t wrap_dim(const std::string& op, const std::string& what, int64_t dim, const Tensor& t, int64_t rank) {
  if (rank < 0) rank = t.dim();
  int64_t lo = rank == 0 ? -1 : -rank, hi = rank == 0 ? 0 : rank - 1;
  if (dim < lo || dim > hi) {
    fail(op + ": " + what + " " + std::to_string(dim) + " is out of range for " + t.type_str() +
         " (expected to be in range of [" + std::to_string(lo) + ", " + std::to_string(hi) + "])");
  }
  if (rank == 0) return 0;
  return dim < 0 ? dim + rank : dim;
}

std::string ints_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

std::string dims_str(const std::vector<ir::Dim>& dims) { return ir::Shape(dims).str(); }

Tensor reshape_to(const std::string& op, const Tensor& t, const std::vector<ir::Dim>& target) {
  ir::Shape s = t.shape();
  if (s.dims() == target) return t;
  std::string what = op + ": cannot reshape " + t.type_str() + " to " + dims_str(target);
  std::vector<ir::Dim> symbols;
  int64_t static_elems = 1;
  for (const ir::Dim& d : s.dims()) {
    if (d.is_symbolic()) symbols.push_back(d);
    else static_elems *= d.size();
  }
  std::vector<int64_t> ints;
  int64_t known = 1;
  int sym_at = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i].is_symbolic()) {
      if (sym_at >= 0) fail(what + ": the IR can keep only one symbolic dim in a reshape");
      sym_at = static_cast<int>(i);
      ints.push_back(-1);
    } else {
      ints.push_back(target[i].size());
      known *= target[i].size();
    }
  }
  if (symbols.size() > 1) fail(what + ": the IR cannot reshape a tensor with more than one symbolic dim");
  if (symbols.size() == 1) {
    if (sym_at < 0 || target[static_cast<size_t>(sym_at)] != symbols[0] || known != static_elems) {
      fail(what + ": the symbolic dim " + symbols[0].str() + " must stay a dim of its own");
    }
  } else if (sym_at >= 0) {
    fail(what + ": the input has no symbolic dim");
  } else if (known != static_elems) {
    fail(what + ": element counts differ");
  }
  return apply1(OpKind::Reshape, {t}, ir::Attrs{{"shape", ints}});
}

}  // namespace detail

using detail::fail;

namespace {

// Float-only math: integer and bool tensors compute in f32, as torch's default float dtype.
Tensor float_unary(OpKind op, const Tensor& x) {
  if (!x.defined()) fail(ir::op_schema(op).name + " of an undefined tensor");
  if (ir::is_floating(x.dtype())) return detail::apply1(op, {x});
  return detail::apply1(op, {x.to(DType::kF32)});
}

void check_broadcast(const char* op, const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) fail(std::string(op) + ": an operand is an undefined tensor");
  auto s = ir::broadcast_shapes(a.shape(), b.shape());
  if (!s.ok()) fail(std::string(op) + ": " + a.type_str() + " and " + b.type_str() + " cannot broadcast: " + s.status().message());
}

// A broadcasting binary op on promoted dtypes.
Tensor binary(OpKind op, const Tensor& a, const Tensor& b) {
  const char* name = ir::op_schema(op).name.c_str();
  check_broadcast(name, a, b);
  DType dt = detail::result_type({a, b});
  return detail::apply1(op, {a.to(dt), b.to(dt)});
}

Tensor true_divide(const Tensor& a, const Tensor& b) {
  check_broadcast("div", a, b);
  DType dt = detail::result_type({a, b});
  if (!ir::is_floating(dt)) dt = DType::kF32;  // torch's true division of integers
  return detail::apply1(OpKind::Div, {a.to(dt), b.to(dt)});
}

// Reductions over dims: checks and normalizes dims (empty = all dims, as the IR).
std::vector<int64_t> reduce_dims(const std::string& op, const Tensor& t, const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  std::set<int64_t> seen;
  for (int64_t d : dims) {
    int64_t n = detail::wrap_dim(op, "dim", d, t);
    if (!seen.insert(n).second) fail(op + ": dim " + std::to_string(n) + " appears multiple times in the list of dims " + detail::ints_str(dims));
    out.push_back(n);
  }
  if (t.dim() == 0) out.clear();  // dims 0 / -1 of a 0-d tensor name the tensor itself
  return out;
}

Tensor reduce(OpKind op, const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  return detail::apply1(op, {t}, ir::Attrs{{"dims", dims}, {"keepdim", keepdim}});
}

// sum/prod accumulate bool and i32 in i64, as torch.
Tensor accumulating(const Tensor& t) {
  DType d = t.dtype();
  return d == DType::kBool || d == DType::kI32 ? t.to(DType::kI64) : t;
}

// max/min: the IR has no bool reductions; compute in i64 and cast back.
Tensor extreme(OpKind op, const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  if (t.dtype() == DType::kBool) return reduce(op, t.to(DType::kI64), dims, keepdim).to(DType::kBool);
  return reduce(op, t, dims, keepdim);
}

Tensor arg_reduce(OpKind op, const std::string& name, const Tensor& t, int64_t dim, bool keepdim) {
  int64_t d = detail::wrap_dim(name, "dim", dim, t);
  Tensor x = t.dtype() == DType::kBool ? t.to(DType::kI64) : t;
  if (t.dim() == 0) x = x.reshape({1});  // torch: argmax of a 0-d tensor is 0
  Tensor r = detail::apply1(op, {x}, ir::Attrs{{"dim", d}, {"keepdim", keepdim}});
  return t.dim() == 0 ? r.reshape({}) : r;
}

Tensor softmax_like(OpKind op, const std::string& name, const Tensor& t, int64_t dim) {
  int64_t d = detail::wrap_dim(name, "dim", dim, t);
  if (!ir::is_floating(t.dtype())) fail(name + ": expected a floating point tensor, got " + t.type_str());
  return detail::apply1(op, {t}, ir::Attrs{{"dim", d}});
}

}  // namespace

// ---- elementwise ----
Tensor Tensor::neg() const { return detail::apply1(OpKind::Neg, {*this}); }
Tensor Tensor::abs() const { return detail::apply1(OpKind::Abs, {*this}); }
Tensor Tensor::relu() const { return detail::apply1(OpKind::Relu, {*this}); }
Tensor Tensor::sign() const { return detail::apply1(OpKind::Sign, {*this}); }
Tensor Tensor::exp() const { return float_unary(OpKind::Exp, *this); }
Tensor Tensor::log() const { return float_unary(OpKind::Log, *this); }
Tensor Tensor::sqrt() const { return float_unary(OpKind::Sqrt, *this); }
Tensor Tensor::rsqrt() const { return float_unary(OpKind::Rsqrt, *this); }
Tensor Tensor::reciprocal() const { return float_unary(OpKind::Reciprocal, *this); }
Tensor Tensor::sigmoid() const { return float_unary(OpKind::Sigmoid, *this); }
Tensor Tensor::tanh() const { return float_unary(OpKind::Tanh, *this); }
Tensor Tensor::erf() const { return float_unary(OpKind::Erf, *this); }
Tensor Tensor::sin() const { return float_unary(OpKind::Sin, *this); }
Tensor Tensor::cos() const { return float_unary(OpKind::Cos, *this); }
Tensor Tensor::floor() const { return ir::is_integer(dtype()) ? clone() : float_unary(OpKind::Floor, *this); }
Tensor Tensor::ceil() const { return ir::is_integer(dtype()) ? clone() : float_unary(OpKind::Ceil, *this); }
Tensor Tensor::round() const { return ir::is_integer(dtype()) ? clone() : float_unary(OpKind::Round, *this); }

Tensor Tensor::logical_not() const {
  if (dtype() == DType::kBool) return detail::apply1(OpKind::LogicalNot, {*this});
  return eq(detail::scalar_like(*this, 0.0));  // torch: nonzero is true
}

Tensor Tensor::clamp(std::optional<double> min, std::optional<double> max) const {
  if (!min && !max) fail("clamp: at least one of min and max must be given");
  auto fractional = [](std::optional<double> v) { return v && std::isfinite(*v) && std::floor(*v) != *v; };
  Tensor x = *this;
  if (ir::is_integer(dtype()) && (fractional(min) || fractional(max))) x = x.to(DType::kF32);  // torch promotes
  ir::Attrs attrs;
  if (min) attrs.set("min", *min);
  if (max) attrs.set("max", *max);
  return detail::apply1(OpKind::Clamp, {x}, attrs);
}

Tensor Tensor::pow(const Tensor& exponent) const {
  check_broadcast("pow", *this, exponent);
  DType dt = detail::result_type({*this, exponent});
  if (dt == DType::kBool) fail("pow: not supported for bool tensors " + type_str() + " and " + exponent.type_str());
  if (ir::is_floating(dt)) return detail::apply1(OpKind::Pow, {to(dt), exponent.to(dt)});
  // Integer pow: IR pow is float-only, so compute in f64 (exact below 2^53) and cast back.
  Tensor r = detail::apply1(OpKind::Pow, {to(DType::kF64), exponent.to(DType::kF64)});
  return r.to(dt);
}

Tensor Tensor::pow(double exponent) const { return pow(detail::scalar_operand(*this, exponent)); }
Tensor Tensor::maximum(const Tensor& other) const { return binary(OpKind::Maximum, *this, other); }
Tensor Tensor::minimum(const Tensor& other) const { return binary(OpKind::Minimum, *this, other); }

// ---- linear algebra ----
Tensor Tensor::matmul(const Tensor& other) const {
  if (!defined() || !other.defined()) fail("matmul: an operand is an undefined tensor");
  if (dim() == 0 || other.dim() == 0) {
    fail("matmul: both arguments need at least 1 dim, got " + type_str() + " and " + other.type_str());
  }
  ir::Shape sa = shape(), sb = other.shape();
  const ir::Dim& ka = sa.dim(sa.rank() - 1);
  const ir::Dim& kb = sb.rank() == 1 ? sb.dim(0) : sb.dim(sb.rank() - 2);
  if (ka != kb) {
    fail("matmul: " + type_str() + " and " + other.type_str() + " cannot be multiplied (inner dims " + ka.str() +
         " and " + kb.str() + " differ)");
  }
  DType dt = detail::result_type({*this, other});
  Tensor a = to(dt), b = other.to(dt);
  // torch.matmul: a 1-d operand gets a dim of 1 (prepended for a, appended for b), removed after.
  bool a1 = a.dim() == 1, b1 = b.dim() == 1;
  if (a1) a = a.unsqueeze(0);
  if (b1) b = b.unsqueeze(1);
  Tensor r = detail::apply1(OpKind::MatMul, {a, b});
  if (b1) r = r.squeeze(-1);
  if (a1) r = r.squeeze(a1 && b1 ? -1 : -2);
  return r;
}

Tensor Tensor::t() const {
  if (dim() > 2) fail("t() expects a tensor with <= 2 dimensions, but got " + type_str());
  if (dim() < 2) return *this;
  return permute({1, 0});
}

// ---- reductions ----
Tensor Tensor::sum() const { return reduce(OpKind::ReduceSum, accumulating(*this), {}, false); }
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const {
  return reduce(OpKind::ReduceSum, accumulating(*this), reduce_dims("sum", *this, dims), keepdim);
}

Tensor Tensor::mean() const { return mean({}, false); }
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const {
  std::vector<int64_t> d = reduce_dims("mean", *this, dims);
  if (!ir::is_floating(dtype())) {
    fail("mean: expected a floating point tensor, got " + type_str() + " (as torch; convert with .to(DType::kF32))");
  }
  return reduce(OpKind::ReduceMean, *this, d, keepdim);
}

Tensor Tensor::prod() const { return reduce(OpKind::ReduceProd, accumulating(*this), {}, false); }
Tensor Tensor::prod(int64_t dim, bool keepdim) const {
  return reduce(OpKind::ReduceProd, accumulating(*this), reduce_dims("prod", *this, {dim}), keepdim);
}

Tensor Tensor::max() const { return extreme(OpKind::ReduceMax, *this, {}, false); }
Tensor Tensor::min() const { return extreme(OpKind::ReduceMin, *this, {}, false); }

std::pair<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  std::vector<int64_t> d = reduce_dims("max", *this, {dim});
  return {extreme(OpKind::ReduceMax, *this, d, keepdim), argmax(dim, keepdim)};
}

std::pair<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  std::vector<int64_t> d = reduce_dims("min", *this, {dim});
  return {extreme(OpKind::ReduceMin, *this, d, keepdim), argmin(dim, keepdim)};
}

Tensor Tensor::amax(const std::vector<int64_t>& dims, bool keepdim) const {
  return extreme(OpKind::ReduceMax, *this, reduce_dims("amax", *this, dims), keepdim);
}
Tensor Tensor::amin(const std::vector<int64_t>& dims, bool keepdim) const {
  return extreme(OpKind::ReduceMin, *this, reduce_dims("amin", *this, dims), keepdim);
}
Tensor Tensor::argmax(int64_t dim, bool keepdim) const { return arg_reduce(OpKind::ArgMax, "argmax", *this, dim, keepdim); }
Tensor Tensor::argmin(int64_t dim, bool keepdim) const { return arg_reduce(OpKind::ArgMin, "argmin", *this, dim, keepdim); }
Tensor Tensor::softmax(int64_t dim) const { return softmax_like(OpKind::Softmax, "softmax", *this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return softmax_like(OpKind::LogSoftmax, "log_softmax", *this, dim); }

// ---- comparison ----
Tensor Tensor::eq(const Tensor& other) const { return binary(OpKind::Eq, *this, other); }
Tensor Tensor::ne(const Tensor& other) const { return binary(OpKind::Ne, *this, other); }
Tensor Tensor::lt(const Tensor& other) const { return binary(OpKind::Lt, *this, other); }
Tensor Tensor::le(const Tensor& other) const { return binary(OpKind::Le, *this, other); }
Tensor Tensor::gt(const Tensor& other) const { return binary(OpKind::Gt, *this, other); }
Tensor Tensor::ge(const Tensor& other) const { return binary(OpKind::Ge, *this, other); }

// ---- operators ----
Tensor operator+(const Tensor& a, const Tensor& b) { return binary(OpKind::Add, a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return binary(OpKind::Sub, a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return binary(OpKind::Mul, a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return true_divide(a, b); }
Tensor operator+(const Tensor& a, double b) { return a + detail::scalar_operand(a, b); }
Tensor operator-(const Tensor& a, double b) { return a - detail::scalar_operand(a, b); }
Tensor operator*(const Tensor& a, double b) { return a * detail::scalar_operand(a, b); }
Tensor operator/(const Tensor& a, double b) { return a / detail::scalar_operand(a, b); }
Tensor operator+(double a, const Tensor& b) { return detail::scalar_operand(b, a) + b; }
Tensor operator-(double a, const Tensor& b) { return detail::scalar_operand(b, a) - b; }
Tensor operator*(double a, const Tensor& b) { return detail::scalar_operand(b, a) * b; }
Tensor operator/(double a, const Tensor& b) { return detail::scalar_operand(b, a) / b; }
Tensor operator-(const Tensor& a) { return a.neg(); }
Tensor operator==(const Tensor& a, const Tensor& b) { return a.eq(b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return a.ne(b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return a.lt(b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return a.le(b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return a.gt(b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return a.ge(b); }

// ---- free functions ----
Tensor matmul(const Tensor& a, const Tensor& b) { return a.matmul(b); }
Tensor maximum(const Tensor& a, const Tensor& b) { return a.maximum(b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return a.minimum(b); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  if (!condition.defined() || !a.defined() || !b.defined()) fail("where: an operand is an undefined tensor");
  if (condition.dtype() != DType::kBool) fail("where: expected a bool condition, got " + condition.type_str());
  auto s = ir::broadcast_shapes(condition.shape(), a.shape());
  if (s.ok()) s = ir::broadcast_shapes(*s, b.shape());
  if (!s.ok()) {
    fail("where: " + condition.type_str() + ", " + a.type_str() + " and " + b.type_str() + " cannot broadcast: " +
         s.status().message());
  }
  DType dt = detail::result_type({a, b});
  return detail::apply1(OpKind::Where, {condition, a.to(dt), b.to(dt)});
}

// A predicate on concrete data, not a graph op: compares element by element in double.
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (!a.defined() || !b.defined()) fail("allclose: an operand is an undefined tensor");
  if (a.is_symbolic() || b.is_symbolic()) fail("allclose: needs concrete tensors, got a symbolic " + (a.is_symbolic() ? a : b).type_str());
  const ir::HostTensor &x = a.data(), &y = b.data();
  if (x.dtype() != y.dtype() || x.sizes() != y.sizes()) return false;
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    double u = x.GetDouble(i), v = y.GetDouble(i);
    if (u == v) continue;  // equal infinities too
    if (std::isnan(u) || std::isnan(v) || std::isinf(u) || std::isinf(v)) return false;
    if (std::fabs(u - v) > atol + rtol * std::fabs(v)) return false;
  }
  return true;
}

}  // namespace kiln
