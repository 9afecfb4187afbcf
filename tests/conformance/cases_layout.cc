// Conformance cases: the channels-last ops the layout pass introduces (conv_nhwc: groups 1
// with stride / padding / dilation / bias and channel counts off the vector width, depthwise
// with a residual-free epilogue; max_pool_nhwc with padding, dilation and ceil_mode).
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

void AddLayoutCases(std::vector<Case>& cases) {
  cases.push_back({"conv_nhwc_stride_pad_dilation",
                   "graph g {\n  input %x : f32[N,9,11,5]\n  param %w : f32[19,5,3,3]\n  param %b : f32[19]\n"
                   "  %0 = conv_nhwc(%x, %w, %b) {dilation=[2,1], groups=1, padding=[1,2], stride=[2,1]} : f32[N,4,13,19]\n"
                   "  output y = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"conv_nhwc_1x1_wide",
                   "graph g {\n  input %x : f32[N,6,7,24]\n  param %w : f32[40,24,1,1]\n"
                   "  %0 = conv_nhwc(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,6,7,40]\n"
                   "  output y = %0\n}\n",
                   {{"N", 3}}});
  cases.push_back({"conv_nhwc_depthwise",
                   "graph g {\n  input %x : f32[N,10,9,21]\n  param %w : f32[21,1,3,3]\n  param %b : f32[21]\n"
                   "  %0 = conv_nhwc(%x, %w, %b) {dilation=[1,1], groups=21, padding=[1,1], stride=[2,2]} : f32[N,5,5,21]\n"
                   "  output y = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"max_pool_nhwc",
                   "graph g {\n  input %x : f32[N,9,10,18]\n"
                   "  %0 = max_pool_nhwc(%x) {ceil_mode=true, dilation=[1,2], kernel_size=[3,2], padding=[1,1], stride=[2,2]} : f32[N,5,6,18]\n"
                   "  output y = %0\n}\n",
                   {{"N", 2}}});
}

}  // namespace kiln::conformance
