// Shape rules of the channels-last ops (ops.def "layout"): each is its channels-first op's
// rule seen through the permutes NHWC -> NCHW on the operand and NCHW -> NHWC on the result,
// so the two can never disagree. Also the fused conv / linear of the fuse-epilogue pass: the
// rule of the op they wrap, plus the epilogue's own operands and attributes.
#include "ir/shape_rules.h"

namespace kiln::ir {
namespace {

using Types = std::vector<TensorType>;

TensorType Permuted(const TensorType& t, const std::vector<int>& perm) {
  std::vector<Dim> dims;
  for (int p : perm) dims.push_back(t.shape.dim(p));
  return TensorType{t.dtype, Shape(dims)};
}

const std::vector<int> kToNchw = {0, 3, 1, 2};
const std::vector<int> kToNhwc = {0, 2, 3, 1};

StatusOr<Types> ThroughNchw(const Types& in, const Attrs& attrs,
                            StatusOr<Types> (*rule)(const Types&, const Attrs&)) {
  if (in[0].shape.rank() != 4) {
    return InvalidArgument("expects a channels-last 4-d operand x[N, H, W, C], got " + in[0].str());
  }
  Types nchw = in;
  nchw[0] = Permuted(in[0], kToNchw);
  KILN_ASSIGN_OR_RETURN(Types out, rule(nchw, attrs));
  out[0] = Permuted(out[0], kToNhwc);
  return out;
}

}  // namespace

StatusOr<Types> infer_conv_nhwc(const Types& in, const Attrs& attrs) { return ThroughNchw(in, attrs, infer_conv); }
StatusOr<Types> infer_max_pool_nhwc(const Types& in, const Attrs& attrs) {
  if (attrs.ints("kernel_size").size() != 2) {
    return InvalidArgument("max_pool_nhwc pools 2 spatial dims, got kernel_size of " +
                           std::to_string(attrs.ints("kernel_size").size()));
  }
  return ThroughNchw(in, attrs, infer_pool);
}

namespace {

Status CheckActivation(const Attrs& attrs) {
  const std::string& act = attrs.s("activation");
  if (act != "none" && act != "relu" && act != "clamp") {
    return InvalidArgument("activation must be none, relu or clamp, got '" + act + "'");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Types> infer_fused_conv(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(CheckActivation(attrs));
  const std::string& layout = attrs.s("layout");
  if (layout != "NCHW" && layout != "NHWC") return InvalidArgument("layout must be NCHW or NHWC, got '" + layout + "'");
  size_t expected = 2 + (attrs.b("has_bias") ? 1 : 0) + (attrs.b("has_residual") ? 1 : 0);
  if (in.size() != expected) {
    return InvalidArgument("expects " + std::to_string(expected) + " operands (x, weight" +
                           (attrs.b("has_bias") ? ", bias" : "") + (attrs.b("has_residual") ? ", residual" : "") +
                           "), got " + std::to_string(in.size()));
  }
  Types conv(in.begin(), in.begin() + (attrs.b("has_bias") ? 3 : 2));
  KILN_ASSIGN_OR_RETURN(Types out, layout == "NHWC" ? infer_conv_nhwc(conv, attrs) : infer_conv(conv, attrs));
  if (attrs.b("has_residual") && in.back() != out[0]) {
    return InvalidArgument("residual " + in.back().str() + " must have the result's type " + out[0].str());
  }
  return out;
}

StatusOr<Types> infer_fused_linear(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(CheckActivation(attrs));
  return infer_linear(in, attrs);
}

}  // namespace kiln::ir
