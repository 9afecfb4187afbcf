// Shape rules of the Layers I ops of ir/ops.def's section: pad, conv_transpose,
// unfold, fold, upsample. Each mirrors the checks torch 1.13 makes for the same op.
#include <algorithm>
#include <string>
#include <vector>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

using Types = std::vector<TensorType>;
using Result = StatusOr<Types>;

Result one(TensorType t) { return Types{std::move(t)}; }

std::string ints_str(const std::vector<int64_t>& v) { return attr_value_str(v); }

Status check_list(const std::vector<int64_t>& v, size_t n, const char* name, int64_t min) {
  if (v.size() != n) {
    return InvalidArgument(std::string(name) + " " + ints_str(v) + " must have " + std::to_string(n) +
                           " entries (one per spatial dim)");
  }
  for (int64_t x : v) {
    if (x < min) return InvalidArgument(std::string(name) + " " + ints_str(v) + " entries must be >= " + std::to_string(min));
  }
  return Status::Ok();
}

// Number of sliding windows along one dim (symmetric padding), >= 1 or an error.
StatusOr<int64_t> blocks(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil) {
  int64_t span = dil * (k - 1) + 1, padded = in + 2 * pad;
  if (span > padded) {
    return InvalidArgument("dilated kernel " + std::to_string(span) + " exceeds padded size " + std::to_string(padded));
  }
  return (padded - span) / stride + 1;
}

Status require_static(const Dim& d, const TensorType& t, const char* what) {
  if (!d.is_static()) return Unimplemented(std::string("symbolic ") + what + " " + d.str() + " in " + t.str());
  return Status::Ok();
}

}  // namespace

Result infer_pad(const Types& in, const Attrs& attrs) {
  const Shape& x = in[0].shape;
  auto pads = attrs.ints("pads");
  std::string mode = attrs.s("mode");
  if (mode != "constant" && mode != "reflect" && mode != "replicate" && mode != "circular") {
    return InvalidArgument("mode \"" + mode + "\" must be constant, reflect, replicate or circular");
  }
  if (pads.size() % 2 != 0) return InvalidArgument("pads " + ints_str(pads) + " must have an even number of entries");
  int k = static_cast<int>(pads.size() / 2);
  if (k > x.rank()) return InvalidArgument("pads " + ints_str(pads) + " pad more dims than " + in[0].str() + " has");
  std::vector<Dim> out(x.dims().begin(), x.dims().end());
  for (int i = 0; i < k; ++i) {
    int d = x.rank() - 1 - i;
    int64_t l = pads[2 * static_cast<size_t>(i)], r = pads[2 * static_cast<size_t>(i) + 1];
    if (l == 0 && r == 0) continue;
    KILN_RETURN_IF_ERROR(require_static(x.dim(d), in[0], "padded dim"));
    int64_t n = x.dim(d).size(), size = n + l + r;
    std::string where = "pads " + ints_str(pads) + " on dim " + std::to_string(d) + " of " + in[0].str();
    if (size < 0) return InvalidArgument(where + " give negative size " + std::to_string(size));
    if (mode != "constant") {
      if (size < 1) return InvalidArgument(where + " leave no element");
      if (n < 1) return InvalidArgument(where + ": " + mode + " padding needs a non-empty dim");
    }
    if (mode == "reflect" && (l >= n || r >= n)) {
      return InvalidArgument(where + ": reflect padding must be smaller than the dim");
    }
    if (mode == "circular") {
      int64_t kept = n + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
      if (kept < 1 || l > kept || r > kept) {
        return InvalidArgument(where + ": circular padding may wrap around at most once");
      }
    }
    out[static_cast<size_t>(d)] = Dim(size);
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_conv_transpose(const Types& in, const Attrs& attrs) {
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].dtype != in[0].dtype) return InvalidArgument("operand dtypes differ: " + in[0].str() + " and " + in[i].str());
  }
  if (!is_floating(in[0].dtype)) return InvalidArgument("operands must be floating point, got " + in[0].str());
  const Shape &x = in[0].shape, &w = in[1].shape;
  int nd = x.rank() - 2;
  if (nd < 1 || w.rank() != x.rank()) {
    return InvalidArgument("expects x[N, C, *spatial] and weight[C, O/groups, *kernel] of equal rank >= 3, got " +
                           in[0].str() + " and " + in[1].str());
  }
  auto stride = attrs.ints("stride"), padding = attrs.ints("padding"), output_padding = attrs.ints("output_padding"),
       dilation = attrs.ints("dilation");
  int64_t groups = attrs.i("groups");
  size_t n = static_cast<size_t>(nd);
  KILN_RETURN_IF_ERROR(check_list(stride, n, "stride", 1));
  KILN_RETURN_IF_ERROR(check_list(padding, n, "padding", 0));
  KILN_RETURN_IF_ERROR(check_list(output_padding, n, "output_padding", 0));
  KILN_RETURN_IF_ERROR(check_list(dilation, n, "dilation", 1));
  if (groups < 1) return InvalidArgument("groups must be >= 1, got " + std::to_string(groups));
  for (size_t i = 0; i < n; ++i) {
    if (output_padding[i] >= stride[i] && output_padding[i] >= dilation[i]) {
      return InvalidArgument("output_padding " + ints_str(output_padding) + " must be smaller than stride " +
                             ints_str(stride) + " or dilation " + ints_str(dilation));
    }
  }
  for (int i = 0; i < w.rank(); ++i) {
    if (!w.dim(i).is_static()) return InvalidArgument("weight shape must be static, got " + in[1].str());
  }
  KILN_RETURN_IF_ERROR(require_static(x.dim(1), in[0], "channel dim"));
  int64_t c = x.dim(1).size();
  if (w.dim(0).size() != c) {
    return InvalidArgument("input " + in[0].str() + " has " + std::to_string(c) + " channels, weight " + in[1].str() +
                           " expects " + std::to_string(w.dim(0).size()));
  }
  if (c % groups != 0) {
    return InvalidArgument("in_channels " + std::to_string(c) + " must be divisible by groups " + std::to_string(groups));
  }
  int64_t o = w.dim(1).size() * groups;
  if (in.size() == 3 && (in[2].shape.rank() != 1 || in[2].shape.dim(0) != Dim(o))) {
    return InvalidArgument("bias " + in[2].str() + " must be [" + std::to_string(o) + "]");
  }
  std::vector<Dim> out = {x.dim(0), Dim(o)};
  for (size_t i = 0; i < n; ++i) {
    const Dim& d = x.dim(2 + static_cast<int>(i));
    KILN_RETURN_IF_ERROR(require_static(d, in[0], "spatial dim"));
    int64_t size = (d.size() - 1) * stride[i] - 2 * padding[i] + dilation[i] * (w.dim(2 + static_cast<int>(i)).size() - 1) +
                   output_padding[i] + 1;
    if (size < 1) {
      return InvalidArgument("output size " + std::to_string(size) + " of spatial dim " + std::to_string(i) + " of " +
                             in[0].str() + " is too small");
    }
    out.emplace_back(size);
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_unfold(const Types& in, const Attrs& attrs) {
  if (!is_floating(in[0].dtype)) return InvalidArgument("operand must be floating point, got " + in[0].str());
  const Shape& x = in[0].shape;
  auto kernel = attrs.ints("kernel_size");
  size_t nd = kernel.size();
  if (nd < 1 || x.rank() != static_cast<int>(nd) + 2) {
    return InvalidArgument("kernel_size " + ints_str(kernel) + " needs input [N, C, *spatial] of rank " +
                           std::to_string(nd + 2) + ", got " + in[0].str());
  }
  auto dilation = attrs.ints("dilation"), padding = attrs.ints("padding"), stride = attrs.ints("stride");
  KILN_RETURN_IF_ERROR(check_list(kernel, nd, "kernel_size", 1));
  KILN_RETURN_IF_ERROR(check_list(dilation, nd, "dilation", 1));
  KILN_RETURN_IF_ERROR(check_list(padding, nd, "padding", 0));
  KILN_RETURN_IF_ERROR(check_list(stride, nd, "stride", 1));
  KILN_RETURN_IF_ERROR(require_static(x.dim(1), in[0], "channel dim"));
  int64_t rows = x.dim(1).size(), cols = 1;
  for (size_t i = 0; i < nd; ++i) {
    const Dim& d = x.dim(2 + static_cast<int>(i));
    KILN_RETURN_IF_ERROR(require_static(d, in[0], "spatial dim"));
    auto b = blocks(d.size(), kernel[i], stride[i], padding[i], dilation[i]);
    if (!b.ok()) return b.status().WithContext("spatial dim " + std::to_string(i) + " of " + in[0].str());
    rows *= kernel[i];
    cols *= *b;
  }
  return one(TensorType{in[0].dtype, Shape({x.dim(0), Dim(rows), Dim(cols)})});
}

Result infer_fold(const Types& in, const Attrs& attrs) {
  if (!is_floating(in[0].dtype)) return InvalidArgument("operand must be floating point, got " + in[0].str());
  const Shape& x = in[0].shape;
  auto output_size = attrs.ints("output_size"), kernel = attrs.ints("kernel_size");
  size_t nd = output_size.size();
  if (nd < 1) return InvalidArgument("output_size must not be empty");
  auto dilation = attrs.ints("dilation"), padding = attrs.ints("padding"), stride = attrs.ints("stride");
  KILN_RETURN_IF_ERROR(check_list(output_size, nd, "output_size", 1));
  KILN_RETURN_IF_ERROR(check_list(kernel, nd, "kernel_size", 1));
  KILN_RETURN_IF_ERROR(check_list(dilation, nd, "dilation", 1));
  KILN_RETURN_IF_ERROR(check_list(padding, nd, "padding", 0));
  KILN_RETURN_IF_ERROR(check_list(stride, nd, "stride", 1));
  if (x.rank() != 3) return InvalidArgument("expects input [N, C*prod(kernel_size), L], got " + in[0].str());
  KILN_RETURN_IF_ERROR(require_static(x.dim(1), in[0], "dim"));
  KILN_RETURN_IF_ERROR(require_static(x.dim(2), in[0], "dim"));
  int64_t taps = 1, cols = 1;
  for (size_t i = 0; i < nd; ++i) {
    auto b = blocks(output_size[i], kernel[i], stride[i], padding[i], dilation[i]);
    if (!b.ok()) return b.status().WithContext("output_size " + ints_str(output_size));
    taps *= kernel[i];
    cols *= *b;
  }
  if (x.dim(1).size() % taps != 0) {
    return InvalidArgument("dim 1 of " + in[0].str() + " must be divisible by prod(kernel_size " + ints_str(kernel) +
                           ") = " + std::to_string(taps));
  }
  if (x.dim(2).size() != cols) {
    return InvalidArgument("dim 2 of " + in[0].str() + " must equal the " + std::to_string(cols) +
                           " sliding blocks of output_size " + ints_str(output_size));
  }
  std::vector<Dim> out = {x.dim(0), Dim(x.dim(1).size() / taps)};
  for (int64_t s : output_size) out.emplace_back(s);
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_upsample(const Types& in, const Attrs& attrs) {
  const Shape& x = in[0].shape;
  std::string mode = attrs.s("mode");
  auto sizes = attrs.ints("sizes");
  auto scales = attrs.floats("scales");
  size_t nd = sizes.size();
  if (mode != "nearest" && mode != "nearest_exact" && mode != "linear") {
    return InvalidArgument("mode \"" + mode + "\" must be nearest, nearest_exact or linear");
  }
  if (in[0].dtype == DType::kBool) return InvalidArgument("operand must be numeric, got " + in[0].str());
  if (mode == "linear" && !is_floating(in[0].dtype)) {
    return InvalidArgument("linear mode needs a floating point operand, got " + in[0].str());
  }
  if (attrs.b("align_corners") && mode != "linear") return InvalidArgument("align_corners is only for linear mode");
  if (nd < 1 || x.rank() < static_cast<int>(nd) + 1) {
    return InvalidArgument("sizes " + ints_str(sizes) + " do not fit input " + in[0].str());
  }
  KILN_RETURN_IF_ERROR(check_list(sizes, nd, "sizes", 1));
  if (!scales.empty() && scales.size() != nd) {
    return InvalidArgument("scales " + attr_value_str(scales) + " must be empty or have " + std::to_string(nd) + " entries");
  }
  for (double s : scales) {
    if (!(s >= 0)) return InvalidArgument("scales " + attr_value_str(scales) + " must be >= 0 (0: none)");
  }
  std::vector<Dim> out(x.dims().begin(), x.dims().end() - static_cast<long>(nd));
  for (size_t i = 0; i < nd; ++i) {
    const Dim& d = x.dim(x.rank() - static_cast<int>(nd) + static_cast<int>(i));
    KILN_RETURN_IF_ERROR(require_static(d, in[0], "resized dim"));
    if (d.size() < 1) return InvalidArgument("resized dims of " + in[0].str() + " must be non-empty");
    out.emplace_back(sizes[i]);
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

}  // namespace kiln::ir
