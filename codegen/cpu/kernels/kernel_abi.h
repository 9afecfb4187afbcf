// Shared by every kernel file: the kernel signature, parameter decoding, the strided row
// walker and small numeric helpers. Kernels are compiled to bitcode without the C++ standard
// library (no exceptions, no RTTI, nothing that needs libstdc++ at link time); only libm
// functions may be called, and hot loops use vmath.h instead.
#pragma once

#include <stdint.h>
#include <string.h>

#include "codegen/cpu/kernel_codes.h"

/// Declares a kernel: a C function with the uniform signature (kernel_codes.h).
#define KILN_KERNEL(name) \
  extern "C" __attribute__((visibility("hidden"))) void kiln_k_##name(const int64_t* p, void* const* b, int64_t begin, int64_t end)

namespace kk {

using kiln::cpu::kc::kMaxRank;

/// A double attribute passed as its bits.
inline double F64(int64_t bits) { double d; memcpy(&d, &bits, sizeof d); return d; }

template <typename T> inline T* Buf(void* const* b, int i) { return static_cast<T*>(b[i]); }

inline bool IsNan(double x) { return x != x; }
inline bool IsNan(float x) { return x != x; }
template <typename T> inline bool IsNan(T) { return false; }

template <typename T> inline T Min(T a, T b) { return b < a ? b : a; }
template <typename T> inline T Max(T a, T b) { return a < b ? b : a; }

/// Walks the rows (every dim but the last) of a `rank`-dim iteration space in row-major order,
/// from row `begin` to `end`, tracking K operands' element offsets through their strides.
/// body(off) is called once per row with off[k] = offset of the row's first element in operand k.
template <int K, typename F>
inline void ForRows(int64_t rank, const int64_t* sizes, const int64_t* const* strides, int64_t begin, int64_t end,
                    F&& body) {
  int64_t idx[kMaxRank];
  int64_t off[K];
  int64_t r = begin;
  for (int k = 0; k < K; ++k) off[k] = 0;
  for (int64_t d = rank - 2; d >= 0; --d) {
    idx[d] = r % sizes[d];
    r /= sizes[d];
    for (int k = 0; k < K; ++k) off[k] += idx[d] * strides[k][d];
  }
  for (int64_t row = begin; row < end; ++row) {
    body(static_cast<const int64_t*>(off));
    for (int64_t d = rank - 2; d >= 0; --d) {
      if (++idx[d] < sizes[d]) {
        for (int k = 0; k < K; ++k) off[k] += strides[k][d];
        break;
      }
      for (int k = 0; k < K; ++k) off[k] -= strides[k][d] * (sizes[d] - 1);
      idx[d] = 0;
    }
  }
}

/// Wrap-around integer arithmetic (torch's behavior on overflow).
template <typename T> inline T WrapAdd(T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }
template <typename T> inline T WrapSub(T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
template <typename T> inline T WrapMul(T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); }

/// Multiply-add that wraps for integers and is a plain (contractable) a + x * y for floats.
inline float WrapMulAdd(float a, float x, float y) { return a + x * y; }
inline double WrapMulAdd(double a, double x, double y) { return a + x * y; }
template <typename T> inline T WrapMulAdd(T a, T x, T y) { return WrapAdd(a, WrapMul(x, y)); }
inline float WrapAddAny(float a, float b) { return a + b; }
inline double WrapAddAny(double a, double b) { return a + b; }
template <typename T> inline T WrapAddAny(T a, T b) { return WrapAdd(a, b); }

}  // namespace kk
