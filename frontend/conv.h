// nn::Conv1d, nn::Conv2d, nn::Conv3d, as torch.nn's (torch 1.13 arguments, defaults,
// state_dict keys weight/bias, initialization and repr).
//
// padding is a size per spatial dim, or "valid" / "same" (stride 1 only). padding_mode is
// "zeros", "reflect", "replicate" or "circular". As torch does, a non-zeros mode pads the input
// with F::pad (IR op `pad`, left/right as torch's _reversed_padding_repeated_twice) and then
// convolves without padding; "same" with an odd total padding dilation * (kernel - 1) puts the
// extra unit on the right (zeros: a `pad` of the right side, then the symmetric IR conv).
// Unbatched input with "circular" is an error, as in torch 1.13 (F.pad's circular mode needs
// a batch dim).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of ConvNd: in_channels, out_channels, kernel_size, stride (1), padding (0, or
/// "valid"/"same"), dilation (1), groups (1), bias (true), padding_mode ("zeros").
template <size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  /// padding("same") / padding("valid").
  ConvOptions& padding(const std::string& mode) {
    padding_mode_str_ = mode;
    return *this;
  }
  ConvOptions& padding(const ExpandingArray<D>& p) {
    padding_ = p;
    padding_mode_str_.clear();
    return *this;
  }
  ConvOptions& padding(int64_t p) { return padding(ExpandingArray<D>(p)); }
  ConvOptions& padding(std::initializer_list<int64_t> p) { return padding(ExpandingArray<D>(p)); }
  const ExpandingArray<D>& padding() const { return padding_; }
  /// "" when padding is numeric, else "same" or "valid".
  const std::string& padding_str() const { return padding_mode_str_; }

  KILN_ARG(int64_t, in_channels);
  KILN_ARG(int64_t, out_channels);
  KILN_ARG(ExpandingArray<D>, kernel_size);
  KILN_ARG(ExpandingArray<D>, stride) = 1;
  KILN_ARG(ExpandingArray<D>, dilation) = 1;
  KILN_ARG(int64_t, groups) = 1;
  KILN_ARG(bool, bias) = true;
  KILN_ARG(std::string, padding_mode) = "zeros";

 private:
  ExpandingArray<D> padding_ = 0;
  std::string padding_mode_str_;
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;
using Conv3dOptions = ConvOptions<3>;

/// The shared implementation of Conv1d/2d/3d. Parameters: weight [out, in/groups, *kernel],
/// bias [out] (None when bias=false). Init: weight kaiming_uniform_(a=sqrt(5)), bias
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in/groups * prod(kernel).
template <size_t D>
class ConvNdImpl : public Module {
 public:
  ConvNdImpl(const ConvOptions<D>& options, const std::string& type_name);
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  /// "1, 6, kernel_size=(5, 5), stride=(1, 1)" plus padding, dilation, groups, bias=False and
  /// padding_mode where they differ from the defaults, as torch prints it.
  std::string extra_repr() const override;

  ConvOptions<D> options;
  Tensor weight;
  Tensor bias;

 private:
  ExpandingArray<D> resolved_padding_ = 0;  // numeric padding after "same"/"valid" (the left side)
  // F::pad's list (last dim first, left then right): the whole padding for non-zeros modes,
  // for "zeros" only the right-side excess of an asymmetric "same" (empty when none).
  std::vector<int64_t> pre_pad_;
};

class Conv1dImpl : public ConvNdImpl<1> {
 public:
  Conv1dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<1> kernel_size)
      : Conv1dImpl(Conv1dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv1dImpl(const Conv1dOptions& options) : ConvNdImpl<1>(options, "Conv1d") {}
};
KILN_MODULE(Conv1d);

class Conv2dImpl : public ConvNdImpl<2> {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv2dImpl(const Conv2dOptions& options) : ConvNdImpl<2>(options, "Conv2d") {}
};
KILN_MODULE(Conv2d);

class Conv3dImpl : public ConvNdImpl<3> {
 public:
  Conv3dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<3> kernel_size)
      : Conv3dImpl(Conv3dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv3dImpl(const Conv3dOptions& options) : ConvNdImpl<3>(options, "Conv3d") {}
};
KILN_MODULE(Conv3d);

extern template class ConvNdImpl<1>;
extern template class ConvNdImpl<2>;
extern template class ConvNdImpl<3>;

}  // namespace kiln::nn
