// F::pad, conv_transposeNd, unfold, fold, pixel_(un)shuffle, interpolate: argument checks as
// torch 1.13 makes them, then IR ops (see functional_spatial.h).
#include "frontend/functional_spatial.h"

#include <cmath>
#include <string>
#include <vector>

#include "frontend/dispatch.h"
#include "frontend/functional_util.h"
#include "frontend/tensor_ops_util.h"

namespace kiln::nn::functional {

namespace {

using detail::check_min;
using detail::fail;
using detail::join;
using detail::require_defined;
using detail::static_dim;

// The static spatial sizes (the last n dims) of `t`, or a failure naming `fn`.
std::vector<int64_t> spatial_sizes(const std::string& fn, const Tensor& t, size_t n) {
  std::vector<int64_t> s;
  for (size_t i = 0; i < n; ++i) {
    int64_t d = static_dim(t, t.dim() - static_cast<int64_t>(n) + static_cast<int64_t>(i));
    if (d < 0) fail(fn + ": spatial dims of input " + t.type_str() + " must be static");
    s.push_back(d);
  }
  return s;
}

Tensor conv_transposend(const std::string& fn, size_t nd, const Tensor& input, const Tensor& weight,
                        const Tensor& bias, const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
                        const std::vector<int64_t>& output_padding, int64_t groups,
                        const std::vector<int64_t>& dilation) {
  detail::check_conv_operands(fn, nd, input, weight, "[in_channels, out_channels/groups, *kernel]", groups);
  check_min(fn, "stride", stride, 1);
  check_min(fn, "padding", padding, 0);
  check_min(fn, "output_padding", output_padding, 0);
  check_min(fn, "dilation", dilation, 1);
  for (size_t i = 0; i < nd; ++i) {
    if (output_padding[i] >= stride[i] && output_padding[i] >= dilation[i]) {
      fail(fn + ": output padding must be smaller than either stride or dilation, got output_padding " +
           py_tuple(output_padding) + ", stride " + py_tuple(stride) + ", dilation " + py_tuple(dilation));
    }
  }
  Tensor x = detail::batched_conv_input(fn, nd, input, weight, "in_channels", groups);
  std::vector<int64_t> w = weight.sizes();
  int64_t c = static_dim(x, 1);
  if (c != w[0]) {
    fail(fn + ": expected input with " + std::to_string(w[0]) + " channels, got " + std::to_string(c) + " (input " +
         input.type_str() + ", weight " + weight.type_str() + ")");
  }
  int64_t out_channels = w[1] * groups;
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != out_channels)) {
    fail(fn + ": expected bias with " + std::to_string(out_channels) + " elements, got " + bias.type_str());
  }
  std::vector<int64_t> in = spatial_sizes(fn, x, nd), out(nd);
  bool too_small = false;
  for (size_t i = 0; i < nd; ++i) {
    out[i] = (in[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (w[2 + i] - 1) + output_padding[i] + 1;
    too_small = too_small || out[i] < 1;
  }
  if (too_small) {
    fail(fn + ": given input size per channel " + join(in) + ", the calculated output size " + join(out) +
         " is too small (padding " + py_tuple(padding) + ")");
  }
  ir::Attrs attrs{{"stride", stride},
                  {"padding", padding},
                  {"output_padding", output_padding},
                  {"dilation", dilation},
                  {"groups", groups}};
  return detail::apply_conv(ir::OpKind::ConvTranspose, x, weight, bias, attrs, x.dim() != input.dim());
}

// Number of sliding blocks per dim; fails (as torch) when one has none.
std::vector<int64_t> block_counts(const std::string& fn, const std::vector<int64_t>& size,
                                  const std::vector<int64_t>& k, const std::vector<int64_t>& d,
                                  const std::vector<int64_t>& p, const std::vector<int64_t>& s, const char* what) {
  std::vector<int64_t> b(size.size());
  bool none = false;
  for (size_t i = 0; i < size.size(); ++i) {
    int64_t avail = size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1;
    b[i] = avail < 0 ? 0 : avail / s[i] + 1;
    none = none || b[i] < 1;
  }
  if (none) {
    fail(fn + ": given " + what + " " + py_tuple(size) + ", kernel_size=" + py_tuple(k) + ", dilation=" + py_tuple(d) +
         ", padding=" + py_tuple(p) + ", the calculated shape of the array of sliding blocks is " + py_tuple(b) +
         ", but its components must be at least one");
  }
  return b;
}

}  // namespace

Tensor pad(const Tensor& input, const std::vector<int64_t>& pad, const std::string& mode, double value) {
  require_defined(input, "pad", "input");
  if (mode != "constant" && mode != "reflect" && mode != "replicate" && mode != "circular") {
    fail("pad: unrecognised padding mode '" + mode + "' (expected constant, reflect, replicate or circular)");
  }
  if (pad.size() % 2 != 0) fail("pad: padding length must be divisible by 2, got " + py_tuple(pad));
  int64_t k = static_cast<int64_t>(pad.size() / 2), rank = input.dim();
  if (k > rank) fail("pad: padding length too large: " + py_tuple(pad) + " pads " + std::to_string(k) + " dims of " + input.type_str());
  if (mode != "constant") {
    if (value != 0) fail("pad: padding mode \"" + mode + "\" doesn't take in value argument");
    if (k < 1 || k > 3 || (rank != k + 1 && rank != k + 2)) {
      fail("pad: " + mode + " padding of " + std::to_string(k) + " dims needs a " + std::to_string(k + 1) + "D or " +
           std::to_string(k + 2) + "D input, got " + input.type_str() +
           " (only 2D, 3D, 4D, 5D padding with non-constant padding are supported)");
    }
    if (mode == "circular" && rank != k + 2) {
      fail("pad: circular padding of " + std::to_string(k) + " dims needs a batched " + std::to_string(k + 2) +
           "D input [N, C, ...], got " + input.type_str());
    }
  }
  for (int64_t i = 0; i < k; ++i) {
    int64_t d = rank - 1 - i, l = pad[static_cast<size_t>(2 * i)], r = pad[static_cast<size_t>(2 * i + 1)];
    if (l == 0 && r == 0) continue;
    int64_t n = static_dim(input, d);
    if (n < 0) fail("pad: cannot pad the symbolic dim " + std::to_string(d) + " of " + input.type_str());
    std::string where = "pad: padding " + py_tuple(pad) + " at dim " + std::to_string(d) + " of input " + input.type_str();
    if (n + l + r < 0) fail(where + " gives a negative size " + std::to_string(n + l + r));
    if (mode == "constant") continue;
    if (n + l + r < 1 || n < 1) fail(where + " leaves no element (" + mode + " padding needs a non-empty result)");
    if (mode == "reflect" && (l >= n || r >= n)) fail(where + ": padding size should be less than the dim size " + std::to_string(n));
    if (mode == "circular") {
      int64_t kept = n + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
      if (l > kept || r > kept) fail(where + ": padding value causes wrapping around more than once");
    }
  }
  ir::Attrs attrs{{"pads", pad}, {"mode", mode}, {"value", value}};
  return detail::apply1(ir::OpKind::Pad, {input}, attrs);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<1> stride,
                        ExpandingArray<1> padding, ExpandingArray<1> output_padding, int64_t groups,
                        ExpandingArray<1> dilation) {
  return conv_transposend("conv_transpose1d", 1, input, weight, bias, stride.vec(), padding.vec(), output_padding.vec(),
                          groups, dilation.vec());
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<2> stride,
                        ExpandingArray<2> padding, ExpandingArray<2> output_padding, int64_t groups,
                        ExpandingArray<2> dilation) {
  return conv_transposend("conv_transpose2d", 2, input, weight, bias, stride.vec(), padding.vec(), output_padding.vec(),
                          groups, dilation.vec());
}

Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<3> stride,
                        ExpandingArray<3> padding, ExpandingArray<3> output_padding, int64_t groups,
                        ExpandingArray<3> dilation) {
  return conv_transposend("conv_transpose3d", 3, input, weight, bias, stride.vec(), padding.vec(), output_padding.vec(),
                          groups, dilation.vec());
}

Tensor unfold(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> dilation, ExpandingArray<2> padding,
              ExpandingArray<2> stride) {
  const std::string fn = "unfold";
  require_defined(input, fn, "input");
  if (input.dim() != 3 && input.dim() != 4) {
    fail(fn + ": expected 3D (unbatched) or 4D (batched) input [N, C, H, W], got " + input.type_str());
  }
  if (!ir::is_floating(input.dtype())) fail(fn + ": expected a floating point input, got " + input.type_str());
  std::vector<int64_t> k = kernel_size.vec(), d = dilation.vec(), p = padding.vec(), s = stride.vec();
  check_min(fn, "kernel_size", k, 1);
  check_min(fn, "dilation", d, 1);
  check_min(fn, "padding", p, 0);
  check_min(fn, "stride", s, 1);
  Tensor x = input.dim() == 4 ? input : input.unsqueeze(0);
  if (static_dim(x, 1) < 0) fail(fn + ": the channel dim of input " + input.type_str() + " must be static");
  block_counts(fn, spatial_sizes(fn, x, 2), k, d, p, s, "input with spatial size");
  ir::Attrs attrs{{"kernel_size", k}, {"dilation", d}, {"padding", p}, {"stride", s}};
  Tensor y = detail::apply1(ir::OpKind::Unfold, {x}, attrs);
  return input.dim() == 4 ? y : y.squeeze(0);
}

Tensor fold(const Tensor& input, ExpandingArray<2> output_size, ExpandingArray<2> kernel_size,
            ExpandingArray<2> dilation, ExpandingArray<2> padding, ExpandingArray<2> stride) {
  const std::string fn = "fold";
  require_defined(input, fn, "input");
  if (input.dim() != 2 && input.dim() != 3) {
    fail(fn + ": expected 2D (unbatched) or 3D (batched) input [N, C*prod(kernel_size), L], got " + input.type_str());
  }
  if (!ir::is_floating(input.dtype())) fail(fn + ": expected a floating point input, got " + input.type_str());
  std::vector<int64_t> o = output_size.vec(), k = kernel_size.vec(), d = dilation.vec(), p = padding.vec(),
                       s = stride.vec();
  check_min(fn, "output_size", o, 1);
  check_min(fn, "kernel_size", k, 1);
  check_min(fn, "dilation", d, 1);
  check_min(fn, "padding", p, 0);
  check_min(fn, "stride", s, 1);
  Tensor x = input.dim() == 3 ? input : input.unsqueeze(0);
  int64_t rows = static_dim(x, 1), cols = static_dim(x, 2);
  if (rows < 0 || cols < 0) fail(fn + ": dims 1 and 2 of input " + input.type_str() + " must be static");
  if (rows % (k[0] * k[1]) != 0) {
    fail(fn + ": expected size of input's dimension 1 to be divisible by the product of kernel_size, but got " +
         std::to_string(rows) + " and kernel_size=" + py_tuple(k));
  }
  std::vector<int64_t> b = block_counts(fn, o, k, d, p, s, "output_size");
  if (cols != b[0] * b[1]) {
    fail(fn + ": given output_size=" + py_tuple(o) + ", kernel_size=" + py_tuple(k) + ", dilation=" + py_tuple(d) +
         ", padding=" + py_tuple(p) + ", stride=" + py_tuple(s) + ", expected the size of input's last dimension " +
         "to match the calculated number of sliding blocks " + std::to_string(b[0]) + " * " + std::to_string(b[1]) +
         " = " + std::to_string(b[0] * b[1]) + ", but got " + std::to_string(cols));
  }
  ir::Attrs attrs{{"output_size", o}, {"kernel_size", k}, {"dilation", d}, {"padding", p}, {"stride", s}};
  Tensor y = detail::apply1(ir::OpKind::Fold, {x}, attrs);
  return input.dim() == 3 ? y : y.squeeze(0);
}

namespace {

// [*, C, H, W] as the leading dims followed by `tail`.
std::vector<ir::Dim> with_lead(const Tensor& t, const std::vector<int64_t>& tail) {
  ir::Shape shape = t.shape();
  std::vector<ir::Dim> dims(shape.dims().begin(), shape.dims().end() - 3);
  for (int64_t v : tail) dims.emplace_back(v);
  return dims;
}

std::vector<int64_t> lead_perm(int64_t lead, const std::vector<int64_t>& tail) {
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < lead; ++i) perm.push_back(i);
  for (int64_t t : tail) perm.push_back(lead + t);
  return perm;
}

// The static C, H, W of [*, C, H, W], or a failure naming `fn`.
std::vector<int64_t> chw(const std::string& fn, const Tensor& input, const char* factor, int64_t r) {
  require_defined(input, fn, "input");
  if (input.dim() < 3) {
    fail(fn + " expects input to have at least 3 dimensions, but got input with " + std::to_string(input.dim()) +
         " dimension(s)");
  }
  if (r <= 0) fail(fn + " expects a positive " + factor + ", but got " + std::to_string(r));
  std::vector<int64_t> s = spatial_sizes(fn, input, 3);
  return s;
}

}  // namespace

Tensor pixel_shuffle(const Tensor& input, int64_t r) {
  const std::string fn = "pixel_shuffle";
  std::vector<int64_t> s = chw(fn, input, "upscale_factor", r);
  if (s[0] % (r * r) != 0) {
    fail(fn + " expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but "
         "input.size(-3)=" + std::to_string(s[0]) + " is not divisible by " + std::to_string(r * r));
  }
  int64_t lead = input.dim() - 3, c = s[0] / (r * r);
  Tensor x = detail::reshape_to(fn, input, with_lead(input, {c, r, r, s[1], s[2]}));
  x = x.permute(lead_perm(lead, {0, 3, 1, 4, 2}));
  return detail::reshape_to(fn, x, with_lead(input, {c, s[1] * r, s[2] * r}));
}

Tensor pixel_unshuffle(const Tensor& input, int64_t r) {
  const std::string fn = "pixel_unshuffle";
  std::vector<int64_t> s = chw(fn, input, "downscale_factor", r);
  if (s[1] % r != 0) {
    fail(fn + " expects height to be divisible by downscale_factor, but input.size(-2)=" + std::to_string(s[1]) +
         " is not divisible by " + std::to_string(r));
  }
  if (s[2] % r != 0) {
    fail(fn + " expects width to be divisible by downscale_factor, but input.size(-1)=" + std::to_string(s[2]) +
         " is not divisible by " + std::to_string(r));
  }
  int64_t lead = input.dim() - 3;
  Tensor x = detail::reshape_to(fn, input, with_lead(input, {s[0], s[1] / r, r, s[2] / r, r}));
  x = x.permute(lead_perm(lead, {0, 2, 4, 1, 3}));
  return detail::reshape_to(fn, x, with_lead(input, {s[0] * r * r, s[1] / r, s[2] / r}));
}

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& o) {
  const std::string fn = "interpolate";
  require_defined(input, fn, "input");
  const std::string& mode = o.mode();
  static const char* kModes = "nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact";
  bool known = mode == "nearest" || mode == "linear" || mode == "bilinear" || mode == "bicubic" ||
               mode == "trilinear" || mode == "area" || mode == "nearest-exact";
  int64_t rank = input.dim();
  if (!known || rank < 3 || rank > 5) {
    fail(fn + ": Input Error: Only 3D, 4D and 5D input Tensors supported (got " + std::to_string(rank) +
         "D) for the modes: " + kModes + " (got " + mode + ")");
  }
  size_t dim = static_cast<size_t>(rank - 2);
  bool linear = mode == "linear" || mode == "bilinear" || mode == "trilinear" || mode == "bicubic";
  if (!linear && o.align_corners().has_value()) {
    fail(fn + ": align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  }
  if (o.size() && o.scale_factor()) fail(fn + ": only one of size or scale_factor should be defined");
  if (!o.size() && !o.scale_factor()) fail(fn + ": either size or scale_factor should be defined");
  if (o.recompute_scale_factor().value_or(false) && o.size()) {
    fail(fn + ": recompute_scale_factor is not meaningful with an explicit size.");
  }
  std::vector<int64_t> in = spatial_sizes(fn, input, dim), out;
  std::vector<double> scales;
  if (o.size()) {
    out = o.size_is_scalar() ? std::vector<int64_t>(dim, o.size()->at(0)) : *o.size();
    if (out.size() != dim) {
      fail(fn + ": Input and output must have the same number of spatial dimensions, but got input with spatial "
           "dimensions of " + py_tuple(in) + " and output size of " + py_tuple(out));
    }
  } else {
    scales = o.scale_factor_is_scalar() ? std::vector<double>(dim, o.scale_factor()->at(0)) : *o.scale_factor();
    if (scales.size() != dim) {
      fail(fn + ": Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
           "dimensions of " + py_tuple(in) + " and scale_factor with " + std::to_string(o.scale_factor()->size()) +
           " entries");
    }
    for (size_t i = 0; i < dim; ++i) out.push_back(static_cast<int64_t>(std::floor(static_cast<double>(in[i]) * scales[i])));
    if (o.recompute_scale_factor().value_or(false)) scales.clear();
  }
  bool bad = false;
  for (size_t i = 0; i < dim; ++i) bad = bad || in[i] <= 0 || out[i] <= 0;
  if (bad) {
    fail(fn + ": Input and output sizes should be greater than 0, but got input " + py_tuple(in) + " output " +
         py_tuple(out) + " (input " + input.type_str() + ")");
  }
  const char* needs = mode == "linear" ? "3D" : mode == "bilinear" ? "4D" : mode == "trilinear" ? "5D" : nullptr;
  if (needs && std::to_string(rank) + "D" != needs) {
    fail(fn + ": Got " + std::to_string(rank) + "D input, but " + mode + " mode needs " + needs + " input");
  }
  if (mode == "bicubic" || mode == "area") fail(fn + ": mode '" + mode + "' is not supported yet");
  if (o.antialias()) fail(fn + ": antialias=True is not supported yet");
  if (!ir::is_floating(input.dtype()) && (linear || input.dtype() == DType::kBool)) {
    fail(fn + ": mode '" + mode + "' expects a floating point input, got " + input.type_str());
  }
  ir::Attrs attrs{{"mode", std::string(linear ? "linear" : mode == "nearest" ? "nearest" : "nearest_exact")},
                  {"sizes", out},
                  {"scales", scales},
                  {"align_corners", o.align_corners().value_or(false)}};
  return detail::apply1(ir::OpKind::Upsample, {input}, attrs);
}

}  // namespace kiln::nn::functional
