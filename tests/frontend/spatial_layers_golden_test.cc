// Golden parity of the Layers I padding / ConvTranspose / Fold / Unfold / PixelShuffle /
// Upsample layers and the Conv padding modes with torch.nn: for every case of
// tests/golden/layers/spatial_*.safetensors (tests/golden/gen_spatial_layers.py) build the same
// module, check torch's repr and state_dict keys, load torch's state_dict, and compare the
// output eagerly and through kiln::trace (symbolic batch N, static shapes for unbatched cases)
// + the reference backend.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "frontend/nn.h"
#include "tests/frontend/layer_golden_util.h"

namespace {

using namespace kiln;                // NOLINT
using namespace kiln::layer_golden;  // NOLINT

// ConvTranspose2d whose forward passes an output_size (torch: m(x, output_size=[10, 9])).
class ConvTranspose2dWithSize : public nn::ConvTranspose2dImpl {
 public:
  ConvTranspose2dWithSize(const nn::ConvTranspose2dOptions& o, std::vector<int64_t> size)
      : nn::ConvTranspose2dImpl(o), size_(std::move(size)) {}
  Tensor forward(const Tensor& x) override { return nn::ConvTranspose2dImpl::forward(x, size_); }

 private:
  std::vector<int64_t> size_;
};

template <typename Holder>
nn::ModulePtr P(Holder h) {
  return h.ptr();
}

using nn::UpsampleOptions;
using UO = nn::UpsampleOptions;

// Mirrors CASES of tests/golden/gen_spatial_layers.py (names without the spatial_ prefix).
std::vector<LayerCase> Cases() {
  return {
      {"reflectionpad1d", [] { return P(nn::ReflectionPad1d(2)); }},
      {"reflectionpad1d_crop", [] { return P(nn::ReflectionPad1d(nn::ReflectionPad1dOptions({-1, 3}))); }},
      {"reflectionpad2d", [] { return P(nn::ReflectionPad2d(nn::ReflectionPad2dOptions({1, 0, 2, 1}))); }},
      {"reflectionpad2d_unbatched", [] { return P(nn::ReflectionPad2d(1)); }},
      {"reflectionpad3d", [] { return P(nn::ReflectionPad3d(1)); }},
      {"replicationpad1d", [] { return P(nn::ReplicationPad1d(nn::ReplicationPad1dOptions({3, 1}))); }},
      {"replicationpad2d_crop", [] { return P(nn::ReplicationPad2d(nn::ReplicationPad2dOptions({2, -1, -1, 2}))); }},
      {"replicationpad2d_1x1", [] { return P(nn::ReplicationPad2d(2)); }},
      {"replicationpad3d", [] { return P(nn::ReplicationPad3d(nn::ReplicationPad3dOptions({1, 2, 0, 1, 2, 0}))); }},
      {"zeropad2d", [] { return P(nn::ZeroPad2d(2)); }},
      {"zeropad2d_crop", [] { return P(nn::ZeroPad2d(nn::ExpandingArray<4>({1, -1, 2, 0}))); }},
      {"constantpad1d", [] { return P(nn::ConstantPad1d(2, 3.5)); }},
      {"constantpad2d_crop", [] { return P(nn::ConstantPad2d(nn::ConstantPad2dOptions({1, 2, -1, 0}, -1.0))); }},
      {"constantpad3d", [] { return P(nn::ConstantPad3d(1, 0.5)); }},
      {"conv2d_reflect", [] { return P(nn::Conv2d(nn::Conv2dOptions(2, 3, 3).padding(1).padding_mode("reflect"))); }},
      {"conv1d_circular_stride",
       [] { return P(nn::Conv1d(nn::Conv1dOptions(2, 3, 3).stride(2).padding(2).padding_mode("circular"))); }},
      {"conv2d_replicate_same_even",
       [] { return P(nn::Conv2d(nn::Conv2dOptions(2, 2, {4, 3}).padding("same").padding_mode("replicate"))); }},
      {"conv2d_zeros_same_asymmetric",
       [] { return P(nn::Conv2d(nn::Conv2dOptions(2, 2, {4, 2}).padding("same").dilation({1, 3}))); }},
      {"conv3d_circular", [] { return P(nn::Conv3d(nn::Conv3dOptions(1, 2, 3).padding(1).padding_mode("circular"))); }},
      {"conv2d_reflect_unbatched",
       [] { return P(nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding({1, 2}).padding_mode("reflect"))); }},
      {"convtranspose2d_basic", [] { return P(nn::ConvTranspose2d(3, 4, 3)); }},
      {"convtranspose2d_groups_outpad",
       [] {
         return P(nn::ConvTranspose2d(
             nn::ConvTranspose2dOptions(4, 6, {3, 2}).stride(2).padding(1).output_padding(1).groups(2).bias(false).dilation(2)));
       }},
      {"convtranspose2d_depthwise",
       [] { return P(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(4, 4, 3).stride(2).groups(4))); }},
      {"convtranspose2d_stride_gt_kernel",
       [] { return P(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 3, {2, 1}).stride({3, 4}))); }},
      {"convtranspose2d_1x1", [] { return P(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 2, 3).padding(1))); }},
      {"convtranspose2d_output_size",
       [] {
         return nn::ModulePtr(
             std::make_shared<ConvTranspose2dWithSize>(nn::ConvTranspose2dOptions(2, 3, 3).stride(2), std::vector<int64_t>{10, 9}));
       }},
      {"convtranspose1d",
       [] { return P(nn::ConvTranspose1d(nn::ConvTranspose1dOptions(3, 2, 4).stride(3).padding(2).output_padding(2))); }},
      {"convtranspose1d_dilation",
       [] { return P(nn::ConvTranspose1d(nn::ConvTranspose1dOptions(2, 2, 3).dilation(3).padding(1).output_padding(2))); }},
      {"convtranspose1d_unbatched", [] { return P(nn::ConvTranspose1d(nn::ConvTranspose1dOptions(2, 3, 2).stride(2))); }},
      {"convtranspose3d",
       [] {
         return P(nn::ConvTranspose3d(nn::ConvTranspose3dOptions(2, 3, {2, 3, 2}).stride({1, 2, 2}).padding({0, 1, 0})));
       }},
      {"unfold", [] { return P(nn::Unfold(3)); }},
      {"unfold_dilation_pad_stride",
       [] { return P(nn::Unfold(nn::UnfoldOptions({2, 3}).dilation(2).padding({1, 0}).stride(2))); }},
      {"unfold_unbatched", [] { return P(nn::Unfold(2)); }},
      {"fold", [] { return P(nn::Fold(4, 2)); }},
      {"fold_overlap_pad_stride", [] { return P(nn::Fold(nn::FoldOptions({5, 6}, {2, 3}).padding(1).stride({1, 2}))); }},
      {"fold_dilation", [] { return P(nn::Fold(nn::FoldOptions(5, 2).dilation(2).stride(2))); }},
      {"fold_unbatched", [] { return P(nn::Fold(nn::FoldOptions({3, 3}, 2))); }},
      {"pixelshuffle", [] { return P(nn::PixelShuffle(2)); }},
      {"pixelshuffle_5d", [] { return P(nn::PixelShuffle(3)); }},
      {"pixelunshuffle", [] { return P(nn::PixelUnshuffle(2)); }},
      {"upsample_nearest_x2", [] { return P(nn::Upsample(UO().scale_factor(2))); }},
      {"upsample_nearest_nonint", [] { return P(nn::Upsample(UO().scale_factor(1.7))); }},
      {"upsample_nearest_size", [] { return P(nn::Upsample(UO().size({4, 9}))); }},
      {"upsample_nearest_1d", [] { return P(nn::Upsample(UO().scale_factor(2.5))); }},
      {"upsample_nearest_3d_recompute",
       [] { return P(nn::Upsample(UO().scale_factor({1.5, 2, 0.7}).recompute_scale_factor(true))); }},
      {"upsample_nearest_exact", [] { return P(nn::Upsample(UO().scale_factor(1.6).mode("nearest-exact"))); }},
      {"upsample_linear", [] { return P(nn::Upsample(UO().scale_factor(2.5).mode("linear"))); }},
      {"upsample_linear_align", [] { return P(nn::Upsample(UO().size(7).mode("linear").align_corners(true))); }},
      {"upsample_bilinear", [] { return P(nn::Upsample(UO().scale_factor({2, 1.5}).mode("bilinear"))); }},
      {"upsample_bilinear_down", [] { return P(nn::Upsample(UO().size({2, 3}).mode("bilinear"))); }},
      {"upsample_bilinear_align_nonint",
       [] { return P(nn::Upsample(UO().scale_factor(1.3).mode("bilinear").align_corners(true))); }},
      {"upsample_bilinear_1x1", [] { return P(nn::Upsample(UO().scale_factor(3).mode("bilinear"))); }},
      {"upsample_trilinear", [] { return P(nn::Upsample(UO().scale_factor({1.5, 2, 1}).mode("trilinear"))); }},
      {"upsample_trilinear_align",
       [] { return P(nn::Upsample(UO().size({3, 1, 4}).mode("trilinear").align_corners(true))); }},
      {"upsamplingnearest2d", [] { return P(nn::UpsamplingNearest2d(UO().scale_factor(2))); }},
      {"upsamplingbilinear2d", [] { return P(nn::UpsamplingBilinear2d(UO().size({5, 4}))); }},
  };
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

TEST_CASE("Layers I (padding, ConvTranspose, Fold, PixelShuffle, Upsample) match torch.nn", "[layers][golden]") {
  for (const LayerCase& c : Cases()) {
    SECTION(c.name) {
      std::string name = "spatial_" + c.name;
      ir::SafetensorsFile file = LoadCase(name, name);
      nn::ModulePtr m = c.make();
      CHECK(m->repr() == file.metadata["repr"]);
      LoadState(*m, file);
      m->eval();
      CheckEagerAndTraced(*m, file.tensors.at("input"), file.tensors.at("expected"), name,
                          !EndsWith(c.name, "_unbatched"));
    }
  }
}
