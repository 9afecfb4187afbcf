#include "frontend/vision.h"

namespace kiln::nn {

namespace {

void check_sizes(const std::string& type, const char* what, const ExpandingArray<2>& v, int64_t min) {
  for (size_t i = 0; i < 2; ++i) {
    if (v[i] < min) {
      throw Error(type + ": " + what + " must be " + (min == 0 ? "non-negative" : "greater than zero") + ", got " +
                  v.repr());
    }
  }
}

std::string floats_repr(const std::vector<double>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + py_float(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

}  // namespace

UnfoldImpl::UnfoldImpl(const UnfoldOptions& options_) : Module("Unfold"), options(options_) {
  check_sizes("Unfold", "kernel_size", options.kernel_size(), 1);
  check_sizes("Unfold", "dilation", options.dilation(), 1);
  check_sizes("Unfold", "padding", options.padding(), 0);
  check_sizes("Unfold", "stride", options.stride(), 1);
}

Tensor UnfoldImpl::forward(const Tensor& input) {
  return F::unfold(input, options.kernel_size(), options.dilation(), options.padding(), options.stride());
}

std::string UnfoldImpl::extra_repr() const {
  return "kernel_size=" + options.kernel_size().repr() + ", dilation=" + options.dilation().repr() +
         ", padding=" + options.padding().repr() + ", stride=" + options.stride().repr();
}

FoldImpl::FoldImpl(const FoldOptions& options_) : Module("Fold"), options(options_) {
  check_sizes("Fold", "output_size", options.output_size(), 1);
  check_sizes("Fold", "kernel_size", options.kernel_size(), 1);
  check_sizes("Fold", "dilation", options.dilation(), 1);
  check_sizes("Fold", "padding", options.padding(), 0);
  check_sizes("Fold", "stride", options.stride(), 1);
}

Tensor FoldImpl::forward(const Tensor& input) {
  return F::fold(input, options.output_size(), options.kernel_size(), options.dilation(), options.padding(),
                 options.stride());
}

std::string FoldImpl::extra_repr() const {
  return "output_size=" + options.output_size().repr() + ", kernel_size=" + options.kernel_size().repr() +
         ", dilation=" + options.dilation().repr() + ", padding=" + options.padding().repr() +
         ", stride=" + options.stride().repr();
}

PixelShuffleImpl::PixelShuffleImpl(int64_t r) : Module("PixelShuffle"), upscale_factor(r) {}

Tensor PixelShuffleImpl::forward(const Tensor& input) { return F::pixel_shuffle(input, upscale_factor); }

std::string PixelShuffleImpl::extra_repr() const { return "upscale_factor=" + std::to_string(upscale_factor); }

PixelUnshuffleImpl::PixelUnshuffleImpl(int64_t r) : Module("PixelUnshuffle"), downscale_factor(r) {}

Tensor PixelUnshuffleImpl::forward(const Tensor& input) { return F::pixel_unshuffle(input, downscale_factor); }

std::string PixelUnshuffleImpl::extra_repr() const { return "downscale_factor=" + std::to_string(downscale_factor); }

UpsampleImpl::UpsampleImpl(const UpsampleOptions& options_, const std::string& type_name)
    : Module(type_name), options(options_) {}

Tensor UpsampleImpl::forward(const Tensor& input) { return F::interpolate(input, options); }

std::string UpsampleImpl::extra_repr() const {
  std::string s;
  if (options.scale_factor()) {
    const std::vector<double>& f = *options.scale_factor();
    s = "scale_factor=" + (options.scale_factor_is_scalar() ? py_float(f[0]) : floats_repr(f));
  } else if (options.size()) {
    const std::vector<int64_t>& v = *options.size();
    s = "size=" + (options.size_is_scalar() ? std::to_string(v[0]) : py_tuple(v));
  } else {
    s = "size=None";
  }
  return s + ", mode=" + options.mode();
}

UpsamplingNearest2dImpl::UpsamplingNearest2dImpl(const UpsampleOptions& o)
    : UpsampleImpl(UpsampleOptions(o).mode("nearest"), "UpsamplingNearest2d") {}

UpsamplingBilinear2dImpl::UpsamplingBilinear2dImpl(const UpsampleOptions& o)
    : UpsampleImpl(UpsampleOptions(o).mode("bilinear").align_corners(true), "UpsamplingBilinear2d") {}

}  // namespace kiln::nn
