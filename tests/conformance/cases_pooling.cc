// Conformance cases of the pooling ops of issue 4: max_pool_with_indices, max_unpool,
// fractional_max_pool, adaptive_avg_pool, adaptive_max_pool.
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

void AddPoolingCases(std::vector<Case>& cases) {
  // Indices come from the pool inside the graph, so max_unpool always gets valid ones.
  cases.push_back({"max_pool2d_indices_unpool_ceil",
                   "graph g {\n  input %x : f32[N,3,7,6]\n"
                   "  %0, %1 = max_pool_with_indices(%x) {ceil_mode=true, dilation=[1,1], kernel_size=[3,2], "
                   "padding=[1,0], stride=[2,2]} : f32[N,3,4,3], i64[N,3,4,3]\n"
                   "  %2 = max_unpool(%0, %1) {output_size=[7,6]} : f32[N,3,7,6]\n"
                   "  output values = %0\n  output indices = %1\n  output unpooled = %2\n}\n",
                   {{"N", 2}}});
  cases.push_back({"max_pool3d_indices_dilation",
                   "graph g {\n  input %x : f32[N,2,5,6,7]\n"
                   "  %0, %1 = max_pool_with_indices(%x) {ceil_mode=false, dilation=[2,1,1], kernel_size=[2,2,2], "
                   "padding=[1,0,1], stride=[1,2,2]} : f32[N,2,5,3,4], i64[N,2,5,3,4]\n"
                   "  %2 = max_unpool(%0, %1) {output_size=[5,6,7]} : f32[N,2,5,6,7]\n"
                   "  output values = %0\n  output indices = %1\n  output unpooled = %2\n}\n",
                   {{"N", 1}}});
  Case fractional{"fractional_max_pool2d",
                  "graph g {\n  input %x : f32[N,3,9,8]\n  input %s : f32[N,3,2]\n"
                  "  %0, %1 = fractional_max_pool(%x, %s) {kernel_size=[2,3], output_size=[4,3]} : f32[N,3,4,3], "
                  "i64[N,3,4,3]\n"
                  "  output values = %0\n  output indices = %1\n}\n",
                  {{"N", 2}}};
  fractional.low = 0.0;  // the samples must lie in [0, 1)
  fractional.high = 1.0;
  cases.push_back(fractional);
  cases.push_back({"adaptive_avg_pool2d_uneven",
                   "graph g {\n  input %x : f32[N,3,10,7]\n"
                   "  %0 = adaptive_avg_pool(%x) {output_size=[4,3]} : f32[N,3,4,3]\n  output out = %0\n}\n",
                   {{"N", 2}}});
  cases.push_back({"adaptive_avg_pool1d_symbolic_length",
                   "graph g {\n  input %x : f32[N,3,L]\n"
                   "  %0 = adaptive_avg_pool(%x) {output_size=[4]} : f32[N,3,4]\n  output out = %0\n}\n",
                   {{"N", 2}, {"L", 11}}});
  cases.push_back({"adaptive_max_pool3d",
                   "graph g {\n  input %x : f32[N,2,5,7,3]\n"
                   "  %0, %1 = adaptive_max_pool(%x) {output_size=[2,3,2]} : f32[N,2,2,3,2], i64[N,2,2,3,2]\n"
                   "  output values = %0\n  output indices = %1\n}\n",
                   {{"N", 2}}});
}

}  // namespace kiln::conformance
