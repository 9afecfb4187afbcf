// Layers I kernels: pad, conv_transpose, unfold (im2col), fold (col2im), upsample.
//
// Sums accumulate in double and round once. upsample computes its source coordinates the way
// torch 1.13's CPU kernels do (in float for float inputs, in double for f64), so that nearest
// picks the same source element even where a coordinate lands exactly on an integer.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"
#include "codegen/reference/spatial_index.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

void Unflatten(int64_t flat, const std::vector<int64_t>& sizes, std::vector<int64_t>& index) {
  for (size_t d = sizes.size(); d-- > 0;) {
    index[d] = flat % sizes[d];
    flat /= sizes[d];
  }
}

// ---- pad ----

StatusOr<Tensors> PadKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  auto pads = c.attrs.ints("pads");
  std::string mode = c.attrs.s("mode");
  double value = c.attrs.f("value");
  size_t rank = x.sizes().size(), k = pads.size() / 2;
  std::vector<std::vector<int64_t>> source(rank);
  for (size_t d = 0; d < rank; ++d) {
    size_t from_last = rank - 1 - d;
    int64_t l = from_last < k ? pads[2 * from_last] : 0, r = from_last < k ? pads[2 * from_last + 1] : 0;
    for (int64_t j = 0; j < out.sizes()[d]; ++j) source[d].push_back(PadSourceIndex(mode, j, x.sizes()[d], l, r));
  }
  bool floating = ir::is_floating(out.dtype());
  std::vector<int64_t> index(rank);
  for (int64_t o = 0; o < out.num_elements(); ++o) {
    Unflatten(o, out.sizes(), index);
    int64_t src = 0;
    for (size_t d = 0; d < rank && src >= 0; ++d) {
      int64_t s = source[d][static_cast<size_t>(index[d])];
      src = s < 0 ? -1 : src * x.sizes()[d] + s;
    }
    if (src >= 0) {
      CopyElement(x, src, out, o);
    } else if (floating) {
      out.SetDouble(o, value);
    } else {
      StoreInt(out, o, static_cast<int64_t>(value));
    }
  }
  return Tensors{out};
}

// ---- conv_transpose ----

StatusOr<Tensors> ConvTransposeKernel(const KernelContext& c) {
  const HostTensor &x = c.operands[0], &w = c.operands[1];
  HostTensor out = NewResult(c);
  auto stride = c.attrs.ints("stride"), padding = c.attrs.ints("padding"), dilation = c.attrs.ints("dilation");
  int64_t groups = c.attrs.i("groups");
  size_t nd = x.sizes().size() - 2;
  int64_t batch = x.sizes()[0], channels = x.sizes()[1], o_per_group = w.sizes()[1];
  int64_t c_per_group = channels / groups, out_channels = o_per_group * groups;
  std::vector<int64_t> in_sp(x.sizes().begin() + 2, x.sizes().end());
  std::vector<int64_t> k_sp(w.sizes().begin() + 2, w.sizes().end());
  std::vector<int64_t> out_sp(out.sizes().begin() + 2, out.sizes().end());
  int64_t in_plane = Product(in_sp, 0, nd), k_plane = Product(k_sp, 0, nd), out_plane = Product(out_sp, 0, nd);

  // target[p * k_plane + k]: where input position p sends kernel tap k (-1: cropped by padding).
  std::vector<int64_t> target(static_cast<size_t>(in_plane * k_plane));
  std::vector<int64_t> pos(nd), tap(nd);
  for (int64_t p = 0; p < in_plane; ++p) {
    Unflatten(p, in_sp, pos);
    for (int64_t k = 0; k < k_plane; ++k) {
      Unflatten(k, k_sp, tap);
      int64_t offset = 0;
      for (size_t d = 0; d < nd && offset >= 0; ++d) {
        int64_t q = pos[d] * stride[d] - padding[d] + tap[d] * dilation[d];
        offset = (q < 0 || q >= out_sp[d]) ? -1 : offset * out_sp[d] + q;
      }
      target[static_cast<size_t>(p * k_plane + k)] = offset;
    }
  }
  std::vector<double> xd = ToDoubles(x), wd = ToDoubles(w);
  std::vector<double> result(static_cast<size_t>(out.num_elements()), 0.0);
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t ic = 0; ic < channels; ++ic) {
      int64_t g = ic / c_per_group;
      for (int64_t ol = 0; ol < o_per_group; ++ol) {
        double* po = result.data() + (n * out_channels + g * o_per_group + ol) * out_plane;
        const double* pw = wd.data() + (ic * o_per_group + ol) * k_plane;
        const double* px = xd.data() + (n * channels + ic) * in_plane;
        for (int64_t p = 0; p < in_plane; ++p) {
          const int64_t* t = target.data() + p * k_plane;
          for (int64_t k = 0; k < k_plane; ++k) {
            if (t[k] >= 0) po[t[k]] += px[p] * pw[k];
          }
        }
      }
    }
  }
  if (c.operands.size() == 3) {
    std::vector<double> bias = ToDoubles(c.operands[2]);
    for (int64_t i = 0; i < out.num_elements(); ++i) result[static_cast<size_t>(i)] += bias[static_cast<size_t>((i / out_plane) % out_channels)];
  }
  StoreDoubles(out, result);
  return Tensors{out};
}

// ---- unfold / fold: the same (block position, tap) -> image position map, both ways ----

struct Im2Col {
  int64_t taps = 0, blocks = 0, image = 0;
  std::vector<int64_t> offset;  // [tap * blocks + block]: flat image position, -1 in the padding
};

Im2Col MakeIm2Col(const KernelContext& c, const std::vector<int64_t>& image_sp) {
  auto kernel = c.attrs.ints("kernel_size"), dilation = c.attrs.ints("dilation"), padding = c.attrs.ints("padding"),
       stride = c.attrs.ints("stride");
  size_t nd = kernel.size();
  std::vector<int64_t> block_sp(nd);
  for (size_t d = 0; d < nd; ++d) {
    block_sp[d] = (image_sp[d] + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d] + 1;
  }
  Im2Col m;
  m.taps = Product(kernel, 0, nd);
  m.blocks = Product(block_sp, 0, nd);
  m.image = Product(image_sp, 0, nd);
  std::vector<int64_t> tap(nd), block(nd);
  for (int64_t k = 0; k < m.taps; ++k) {
    Unflatten(k, kernel, tap);
    for (int64_t b = 0; b < m.blocks; ++b) {
      Unflatten(b, block_sp, block);
      int64_t offset = 0;
      for (size_t d = 0; d < nd && offset >= 0; ++d) {
        int64_t i = block[d] * stride[d] - padding[d] + tap[d] * dilation[d];
        offset = (i < 0 || i >= image_sp[d]) ? -1 : offset * image_sp[d] + i;
      }
      m.offset.push_back(offset);
    }
  }
  return m;
}

StatusOr<Tensors> UnfoldKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  Im2Col m = MakeIm2Col(c, std::vector<int64_t>(x.sizes().begin() + 2, x.sizes().end()));
  int64_t planes = x.sizes()[0] * x.sizes()[1];  // (n, c) pairs
  std::vector<double> xd = ToDoubles(x), result(static_cast<size_t>(out.num_elements()), 0.0);
  for (int64_t nc = 0; nc < planes; ++nc) {
    for (int64_t i = 0; i < m.taps * m.blocks; ++i) {
      int64_t src = m.offset[static_cast<size_t>(i)];
      if (src >= 0) result[static_cast<size_t>(nc * m.taps * m.blocks + i)] = xd[static_cast<size_t>(nc * m.image + src)];
    }
  }
  StoreDoubles(out, result);
  return Tensors{out};
}

StatusOr<Tensors> FoldKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  Im2Col m = MakeIm2Col(c, c.attrs.ints("output_size"));
  int64_t planes = out.sizes()[0] * out.sizes()[1];
  std::vector<double> xd = ToDoubles(x), result(static_cast<size_t>(out.num_elements()), 0.0);
  for (int64_t nc = 0; nc < planes; ++nc) {
    for (int64_t i = 0; i < m.taps * m.blocks; ++i) {
      int64_t dst = m.offset[static_cast<size_t>(i)];
      if (dst >= 0) result[static_cast<size_t>(nc * m.image + dst)] += xd[static_cast<size_t>(nc * m.taps * m.blocks + i)];
    }
  }
  StoreDoubles(out, result);
  return Tensors{out};
}

// ---- upsample ----

// One output position along one dim: two source indices and their weights (nearest: w1 = 0).
struct Taps {
  int64_t i0 = 0, i1 = 0;
  double w0 = 1, w1 = 0;
};

// torch's linear taps, computed in T (its opmath type), as doubles.
template <typename T>
Taps LinearTaps(int64_t o, int64_t in, int64_t out, bool align_corners, double scale) {
  LinearSource<T> s = LinearSourceIndex<T>(o, in, out, align_corners, scale);
  return Taps{s.i0, s.i1, static_cast<double>(s.l0), static_cast<double>(s.l1)};
}

StatusOr<Tensors> UpsampleKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  std::string mode = c.attrs.s("mode");
  auto sizes = c.attrs.ints("sizes");
  auto scales = c.attrs.floats("scales");
  bool align_corners = c.attrs.b("align_corners");
  size_t nd = sizes.size(), lead = x.sizes().size() - nd;
  std::vector<int64_t> in_sp(x.sizes().begin() + static_cast<long>(lead), x.sizes().end());
  int64_t planes = Product(x.sizes(), 0, lead), in_plane = Product(in_sp, 0, nd), out_plane = Product(sizes, 0, nd);
  std::vector<std::vector<Taps>> taps(nd);
  for (size_t d = 0; d < nd; ++d) {
    double scale = scales.empty() ? 0.0 : scales[d];
    for (int64_t o = 0; o < sizes[d]; ++o) {
      if (mode == "linear") {
        taps[d].push_back(x.dtype() == ir::DType::kF64 ? LinearTaps<double>(o, in_sp[d], sizes[d], align_corners, scale)
                                                       : LinearTaps<float>(o, in_sp[d], sizes[d], align_corners, scale));
      } else {
        int64_t i = NearestSourceIndex(mode == "nearest_exact", o, in_sp[d], sizes[d], scale);
        taps[d].push_back(Taps{i, i, 1, 0});
      }
    }
  }
  bool floating = ir::is_floating(x.dtype());
  std::vector<double> xd = floating ? ToDoubles(x) : std::vector<double>();
  std::vector<int64_t> pos(nd);
  int64_t corners = mode == "linear" ? (int64_t{1} << nd) : 1;
  for (int64_t p = 0; p < out_plane; ++p) {
    Unflatten(p, sizes, pos);
    // The 2^nd corners of the source box: bit d picks i1 (weight w1) along dim d.
    std::vector<std::pair<int64_t, double>> box;
    for (int64_t corner = 0; corner < corners; ++corner) {
      int64_t offset = 0;
      double weight = 1;
      for (size_t d = 0; d < nd; ++d) {
        const Taps& t = taps[d][static_cast<size_t>(pos[d])];
        bool hi = (corner >> (nd - 1 - d)) & 1;
        offset = offset * in_sp[d] + (hi ? t.i1 : t.i0);
        weight *= hi ? t.w1 : t.w0;
      }
      box.emplace_back(offset, weight);
    }
    for (int64_t plane = 0; plane < planes; ++plane) {
      int64_t o = plane * out_plane + p;
      if (!floating) {  // nearest on integers: a copy
        CopyElement(x, plane * in_plane + box[0].first, out, o);
        continue;
      }
      double acc = 0;
      for (const auto& [offset, weight] : box) acc += weight * xd[static_cast<size_t>(plane * in_plane + offset)];
      out.SetDouble(o, acc);
    }
  }
  return Tensors{out};
}

}  // namespace

void AddSpatialKernels(KernelTable& t) {
  t.Add(OpKind::Pad, PadKernel);
  t.Add(OpKind::ConvTranspose, ConvTransposeKernel);
  t.Add(OpKind::Unfold, UnfoldKernel);
  t.Add(OpKind::Fold, FoldKernel);
  t.Add(OpKind::Upsample, UpsampleKernel);
}

}  // namespace kiln::reference
