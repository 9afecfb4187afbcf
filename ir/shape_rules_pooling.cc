// Shape rules of the pooling ops of issue 4 (Layers I): max_pool_with_indices, max_unpool,
// fractional_max_pool, adaptive_avg_pool, adaptive_max_pool.
//
// Convention shared with max_pool/avg_pool: the pooled dims are the trailing spatial dims,
// every leading dim (batch N, channels) is an independent plane and passes through, so a
// symbolic batch is fine. Indices are i64 flat indices into one input plane (torch's
// return_indices). fractional_max_pool is 2-d only, on [N, C, H, W] (the frontend adds the
// batch dim of unbatched input), because its samples are per (batch, channel).
#include <string>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

using Types = std::vector<TensorType>;
using Result = StatusOr<Types>;

std::string ints_str(const std::vector<int64_t>& v) { return attr_value_str(v); }

Status check_sizes(const std::vector<int64_t>& v, const char* name, int64_t min) {
  if (v.empty()) return InvalidArgument(std::string(name) + " must have at least one entry");
  for (int64_t x : v) {
    if (x < min) return InvalidArgument(std::string(name) + " " + ints_str(v) + " entries must be >= " + std::to_string(min));
  }
  return Status::Ok();
}

// The leading (unpooled) dims of `t` when its trailing `nd` dims are pooled.
StatusOr<std::vector<Dim>> leading_dims(const TensorType& t, size_t nd, const std::string& what) {
  if (t.shape.rank() < static_cast<int>(nd) + 1) {
    return InvalidArgument(what + " " + std::to_string(nd) + " spatial dims need an input of rank >= " +
                           std::to_string(nd + 1) + ", got " + t.str());
  }
  return std::vector<Dim>(t.shape.dims().begin(), t.shape.dims().end() - static_cast<long>(nd));
}

// Adaptive pools: output = leading dims + output_size. Spatial dims may be symbolic (the
// windows are computed from the bound sizes at run time), but a static 0 is an error.
StatusOr<Shape> adaptive_shape(const TensorType& x, const Attrs& attrs) {
  auto out_size = attrs.ints("output_size");
  KILN_RETURN_IF_ERROR(check_sizes(out_size, "output_size", 1));
  KILN_ASSIGN_OR_RETURN(std::vector<Dim> out, leading_dims(x, out_size.size(), "output_size " + ints_str(out_size) + ":"));
  for (size_t i = 0; i < out_size.size(); ++i) {
    const Dim& d = x.shape.dim(x.shape.rank() - static_cast<int>(out_size.size()) + static_cast<int>(i));
    if (d.is_static() && d.size() == 0) return InvalidArgument("input " + x.str() + " has an empty spatial dim");
    out.emplace_back(out_size[i]);
  }
  return Shape(out);
}

}  // namespace

Result infer_max_pool_with_indices(const Types& in, const Attrs& attrs) {
  KILN_ASSIGN_OR_RETURN(Types values, infer_pool(in, attrs));
  values.push_back(TensorType{DType::kI64, values[0].shape});
  return values;
}

Result infer_max_unpool(const Types& in, const Attrs& attrs) {
  const TensorType &x = in[0], &idx = in[1];
  if (x.dtype == DType::kBool) return InvalidArgument("x must be numeric, got " + x.str());
  if (idx.dtype != DType::kI64) return InvalidArgument("indices must be i64, got " + idx.str());
  if (x.shape != idx.shape) return InvalidArgument("x " + x.str() + " and indices " + idx.str() + " must have the same shape");
  auto out_size = attrs.ints("output_size");
  KILN_RETURN_IF_ERROR(check_sizes(out_size, "output_size", 0));
  KILN_ASSIGN_OR_RETURN(std::vector<Dim> out, leading_dims(x, out_size.size(), "output_size " + ints_str(out_size) + ":"));
  for (int64_t s : out_size) out.emplace_back(s);
  return Types{TensorType{x.dtype, Shape(out)}};
}

Result infer_fractional_max_pool(const Types& in, const Attrs& attrs) {
  const TensorType &x = in[0], &samples = in[1];
  if (!is_floating(x.dtype)) return InvalidArgument("x must be floating point, got " + x.str());
  if (samples.dtype != x.dtype) return InvalidArgument("samples " + samples.str() + " must have the dtype of x " + x.str());
  if (x.shape.rank() != 4) return InvalidArgument("x must be [N, C, H, W], got " + x.str());
  if (samples.shape.rank() != 3 || samples.shape.dim(0) != x.shape.dim(0) || samples.shape.dim(1) != x.shape.dim(1) ||
      samples.shape.dim(2) != Dim(2)) {
    return InvalidArgument("samples must be [" + x.shape.dim(0).str() + ", " + x.shape.dim(1).str() + ", 2] for x " +
                           x.str() + ", got " + samples.str());
  }
  auto kernel = attrs.ints("kernel_size"), out_size = attrs.ints("output_size");
  KILN_RETURN_IF_ERROR(check_sizes(kernel, "kernel_size", 1));
  KILN_RETURN_IF_ERROR(check_sizes(out_size, "output_size", 1));
  if (kernel.size() != 2 || out_size.size() != 2) {
    return InvalidArgument("kernel_size " + ints_str(kernel) + " and output_size " + ints_str(out_size) +
                           " must have 2 entries (H, W)");
  }
  std::vector<Dim> out = {x.shape.dim(0), x.shape.dim(1)};
  for (int i = 0; i < 2; ++i) {
    const Dim& d = x.shape.dim(2 + i);
    if (!d.is_static()) return Unimplemented("symbolic spatial dim " + d.str() + " in " + x.str());
    size_t iu = static_cast<size_t>(i);
    if (out_size[iu] + kernel[iu] - 1 > d.size()) {
      return InvalidArgument("output_size " + ints_str(out_size) + " with kernel_size " + ints_str(kernel) +
                             " needs a larger input than " + x.str());
    }
    out.emplace_back(out_size[iu]);
  }
  Shape s(out);
  return Types{TensorType{x.dtype, s}, TensorType{DType::kI64, s}};
}

Result infer_adaptive_pool(const Types& in, const Attrs& attrs) {
  if (!is_floating(in[0].dtype)) return InvalidArgument("operand must be floating point, got " + in[0].str());
  KILN_ASSIGN_OR_RETURN(Shape s, adaptive_shape(in[0], attrs));
  return Types{TensorType{in[0].dtype, s}};
}

Result infer_adaptive_max_pool(const Types& in, const Attrs& attrs) {
  if (in[0].dtype == DType::kBool) return InvalidArgument("operand must be numeric, got " + in[0].str());
  KILN_ASSIGN_OR_RETURN(Shape s, adaptive_shape(in[0], attrs));
  return Types{TensorType{in[0].dtype, s}, TensorType{DType::kI64, s}};
}

}  // namespace kiln::ir
