// Shape kernels: reshape, permute, expand, concat, slice. They move elements byte-wise, so they
// work for every dtype; each walks the result and reads the operand through strides.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

// Fills `out` with src[base + sum(index[d] * strides[d])] for every result index.
void GatherStrided(const HostTensor& src, std::vector<int64_t> strides, int64_t base, HostTensor& out) {
  StridedWalker(out.sizes(), {std::move(strides)}, {base}).ForEach([&](int64_t o, const int64_t* off) {
    CopyElement(src, off[0], out, o);
  });
}

StatusOr<Tensors> ReshapeKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  if (out.num_elements() != x.num_elements()) {
    return Internal("reshape: " + SizesStr(x.sizes()) + " and " + SizesStr(out.sizes()) + " differ in size");
  }
  if (out.nbytes() > 0) std::memcpy(out.raw_data(), x.raw_data(), out.nbytes());
  return Tensors{out};
}

StatusOr<Tensors> PermuteKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  auto dims = c.attrs.ints("dims");
  int rank = x.rank();
  std::vector<int64_t> x_strides = ContiguousStrides(x.sizes()), strides;
  for (int64_t d : dims) strides.push_back(x_strides[static_cast<size_t>(d < 0 ? d + rank : d)]);
  GatherStrided(x, strides, 0, out);
  return Tensors{out};
}

StatusOr<Tensors> ExpandKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  GatherStrided(x, BroadcastStrides(x.sizes(), out.sizes()), 0, out);
  return Tensors{out};
}

StatusOr<Tensors> ConcatKernel(const KernelContext& c) {
  HostTensor out = NewResult(c);
  int rank = out.rank();
  int64_t dim = c.attrs.i("dim");
  size_t d = static_cast<size_t>(dim < 0 ? dim + rank : dim);
  // View every tensor as [outer, size(dim) * inner] and copy row slabs side by side.
  int64_t outer = Product(out.sizes(), 0, d);
  size_t elem = ir::dtype_size(out.dtype());
  size_t out_row = static_cast<size_t>(Product(out.sizes(), d, out.sizes().size())) * elem;
  size_t column = 0;
  for (const HostTensor& x : c.operands) {
    size_t row = static_cast<size_t>(Product(x.sizes(), d, x.sizes().size())) * elem;
    for (int64_t i = 0; i < outer; ++i) {
      if (row == 0) break;
      std::memcpy(static_cast<uint8_t*>(out.raw_data()) + static_cast<size_t>(i) * out_row + column,
                  static_cast<const uint8_t*>(x.raw_data()) + static_cast<size_t>(i) * row, row);
    }
    column += row;
  }
  return Tensors{out};
}

StatusOr<Tensors> SliceKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  int rank = x.rank();
  int64_t dim = c.attrs.i("dim");
  size_t d = static_cast<size_t>(dim < 0 ? dim + rank : dim);
  int64_t n = x.sizes()[d], step = c.attrs.i("step");
  // Python slice clamping: negative counts from the end, then clamp into [0, n].
  int64_t start = c.attrs.i("start");
  if (start < 0) start += n;
  start = std::min(std::max<int64_t>(start, 0), n);
  std::vector<int64_t> strides = ContiguousStrides(x.sizes());
  int64_t base = start * strides[d];
  strides[d] *= step;
  GatherStrided(x, strides, base, out);
  return Tensors{out};
}

}  // namespace

void AddShapeKernels(KernelTable& t) {
  t.Add(OpKind::Reshape, ReshapeKernel);
  t.Add(OpKind::Permute, PermuteKernel);
  t.Add(OpKind::Expand, ExpandKernel);
  t.Add(OpKind::Concat, ConcatKernel);
  t.Add(OpKind::Slice, SliceKernel);
}

}  // namespace kiln::reference
