// Elementwise kernels: unary math, binary arithmetic with broadcasting, comparisons, logical
// ops, where, clamp and cast. Floating values are computed in double and rounded once to the
// result dtype; integers in int64 with two's-complement wrap-around, like torch.
#include <cmath>
#include <cstdint>
#include <limits>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::DType;
using ir::HostTensor;
using ir::OpKind;

// ---- integer arithmetic that wraps instead of overflowing (torch's behavior) ----
int64_t WrapAdd(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }
int64_t WrapSub(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
int64_t WrapMul(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); }
int64_t WrapNeg(int64_t a) { return WrapSub(0, a); }

// NaN-propagating max/min (torch.maximum / torch.minimum).
double NanMax(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (a > b ? a : b); }
double NanMin(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? a : b); }

// ---- family templates ----

// Unary op on a numeric operand: `f` for floating dtypes, `g` for integer dtypes.
template <typename F, typename G>
StatusOr<Tensors> UnaryNumeric(const KernelContext& c, F f, G g) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  bool floating = ir::is_floating(x.dtype());
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    if (floating) {
      out.SetDouble(i, f(x.GetDouble(i)));
    } else {
      StoreInt(out, i, g(x.GetInt(i)));
    }
  }
  return Tensors{out};
}

// Unary op on a floating operand.
template <typename F>
StatusOr<Tensors> UnaryFloat(const KernelContext& c, F f) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  for (int64_t i = 0; i < x.num_elements(); ++i) out.SetDouble(i, f(x.GetDouble(i)));
  return Tensors{out};
}

// Broadcasting binary op: `f` for floating dtypes, `g` for integer dtypes.
template <typename F, typename G>
StatusOr<Tensors> BinaryNumeric(const KernelContext& c, F f, G g) {
  const HostTensor &a = c.operands[0], &b = c.operands[1];
  HostTensor out = NewResult(c);
  if (ir::is_floating(a.dtype())) {
    ForEachBroadcast(out.sizes(), {&a, &b}, [&](int64_t o, const int64_t* in) {
      out.SetDouble(o, f(a.GetDouble(in[0]), b.GetDouble(in[1])));
    });
  } else {
    ForEachBroadcast(out.sizes(), {&a, &b}, [&](int64_t o, const int64_t* in) {
      StoreInt(out, o, g(a.GetInt(in[0]), b.GetInt(in[1])));
    });
  }
  return Tensors{out};
}

// Broadcasting binary op on floating operands.
template <typename F>
StatusOr<Tensors> BinaryFloat(const KernelContext& c, F f) {
  const HostTensor &a = c.operands[0], &b = c.operands[1];
  HostTensor out = NewResult(c);
  ForEachBroadcast(out.sizes(), {&a, &b}, [&](int64_t o, const int64_t* in) {
    out.SetDouble(o, f(a.GetDouble(in[0]), b.GetDouble(in[1])));
  });
  return Tensors{out};
}

// Broadcasting comparison -> bool. `pred` is generic: called on doubles or on int64s.
template <typename P>
StatusOr<Tensors> Compare(const KernelContext& c, P pred) {
  const HostTensor &a = c.operands[0], &b = c.operands[1];
  HostTensor out = NewResult(c);
  bool* o_data = out.data<bool>();
  bool floating = ir::is_floating(a.dtype());
  ForEachBroadcast(out.sizes(), {&a, &b}, [&](int64_t o, const int64_t* in) {
    o_data[o] = floating ? pred(a.GetDouble(in[0]), b.GetDouble(in[1])) : pred(a.GetInt(in[0]), b.GetInt(in[1]));
  });
  return Tensors{out};
}

// Broadcasting op on bool operands.
template <typename P>
StatusOr<Tensors> Logical(const KernelContext& c, P pred) {
  const HostTensor &a = c.operands[0], &b = c.operands[1];
  HostTensor out = NewResult(c);
  const bool *pa = a.data<bool>(), *pb = b.data<bool>();
  bool* po = out.data<bool>();
  ForEachBroadcast(out.sizes(), {&a, &b}, [&](int64_t o, const int64_t* in) { po[o] = pred(pa[in[0]], pb[in[1]]); });
  return Tensors{out};
}

// ---- kernels that need more than a one-line scalar function ----

StatusOr<Tensors> DivKernel(const KernelContext& c) {
  const HostTensor &a = c.operands[0], &b = c.operands[1];
  if (ir::is_floating(a.dtype())) return BinaryFloat(c, [](double x, double y) { return x / y; });
  HostTensor out = NewResult(c);
  int64_t zero_at = -1;
  ForEachBroadcast(out.sizes(), {&a, &b}, [&](int64_t o, const int64_t* in) {
    int64_t x = a.GetInt(in[0]), y = b.GetInt(in[1]);
    if (y == 0) {
      if (zero_at < 0) zero_at = o;
      return;
    }
    // C++ integer division truncates toward zero; INT64_MIN / -1 wraps like negation.
    StoreInt(out, o, y == -1 ? WrapNeg(x) : x / y);
  });
  if (zero_at >= 0) {
    return InvalidArgument("div: integer division by zero (result element " + std::to_string(zero_at) + " of " +
                           SizesStr(out.sizes()) + ")");
  }
  return Tensors{out};
}

// Integer bounds for clamping an integer tensor: the integers inside [lo, hi], limited to the
// dtype's range. NaN bounds do not clamp integers.
int64_t IntBound(double bound, bool lower, DType dtype) {
  double type_min = dtype == DType::kI32 ? -2147483648.0 : -9223372036854775808.0;
  double type_max = dtype == DType::kI32 ? 2147483647.0 : 9223372036854775807.0;
  if (std::isnan(bound)) bound = lower ? type_min : type_max;
  double r = lower ? std::ceil(bound) : std::floor(bound);
  if (r <= type_min) return dtype == DType::kI32 ? INT32_MIN : INT64_MIN;
  if (r >= type_max) return dtype == DType::kI32 ? INT32_MAX : INT64_MAX;
  return static_cast<int64_t>(r);
}

StatusOr<Tensors> ClampKernel(const KernelContext& c) {
  double lo = c.attrs.f("min"), hi = c.attrs.f("max");
  DType dtype = c.operands[0].dtype();
  int64_t ilo = IntBound(lo, true, dtype), ihi = IntBound(hi, false, dtype);
  return UnaryNumeric(
      c, [lo, hi](double x) { return NanMin(NanMax(x, lo), hi); },
      [ilo, ihi](int64_t x) { return std::min(std::max(x, ilo), ihi); });
}

// Float -> integer conversion: truncates toward zero; NaN and out-of-range are errors (torch
// leaves them undefined, the oracle refuses them).
Status FloatToInt(double v, DType to, int64_t index, int64_t* out) {
  if (std::isnan(v)) {
    return InvalidArgument(std::string("cast: cannot convert nan to ") + ir::dtype_name(to) + " (element " +
                           std::to_string(index) + ")");
  }
  double t = std::trunc(v);
  bool fits = to == DType::kI32 ? (t >= -2147483648.0 && t <= 2147483647.0)
                                : (t >= -9223372036854775808.0 && t < 9223372036854775808.0);
  if (!fits) {
    return InvalidArgument("cast: " + ir::float_str(v) + " is out of range for " + ir::dtype_name(to) +
                           " (element " + std::to_string(index) + ")");
  }
  *out = static_cast<int64_t>(t);
  return Status::Ok();
}

StatusOr<Tensors> CastKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  DType from = x.dtype(), to = out.dtype();
  bool from_float = ir::is_floating(from);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    if (to == DType::kBool) {
      // Nonzero (NaN included) is true, as in torch.
      out.data<bool>()[i] = from_float ? x.GetDouble(i) != 0.0 : x.GetInt(i) != 0;
    } else if (ir::is_floating(to)) {
      if (from_float) {
        out.SetDouble(i, x.GetDouble(i));
      } else if (to == DType::kF32) {
        out.data<float>()[i] = static_cast<float>(x.GetInt(i));  // one rounding, even above 2^53
      } else {
        out.SetDouble(i, static_cast<double>(x.GetInt(i)));
      }
    } else if (from_float) {
      int64_t v = 0;
      KILN_RETURN_IF_ERROR(FloatToInt(x.GetDouble(i), to, i, &v));
      StoreInt(out, i, v);
    } else {
      StoreInt(out, i, x.GetInt(i));  // i64 -> i32 wraps, as torch's .to(torch.int32)
    }
  }
  return Tensors{out};
}

StatusOr<Tensors> LogicalNotKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  for (int64_t i = 0; i < x.num_elements(); ++i) out.data<bool>()[i] = !x.data<bool>()[i];
  return Tensors{out};
}

StatusOr<Tensors> WhereKernel(const KernelContext& c) {
  const HostTensor &cond = c.operands[0], &a = c.operands[1], &b = c.operands[2];
  HostTensor out = NewResult(c);
  const bool* pc = cond.data<bool>();
  ForEachBroadcast(out.sizes(), {&cond, &a, &b}, [&](int64_t o, const int64_t* in) {
    if (pc[in[0]]) {
      CopyElement(a, in[1], out, o);
    } else {
      CopyElement(b, in[2], out, o);
    }
  });
  return Tensors{out};
}

}  // namespace

void AddElementwiseKernels(KernelTable& t) {
  // ---- unary numeric (float and integer) ----
  t.Add(OpKind::Neg, [](const KernelContext& c) { return UnaryNumeric(c, [](double x) { return -x; }, WrapNeg); });
  t.Add(OpKind::Abs, [](const KernelContext& c) {
    return UnaryNumeric(c, [](double x) { return std::fabs(x); }, [](int64_t x) { return x < 0 ? WrapNeg(x) : x; });
  });
  t.Add(OpKind::Relu, [](const KernelContext& c) {
    return UnaryNumeric(c, [](double x) { return std::isnan(x) || x > 0 ? x : 0.0; },
                        [](int64_t x) { return x > 0 ? x : int64_t{0}; });
  });
  // torch.sign computes (0 < x) - (x < 0), so sign(NaN) is 0 (pytorch/pytorch#41245).
  t.Add(OpKind::Sign, [](const KernelContext& c) {
    return UnaryNumeric(c, [](double x) { return static_cast<double>((0 < x) - (x < 0)); },
                        [](int64_t x) { return static_cast<int64_t>((0 < x) - (x < 0)); });
  });
  t.Add(OpKind::Clamp, ClampKernel);
  t.Add(OpKind::Cast, CastKernel);
  t.Add(OpKind::LogicalNot, LogicalNotKernel);

  // ---- unary float ----
  t.Add(OpKind::Exp, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::exp(x); }); });
  t.Add(OpKind::Log, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::log(x); }); });
  t.Add(OpKind::Sqrt, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::sqrt(x); }); });
  t.Add(OpKind::Rsqrt, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return 1.0 / std::sqrt(x); }); });
  t.Add(OpKind::Reciprocal, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return 1.0 / x; }); });
  t.Add(OpKind::Sigmoid,
        [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return 1.0 / (1.0 + std::exp(-x)); }); });
  t.Add(OpKind::Tanh, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::tanh(x); }); });
  t.Add(OpKind::Erf, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::erf(x); }); });
  t.Add(OpKind::Sin, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::sin(x); }); });
  t.Add(OpKind::Cos, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::cos(x); }); });
  t.Add(OpKind::Floor, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::floor(x); }); });
  t.Add(OpKind::Ceil, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::ceil(x); }); });
  // nearbyint in the default rounding mode rounds half to even, as torch.round does.
  t.Add(OpKind::Round, [](const KernelContext& c) { return UnaryFloat(c, [](double x) { return std::nearbyint(x); }); });

  // ---- binary arithmetic ----
  t.Add(OpKind::Add, [](const KernelContext& c) { return BinaryNumeric(c, [](double a, double b) { return a + b; }, WrapAdd); });
  t.Add(OpKind::Sub, [](const KernelContext& c) { return BinaryNumeric(c, [](double a, double b) { return a - b; }, WrapSub); });
  t.Add(OpKind::Mul, [](const KernelContext& c) { return BinaryNumeric(c, [](double a, double b) { return a * b; }, WrapMul); });
  t.Add(OpKind::Div, DivKernel);
  t.Add(OpKind::Pow, [](const KernelContext& c) { return BinaryFloat(c, [](double a, double b) { return std::pow(a, b); }); });
  t.Add(OpKind::Maximum, [](const KernelContext& c) {
    return BinaryNumeric(c, NanMax, [](int64_t a, int64_t b) { return std::max(a, b); });
  });
  t.Add(OpKind::Minimum, [](const KernelContext& c) {
    return BinaryNumeric(c, NanMin, [](int64_t a, int64_t b) { return std::min(a, b); });
  });

  // ---- comparisons (NaN compares unequal to everything, itself included) ----
  t.Add(OpKind::Eq, [](const KernelContext& c) { return Compare(c, [](auto a, auto b) { return a == b; }); });
  t.Add(OpKind::Ne, [](const KernelContext& c) { return Compare(c, [](auto a, auto b) { return a != b; }); });
  t.Add(OpKind::Lt, [](const KernelContext& c) { return Compare(c, [](auto a, auto b) { return a < b; }); });
  t.Add(OpKind::Le, [](const KernelContext& c) { return Compare(c, [](auto a, auto b) { return a <= b; }); });
  t.Add(OpKind::Gt, [](const KernelContext& c) { return Compare(c, [](auto a, auto b) { return a > b; }); });
  t.Add(OpKind::Ge, [](const KernelContext& c) { return Compare(c, [](auto a, auto b) { return a >= b; }); });

  // ---- logical and selection ----
  t.Add(OpKind::LogicalAnd, [](const KernelContext& c) { return Logical(c, [](bool a, bool b) { return a && b; }); });
  t.Add(OpKind::LogicalOr, [](const KernelContext& c) { return Logical(c, [](bool a, bool b) { return a || b; }); });
  t.Add(OpKind::Where, WhereKernel);
}

}  // namespace kiln::reference
