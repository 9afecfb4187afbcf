// kiln::nn::functional (F::) for padding, transposed convolution, fold/unfold, pixel shuffle
// and interpolation, as torch.nn.functional in torch 1.13 (same argument order, defaults and
// checks; errors are kiln::Error naming the function).
//
// IR: pad -> `pad`; conv_transposeNd -> `conv_transpose`; unfold -> `unfold`; fold -> `fold`;
// interpolate -> `upsample`. pixel_shuffle / pixel_unshuffle are decompositions:
// reshape [*, C, r, r, H, W] -> permute -> reshape [*, C, H*r, W*r] (and the inverse).
// Unbatched inputs are accepted where torch accepts them (they are unsqueezed to batch 1 and
// squeezed back). The batch dim may be symbolic; channel and spatial dims must be static.
//
// Differences from torch 1.13, on purpose:
// - pad(mode="circular") with negative entries: kiln errors where the wrap would read more than
//   the cropped extent (torch reads uninitialized memory there);
// - interpolate: modes "bicubic" and "area" and antialias=true are not supported yet (errors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/functional.h"  // the F alias
#include "frontend/tensor.h"

namespace kiln::nn {

/// Options of F::interpolate and nn::Upsample: size or scale_factor (one value for every
/// spatial dim, or one per dim), mode ("nearest", "nearest-exact", "linear", "bilinear",
/// "trilinear"), align_corners (linear modes; None = false), recompute_scale_factor.
struct InterpolateFuncOptions {
  /// One output size for every spatial dim (Python's int); prints as "5".
  InterpolateFuncOptions& size(int64_t s) {
    size_ = std::vector<int64_t>{s};
    size_scalar_ = true;
    return *this;
  }
  /// One output size per spatial dim (Python's tuple); prints as "(4, 5)".
  InterpolateFuncOptions& size(const std::vector<int64_t>& s) {
    size_ = s;
    size_scalar_ = false;
    return *this;
  }
  InterpolateFuncOptions& size(std::nullopt_t) {
    size_.reset();
    return *this;
  }
  /// One scale factor for every spatial dim (Python's float); prints as "2.0".
  InterpolateFuncOptions& scale_factor(double s) {
    scale_factor_ = std::vector<double>{s};
    scale_scalar_ = true;
    return *this;
  }
  /// One scale factor per spatial dim (Python's tuple); prints as "(2.0, 1.5)".
  InterpolateFuncOptions& scale_factor(const std::vector<double>& s) {
    scale_factor_ = s;
    scale_scalar_ = false;
    return *this;
  }
  InterpolateFuncOptions& scale_factor(std::nullopt_t) {
    scale_factor_.reset();
    return *this;
  }
  const std::optional<std::vector<int64_t>>& size() const { return size_; }
  const std::optional<std::vector<double>>& scale_factor() const { return scale_factor_; }
  bool size_is_scalar() const { return size_scalar_; }
  bool scale_factor_is_scalar() const { return scale_scalar_; }

  KILN_ARG(std::string, mode) = "nearest";
  KILN_ARG(std::optional<bool>, align_corners) = std::nullopt;
  KILN_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
  KILN_ARG(bool, antialias) = false;

 private:
  std::optional<std::vector<int64_t>> size_;
  std::optional<std::vector<double>> scale_factor_;
  bool size_scalar_ = false, scale_scalar_ = false;
};

namespace functional {

/// torch.nn.functional.pad: `pad` = (last dim left, right, next-to-last left, right, ...);
/// negative entries crop. mode "constant" (any rank, fills `value`), "reflect", "replicate"
/// (1-3 padded dims on an input with one or two more dims) or "circular" (batched only).
Tensor pad(const Tensor& input, const std::vector<int64_t>& pad, const std::string& mode = "constant",
           double value = 0);

/// Transposed convolution; weight [in_channels, out_channels/groups, *kernel]. Note torch's
/// argument order: groups comes before dilation.
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        ExpandingArray<1> stride = 1, ExpandingArray<1> padding = 0,
                        ExpandingArray<1> output_padding = 0, int64_t groups = 1, ExpandingArray<1> dilation = 1);
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        ExpandingArray<2> stride = 1, ExpandingArray<2> padding = 0,
                        ExpandingArray<2> output_padding = 0, int64_t groups = 1, ExpandingArray<2> dilation = 1);
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        ExpandingArray<3> stride = 1, ExpandingArray<3> padding = 0,
                        ExpandingArray<3> output_padding = 0, int64_t groups = 1, ExpandingArray<3> dilation = 1);

/// im2col of [N, C, H, W] (or unbatched [C, H, W]) -> [N, C*kh*kw, L].
Tensor unfold(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> dilation = 1,
              ExpandingArray<2> padding = 0, ExpandingArray<2> stride = 1);
/// col2im of [N, C*kh*kw, L] (or unbatched [C*kh*kw, L]) -> [N, C, *output_size], summing overlaps.
Tensor fold(const Tensor& input, ExpandingArray<2> output_size, ExpandingArray<2> kernel_size,
            ExpandingArray<2> dilation = 1, ExpandingArray<2> padding = 0, ExpandingArray<2> stride = 1);

/// [*, C*r*r, H, W] -> [*, C, H*r, W*r] and back.
Tensor pixel_shuffle(const Tensor& input, int64_t upscale_factor);
Tensor pixel_unshuffle(const Tensor& input, int64_t downscale_factor);

/// torch.nn.functional.interpolate on [N, C, *spatial] with 1-3 spatial dims. With a
/// scale_factor the output size is floor(in * scale_factor), and (unless
/// recompute_scale_factor) the coordinate transform uses 1/scale_factor, as torch.
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

}  // namespace functional

}  // namespace kiln::nn
