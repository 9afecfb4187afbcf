// Conformance cases: pad, conv_transpose, unfold, fold, upsample (Layers I).
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

namespace {

// A one-node graph: `inputs` and `params` are declaration lines without the leading keyword.
std::string Graph(const std::string& decls, const std::string& node) {
  return "graph g {\n" + decls + "  %0 = " + node + "\n  output out = %0\n}\n";
}

}  // namespace

void AddSpatialCases(std::vector<Case>& cases) {
  cases.push_back({"pad_reflect_2d", Graph("  input %x : f32[N,3,5,6]\n",
                                           "pad(%x) {mode=\"reflect\", pads=[2,1,0,3]} : f32[N,3,8,9]"),
                   {{"N", 2}}});
  cases.push_back({"pad_constant_crop_1d", Graph("  input %x : f32[N,2,7]\n",
                                                 "pad(%x) {mode=\"constant\", pads=[-2,3], value=1.5} : f32[N,2,8]"),
                   {{"N", 2}}});
  cases.push_back({"pad_replicate_2d_crop", Graph("  input %x : f32[N,2,4,4]\n",
                                                  "pad(%x) {mode=\"replicate\", pads=[1,1,2,-1]} : f32[N,2,5,6]"),
                   {{"N", 2}}});
  cases.push_back({"pad_circular_3d", Graph("  input %x : f32[N,2,3,4,5]\n",
                                            "pad(%x) {mode=\"circular\", pads=[1,2,-1,1,0,2]} : f32[N,2,5,4,8]"),
                   {{"N", 2}}});
  cases.push_back({"conv_transpose2d_groups_output_padding",
                   Graph("  input %x : f32[N,4,5,4]\n  param %w : f32[4,3,3,2]\n  param %b : f32[6]\n",
                         "conv_transpose(%x, %w, %b) {dilation=[1,2], groups=2, output_padding=[1,0], padding=[1,0], "
                         "stride=[2,1]} : f32[N,6,10,6]"),
                   {{"N", 2}}});
  // groups 1, 2-d: the CPU backend's GEMM + col2im route (bias folded into the col2im).
  cases.push_back({"conv_transpose2d_gemm_bias",
                   Graph("  input %x : f32[N,5,6,5]\n  param %w : f32[5,7,3,4]\n  param %b : f32[7]\n",
                         "conv_transpose(%x, %w, %b) {dilation=[2,1], groups=1, output_padding=[1,2], padding=[1,2], "
                         "stride=[2,3]} : f32[N,7,14,14]"),
                   {{"N", 2}}});
  cases.push_back({"conv_transpose2d_gemm_stride_gt_kernel",
                   Graph("  input %x : f32[N,3,4,3]\n  param %w : f32[3,4,2,2]\n",
                         "conv_transpose(%x, %w) {dilation=[1,1], groups=1, output_padding=[0,1], padding=[0,0], "
                         "stride=[3,3]} : f32[N,4,11,9]"),
                   {{"N", 3}}});
  cases.push_back({"conv_transpose1d_stride_gt_kernel",
                   Graph("  input %x : f32[N,3,7]\n  param %w : f32[3,2,2]\n",
                         "conv_transpose(%x, %w) {dilation=[1], groups=1, output_padding=[2], padding=[1], stride=[3]} "
                         ": f32[N,2,20]"),
                   {{"N", 2}}});
  cases.push_back({"conv_transpose3d",
                   Graph("  input %x : f32[N,2,2,3,2]\n  param %w : f32[2,2,2,2,2]\n",
                         "conv_transpose(%x, %w) {dilation=[1,1,1], groups=1, output_padding=[0,1,0], padding=[0,0,0], "
                         "stride=[1,2,1]} : f32[N,2,3,7,3]"),
                   {{"N", 2}}});
  cases.push_back({"unfold_2d", Graph("  input %x : f32[N,3,6,5]\n",
                                      "unfold(%x) {dilation=[2,1], kernel_size=[2,3], padding=[1,0], stride=[2,1]} "
                                      ": f32[N,18,9]"),
                   {{"N", 2}}});
  cases.push_back({"fold_2d", Graph("  input %x : f32[N,12,10]\n",
                                    "fold(%x) {dilation=[1,1], kernel_size=[2,2], output_size=[4,5], padding=[1,0], "
                                    "stride=[1,2]} : f32[N,3,4,5]"),
                   {{"N", 2}}});
  cases.push_back({"upsample_nearest_2d_scales", Graph("  input %x : f32[N,2,5,4]\n",
                                                       "upsample(%x) {mode=\"nearest\", scales=[1.7,1.5], sizes=[8,6]} "
                                                       ": f32[N,2,8,6]"),
                   {{"N", 2}}});
  cases.push_back({"upsample_bilinear_align_corners", Graph("  input %x : f32[N,2,3,4]\n",
                                                            "upsample(%x) {align_corners=true, mode=\"linear\", "
                                                            "sizes=[5,7]} : f32[N,2,5,7]"),
                   {{"N", 2}}});
  cases.push_back({"upsample_trilinear", Graph("  input %x : f32[N,1,2,3,4]\n",
                                               "upsample(%x) {mode=\"linear\", sizes=[3,5,4]} : f32[N,1,3,5,4]"),
                   {{"N", 2}}});
  cases.push_back({"upsample_nearest_exact_1d", Graph("  input %x : f32[N,3,7]\n",
                                                      "upsample(%x) {mode=\"nearest_exact\", sizes=[4]} : f32[N,3,4]"),
                   {{"N", 2}}});
}

}  // namespace kiln::conformance
