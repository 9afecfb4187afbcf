// fused_elementwise: a small program of elementwise instructions (ir/fused_body.h, encoded by
// emitters_fused.cc) run over the output in tiles, so no intermediate tensor is ever stored:
// each register is a tile of kFusedTileBytes on the stack (256 f32 / 128 f64 elements, in
// L1), every instruction is one vectorizable loop over a tile, and the op switch is paid
// once per tile, not per element. DT is the floating type every register holds; bool values
// are 0 / 1 of that type (loaded from and stored to one-byte bools).
//
// Parameter layouts (p); E = 8 int64 per instruction: [family, code, a, b, c, attr0, attr1,
// attr2] with a/b/c register numbers (operands 0..nops-1, instruction i is nops+i) and attrs
// as double bits:
//   fused_DT         [nops, ninstr, rank, total, out_bool, sizes[8],
//                     per operand (10): strides[8], is_bool, contiguous,
//                     per instruction: E]                          b = [ops..., y]  range: tiles
//     The iteration space is the (collapsed) output; operand strides are 0 on broadcast dims.
//     `contiguous` operands (DT, strides equal to the output's) are read in place.
//   fused_reduce_DT  [nops, ninstr, red, count, src, krank, ksizes[8], rrank, rsizes[8],
//                     per operand (18): kstrides[8], rstrides[8], is_bool, contiguous,
//                     per instruction: E]                          b = [ops..., y]  range: results
//     The pre-reduction space is kept dims (one result each) x reduced dims; for each result
//     the reduced space is walked in tiles, the prologue runs per tile and register `src` is
//     folded with kc::Reduce `red` (mean divides by `count`; max/min propagate NaN).
#include <math.h>

#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vmath.h"

namespace kk {
namespace {

namespace kc = kiln::cpu::kc;

constexpr int kMaxRegs = static_cast<int>(kc::kFusedMaxOperands + kc::kFusedMaxInstrs);

template <typename T, typename F>
inline void Map1(const T* x, T* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}
template <typename T, typename F>
inline void Map2(const T* a, const T* b, T* y, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
}

template <typename T>
void Unary(int64_t code, const T* x, T* y, int64_t n, T a0, T a1, T a2) {
  switch (code) {
    case kc::kNeg: Map1(x, y, n, [](T v) { return -v; }); break;
    case kc::kAbs: Map1(x, y, n, [](T v) { return v < 0 ? -v : v; }); break;
    case kc::kRelu: Map1(x, y, n, [](T v) { return v > 0 || v != v ? v : T(0); }); break;
    case kc::kSign: Map1(x, y, n, [](T v) { return static_cast<T>((T(0) < v) - (v < T(0))); }); break;
    case kc::kExp: Map1(x, y, n, [](T v) { return Exp(v); }); break;
    case kc::kLog: Map1(x, y, n, [](T v) { return static_cast<T>(log(v)); }); break;
    case kc::kSqrt: Map1(x, y, n, [](T v) { return static_cast<T>(sqrt(v)); }); break;
    case kc::kRsqrt: Map1(x, y, n, [](T v) { return T(1) / static_cast<T>(sqrt(v)); }); break;
    case kc::kReciprocal: Map1(x, y, n, [](T v) { return T(1) / v; }); break;
    case kc::kSigmoid: Map1(x, y, n, [](T v) { return Sigmoid(v); }); break;
    case kc::kTanh: Map1(x, y, n, [](T v) { return Tanh(v); }); break;
    case kc::kErf: Map1(x, y, n, [](T v) { return Erf(v); }); break;
    case kc::kSin: Map1(x, y, n, [](T v) { return static_cast<T>(sin(v)); }); break;
    case kc::kCos: Map1(x, y, n, [](T v) { return static_cast<T>(cos(v)); }); break;
    case kc::kFloor: Map1(x, y, n, [](T v) { return static_cast<T>(floor(v)); }); break;
    case kc::kCeil: Map1(x, y, n, [](T v) { return static_cast<T>(ceil(v)); }); break;
    case kc::kRound: Map1(x, y, n, [](T v) { return static_cast<T>(nearbyint(v)); }); break;
    case kc::kLogicalNot: Map1(x, y, n, [](T v) { return v == T(0) ? T(1) : T(0); }); break;
    case kc::kClamp:  // NaN stays NaN, as in kiln_k_unary_DT
      Map1(x, y, n, [a0, a1](T v) {
        T r = v < a0 ? a0 : v;
        r = r > a1 ? a1 : r;
        return a0 != a0 || a1 != a1 ? T(NAN) : r;
      });
      break;
    case kc::kElu:  // a0 alpha, a1 scale, a2 input_scale
      Map1(x, y, n, [a0, a1, a2](T v) { return v > 0 ? a1 * v : a1 * a0 * (Exp(v * a2) - T(1)); });
      break;
    case kc::kLeakyRelu: Map1(x, y, n, [a0](T v) { return v > 0 ? v : v * a0; }); break;
    case kc::kSoftplus:  // a0 beta, a1 threshold
      Map1(x, y, n, [a0, a1](T v) {
        T z = v * a0;
        T soft = (Max(z, T(0)) + static_cast<T>(log1p(Exp(-(z < 0 ? -z : z))))) / a0;
        return z > a1 ? v : soft;
      });
      break;
    case kc::kGeluErf:
      Map1(x, y, n, [](T v) { return T(0.5) * v * (T(1) + Erf(v * T(0.70710678118654752440))); });
      break;
    case kc::kGeluTanh:
      Map1(x, y, n, [](T v) {
        return T(0.5) * v * (T(1) + Tanh(T(0.79788456080286535588) * (v + T(0.044715) * v * v * v)));
      });
      break;
    default: break;
  }
}

template <typename T>
void Binary(int64_t code, const T* a, const T* b, T* y, int64_t n) {
  switch (code) {
    case kc::kAdd: Map2(a, b, y, n, [](T x, T z) { return x + z; }); break;
    case kc::kSub: Map2(a, b, y, n, [](T x, T z) { return x - z; }); break;
    case kc::kMul: Map2(a, b, y, n, [](T x, T z) { return x * z; }); break;
    case kc::kDiv: Map2(a, b, y, n, [](T x, T z) { return x / z; }); break;
    case kc::kPow: Map2(a, b, y, n, [](T x, T z) { return static_cast<T>(pow(x, z)); }); break;
    case kc::kMaximum: Map2(a, b, y, n, [](T x, T z) { return x != x || z != z ? T(NAN) : (x > z ? x : z); }); break;
    case kc::kMinimum: Map2(a, b, y, n, [](T x, T z) { return x != x || z != z ? T(NAN) : (x < z ? x : z); }); break;
    default: break;
  }
}

template <typename T>
void Compare(int64_t code, const T* a, const T* b, T* y, int64_t n) {
  switch (code) {
    case kc::kEq: Map2(a, b, y, n, [](T x, T z) { return T(x == z); }); break;
    case kc::kNe: Map2(a, b, y, n, [](T x, T z) { return T(x != z); }); break;
    case kc::kLt: Map2(a, b, y, n, [](T x, T z) { return T(x < z); }); break;
    case kc::kLe: Map2(a, b, y, n, [](T x, T z) { return T(x <= z); }); break;
    case kc::kGt: Map2(a, b, y, n, [](T x, T z) { return T(x > z); }); break;
    case kc::kGe: Map2(a, b, y, n, [](T x, T z) { return T(x >= z); }); break;
    case kc::kAnd: Map2(a, b, y, n, [](T x, T z) { return T(x != T(0) && z != T(0)); }); break;
    case kc::kOr: Map2(a, b, y, n, [](T x, T z) { return T(x != T(0) || z != T(0)); }); break;
    default: break;
  }
}

// Runs the instructions over one tile of n elements. reg[k] points at register k's tile:
// operands are already loaded (or point into their buffer); results go to slots[k].
template <typename T, int64_t kN>
inline void RunProgram(const int64_t* ins, int64_t nops, int64_t ninstr, const T** reg, T (*slots)[kN], int64_t n) {
  for (int64_t i = 0; i < ninstr; ++i) {
    const int64_t* q = ins + 8 * i;
    T* y = slots[nops + i];
    const T* a = reg[q[2]];
    switch (q[0]) {
      case kc::kFusedUnary:
        Unary<T>(q[1], a, y, n, static_cast<T>(F64(q[5])), static_cast<T>(F64(q[6])), static_cast<T>(F64(q[7])));
        break;
      case kc::kFusedBinary: Binary<T>(q[1], a, reg[q[3]], y, n); break;
      case kc::kFusedCompare: Compare<T>(q[1], a, reg[q[3]], y, n); break;
      case kc::kFusedWhere: {
        const T* x = reg[q[3]];
        const T* z = reg[q[4]];
        for (int64_t j = 0; j < n; ++j) y[j] = a[j] != T(0) ? x[j] : z[j];
        break;
      }
      case kc::kFusedToBool: Map1(a, y, n, [](T v) { return T(v != T(0)); }); break;
      default: Map1(a, y, n, [](T v) { return v; }); break;  // kFusedCopy
    }
    reg[nops + i] = y;
  }
}

// Loads elements [start, start + n) (row-major) of a `rank`-dim space from an operand read
// with `strides` from element `base`, converting one-byte bools to 0 / 1.
template <typename T>
inline void Gather(const void* src, bool is_bool, int64_t base, int64_t rank, const int64_t* sizes,
                   const int64_t* strides, int64_t start, int64_t n, T* dst) {
  int64_t idx[kMaxRank];
  int64_t off = base, r = start;
  for (int64_t d = rank - 1; d >= 0; --d) {
    idx[d] = r % sizes[d];
    r /= sizes[d];
    off += idx[d] * strides[d];
  }
  int64_t inner = sizes[rank - 1], s = strides[rank - 1];
  for (int64_t done = 0; done < n;) {
    int64_t seg = Min(n - done, inner - idx[rank - 1]);
    if (is_bool) {
      const uint8_t* x = static_cast<const uint8_t*>(src) + off;
      for (int64_t j = 0; j < seg; ++j) dst[done + j] = x[j * s] ? T(1) : T(0);
    } else if (s == 1) {
      const T* x = static_cast<const T*>(src) + off;
      for (int64_t j = 0; j < seg; ++j) dst[done + j] = x[j];
    } else {
      const T* x = static_cast<const T*>(src) + off;
      for (int64_t j = 0; j < seg; ++j) dst[done + j] = x[j * s];
    }
    done += seg;
    off += seg * s;
    idx[rank - 1] += seg;
    // Carry into the outer dims: the innermost wrapped to 0.
    for (int64_t d = rank - 1; d > 0 && idx[d] == sizes[d]; --d) {
      off -= sizes[d] * strides[d];
      idx[d] = 0;
      ++idx[d - 1];
      off += strides[d - 1];
    }
  }
}

template <typename T>
void FusedElementwise(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  constexpr int64_t kN = kc::kFusedTileBytes / static_cast<int64_t>(sizeof(T));
  int64_t nops = p[0], ninstr = p[1], rank = p[2], total = p[3];
  bool out_bool = p[4] != 0;
  const int64_t* sizes = p + 5;
  const int64_t* ops = p + 13;
  const int64_t* ins = ops + 10 * nops;
  T slots[kMaxRegs][kN];
  const T* reg[kMaxRegs];
  for (int64_t t = begin; t < end; ++t) {
    int64_t start = t * kN, n = Min(kN, total - start);
    for (int64_t k = 0; k < nops; ++k) {
      const int64_t* o = ops + 10 * k;
      if (o[9]) {
        reg[k] = Buf<const T>(b, static_cast<int>(k)) + start;
      } else {
        Gather<T>(b[k], o[8] != 0, 0, rank, sizes, o, start, n, slots[k]);
        reg[k] = slots[k];
      }
    }
    RunProgram<T, kN>(ins, nops, ninstr, reg, slots, n);
    const T* r = reg[nops + ninstr - 1];
    if (out_bool) {
      uint8_t* y = Buf<uint8_t>(b, static_cast<int>(nops)) + start;
      for (int64_t j = 0; j < n; ++j) y[j] = r[j] != T(0) ? 1 : 0;
    } else {
      T* y = Buf<T>(b, static_cast<int>(nops)) + start;
      for (int64_t j = 0; j < n; ++j) y[j] = r[j];
    }
  }
}

template <typename T> inline T FoldMax(T m, T v) { return (v > m || IsNan(v)) && !IsNan(m) ? v : m; }
template <typename T> inline T FoldMin(T m, T v) { return (v < m || IsNan(v)) && !IsNan(m) ? v : m; }

// Folds n values into 8 partial accumulators (so the loop vectorizes) and then one.
template <typename T, typename F>
inline void FoldTile(const T* x, int64_t n, T* part, F f) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) part[l] = f(part[l], x[i + l]);
  for (; i < n; ++i) part[0] = f(part[0], x[i]);
}

template <typename T>
void FusedReduce(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  constexpr int64_t kN = kc::kFusedTileBytes / static_cast<int64_t>(sizeof(T));
  int64_t nops = p[0], ninstr = p[1], red = p[2], count = p[3], src = p[4];
  int64_t krank = p[5], rrank = p[14];
  const int64_t* ksizes = p + 6;
  const int64_t* rsizes = p + 15;
  const int64_t* ops = p + 23;
  const int64_t* ins = ops + 18 * nops;
  int64_t rtotal = 1;
  for (int64_t d = 0; d < rrank; ++d) rtotal *= rsizes[d];
  T init = red == kc::kMax ? -static_cast<T>(__builtin_inf()) : red == kc::kMin ? static_cast<T>(__builtin_inf()) : T(0);
  T slots[kMaxRegs][kN];
  const T* reg[kMaxRegs];
  int64_t base[kc::kFusedMaxOperands];
  T* y = Buf<T>(b, static_cast<int>(nops));
  for (int64_t o = begin; o < end; ++o) {
    for (int64_t k = 0; k < nops; ++k) {
      const int64_t* ks = ops + 18 * k;
      int64_t off = 0, rem = o;
      for (int64_t d = krank - 1; d >= 0; --d) {
        off += (rem % ksizes[d]) * ks[d];
        rem /= ksizes[d];
      }
      base[k] = off;
    }
    T part[8];
    for (int l = 0; l < 8; ++l) part[l] = init;
    for (int64_t start = 0; start < rtotal; start += kN) {
      int64_t n = Min(kN, rtotal - start);
      for (int64_t k = 0; k < nops; ++k) {
        const int64_t* q = ops + 18 * k;
        if (q[17]) {
          reg[k] = Buf<const T>(b, static_cast<int>(k)) + base[k] + start;
        } else {
          Gather<T>(b[k], q[16] != 0, base[k], rrank, rsizes, q + 8, start, n, slots[k]);
          reg[k] = slots[k];
        }
      }
      RunProgram<T, kN>(ins, nops, ninstr, reg, slots, n);
      const T* x = reg[src];
      switch (red) {
        case kc::kMax: FoldTile(x, n, part, FoldMax<T>); break;
        case kc::kMin: FoldTile(x, n, part, FoldMin<T>); break;
        default: FoldTile(x, n, part, [](T a, T v) { return a + v; }); break;
      }
    }
    T acc = init;
    for (int l = 0; l < 8; ++l) {
      switch (red) {
        case kc::kMax: acc = FoldMax(acc, part[l]); break;
        case kc::kMin: acc = FoldMin(acc, part[l]); break;
        default: acc = acc + part[l]; break;
      }
    }
    if (red == kc::kMean) acc = acc / static_cast<T>(count);
    y[o] = acc;
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(fused_f32) { kk::FusedElementwise<float>(p, b, begin, end); }
KILN_KERNEL(fused_f64) { kk::FusedElementwise<double>(p, b, begin, end); }
KILN_KERNEL(fused_reduce_f32) { kk::FusedReduce<float>(p, b, begin, end); }
KILN_KERNEL(fused_reduce_f64) { kk::FusedReduce<double>(p, b, begin, end); }
