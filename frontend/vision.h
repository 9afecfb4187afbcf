// nn::Unfold, nn::Fold, nn::PixelShuffle, nn::PixelUnshuffle, nn::Upsample,
// nn::UpsamplingNearest2d, nn::UpsamplingBilinear2d, as torch.nn's in torch 1.13 (arguments,
// defaults, reprs; none has parameters). Each forward is the F:: function of
// frontend/functional_spatial.h.
//
// Reprs print sizes as given: "Unfold(kernel_size=3, dilation=1, padding=0, stride=1)",
// "Fold(output_size=(4, 5), kernel_size=(2, 3), ...)", "Upsample(scale_factor=2.0, mode=nearest)",
// "Upsample(size=(4, 5), mode=bilinear)".
#pragma once

#include <cstdint>
#include <string>

#include "frontend/expanding_array.h"
#include "frontend/functional_spatial.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of Unfold: kernel_size, dilation (1), padding (0), stride (1).
struct UnfoldOptions {
  UnfoldOptions(ExpandingArray<2> kernel_size) : kernel_size_(kernel_size) {}  // NOLINT
  KILN_ARG(ExpandingArray<2>, kernel_size);
  KILN_ARG(ExpandingArray<2>, dilation) = 1;
  KILN_ARG(ExpandingArray<2>, padding) = 0;
  KILN_ARG(ExpandingArray<2>, stride) = 1;
};

/// Extracts sliding blocks: [N, C, H, W] -> [N, C*kh*kw, L] (IR op `unfold`).
class UnfoldImpl : public Module {
 public:
  explicit UnfoldImpl(ExpandingArray<2> kernel_size) : UnfoldImpl(UnfoldOptions(kernel_size)) {}
  explicit UnfoldImpl(const UnfoldOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  UnfoldOptions options;
};
KILN_MODULE(Unfold);

/// Options of Fold: output_size, kernel_size, dilation (1), padding (0), stride (1).
struct FoldOptions {
  FoldOptions(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size)
      : output_size_(output_size), kernel_size_(kernel_size) {}
  KILN_ARG(ExpandingArray<2>, output_size);
  KILN_ARG(ExpandingArray<2>, kernel_size);
  KILN_ARG(ExpandingArray<2>, dilation) = 1;
  KILN_ARG(ExpandingArray<2>, padding) = 0;
  KILN_ARG(ExpandingArray<2>, stride) = 1;
};

/// Combines sliding blocks, summing overlaps: [N, C*kh*kw, L] -> [N, C, *output_size] (IR op `fold`).
class FoldImpl : public Module {
 public:
  FoldImpl(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size)
      : FoldImpl(FoldOptions(output_size, kernel_size)) {}
  explicit FoldImpl(const FoldOptions& options);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  FoldOptions options;
};
KILN_MODULE(Fold);

/// [*, C*r*r, H, W] -> [*, C, H*r, W*r] (a reshape/permute/reshape decomposition).
class PixelShuffleImpl : public Module {
 public:
  explicit PixelShuffleImpl(int64_t upscale_factor);
  Tensor forward(const Tensor& input) override;
  /// "upscale_factor=2".
  std::string extra_repr() const override;
  int64_t upscale_factor;
};
KILN_MODULE(PixelShuffle);

/// [*, C, H*r, W*r] -> [*, C*r*r, H, W], the inverse of PixelShuffle.
class PixelUnshuffleImpl : public Module {
 public:
  explicit PixelUnshuffleImpl(int64_t downscale_factor);
  Tensor forward(const Tensor& input) override;
  /// "downscale_factor=3".
  std::string extra_repr() const override;
  int64_t downscale_factor;
};
KILN_MODULE(PixelUnshuffle);

/// Upsample's options are F::interpolate's: size or scale_factor, mode ("nearest"),
/// align_corners, recompute_scale_factor.
using UpsampleOptions = InterpolateFuncOptions;

/// Resizes [N, C, *spatial] with F::interpolate (IR op `upsample`). As torch, the options are
/// checked when forward runs (Upsample() constructs, and fails on the first call).
class UpsampleImpl : public Module {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options = {}) : UpsampleImpl(options, "Upsample") {}
  Tensor forward(const Tensor& input) override;
  /// "scale_factor=2.0, mode=nearest", "size=(4, 5), mode=bilinear", "size=None, mode=nearest".
  std::string extra_repr() const override;
  UpsampleOptions options;

 protected:
  UpsampleImpl(const UpsampleOptions& options, const std::string& type_name);
};
KILN_MODULE(Upsample);

/// Upsample with mode "nearest" (its size / scale_factor are taken from the options; the mode is forced).
class UpsamplingNearest2dImpl : public UpsampleImpl {
 public:
  explicit UpsamplingNearest2dImpl(const UpsampleOptions& options = {});
};
KILN_MODULE(UpsamplingNearest2d);

/// Upsample with mode "bilinear" and align_corners=true.
class UpsamplingBilinear2dImpl : public UpsampleImpl {
 public:
  explicit UpsamplingBilinear2dImpl(const UpsampleOptions& options = {});
};
KILN_MODULE(UpsamplingBilinear2d);

}  // namespace kiln::nn
