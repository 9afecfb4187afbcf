// Vector types and fused-epilogue helpers shared by the register-blocked f32 kernels
// (conv_gemm.cc: implicit-GEMM conv, depthwise conv, packed GEMM; conv_direct.cc: direct conv).
// VW is the vector width in floats (16: AVX-512, 8: AVX2); the compiler picks it from --cpu.
#pragma once

#include "codegen/cpu/kernels/kernel_abi.h"

namespace kk {

/// A vector of VW floats (clang vector extension; LLVM legalizes it to the target's registers).
template <int VW>
struct VecT {
  typedef float type __attribute__((vector_size(VW * 4), aligned(4)));
};

/// Unaligned vector load / store.
template <int VW>
__attribute__((always_inline)) inline typename VecT<VW>::type LoadV(const float* p) {
  typename VecT<VW>::type v;
  memcpy(&v, p, sizeof v);
  return v;
}
template <int VW>
__attribute__((always_inline)) inline void StoreV(float* p, typename VecT<VW>::type v) {
  memcpy(p, &v, sizeof v);
}

/// The fused activation on one float: relu keeps NaN (as the unary kernel does); clamp: NaN
/// stays NaN.
__attribute__((always_inline)) inline float Act(float v, int64_t act, float lo, float hi) {
  if (act == kiln::cpu::kc::kActRelu) return v > 0 || v != v ? v : 0.0f;
  if (act == kiln::cpu::kc::kActClamp) {
    float r = v < lo ? lo : v;
    return r > hi ? hi : r;
  }
  return v;
}

/// The fused activation on a vector (same NaN behavior as Act).
template <int VW>
__attribute__((always_inline)) inline typename VecT<VW>::type ActV(typename VecT<VW>::type v, int64_t act, float lo,
                                                                     float hi) {
  typedef typename VecT<VW>::type V;
  if (act == kiln::cpu::kc::kActRelu) {
    V z = {};
    return v < z ? z : v;  // NaN compares false: stays
  }
  if (act == kiln::cpu::kc::kActClamp) {
    V l = lo - (V){}, h = hi - (V){};
    V r = v < l ? l : v;
    return r > h ? h : r;
  }
  return v;
}

/// A conv / GEMM epilogue: y = act(acc + bias[row] + residual).
struct Epilogue {
  const float* bias;  ///< per output channel / row, or null
  const float* res;   ///< same layout as the output, or null
  int64_t act;        ///< kc::Activation
  float lo, hi;       ///< clamp bounds
};

/// Decodes the epilogue parameters [has_bias, act, lo_bits, hi_bits, has_res] at p[i..i+4],
/// with the bias and residual in buffers bias_buf / res_buf.
__attribute__((always_inline)) inline Epilogue DecodeEpilogue(const int64_t* p, int i, void* const* b, int bias_buf,
                                                              int res_buf) {
  Epilogue e;
  e.bias = p[i] != 0 ? Buf<const float>(b, bias_buf) : nullptr;
  e.act = p[i + 1];
  e.lo = static_cast<float>(F64(p[i + 2]));
  e.hi = static_cast<float>(F64(p[i + 3]));
  e.res = p[i + 4] != 0 ? Buf<const float>(b, res_buf) : nullptr;
  return e;
}

}  // namespace kk
