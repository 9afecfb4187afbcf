// Source indices of the spatial ops (pad, upsample), shared by the reference kernels and the
// CPU backend's emitters, which precompute them as tables: both must pick exactly the same
// source elements, so the rules live in one place.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace kiln::reference {

/// The source index along one dim for output position j of `pad` (mode constant, reflect,
/// replicate or circular; l and r the pads of this dim, negative crops), or -1 for the fill.
inline int64_t PadSourceIndex(const std::string& mode, int64_t j, int64_t n, int64_t l, int64_t r) {
  int64_t x = j - l;  // the position in the input's coordinates
  if (mode == "constant") return (x >= 0 && x < n) ? x : -1;
  if (mode == "reflect") return x < 0 ? -x : (x >= n ? 2 * (n - 1) - x : x);
  if (mode == "replicate") return std::min(std::max<int64_t>(x, 0), n - 1);
  // circular, as torch 1.13's _pad_circular: crop the negative sides first, then wrap the
  // positive sides around what is left.
  int64_t first = std::max<int64_t>(-l, 0), kept = n + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
  int64_t y = j - std::max<int64_t>(l, 0);
  return first + ((y % kept) + kept) % kept;
}

/// torch's compute_scales_value: 1/scale when the user gave a scale (> 0), else in/out.
template <typename T>
T UpsampleScale(double scale, int64_t in, int64_t out) {
  return scale > 0 ? static_cast<T>(1.0 / scale) : static_cast<T>(in) / static_cast<T>(out);
}

/// The source index of `upsample` mode nearest (exact=false) or nearest_exact, computed in
/// float as torch's kernels do.
inline int64_t NearestSourceIndex(bool exact, int64_t o, int64_t in, int64_t out, double scale) {
  float s = UpsampleScale<float>(scale, in, out);
  int64_t i;
  if (exact) {  // torch's nearest-exact: half-pixel centres, rounded half up
    float real = std::max(s * (static_cast<float>(o) + 0.5f) - 0.5f, 0.0f);
    i = static_cast<int64_t>(std::floor(static_cast<float>(static_cast<double>(real) + 0.5)));
  } else {  // torch's nearest: floor(o * scale), as OpenCV's INTER_NEAREST
    i = static_cast<int64_t>(std::floor(s * static_cast<float>(o)));
  }
  return std::min(i, in - 1);
}

/// The two source indices and weights of `upsample` mode linear along one dim.
template <typename T>
struct LinearSource {
  int64_t i0, i1;
  T l0, l1;
};

/// torch's linear source index and lambdas, computed in T (its opmath type).
template <typename T>
LinearSource<T> LinearSourceIndex(int64_t o, int64_t in, int64_t out, bool align_corners, double scale) {
  if (in == out) return {o, o, T(1), T(0)};
  T ratio = align_corners ? (out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0))
                          : UpsampleScale<T>(scale, in, out);
  T real = align_corners ? ratio * static_cast<T>(o) : std::max(ratio * (static_cast<T>(o) + T(0.5)) - T(0.5), T(0));
  int64_t i0 = std::min(static_cast<int64_t>(real), in - 1);
  int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
  T l1 = std::min(std::max(real - static_cast<T>(i0), T(0)), T(1));
  return {i0, i1, T(1) - l1, l1};
}

}  // namespace kiln::reference
