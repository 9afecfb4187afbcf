// Convolution and pooling over the trailing spatial dims, any number of them (1d, 2d, 3d...).
//
// conv: x[N, C, *S] * w[O, C/groups, *K] + bias[O], symmetric zero padding, stride, dilation,
// groups; products accumulate in double. max_pool: padding counts as -inf, NaN propagates.
// avg_pool: windows and divisors exactly as torch.nn.AvgPoolNd (see AvgWindow below).
#include <cmath>
#include <cstdint>
#include <limits>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

StatusOr<Tensors> ConvKernel(const KernelContext& c) {
  const HostTensor &x = c.operands[0], &w = c.operands[1];
  HostTensor out = NewResult(c);
  auto stride = c.attrs.ints("stride"), padding = c.attrs.ints("padding"), dilation = c.attrs.ints("dilation");
  int64_t groups = c.attrs.i("groups");
  size_t nd = x.sizes().size() - 2;
  int64_t batch = x.sizes()[0], channels = x.sizes()[1], out_channels = w.sizes()[0];
  int64_t c_per_group = channels / groups, o_per_group = out_channels / groups;
  std::vector<int64_t> in_sp(x.sizes().begin() + 2, x.sizes().end());
  std::vector<int64_t> k_sp(w.sizes().begin() + 2, w.sizes().end());
  std::vector<int64_t> out_sp(out.sizes().begin() + 2, out.sizes().end());
  int64_t in_plane = Product(in_sp, 0, nd), k_plane = Product(k_sp, 0, nd), out_plane = Product(out_sp, 0, nd);

  std::vector<double> xd = ToDoubles(x), wd = ToDoubles(w);
  std::vector<double> bias(static_cast<size_t>(out_channels), 0.0);
  if (c.operands.size() == 3) bias = ToDoubles(c.operands[2]);
  std::vector<double> result(static_cast<size_t>(out.num_elements()), 0.0);

  // Kernel tap multi-indices, decoded once.
  std::vector<std::vector<int64_t>> taps(static_cast<size_t>(k_plane), std::vector<int64_t>(nd));
  for (int64_t k = 0; k < k_plane; ++k) Unflatten(k, k_sp, taps[static_cast<size_t>(k)]);

  std::vector<int64_t> pos(nd);
  std::vector<int64_t> tap_offset(static_cast<size_t>(k_plane));  // offset in an input plane, -1: padding
  for (int64_t p = 0; p < out_plane; ++p) {
    Unflatten(p, out_sp, pos);
    for (int64_t k = 0; k < k_plane; ++k) {
      int64_t offset = 0;
      for (size_t d = 0; d < nd && offset >= 0; ++d) {
        int64_t i = pos[d] * stride[d] - padding[d] + taps[static_cast<size_t>(k)][d] * dilation[d];
        offset = (i < 0 || i >= in_sp[d]) ? -1 : offset * in_sp[d] + i;
      }
      tap_offset[static_cast<size_t>(k)] = offset;
    }
    const int64_t* offs = tap_offset.data();
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t o = 0; o < out_channels; ++o) {
        int64_t g = o / o_per_group;
        double acc = 0.0;
        for (int64_t ic = 0; ic < c_per_group; ++ic) {
          const double* px = xd.data() + (n * channels + g * c_per_group + ic) * in_plane;
          const double* pw = wd.data() + (o * c_per_group + ic) * k_plane;
          for (int64_t k = 0; k < k_plane; ++k) {
            if (offs[k] >= 0) acc += px[offs[k]] * pw[k];
          }
        }
        result[static_cast<size_t>((n * out_channels + o) * out_plane + p)] = acc + bias[static_cast<size_t>(o)];
      }
    }
  }
  StoreDoubles(out, result);
  return Tensors{out};
}

// The geometry shared by both pools: the planes (MakePoolPlanes) and the window attributes.
struct PoolGeometry : PoolPlanes {
  size_t nd = 0;
  std::vector<int64_t> kernel, stride, padding;
};

PoolGeometry MakeGeometry(const KernelContext& c, const HostTensor& x, const HostTensor& out) {
  std::vector<int64_t> kernel = c.attrs.ints("kernel_size");
  size_t nd = kernel.size();
  return PoolGeometry{MakePoolPlanes(x, out, nd), nd, kernel, c.attrs.ints("stride"), c.attrs.ints("padding")};
}

StatusOr<Tensors> MaxPoolKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  PoolGeometry g = MakeGeometry(c, x, out);
  auto dilation = c.attrs.ints("dilation");
  bool floating = ir::is_floating(x.dtype());
  std::vector<double> xd = floating ? ToDoubles(x) : std::vector<double>();
  std::vector<int64_t> xi = floating ? std::vector<int64_t>() : ToInts(x);
  std::vector<int64_t> pos(g.nd);
  std::vector<std::vector<int64_t>> coords(g.nd);
  for (int64_t p = 0; p < g.out_plane; ++p) {
    Unflatten(p, g.out_sp, pos);
    // The in-bounds taps of the window; padding taps are -inf and never win.
    for (size_t d = 0; d < g.nd; ++d) {
      coords[d].clear();
      int64_t start = pos[d] * g.stride[d] - g.padding[d];
      for (int64_t k = 0; k < g.kernel[d]; ++k) {
        int64_t i = start + k * dilation[d];
        if (i >= 0 && i < g.in_sp[d]) coords[d].push_back(i);
      }
    }
    for (int64_t plane = 0; plane < g.count; ++plane) {
      int64_t base = plane * g.in_plane, o = plane * g.out_plane + p;
      if (floating) {
        double m = -std::numeric_limits<double>::infinity();
        ForEachInBox(coords, g.in_sp, [&](int64_t off) {
          double v = xd[static_cast<size_t>(base + off)];
          if (!std::isnan(m) && (std::isnan(v) || v > m)) m = v;  // the first NaN sticks
        });
        out.SetDouble(o, m);
      } else {
        int64_t m = std::numeric_limits<int64_t>::min();
        ForEachInBox(coords, g.in_sp, [&](int64_t off) { m = std::max(m, xi[static_cast<size_t>(base + off)]); });
        StoreInt(out, o, m);
      }
    }
  }
  return Tensors{out};
}

// One dim of an avg_pool window, as torch computes it: the window [start, start + k) is first
// clipped to the padded input [-pad, in + pad) — that length is the count_include_pad divisor —
// then to the input [0, in), whose length is the divisor without padding.
struct AvgWindow {
  int64_t begin, end;    // clipped to the input
  int64_t padded_size;   // clipped to input + padding
};

AvgWindow MakeAvgWindow(int64_t out_pos, int64_t k, int64_t stride, int64_t pad, int64_t in) {
  int64_t start = out_pos * stride - pad;
  int64_t end = std::min(start + k, in + pad);
  AvgWindow w{std::max<int64_t>(start, 0), std::min(end, in), end - start};
  return w;
}

StatusOr<Tensors> AvgPoolKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  PoolGeometry g = MakeGeometry(c, x, out);
  bool count_include_pad = c.attrs.b("count_include_pad");
  int64_t divisor_override = c.attrs.i("divisor_override");
  bool floating = ir::is_floating(x.dtype());
  std::vector<double> xd = floating ? ToDoubles(x) : std::vector<double>();
  std::vector<int64_t> xi = floating ? std::vector<int64_t>() : ToInts(x);
  std::vector<int64_t> pos(g.nd);
  std::vector<std::vector<int64_t>> coords(g.nd);
  for (int64_t p = 0; p < g.out_plane; ++p) {
    Unflatten(p, g.out_sp, pos);
    int64_t padded_count = 1, count = 1;
    for (size_t d = 0; d < g.nd; ++d) {
      AvgWindow w = MakeAvgWindow(pos[d], g.kernel[d], g.stride[d], g.padding[d], g.in_sp[d]);
      padded_count *= w.padded_size;
      count *= std::max<int64_t>(w.end - w.begin, 0);
      coords[d].clear();
      for (int64_t i = w.begin; i < w.end; ++i) coords[d].push_back(i);
    }
    // torch leaves a window with no input element at 0 (only reachable with ceil_mode).
    if (count == 0) continue;
    int64_t divisor = divisor_override > 0 ? divisor_override : count_include_pad ? padded_count : count;
    for (int64_t plane = 0; plane < g.count; ++plane) {
      int64_t base = plane * g.in_plane, o = plane * g.out_plane + p;
      if (floating) {
        double sum = 0.0;
        ForEachInBox(coords, g.in_sp, [&](int64_t off) { sum += xd[static_cast<size_t>(base + off)]; });
        out.SetDouble(o, sum / static_cast<double>(divisor));
      } else {
        // Integer average truncates toward zero, like torch's integer avg_pool.
        int64_t sum = 0;
        ForEachInBox(coords, g.in_sp, [&](int64_t off) { sum += xi[static_cast<size_t>(base + off)]; });
        StoreInt(out, o, sum / divisor);
      }
    }
  }
  return Tensors{out};
}

}  // namespace

void AddConvPoolKernels(KernelTable& t) {
  t.Add(OpKind::Conv, ConvKernel);
  t.Add(OpKind::MaxPool, MaxPoolKernel);
  t.Add(OpKind::AvgPool, AvgPoolKernel);
}

}  // namespace kiln::reference
