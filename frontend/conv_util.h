// Internal helpers shared by ConvNd (conv.cc) and ConvTransposeNd (conv_transpose.cc): the
// argument checks torch's _ConvNd.__init__ makes and the parameters' initialization.
#pragma once

#include <cstddef>
#include <string>

#include "frontend/error.h"
#include "frontend/tensor.h"

namespace kiln::detail {

/// Throws kiln::Error("TYPE_NAME: ...") for the first bad argument of a ConvNd-style options
/// struct: non-positive channels or groups, channels not divisible by groups, and per spatial
/// dim a non-positive kernel_size, stride or dilation or a negative padding. `extra_dim_check`
/// (called with each dim after that dim's checks) adds a module's own per-dim checks, so the
/// first bad argument is reported in the same order as torch.
template <size_t D, typename Options, typename ExtraDimCheck>
void check_conv_options(const Options& o, const std::string& type_name, ExtraDimCheck extra_dim_check) {
  auto error = [&](const std::string& m) { throw Error(type_name + ": " + m); };
  if (o.in_channels() <= 0 || o.out_channels() <= 0) {
    error("in_channels and out_channels must be positive, got " + std::to_string(o.in_channels()) + " and " +
          std::to_string(o.out_channels()));
  }
  if (o.groups() <= 0) error("groups must be a positive integer, got " + std::to_string(o.groups()));
  if (o.in_channels() % o.groups() != 0) error("in_channels must be divisible by groups");
  if (o.out_channels() % o.groups() != 0) error("out_channels must be divisible by groups");
  for (size_t i = 0; i < D; ++i) {
    if (o.kernel_size()[i] <= 0) error("kernel_size must be positive, got " + o.kernel_size().tuple_str());
    if (o.stride()[i] <= 0) error("stride must be positive, got " + o.stride().tuple_str());
    if (o.dilation()[i] <= 0) error("dilation must be positive, got " + o.dilation().tuple_str());
    if (o.padding()[i] < 0) error("padding must be non-negative, got " + o.padding().tuple_str());
    extra_dim_check(i);
  }
}

template <size_t D, typename Options>
void check_conv_options(const Options& o, const std::string& type_name) {
  check_conv_options<D>(o, type_name, [](size_t) {});
}

/// torch's _ConvNd.reset_parameters: weight kaiming_uniform_(a=sqrt(5)), bias (when defined)
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in from the weight's shape.
void reset_conv_parameters(Tensor& weight, Tensor& bias);

}  // namespace kiln::detail
