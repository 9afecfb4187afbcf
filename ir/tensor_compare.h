// Comparing tensors with a tolerance: how every backend is checked against the reference
// backend and against PyTorch's golden data, and what `kiln compare` prints.
//
// Tolerance. The default is rtol = 1e-4, atol = 1e-5, for f32 results: an element passes when
// |got - expected| <= atol + rtol * |expected|. f32 carries 24 bits (eps = 1.2e-7). PyTorch
// accumulates dot products, convolutions and reductions in f32 in its own blocked order; the
// reference backend accumulates in double and rounds once; math functions differ by a few ulp.
// A sum of K f32 terms may be off by about K * eps relative to the sum of magnitudes, so
// 784-long dot products need ~1e-4 in the worst case. atol covers results near zero that come
// out of cancellation. Integer and bool tensors must match exactly.
#pragma once

#include <cstdint>
#include <string>

#include "ir/host_tensor.h"

namespace kiln::ir {

/// Elementwise tolerance for floating tensors: |got - expected| <= atol + rtol * |expected|.
/// The defaults suit f32 results compared across implementations (see the file comment).
struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-5;
};

/// The outcome of Compare.
struct Comparison {
  /// dtype and shape equal, and every element within tolerance (exactly equal for integer and
  /// bool dtypes; NaN equals NaN, an infinity only itself).
  bool ok = false;
  /// The largest |got - expected| over all elements (infinity where one side is NaN and the
  /// other is not, or where infinities differ); 0 for empty tensors or a type mismatch.
  double max_abs_diff = 0;
  /// Flat (row-major) index of the worst element: the failing element furthest out of
  /// tolerance, or when all pass the element with the largest difference. -1 when there is
  /// none (empty tensors, type mismatch).
  int64_t worst_index = -1;
  /// What differs, naming both types, or the worst element's flat index, multi-index and both
  /// values; on success a one-line summary.
  std::string message;
};

/// Compares `got` with `expected`: dtype, then shape, then elements (see Comparison::ok).
Comparison Compare(const ir::HostTensor& got, const ir::HostTensor& expected, Tolerance tol = {});

}  // namespace kiln::ir
