// Reductions, arg reductions and softmax.
//
//   reduce_DT  [op, krank, ksizes[8], kstrides[8], rrank, rsizes[8], rstrides[8], count]
//              b = [x, y]   range: result elements
//     The input is viewed as kept dims (walked by the result index) and reduced dims (walked
//     for each result element); strides are the input's, in elements. `count` divides for
//     mean. max/min propagate NaN.
//   argreduce_DT [want_max, outer, n, inner]  b = [x, y (i64)]  range: outer * inner
//     The first extreme index; a NaN counts as the extreme (torch).
//   softmax_DT [log, outer, n, inner]  b = [x, y]  range: outer * inner
//     Stabilized by the row maximum; the contiguous case (inner == 1) uses vmath's exp.
#include <math.h>

#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vmath.h"

namespace kk {
namespace {

namespace kc = kiln::cpu::kc;

template <typename T> inline T NanMaxOf(T m, T v) { return (v > m || IsNan(v)) && !IsNan(m) ? v : m; }
template <typename T> inline T NanMinOf(T m, T v) { return (v < m || IsNan(v)) && !IsNan(m) ? v : m; }

template <typename T> struct Limits;
template <> struct Limits<float> { static float lowest() { return -__builtin_inff(); } static float highest() { return __builtin_inff(); } };
template <> struct Limits<double> { static double lowest() { return -__builtin_inf(); } static double highest() { return __builtin_inf(); } };
template <> struct Limits<int64_t> { static int64_t lowest() { return -9223372036854775807LL - 1; } static int64_t highest() { return 9223372036854775807LL; } };
template <> struct Limits<int32_t> { static int32_t lowest() { return -2147483647 - 1; } static int32_t highest() { return 2147483647; } };

// Folds one contiguous or strided run of n elements into acc (8 partial accumulators so the
// contiguous loop vectorizes without reassociating a single sum).
template <typename T, typename F>
inline T FoldRun(const T* x, int64_t n, int64_t stride, T init, F f) {
  if (stride == 1 && n >= 16) {
    T part[8];
    for (int l = 0; l < 8; ++l) part[l] = init;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; ++l) part[l] = f(part[l], x[i + l]);
    T acc = init;
    for (; i < n; ++i) acc = f(acc, x[i]);
    for (int l = 0; l < 8; ++l) acc = f(acc, part[l]);
    return acc;
  }
  T acc = init;
  for (int64_t i = 0; i < n; ++i) acc = f(acc, x[i * stride]);
  return acc;
}

template <typename T, typename F>
inline void ReduceWith(const int64_t* p, void* const* b, int64_t begin, int64_t end, T init, F f, bool mean) {
  int64_t krank = p[1];
  const int64_t* ksizes = p + 2;
  const int64_t* kstrides = p + 10;
  int64_t rrank = p[18];
  const int64_t* rsizes = p + 19;
  const int64_t* rstrides[1] = {p + 27};
  int64_t count = p[35];
  const T* x = Buf<const T>(b, 0);
  T* y = Buf<T>(b, 1);
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < rrank; ++d) rows *= rsizes[d];
  int64_t n = rsizes[rrank - 1], stride = rstrides[0][rrank - 1];
  for (int64_t o = begin; o < end; ++o) {
    int64_t base = 0, rem = o;
    for (int64_t d = krank - 1; d >= 0; --d) {
      base += (rem % ksizes[d]) * kstrides[d];
      rem /= ksizes[d];
    }
    T acc = init;
    ForRows<1>(rrank, rsizes, rstrides, 0, rows, [&](const int64_t* off) {
      acc = f(acc, FoldRun(x + base + off[0], n, stride, init, f));
    });
    if (mean) acc = acc / static_cast<T>(count);
    y[o] = acc;
  }
}

template <typename T>
void Reduce(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  bool floating = T(0.5) != T(0);
  switch (p[0]) {
    case kc::kSum:
    case kc::kMean:
      ReduceWith<T>(p, b, begin, end, T(0), [](T a, T v) { return WrapAddAny(a, v); }, p[0] == kc::kMean);
      break;
    case kc::kProd:
      ReduceWith<T>(p, b, begin, end, T(1), [floating](T a, T v) { return floating ? a * v : WrapMul(a, v); }, false);
      break;
    case kc::kMax: ReduceWith<T>(p, b, begin, end, Limits<T>::lowest(), NanMaxOf<T>, false); break;
    case kc::kMin: ReduceWith<T>(p, b, begin, end, Limits<T>::highest(), NanMinOf<T>, false); break;
    default: break;
  }
}

template <typename T>
void ArgReduce(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  bool want_max = p[0] != 0;
  int64_t n = p[2], inner = p[3];
  const T* x = Buf<const T>(b, 0);
  int64_t* y = Buf<int64_t>(b, 1);
  for (int64_t t = begin; t < end; ++t) {
    int64_t o = t / inner, i = t % inner;
    const T* row = x + o * n * inner + i;
    int64_t best = 0;
    T cur = row[0];
    for (int64_t j = 1; j < n; ++j) {
      if (IsNan(cur)) break;
      T v = row[j * inner];
      if (IsNan(v) || (want_max ? v > cur : v < cur)) {
        best = j;
        cur = v;
      }
    }
    y[t] = best;
  }
}

template <typename T>
void Softmax(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  bool log_form = p[0] != 0;
  int64_t n = p[2], inner = p[3];
  const T* x = Buf<const T>(b, 0);
  T* y = Buf<T>(b, 1);
  for (int64_t t = begin; t < end; ++t) {
    int64_t o = t / inner, i = t % inner;
    const T* xr = x + o * n * inner + i;
    T* yr = y + o * n * inner + i;
    int64_t s = inner;
    T m = FoldRun(xr, n, s, -static_cast<T>(__builtin_inf()), NanMaxOf<T>);
    // exp(x - m) into y, summed in 8 partial sums.
    T part[8] = {};
    int64_t j = 0;
    if (s == 1) {
      for (; j + 8 <= n; j += 8)
        for (int l = 0; l < 8; ++l) {
          T e = Exp(xr[j + l] - m);
          yr[j + l] = e;
          part[l] += e;
        }
    }
    T sum = T(0);
    for (; j < n; ++j) {
      T e = Exp(xr[j * s] - m);
      yr[j * s] = e;
      sum += e;
    }
    for (int l = 0; l < 8; ++l) sum += part[l];
    if (log_form) {
      T shift = m + static_cast<T>(log(sum));
      for (int64_t k = 0; k < n; ++k) yr[k * s] = xr[k * s] - shift;
    } else {
      T inv = T(1) / sum;
      for (int64_t k = 0; k < n; ++k) yr[k * s] *= inv;
    }
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(reduce_f32) { kk::Reduce<float>(p, b, begin, end); }
KILN_KERNEL(reduce_f64) { kk::Reduce<double>(p, b, begin, end); }
KILN_KERNEL(reduce_i64) { kk::Reduce<int64_t>(p, b, begin, end); }
KILN_KERNEL(reduce_i32) { kk::Reduce<int32_t>(p, b, begin, end); }
KILN_KERNEL(argreduce_f32) { kk::ArgReduce<float>(p, b, begin, end); }
KILN_KERNEL(argreduce_f64) { kk::ArgReduce<double>(p, b, begin, end); }
KILN_KERNEL(argreduce_i64) { kk::ArgReduce<int64_t>(p, b, begin, end); }
KILN_KERNEL(argreduce_i32) { kk::ArgReduce<int32_t>(p, b, begin, end); }
KILN_KERNEL(softmax_f32) { kk::Softmax<float>(p, b, begin, end); }
KILN_KERNEL(softmax_f64) { kk::Softmax<double>(p, b, begin, end); }
