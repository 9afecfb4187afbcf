// Conformance cases: matmul, linear, conv, max_pool, avg_pool.
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

void AddLinalgConvCases(std::vector<Case>& cases) {
  cases.push_back({"matmul_batched_broadcast",
                   "graph g {\n  input %a : f32[N,1,4,6]\n  input %b : f32[3,6,5]\n"
                   "  %0 = matmul(%a, %b) : f32[N,3,4,5]\n  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"linear_bias",
                   "graph g {\n  input %x : f32[N,7]\n  param %w : f32[5,7]\n  param %b : f32[5]\n"
                   "  %0 = linear(%x, %w, %b) : f32[N,5]\n  output out = %0\n}\n",
                   {{"N", 3}}});
  cases.push_back({"linear_3d_nobias",
                   "graph g {\n  input %x : f32[N,2,7]\n  param %w : f32[5,7]\n"
                   "  %0 = linear(%x, %w) : f32[N,2,5]\n  output out = %0\n}\n",
                   {{"N", 3}}});
  cases.push_back({"conv2d_stride_pad_dilation",
                   "graph g {\n  input %x : f32[N,4,9,8]\n  param %w : f32[6,4,3,3]\n  param %b : f32[6]\n"
                   "  %0 = conv(%x, %w, %b) {dilation=[2,1], groups=1, padding=[1,2], stride=[2,1]} : f32[N,6,4,10]\n"
                   "  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"conv2d_depthwise",
                   "graph g {\n  input %x : f32[N,4,7,7]\n  param %w : f32[8,1,3,3]\n"
                   "  %0 = conv(%x, %w) {dilation=[1,1], groups=4, padding=[1,1], stride=[1,1]} : f32[N,8,7,7]\n"
                   "  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"conv1d",
                   "graph g {\n  input %x : f32[N,3,11]\n  param %w : f32[2,3,4]\n"
                   "  %0 = conv(%x, %w) {dilation=[1], groups=1, padding=[0], stride=[3]} : f32[N,2,3]\n"
                   "  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"max_pool2d_ceil",
                   "graph g {\n  input %x : f32[N,3,7,6]\n"
                   "  %0 = max_pool(%x) {ceil_mode=true, dilation=[1,1], kernel_size=[3,2], padding=[1,0], stride=[2,2]} : f32[N,3,4,3]\n"
                   "  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"avg_pool2d_exclude_pad",
                   "graph g {\n  input %x : f32[N,3,7,6]\n"
                   "  %0 = avg_pool(%x) {ceil_mode=true, count_include_pad=false, divisor_override=0, kernel_size=[3,3], padding=[1,1], stride=[2,2]} : f32[N,3,4,4]\n"
                   "  output out = %0\n}\n",
                   {{"N", 2}}});
}

}  // namespace kiln::conformance
