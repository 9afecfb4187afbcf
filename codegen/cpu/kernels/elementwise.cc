// Elementwise kernels: unary math, broadcasting binary arithmetic, comparisons and logical
// ops, where, cast, fill and random_uniform. One C function per (family, dtype); the op is a
// parameter that folds to a constant once the compiler inlines the call, so only one loop
// survives per call site. DT suffixes: f32 f64 i64 i32 b8 (bool as one byte 0/1).
//
// Parameter layouts (p):
//   unary_DT     [op, n, attr0, attr1, attr2]               b = [x, y]          range: elements
//                 attrs are double bits (float dtypes) or int64 (integer clamp bounds)
//   binary_DT    [op, rank, sizes[8], sa[8], sb[8]]         b = [a, b, y, err]  range: rows
//   compare_DT   as binary_DT, result bool                  b = [a, b, y]       range: rows
//   where_wS     [rank, sizes[8], sc[8], sa[8], sb[8]]      b = [c, a, b, y]    range: rows
//   cast_F_T     [n]                                        b = [x, y]          range: elements
//   fill_wS      [n, bits]                                  b = [y]             range: elements
//   random_uniform_DT [n, key, offset]                      b = [y]             range: elements
// A row is the innermost dim of the (collapsed) iteration space; strides are in elements and
// 0 where an operand is broadcast.
#include <math.h>

#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vmath.h"

namespace kk {
namespace {

namespace kc = kiln::cpu::kc;

template <typename T, typename F>
inline void Map(const T* x, T* y, int64_t begin, int64_t end, F f) {
  for (int64_t i = begin; i < end; ++i) y[i] = f(x[i]);
}

template <typename T>
void UnaryFloat(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  const T* x = Buf<const T>(b, 0);
  T* y = Buf<T>(b, 1);
  T a0 = static_cast<T>(F64(p[2])), a1 = static_cast<T>(F64(p[3])), a2 = static_cast<T>(F64(p[4]));
  switch (p[0]) {
    case kc::kNeg: Map(x, y, begin, end, [](T v) { return -v; }); break;
    case kc::kAbs: Map(x, y, begin, end, [](T v) { return v < 0 ? -v : v; }); break;
    case kc::kRelu: Map(x, y, begin, end, [](T v) { return v > 0 || v != v ? v : T(0); }); break;
    case kc::kSign: Map(x, y, begin, end, [](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); }); break;
    case kc::kExp: Map(x, y, begin, end, [](T v) { return Exp(v); }); break;
    case kc::kLog: Map(x, y, begin, end, [](T v) { return static_cast<T>(log(v)); }); break;
    case kc::kSqrt: Map(x, y, begin, end, [](T v) { return static_cast<T>(sqrt(v)); }); break;
    case kc::kRsqrt: Map(x, y, begin, end, [](T v) { return T(1) / static_cast<T>(sqrt(v)); }); break;
    case kc::kReciprocal: Map(x, y, begin, end, [](T v) { return T(1) / v; }); break;
    case kc::kSigmoid: Map(x, y, begin, end, [](T v) { return Sigmoid(v); }); break;
    case kc::kTanh: Map(x, y, begin, end, [](T v) { return Tanh(v); }); break;
    case kc::kErf: Map(x, y, begin, end, [](T v) { return Erf(v); }); break;
    case kc::kSin: Map(x, y, begin, end, [](T v) { return static_cast<T>(sin(v)); }); break;
    case kc::kCos: Map(x, y, begin, end, [](T v) { return static_cast<T>(cos(v)); }); break;
    case kc::kFloor: Map(x, y, begin, end, [](T v) { return static_cast<T>(floor(v)); }); break;
    case kc::kCeil: Map(x, y, begin, end, [](T v) { return static_cast<T>(ceil(v)); }); break;
    case kc::kRound: Map(x, y, begin, end, [](T v) { return static_cast<T>(nearbyint(v)); }); break;
    case kc::kClamp:
      // NaN stays NaN: comparisons with NaN are false, so neither bound replaces it.
      Map(x, y, begin, end, [a0, a1](T v) {
        T r = v < a0 ? a0 : v;
        r = r > a1 ? a1 : r;
        return a0 != a0 || a1 != a1 ? T(NAN) : r;
      });
      break;
    case kc::kElu:  // a0 alpha, a1 scale, a2 input_scale
      Map(x, y, begin, end, [a0, a1, a2](T v) { return v > 0 ? a1 * v : a1 * a0 * (Exp(v * a2) - T(1)); });
      break;
    case kc::kLeakyRelu: Map(x, y, begin, end, [a0](T v) { return v > 0 ? v : v * a0; }); break;
    case kc::kSoftplus:  // a0 beta, a1 threshold
      Map(x, y, begin, end, [a0, a1](T v) {
        T z = v * a0;
        T soft = (Max(z, T(0)) + static_cast<T>(log1p(Exp(-(z < 0 ? -z : z))))) / a0;
        return z > a1 ? v : soft;
      });
      break;
    case kc::kGeluErf:
      Map(x, y, begin, end, [](T v) { return T(0.5) * v * (T(1) + Erf(v * T(0.70710678118654752440))); });
      break;
    case kc::kGeluTanh:
      Map(x, y, begin, end, [](T v) {
        return T(0.5) * v * (T(1) + Tanh(T(0.79788456080286535588) * (v + T(0.044715) * v * v * v)));
      });
      break;
    default: break;
  }
}

template <typename T>
void UnaryInt(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  const T* x = Buf<const T>(b, 0);
  T* y = Buf<T>(b, 1);
  T lo = static_cast<T>(p[2]), hi = static_cast<T>(p[3]);
  switch (p[0]) {
    case kc::kNeg: Map(x, y, begin, end, [](T v) { return WrapSub(T(0), v); }); break;
    case kc::kAbs: Map(x, y, begin, end, [](T v) { return v < 0 ? WrapSub(T(0), v) : v; }); break;
    case kc::kRelu: Map(x, y, begin, end, [](T v) { return v > 0 ? v : T(0); }); break;
    case kc::kSign: Map(x, y, begin, end, [](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); }); break;
    case kc::kClamp: Map(x, y, begin, end, [lo, hi](T v) { return Min(Max(v, lo), hi); }); break;
    default: break;
  }
}

void UnaryBool(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  const uint8_t* x = Buf<const uint8_t>(b, 0);
  uint8_t* y = Buf<uint8_t>(b, 1);
  if (p[0] == kc::kLogicalNot) Map(x, y, begin, end, [](uint8_t v) { return static_cast<uint8_t>(v == 0); });
}

// Applies y[i] = f(a[i*sa], b[i*sb]) over one row, with the common stride patterns split out
// so the vectorizer sees unit-stride or splat operands.
template <typename T, typename R, typename F>
inline void Row(const T* a, const T* bb, R* y, int64_t n, int64_t sa, int64_t sb, F f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], bb[i]);
  } else if (sa == 1 && sb == 0) {
    T v = bb[0];
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], v);
  } else if (sa == 0 && sb == 1) {
    T v = a[0];
    for (int64_t i = 0; i < n; ++i) y[i] = f(v, bb[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i * sa], bb[i * sb]);
  }
}

template <typename T, typename R, typename F>
inline void Broadcast2(const int64_t* p, void* const* b, int64_t begin, int64_t end, F f) {
  int64_t rank = p[1];
  const int64_t* sizes = p + 2;
  const int64_t* strides[3] = {p + 10, p + 18, nullptr};
  int64_t n = sizes[rank - 1];
  int64_t ys[kMaxRank];
  // The result is contiguous: its row stride is n.
  for (int64_t d = 0; d < kMaxRank; ++d) ys[d] = 0;
  if (rank >= 2) ys[rank - 2] = n;
  for (int64_t d = rank - 3; d >= 0; --d) ys[d] = ys[d + 1] * sizes[d + 1];
  strides[2] = ys;
  const T* a = Buf<const T>(b, 0);
  const T* bb = Buf<const T>(b, 1);
  R* y = Buf<R>(b, 2);
  int64_t sa = strides[0][rank - 1], sb = strides[1][rank - 1];
  ForRows<3>(rank, sizes, strides, begin, end,
             [&](const int64_t* off) { Row(a + off[0], bb + off[1], y + off[2], n, sa, sb, f); });
}

template <typename T>
void BinaryFloat(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  switch (p[0]) {
    case kc::kAdd: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return x + y; }); break;
    case kc::kSub: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return x - y; }); break;
    case kc::kMul: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return x * y; }); break;
    case kc::kDiv: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return x / y; }); break;
    case kc::kPow: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return static_cast<T>(pow(x, y)); }); break;
    case kc::kMaximum:
      Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return x != x || y != y ? T(NAN) : (x > y ? x : y); });
      break;
    case kc::kMinimum:
      Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return x != x || y != y ? T(NAN) : (x < y ? x : y); });
      break;
    default: break;
  }
}

template <typename T>
void BinaryInt(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  switch (p[0]) {
    case kc::kAdd: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return WrapAdd(x, y); }); break;
    case kc::kSub: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return WrapSub(x, y); }); break;
    case kc::kMul: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return WrapMul(x, y); }); break;
    case kc::kDiv: {
      // Division by zero is reported through the error slot (and yields 0, never a trap).
      int64_t* err = Buf<int64_t>(b, 3);
      bool zero = false;
      Broadcast2<T, T>(p, b, begin, end, [&zero](T x, T y) {
        zero |= y == 0;
        T d = y == 0 ? T(1) : y;
        return d == T(-1) ? WrapSub(T(0), x) : x / d;
      });
      if (zero) __atomic_store_n(err, static_cast<int64_t>(kc::kDivByZero), __ATOMIC_RELAXED);
      break;
    }
    case kc::kMaximum: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return Max(x, y); }); break;
    case kc::kMinimum: Broadcast2<T, T>(p, b, begin, end, [](T x, T y) { return Min(x, y); }); break;
    default: break;
  }
}

template <typename T>
void CompareAny(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  using R = uint8_t;
  switch (p[0]) {
    case kc::kEq: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x == y); }); break;
    case kc::kNe: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x != y); }); break;
    case kc::kLt: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x < y); }); break;
    case kc::kLe: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x <= y); }); break;
    case kc::kGt: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x > y); }); break;
    case kc::kGe: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x >= y); }); break;
    case kc::kAnd: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x != 0 && y != 0); }); break;
    case kc::kOr: Broadcast2<T, R>(p, b, begin, end, [](T x, T y) { return static_cast<R>(x != 0 || y != 0); }); break;
    default: break;
  }
}

template <typename W>
void Where(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t rank = p[0];
  const int64_t* sizes = p + 1;
  int64_t n = sizes[rank - 1];
  int64_t ys[kMaxRank];
  for (int64_t d = 0; d < kMaxRank; ++d) ys[d] = 0;
  if (rank >= 2) ys[rank - 2] = n;
  for (int64_t d = rank - 3; d >= 0; --d) ys[d] = ys[d + 1] * sizes[d + 1];
  const int64_t* strides[4] = {p + 9, p + 17, p + 25, ys};
  const uint8_t* c = Buf<const uint8_t>(b, 0);
  const W* x = Buf<const W>(b, 1);
  const W* z = Buf<const W>(b, 2);
  W* y = Buf<W>(b, 3);
  int64_t sc = strides[0][rank - 1], sa = strides[1][rank - 1], sb = strides[2][rank - 1];
  ForRows<4>(rank, sizes, strides, begin, end, [&](const int64_t* off) {
    const uint8_t* cr = c + off[0];
    const W* xr = x + off[1];
    const W* zr = z + off[2];
    W* yr = y + off[3];
    for (int64_t i = 0; i < n; ++i) yr[i] = cr[i * sc] ? xr[i * sa] : zr[i * sb];
  });
}

template <typename F, typename T>
inline T Convert(F v) { return static_cast<T>(v); }

// Float to integer: truncation toward zero; NaN and out-of-range values (undefined in torch,
// errors in the reference) saturate instead of producing poison.
template <typename F, typename T>
inline T FloatToInt(F v) {
  double d = static_cast<double>(v);
  double lo = sizeof(T) == 4 ? -2147483648.0 : -9223372036854775808.0;
  double hi = sizeof(T) == 4 ? 2147483647.0 : 9223372036854775807.0;
  d = d != d ? 0.0 : d;
  d = d < lo ? lo : d;
  return d >= hi ? static_cast<T>(sizeof(T) == 4 ? 2147483647LL : 9223372036854775807LL) : static_cast<T>(d);
}

template <typename F, typename T, bool kFloatToInt, bool kToBool>
void Cast(const int64_t*, void* const* b, int64_t begin, int64_t end) {
  const F* x = Buf<const F>(b, 0);
  T* y = Buf<T>(b, 1);
  for (int64_t i = begin; i < end; ++i) {
    if (kToBool) {
      y[i] = static_cast<T>(x[i] != F(0) ? 1 : 0);
    } else if (kFloatToInt) {
      y[i] = FloatToInt<F, T>(x[i]);
    } else {
      y[i] = static_cast<T>(x[i]);
    }
  }
}

template <typename W>
void Fill(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  W v;
  memcpy(&v, &p[1], sizeof v);
  W* y = Buf<W>(b, 0);
  for (int64_t i = begin; i < end; ++i) y[i] = v;
}

inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

template <typename T>
void RandomUniform(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  uint64_t key = static_cast<uint64_t>(p[1]), offset = static_cast<uint64_t>(p[2]);
  T* y = Buf<T>(b, 0);
  for (int64_t i = begin; i < end; ++i) {
    uint64_t bits = Mix64(key + (offset + static_cast<uint64_t>(i) + 1) * 0x9E3779B97F4A7C15ULL);
    y[i] = static_cast<T>(static_cast<double>(bits >> 40) * (1.0 / 16777216.0));
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(unary_f32) { kk::UnaryFloat<float>(p, b, begin, end); }
KILN_KERNEL(unary_f64) { kk::UnaryFloat<double>(p, b, begin, end); }
KILN_KERNEL(unary_i64) { kk::UnaryInt<int64_t>(p, b, begin, end); }
KILN_KERNEL(unary_i32) { kk::UnaryInt<int32_t>(p, b, begin, end); }
KILN_KERNEL(unary_b8) { kk::UnaryBool(p, b, begin, end); }

KILN_KERNEL(binary_f32) { kk::BinaryFloat<float>(p, b, begin, end); }
KILN_KERNEL(binary_f64) { kk::BinaryFloat<double>(p, b, begin, end); }
KILN_KERNEL(binary_i64) { kk::BinaryInt<int64_t>(p, b, begin, end); }
KILN_KERNEL(binary_i32) { kk::BinaryInt<int32_t>(p, b, begin, end); }

KILN_KERNEL(compare_f32) { kk::CompareAny<float>(p, b, begin, end); }
KILN_KERNEL(compare_f64) { kk::CompareAny<double>(p, b, begin, end); }
KILN_KERNEL(compare_i64) { kk::CompareAny<int64_t>(p, b, begin, end); }
KILN_KERNEL(compare_i32) { kk::CompareAny<int32_t>(p, b, begin, end); }
KILN_KERNEL(compare_b8) { kk::CompareAny<uint8_t>(p, b, begin, end); }

KILN_KERNEL(where_w1) { kk::Where<uint8_t>(p, b, begin, end); }
KILN_KERNEL(where_w4) { kk::Where<uint32_t>(p, b, begin, end); }
KILN_KERNEL(where_w8) { kk::Where<uint64_t>(p, b, begin, end); }

KILN_KERNEL(fill_w1) { kk::Fill<uint8_t>(p, b, begin, end); }
KILN_KERNEL(fill_w4) { kk::Fill<uint32_t>(p, b, begin, end); }
KILN_KERNEL(fill_w8) { kk::Fill<uint64_t>(p, b, begin, end); }

KILN_KERNEL(random_uniform_f32) { kk::RandomUniform<float>(p, b, begin, end); }
KILN_KERNEL(random_uniform_f64) { kk::RandomUniform<double>(p, b, begin, end); }

// cast_FROM_TO for every pair of f32 f64 i64 i32 b8.
#define KILN_CAST(fn, tn, F, T, f2i, tob) \
  KILN_KERNEL(cast_##fn##_##tn) { kk::Cast<F, T, f2i, tob>(p, b, begin, end); }
#define KILN_CAST_FROM(fn, F, ffloat)                 \
  KILN_CAST(fn, f32, F, float, false, false)          \
  KILN_CAST(fn, f64, F, double, false, false)         \
  KILN_CAST(fn, i64, F, int64_t, ffloat, false)       \
  KILN_CAST(fn, i32, F, int32_t, ffloat, false)       \
  KILN_CAST(fn, b8, F, uint8_t, false, true)
KILN_CAST_FROM(f32, float, true)
KILN_CAST_FROM(f64, double, true)
KILN_CAST_FROM(i64, int64_t, false)
KILN_CAST_FROM(i32, int32_t, false)
KILN_CAST_FROM(b8, uint8_t, false)
