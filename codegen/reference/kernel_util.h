// Small helpers shared by the reference kernels: element access in a compute domain, row-major
// strides, the planes and window boxes of the pools, and a multi-index walker that tracks flat
// offsets into several operands at once (broadcasting, permutes, slices and expands are all
// "walk the result, read with strides").
//
// Compute domains: floating dtypes are read as double and every result is rounded once to the
// result dtype; i64/i32/bool are read as int64_t, so i64 values are exact (never via double).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "codegen/reference/kernel_registry.h"

namespace kiln::reference {

/// Row-major strides (in elements) of `sizes`.
std::vector<int64_t> ContiguousStrides(const std::vector<int64_t>& sizes);

/// Strides of a tensor of `in_sizes` read while walking `out_sizes` under NumPy broadcasting:
/// aligned to the trailing dims, 0 where the input dim is missing or stretched from 1.
std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in_sizes, const std::vector<int64_t>& out_sizes);

/// Product of sizes[begin, end).
int64_t Product(const std::vector<int64_t>& sizes, size_t begin, size_t end);

/// A zero-filled result tensor of the kernel's `i`-th result type.
ir::HostTensor NewResult(const KernelContext& ctx, int i = 0);

/// Stores an int64 into an integer or bool tensor (i32 wraps, bool is != 0).
void StoreInt(ir::HostTensor& t, int64_t i, int64_t v);

/// All elements converted to double / int64_t (for kernels with tight inner loops).
std::vector<double> ToDoubles(const ir::HostTensor& t);
std::vector<int64_t> ToInts(const ir::HostTensor& t);

/// Writes `values` into a floating tensor, rounding each once to its dtype.
void StoreDoubles(ir::HostTensor& t, const std::vector<double>& values);
/// Writes `values` into an integer or bool tensor.
void StoreInts(ir::HostTensor& t, const std::vector<int64_t>& values);

/// "[2,3]" for error messages.
std::string SizesStr(const std::vector<int64_t>& sizes);

/// Walks every multi-index of `sizes` in row-major order while tracking, for each of several
/// operands, the flat offset base[k] + sum(index[d] * strides[k][d]).
class StridedWalker {
 public:
  StridedWalker(std::vector<int64_t> sizes, std::vector<std::vector<int64_t>> strides,
                std::vector<int64_t> bases = {});

  /// Calls fn(out_index, offsets) for every element; offsets[k] belongs to operand k.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    int64_t total = Product(sizes_, 0, sizes_.size());
    if (total == 0) return;
    std::vector<int64_t> index(sizes_.size(), 0);
    std::vector<int64_t> offsets = bases_;
    for (int64_t out = 0; out < total; ++out) {
      fn(out, offsets.data());
      // Advance the odometer, fixing up each operand's offset incrementally.
      for (int d = static_cast<int>(sizes_.size()) - 1; d >= 0; --d) {
        size_t du = static_cast<size_t>(d);
        if (++index[du] < sizes_[du]) {
          for (size_t k = 0; k < offsets.size(); ++k) offsets[k] += strides_[k][du];
          break;
        }
        for (size_t k = 0; k < offsets.size(); ++k) offsets[k] -= strides_[k][du] * (sizes_[du] - 1);
        index[du] = 0;
      }
    }
  }

 private:
  std::vector<int64_t> sizes_;
  std::vector<std::vector<int64_t>> strides_;
  std::vector<int64_t> bases_;
};

/// Calls fn(out_index, offsets) for every element of `out_sizes`, where offsets[k] is the flat
/// index into operands[k] under NumPy broadcasting.
template <typename Fn>
void ForEachBroadcast(const std::vector<int64_t>& out_sizes, const std::vector<const ir::HostTensor*>& operands,
                      Fn&& fn) {
  std::vector<std::vector<int64_t>> strides;
  for (const ir::HostTensor* t : operands) strides.push_back(BroadcastStrides(t->sizes(), out_sizes));
  StridedWalker(out_sizes, std::move(strides)).ForEach(fn);
}

/// Decodes a row-major flat index over `sizes` into a multi-index (`index` has sizes.size() entries).
void Unflatten(int64_t flat, const std::vector<int64_t>& sizes, std::vector<int64_t>& index);

/// The planes of a pool over the trailing `nd` dims: every leading dim is an independent plane
/// (`count` of them) of in_plane input and out_plane output elements.
struct PoolPlanes {
  int64_t count = 0, in_plane = 0, out_plane = 0;
  std::vector<int64_t> in_sp, out_sp;  // the pooled (trailing) sizes of the input / result
};

/// The planes of `x` pooled into `out` over their trailing `nd` dims.
PoolPlanes MakePoolPlanes(const ir::HostTensor& x, const ir::HostTensor& out, size_t nd);

/// Calls fn(offset) for every input-plane offset of the box whose dim d spans coords[d],
/// row-major; nothing when some coords[d] is empty.
template <typename Fn>
void ForEachInBox(const std::vector<std::vector<int64_t>>& coords, const std::vector<int64_t>& in_sp, Fn&& fn) {
  size_t nd = coords.size();
  for (const auto& c : coords) {
    if (c.empty()) return;
  }
  std::vector<size_t> idx(nd, 0);
  while (true) {
    int64_t offset = 0;
    for (size_t d = 0; d < nd; ++d) offset = offset * in_sp[d] + coords[d][idx[d]];
    fn(offset);
    size_t d = nd;
    while (d > 0) {
      --d;
      if (++idx[d] < coords[d].size()) break;
      idx[d] = 0;
      if (d == 0) return;
    }
  }
}

/// Copies element src[src_index] to dst[dst_index] byte-wise (any dtype; equal dtypes).
inline void CopyElement(const ir::HostTensor& src, int64_t src_index, ir::HostTensor& dst, int64_t dst_index) {
  size_t n = ir::dtype_size(src.dtype());
  std::memcpy(static_cast<uint8_t*>(dst.raw_data()) + static_cast<size_t>(dst_index) * n,
              static_cast<const uint8_t*>(src.raw_data()) + static_cast<size_t>(src_index) * n, n);
}

}  // namespace kiln::reference
