// Reference kernels of the pooling ops of issue 4: max_pool_with_indices, max_unpool,
// fractional_max_pool, adaptive_avg_pool, adaptive_max_pool.
//
// Every max with an index follows torch's CPU kernels exactly: the running max starts at -inf
// with the index of the window's first in-bound tap, and an element replaces it when it is
// greater or NaN (so ties keep the first index and the last NaN wins). Indices are flat
// offsets into one input plane (the trailing pooled dims). Sums accumulate in double.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

// The input, readable as double (floating) or int64 (integers), and the max-with-index rule.
struct Source {
  explicit Source(const HostTensor& x) : floating(ir::is_floating(x.dtype())) {
    if (floating) {
      d = ToDoubles(x);
    } else {
      i = ToInts(x);
    }
  }
  bool floating;
  std::vector<double> d;
  std::vector<int64_t> i;
};

// Max over the box `coords` of the plane at `base`; writes value `o` of `out` and index `o`
// of `indices`. `first` is the index torch starts with (the window's first in-bound tap).
void MaxWithIndex(const Source& src, int64_t base, const std::vector<std::vector<int64_t>>& coords,
                  const std::vector<int64_t>& in_sp, int64_t first, HostTensor& out, HostTensor& indices, int64_t o) {
  int64_t arg = first;
  if (src.floating) {
    double m = -std::numeric_limits<double>::infinity();
    ForEachInBox(coords, in_sp, [&](int64_t off) {
      double v = src.d[static_cast<size_t>(base + off)];
      if (v > m || std::isnan(v)) {
        m = v;
        arg = off;
      }
    });
    out.SetDouble(o, m);
  } else {
    int64_t m = std::numeric_limits<int64_t>::min();
    bool any = false;
    ForEachInBox(coords, in_sp, [&](int64_t off) {
      int64_t v = src.i[static_cast<size_t>(base + off)];
      if (!any || v > m) {
        m = v;
        arg = off;
        any = true;
      }
    });
    StoreInt(out, o, m);
  }
  StoreInt(indices, o, arg);
}

StatusOr<Tensors> MaxPoolWithIndicesKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c, 0), indices = NewResult(c, 1);
  auto kernel = c.attrs.ints("kernel_size"), stride = c.attrs.ints("stride"), padding = c.attrs.ints("padding"),
       dilation = c.attrs.ints("dilation");
  size_t nd = kernel.size();
  PoolPlanes g = MakePoolPlanes(x, out, nd);
  Source src(x);
  std::vector<int64_t> pos(nd);
  std::vector<std::vector<int64_t>> coords(nd);
  for (int64_t p = 0; p < g.out_plane; ++p) {
    Unflatten(p, g.out_sp, pos);
    int64_t first = 0;
    for (size_t d = 0; d < nd; ++d) {
      coords[d].clear();
      int64_t start = pos[d] * stride[d] - padding[d], start_in = start;
      while (start_in < 0) start_in += dilation[d];  // torch's first in-bound tap
      first = first * g.in_sp[d] + start_in;
      for (int64_t k = 0; k < kernel[d]; ++k) {
        int64_t i = start + k * dilation[d];
        if (i >= 0 && i < g.in_sp[d]) coords[d].push_back(i);
      }
    }
    for (int64_t plane = 0; plane < g.count; ++plane) {
      MaxWithIndex(src, plane * g.in_plane, coords, g.in_sp, first, out, indices, plane * g.out_plane + p);
    }
  }
  return Tensors{out, indices};
}

StatusOr<Tensors> MaxUnpoolKernel(const KernelContext& c) {
  const HostTensor &x = c.operands[0], &indices = c.operands[1];
  HostTensor out = NewResult(c);
  size_t nd = c.attrs.ints("output_size").size();
  size_t lead = x.sizes().size() - nd;
  int64_t planes = Product(x.sizes(), 0, lead), in_plane = Product(x.sizes(), lead, x.sizes().size());
  int64_t out_plane = Product(out.sizes(), lead, out.sizes().size());
  std::vector<int64_t> idx = ToInts(indices);
  for (int64_t plane = 0; plane < planes; ++plane) {
    for (int64_t i = 0; i < in_plane; ++i) {
      int64_t at = plane * in_plane + i, target = idx[static_cast<size_t>(at)];
      if (target < 0 || target >= out_plane) {
        return InvalidArgument("max_unpool: index " + std::to_string(target) + " is out of range for output planes " +
                               SizesStr(std::vector<int64_t>(out.sizes().begin() + static_cast<long>(lead),
                                                             out.sizes().end())));
      }
      CopyElement(x, at, out, plane * out_plane + target);  // a repeated index keeps the last value, as torch
    }
  }
  return Tensors{out};
}

// torch's generate_intervals, in the input's precision T (f32 inputs compute in float).
template <typename T>
std::vector<int64_t> FractionalStarts(T sample, int64_t in, int64_t out, int64_t k) {
  std::vector<int64_t> seq(static_cast<size_t>(out), 0);
  if (out > 1) {
    T alpha = static_cast<T>(in - k) / static_cast<T>(out - 1);
    for (int64_t i = 0; i < out - 1; ++i) {
      seq[static_cast<size_t>(i)] =
          static_cast<int>((static_cast<T>(i) + sample) * alpha) - static_cast<int>(sample * alpha);
    }
  }
  seq[static_cast<size_t>(out - 1)] = in - k;
  return seq;
}

StatusOr<Tensors> FractionalMaxPoolKernel(const KernelContext& c) {
  const HostTensor &x = c.operands[0], &samples = c.operands[1];
  HostTensor out = NewResult(c, 0), indices = NewResult(c, 1);
  auto kernel = c.attrs.ints("kernel_size");
  PoolPlanes g = MakePoolPlanes(x, out, 2);
  int64_t H = g.in_sp[0], W = g.in_sp[1], OH = g.out_sp[0], OW = g.out_sp[1];
  bool is_f32 = x.dtype() != ir::DType::kF64;
  Source src(x);
  std::vector<std::vector<int64_t>> coords(2);
  for (int64_t plane = 0; plane < g.count; ++plane) {
    double sw = samples.GetDouble(plane * 2), sh = samples.GetDouble(plane * 2 + 1);
    for (double s : {sw, sh}) {
      if (!(s >= 0.0 && s < 1.0)) return InvalidArgument("fractional_max_pool: samples must be in [0, 1), got " + std::to_string(s));
    }
    std::vector<int64_t> ws = is_f32 ? FractionalStarts<float>(static_cast<float>(sw), W, OW, kernel[1])
                                     : FractionalStarts<double>(sw, W, OW, kernel[1]);
    std::vector<int64_t> hs = is_f32 ? FractionalStarts<float>(static_cast<float>(sh), H, OH, kernel[0])
                                     : FractionalStarts<double>(sh, H, OH, kernel[0]);
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t h0 = hs[static_cast<size_t>(oh)], w0 = ws[static_cast<size_t>(ow)];
        coords[0].clear();
        coords[1].clear();
        for (int64_t k = 0; k < kernel[0]; ++k) coords[0].push_back(h0 + k);
        for (int64_t k = 0; k < kernel[1]; ++k) coords[1].push_back(w0 + k);
        MaxWithIndex(src, plane * g.in_plane, coords, g.in_sp, h0 * W + w0, out, indices, plane * g.out_plane + oh * OW + ow);
      }
    }
  }
  return Tensors{out, indices};
}

// The adaptive window of output position i along a dim: [floor(i*in/out), ceil((i+1)*in/out)).
void AdaptiveCoords(const std::vector<int64_t>& pos, const PoolPlanes& g, std::vector<std::vector<int64_t>>& coords) {
  for (size_t d = 0; d < pos.size(); ++d) {
    int64_t in = g.in_sp[d], out = g.out_sp[d];
    int64_t start = (pos[d] * in) / out, end = ((pos[d] + 1) * in + out - 1) / out;
    coords[d].clear();
    for (int64_t i = start; i < end; ++i) coords[d].push_back(i);
  }
}

StatusOr<Tensors> AdaptiveAvgPoolKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  size_t nd = c.attrs.ints("output_size").size();
  PoolPlanes g = MakePoolPlanes(x, out, nd);
  std::vector<double> xd = ToDoubles(x);
  std::vector<int64_t> pos(nd);
  std::vector<std::vector<int64_t>> coords(nd);
  for (int64_t p = 0; p < g.out_plane; ++p) {
    Unflatten(p, g.out_sp, pos);
    AdaptiveCoords(pos, g, coords);
    int64_t count = 1;
    for (const auto& cd : coords) count *= static_cast<int64_t>(cd.size());
    for (int64_t plane = 0; plane < g.count; ++plane) {
      double sum = 0.0;
      int64_t base = plane * g.in_plane;
      ForEachInBox(coords, g.in_sp, [&](int64_t off) { sum += xd[static_cast<size_t>(base + off)]; });
      out.SetDouble(plane * g.out_plane + p, sum / static_cast<double>(count));
    }
  }
  return Tensors{out};
}

StatusOr<Tensors> AdaptiveMaxPoolKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c, 0), indices = NewResult(c, 1);
  size_t nd = c.attrs.ints("output_size").size();
  PoolPlanes g = MakePoolPlanes(x, out, nd);
  Source src(x);
  std::vector<int64_t> pos(nd);
  std::vector<std::vector<int64_t>> coords(nd);
  for (int64_t p = 0; p < g.out_plane; ++p) {
    Unflatten(p, g.out_sp, pos);
    AdaptiveCoords(pos, g, coords);
    int64_t first = 0;
    for (size_t d = 0; d < nd; ++d) first = first * g.in_sp[d] + coords[d].front();
    for (int64_t plane = 0; plane < g.count; ++plane) {
      MaxWithIndex(src, plane * g.in_plane, coords, g.in_sp, first, out, indices, plane * g.out_plane + p);
    }
  }
  return Tensors{out, indices};
}

}  // namespace

void AddPoolingKernels(KernelTable& t) {
  t.Add(OpKind::MaxPoolWithIndices, MaxPoolWithIndicesKernel);
  t.Add(OpKind::MaxUnpool, MaxUnpoolKernel);
  t.Add(OpKind::FractionalMaxPool, FractionalMaxPoolKernel);
  t.Add(OpKind::AdaptiveAvgPool, AdaptiveAvgPoolKernel);
  t.Add(OpKind::AdaptiveMaxPool, AdaptiveMaxPoolKernel);
}

}  // namespace kiln::reference
