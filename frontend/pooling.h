// nn::MaxPool1d/2d, nn::AvgPool1d/2d, nn::AdaptiveAvgPool2d, as torch.nn's (torch 1.13
// arguments, defaults and reprs; stride defaults to kernel_size).
//
// Reprs print sizes the way PyTorch does: MaxPool1d/2d, AvgPool2d and AdaptiveAvgPool2d show
// each size as given (an int stays an int: "kernel_size=2"), AvgPool1d always shows tuples
// ("kernel_size=(3,)"). return_indices is not supported (rejected at construction).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of MaxPoolNd: kernel_size, stride (= kernel_size), padding (0), dilation (1),
/// ceil_mode (false), return_indices (false; true is not supported yet).
template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}  // NOLINT
  KILN_ARG(ExpandingArray<D>, kernel_size);
  KILN_ARG(ExpandingArray<D>, stride);
  KILN_ARG(ExpandingArray<D>, padding) = 0;
  KILN_ARG(ExpandingArray<D>, dilation) = 1;
  KILN_ARG(bool, ceil_mode) = false;
  KILN_ARG(bool, return_indices) = false;
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;

template <size_t D>
class MaxPoolNdImpl : public Module {
 public:
  MaxPoolNdImpl(const MaxPoolOptions<D>& options, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  /// "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False".
  std::string extra_repr() const override;
  MaxPoolOptions<D> options;
};

class MaxPool1dImpl : public MaxPoolNdImpl<1> {
 public:
  explicit MaxPool1dImpl(ExpandingArray<1> kernel_size) : MaxPool1dImpl(MaxPool1dOptions(kernel_size)) {}
  explicit MaxPool1dImpl(const MaxPool1dOptions& options) : MaxPoolNdImpl<1>(options, "MaxPool1d") {}
};
KILN_MODULE(MaxPool1d);

class MaxPool2dImpl : public MaxPoolNdImpl<2> {
 public:
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size) : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions& options) : MaxPoolNdImpl<2>(options, "MaxPool2d") {}
};
KILN_MODULE(MaxPool2d);

/// Options of AvgPoolNd: kernel_size, stride (= kernel_size), padding (0), ceil_mode (false),
/// count_include_pad (true), divisor_override (none; AvgPool2d only, as torch).
template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}  // NOLINT
  KILN_ARG(ExpandingArray<D>, kernel_size);
  KILN_ARG(ExpandingArray<D>, stride);
  KILN_ARG(ExpandingArray<D>, padding) = 0;
  KILN_ARG(bool, ceil_mode) = false;
  KILN_ARG(bool, count_include_pad) = true;
  KILN_ARG(std::optional<int64_t>, divisor_override) = std::nullopt;
};
using AvgPool1dOptions = AvgPoolOptions<1>;
using AvgPool2dOptions = AvgPoolOptions<2>;

template <size_t D>
class AvgPoolNdImpl : public Module {
 public:
  AvgPoolNdImpl(const AvgPoolOptions<D>& options, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  /// "kernel_size=2, stride=2, padding=0" (AvgPool1d: "kernel_size=(3,), stride=(3,), padding=(0,)").
  std::string extra_repr() const override;
  AvgPoolOptions<D> options;
};

class AvgPool1dImpl : public AvgPoolNdImpl<1> {
 public:
  explicit AvgPool1dImpl(ExpandingArray<1> kernel_size) : AvgPool1dImpl(AvgPool1dOptions(kernel_size)) {}
  explicit AvgPool1dImpl(const AvgPool1dOptions& options) : AvgPoolNdImpl<1>(options, "AvgPool1d") {}
};
KILN_MODULE(AvgPool1d);

class AvgPool2dImpl : public AvgPoolNdImpl<2> {
 public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size) : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions& options) : AvgPoolNdImpl<2>(options, "AvgPool2d") {}
};
KILN_MODULE(AvgPool2d);

/// Options of AdaptiveAvgPool2d: output_size (an int, or two entries where nullopt = None
/// keeps the input's size).
struct AdaptiveAvgPool2dOptions {
  AdaptiveAvgPool2dOptions(ExpandingArrayWithOptionalElem<2> output_size) : output_size_(output_size) {}  // NOLINT
  KILN_ARG(ExpandingArrayWithOptionalElem<2>, output_size);
};

/// Average pooling to a fixed output size (see F::adaptive_avg_pool2d for the windows).
class AdaptiveAvgPool2dImpl : public Module {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArrayWithOptionalElem<2> output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options);
  Tensor forward(const Tensor& input) override;
  /// "output_size=(1, 1)", "output_size=7", "output_size=(None, 7)".
  std::string extra_repr() const override;
  AdaptiveAvgPool2dOptions options;
};
KILN_MODULE(AdaptiveAvgPool2d);

extern template class MaxPoolNdImpl<1>;
extern template class MaxPoolNdImpl<2>;
extern template class AvgPoolNdImpl<1>;
extern template class AvgPoolNdImpl<2>;

}  // namespace kiln::nn
