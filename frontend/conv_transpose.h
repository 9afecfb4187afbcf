// nn::ConvTranspose1d, nn::ConvTranspose2d, nn::ConvTranspose3d, as torch.nn's in torch 1.13:
// the same arguments and defaults, weight [in_channels, out_channels/groups, *kernel] and bias
// [out_channels] (state_dict keys weight, bias), the same initialization as ConvNd (weight
// kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in =
// out_channels/groups * prod(kernel), torch's fan computation on the transposed weight) and
// the same repr. padding_mode must be "zeros", as torch requires.
//
// forward(input, output_size) picks output_padding so that the output has the spatial size
// `output_size` (given as the spatial sizes, or with the leading batch and channel dims), as
// torch's forward(input, output_size) does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of ConvTransposeNd: in_channels, out_channels, kernel_size, stride (1), padding (0),
/// output_padding (0), groups (1), bias (true), dilation (1), padding_mode ("zeros").
template <size_t D>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  KILN_ARG(int64_t, in_channels);
  KILN_ARG(int64_t, out_channels);
  KILN_ARG(ExpandingArray<D>, kernel_size);
  KILN_ARG(ExpandingArray<D>, stride) = 1;
  KILN_ARG(ExpandingArray<D>, padding) = 0;
  KILN_ARG(ExpandingArray<D>, output_padding) = 0;
  KILN_ARG(int64_t, groups) = 1;
  KILN_ARG(bool, bias) = true;
  KILN_ARG(ExpandingArray<D>, dilation) = 1;
  KILN_ARG(std::string, padding_mode) = "zeros";
};
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;
using ConvTranspose3dOptions = ConvTransposeOptions<3>;

template <size_t D>
class ConvTransposeNdImpl : public Module {
 public:
  ConvTransposeNdImpl(const ConvTransposeOptions<D>& options, const std::string& type_name);
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  /// The forward with an explicit output size: D spatial sizes, or D + 2 (batched input) /
  /// D + 1 (unbatched) sizes whose leading entries are ignored, as torch.
  Tensor forward(const Tensor& input, const std::vector<int64_t>& output_size);
  /// "3, 4, kernel_size=(3, 3), stride=(1, 1)" plus padding, dilation, output_padding, groups,
  /// bias=False where they differ from the defaults, as torch prints it.
  std::string extra_repr() const override;

  ConvTransposeOptions<D> options;
  Tensor weight;
  Tensor bias;

 private:
  std::vector<int64_t> output_padding_for(const Tensor& input, const std::vector<int64_t>& output_size) const;
};

#define KILN_CONV_TRANSPOSE_MODULE(Name, D)                                                                    \
  class Name##Impl : public ConvTransposeNdImpl<D> {                                                           \
   public:                                                                                                     \
    Name##Impl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)                       \
        : Name##Impl(ConvTransposeOptions<D>(in_channels, out_channels, kernel_size)) {}                       \
    explicit Name##Impl(const ConvTransposeOptions<D>& options) : ConvTransposeNdImpl<D>(options, #Name) {}    \
  };                                                                                                           \
  KILN_MODULE(Name)

KILN_CONV_TRANSPOSE_MODULE(ConvTranspose1d, 1);
KILN_CONV_TRANSPOSE_MODULE(ConvTranspose2d, 2);
KILN_CONV_TRANSPOSE_MODULE(ConvTranspose3d, 3);
#undef KILN_CONV_TRANSPOSE_MODULE

extern template class ConvTransposeNdImpl<1>;
extern template class ConvTransposeNdImpl<2>;
extern template class ConvTransposeNdImpl<3>;

}  // namespace kiln::nn
