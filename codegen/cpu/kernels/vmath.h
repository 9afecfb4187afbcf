// Vectorizable f32 math: branch-free polynomial approximations that LLVM's loop vectorizer
// turns into SIMD code (a call to expf/tanhf in a loop would stay scalar). Accuracy is a few
// ulp over the whole range: exp follows Cephes' expf (with two-step scaling so denormal and
// overflowing results are right), tanh Cephes' tanhf, erf Eigen's rational approximation.
// f64 (and integer) kernels use libm.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

namespace kk {

inline float BitsToFloat(int32_t i) { float f; memcpy(&f, &i, sizeof f); return f; }

/// 2^n for an integer-valued float n in [-126, 127].
inline float Pow2i(float n) { return BitsToFloat((static_cast<int32_t>(n) + 127) << 23); }

inline float ExpF(float x) {
  const float hi = 88.7228393555f, lo = -104.0f;
  float xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;  // NaN passes both selects unchanged
  float fx = __builtin_floorf(xc * 1.44269504088896341f + 0.5f);
  float r = xc - fx * 0.693359375f + fx * 2.12194440e-4f;
  float y = 1.9875691500E-4f;
  y = y * r + 1.3981999507E-3f;
  y = y * r + 8.3334519073E-3f;
  y = y * r + 4.1665795894E-2f;
  y = y * r + 1.6666665459E-1f;
  y = y * r + 5.0000001201E-1f;
  y = y * r * r + r + 1.0f;
  // Scale by 2^fx in two steps so fx in [-150, 128] never leaves the normal exponent range.
  float n1 = __builtin_truncf(fx * 0.5f);
  float n2 = fx - n1;
  y = y * Pow2i(n1) * Pow2i(n2);
  y = x > hi ? __builtin_inff() : y;
  return x != x ? x : y;
}

inline float TanhF(float x) {
  float ax = __builtin_fabsf(x);
  // Small |x|: odd polynomial (no cancellation). Else 1 - 2 / (e^{2|x|} + 1).
  float z = x * x;
  float p = -5.70498872745E-3f;
  p = p * z + 2.06390887954E-2f;
  p = p * z - 5.37397155531E-2f;
  p = p * z + 1.33314422036E-1f;
  p = p * z - 3.33332819422E-1f;
  float small = p * z * x + x;
  float e = ExpF(2.0f * ax);
  float big = 1.0f - 2.0f / (e + 1.0f);
  big = x < 0 ? -big : big;
  return ax < 0.625f ? small : big;
}

inline float SigmoidF(float x) { return 1.0f / (1.0f + ExpF(-x)); }

inline float ErfF(float x) {
  float xc = x > 4.0f ? 4.0f : x;
  xc = xc < -4.0f ? -4.0f : xc;
  float x2 = xc * xc;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  p = p * xc;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return p / q;
}

// Generic forms: f32 uses the approximations, f64 libm.
inline float Exp(float x) { return ExpF(x); }
inline double Exp(double x) { return exp(x); }
inline float Tanh(float x) { return TanhF(x); }
inline double Tanh(double x) { return tanh(x); }
inline float Sigmoid(float x) { return SigmoidF(x); }
inline double Sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
inline float Erf(float x) { return ErfF(x); }
inline double Erf(double x) { return erf(x); }

}  // namespace kk
