// Conformance cases: the fused conv / linear nodes of the fuse-epilogue pass written out
// (channels-first and channels-last, bias / residual / relu / clamp), against the reference's
// unfused order: conv + bias, + residual, activation.
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

void AddFusionOpCases(std::vector<Case>& cases) {
  cases.push_back({"fused_conv_nchw_bias_residual_relu",
                   "graph g {\n  input %x : f32[N,6,9,8]\n  input %r : f32[N,10,9,8]\n  param %w : f32[10,6,3,3]\n"
                   "  param %b : f32[10]\n"
                   "  %0 = fused_conv(%x, %w, %b, %r) {activation=\"relu\", dilation=[1,1], groups=1, has_bias=true, "
                   "has_residual=true, layout=\"NCHW\", padding=[1,1], stride=[1,1]} : f32[N,10,9,8]\n"
                   "  output y = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"fused_conv_nhwc_clamp",
                   "graph g {\n  input %x : f32[N,9,8,5]\n  param %w : f32[7,5,3,3]\n"
                   "  %0 = fused_conv(%x, %w) {activation=\"clamp\", dilation=[1,1], groups=1, layout=\"NHWC\", "
                   "max=1.5, min=-0.5, padding=[1,1], stride=[2,2]} : f32[N,5,4,7]\n"
                   "  output y = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"fused_conv_nhwc_depthwise_residual",
                   "graph g {\n  input %x : f32[N,7,7,12]\n  param %w : f32[12,1,3,3]\n  param %b : f32[12]\n"
                   "  %0 = fused_conv(%x, %w, %b, %x) {activation=\"none\", dilation=[1,1], groups=12, has_bias=true, "
                   "has_residual=true, layout=\"NHWC\", padding=[1,1], stride=[1,1]} : f32[N,7,7,12]\n"
                   "  output y = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"fused_linear_relu",
                   "graph g {\n  input %x : f32[N,3,20]\n  param %w : f32[9,20]\n  param %b : f32[9]\n"
                   "  %0 = fused_linear(%x, %w, %b) {activation=\"relu\"} : f32[N,3,9]\n  output y = %0\n}\n",
                   {{"N", 3}}});
}

}  // namespace kiln::conformance
