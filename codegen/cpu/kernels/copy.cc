// Data movement: one strided copy covers reshape (a contiguous copy), permute, expand,
// slice, concat (one call per operand, into an offset of the result) and the inner part of
// padding. Elements are moved by width, so every dtype works.
//
//   copy_wS  [rank, sizes[8], src_strides[8], dst_strides[8], src_base, dst_base]
//            b = [x, y]   range: rows of the iteration space (every dim but the last)
// Strides and bases are in elements.
#include "codegen/cpu/kernels/kernel_abi.h"

namespace kk {
namespace {

template <typename W>
void Copy(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t rank = p[0];
  const int64_t* sizes = p + 1;
  const int64_t* strides[2] = {p + 9, p + 17};
  const W* x = Buf<const W>(b, 0) + p[25];
  W* y = Buf<W>(b, 1) + p[26];
  int64_t n = sizes[rank - 1], sx = strides[0][rank - 1], sy = strides[1][rank - 1];
  ForRows<2>(rank, sizes, strides, begin, end, [&](const int64_t* off) {
    const W* xr = x + off[0];
    W* yr = y + off[1];
    if (sx == 1 && sy == 1) {
      for (int64_t i = 0; i < n; ++i) yr[i] = xr[i];
    } else if (sx == 0) {
      W v = xr[0];
      for (int64_t i = 0; i < n; ++i) yr[i * sy] = v;
    } else {
      for (int64_t i = 0; i < n; ++i) yr[i * sy] = xr[i * sx];
    }
  });
}

}  // namespace
}  // namespace kk

KILN_KERNEL(copy_w1) { kk::Copy<uint8_t>(p, b, begin, end); }
KILN_KERNEL(copy_w2) { kk::Copy<uint16_t>(p, b, begin, end); }
KILN_KERNEL(copy_w4) { kk::Copy<uint32_t>(p, b, begin, end); }
KILN_KERNEL(copy_w8) { kk::Copy<uint64_t>(p, b, begin, end); }
