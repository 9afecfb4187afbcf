// nn::MaxPool1d/2d/3d, nn::AvgPool1d/2d/3d, nn::AdaptiveAvgPool1d/2d/3d and
// nn::AdaptiveMaxPool1d/2d/3d, as torch.nn's (torch 1.13 arguments, defaults and reprs; stride
// defaults to kernel_size). MaxUnpool, FractionalMaxPool2d and LPPool: pooling_variants.h.
//
// Reprs print sizes the way PyTorch does: MaxPoolNd, AvgPool2d/3d and the adaptive pools show
// each size as given (an int stays an int: "kernel_size=2"), AvgPool1d always shows tuples
// ("kernel_size=(3,)"); return_indices is never printed (as torch).
//
// return_indices (MaxPoolNd, AdaptiveMaxPoolNd): forward(x) returns the values only;
// forward_with_indices(x) returns (values, indices); calling the module (call({x})) returns
// {values, indices} when return_indices is set, as Python's tuple, so `module(x)` (one
// output) then throws, as a tuple would break the next layer in torch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of MaxPoolNd: kernel_size, stride (= kernel_size), padding (0), dilation (1),
/// ceil_mode (false), return_indices (false).
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
using MaxPool3dOptions = MaxPoolOptions<3>;

template <size_t D>
class MaxPoolNdImpl : public Module {
 public:
  using Options = MaxPoolOptions<D>;
  MaxPoolNdImpl(const MaxPoolOptions<D>& options, const std::string& type_name);
  /// The pooled values (also when return_indices is set).
  Tensor forward(const Tensor& input) override;
  /// (values, indices): i64 flat indices into each input plane, as torch.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  /// {values} or, with return_indices, {values, indices}.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  /// "kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False".
  std::string extra_repr() const override;
  MaxPoolOptions<D> options;
};

/// Options of AvgPoolNd: kernel_size, stride (= kernel_size), padding (0), ceil_mode (false),
/// count_include_pad (true), divisor_override (none; AvgPool2d/3d only, as torch).
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
using AvgPool3dOptions = AvgPoolOptions<3>;

template <size_t D>
class AvgPoolNdImpl : public Module {
 public:
  using Options = AvgPoolOptions<D>;
  AvgPoolNdImpl(const AvgPoolOptions<D>& options, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  /// "kernel_size=2, stride=2, padding=0" (AvgPool1d: "kernel_size=(3,), stride=(3,), padding=(0,)").
  std::string extra_repr() const override;
  AvgPoolOptions<D> options;
};

/// The output_size of an adaptive pool: an int for 1d; for 2d/3d an int or D entries where
/// nullopt (Python's None) keeps the input's size.
template <size_t D>
using AdaptiveSize = std::conditional_t<D == 1, ExpandingArray<1>, ExpandingArrayWithOptionalElem<D>>;

/// Options of AdaptiveAvgPoolNd: output_size.
template <size_t D>
struct AdaptiveAvgPoolOptions {
  AdaptiveAvgPoolOptions(AdaptiveSize<D> output_size) : output_size_(output_size) {}  // NOLINT
  KILN_ARG(AdaptiveSize<D>, output_size);
};
using AdaptiveAvgPool1dOptions = AdaptiveAvgPoolOptions<1>;
using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions<2>;
using AdaptiveAvgPool3dOptions = AdaptiveAvgPoolOptions<3>;

/// Average pooling to a fixed output size: windows [floor(i*in/out), ceil((i+1)*in/out)).
template <size_t D>
class AdaptiveAvgPoolNdImpl : public Module {
 public:
  using Options = AdaptiveAvgPoolOptions<D>;
  AdaptiveAvgPoolNdImpl(const AdaptiveAvgPoolOptions<D>& options, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  /// "output_size=(1, 1)", "output_size=7", "output_size=(None, 7)".
  std::string extra_repr() const override;
  AdaptiveAvgPoolOptions<D> options;
};

/// Options of AdaptiveMaxPoolNd: output_size, return_indices (false).
template <size_t D>
struct AdaptiveMaxPoolOptions {
  AdaptiveMaxPoolOptions(AdaptiveSize<D> output_size) : output_size_(output_size) {}  // NOLINT
  KILN_ARG(AdaptiveSize<D>, output_size);
  KILN_ARG(bool, return_indices) = false;
};
using AdaptiveMaxPool1dOptions = AdaptiveMaxPoolOptions<1>;
using AdaptiveMaxPool2dOptions = AdaptiveMaxPoolOptions<2>;
using AdaptiveMaxPool3dOptions = AdaptiveMaxPoolOptions<3>;

/// Max pooling to a fixed output size (AdaptiveAvgPool's windows).
template <size_t D>
class AdaptiveMaxPoolNdImpl : public Module {
 public:
  using Options = AdaptiveMaxPoolOptions<D>;
  AdaptiveMaxPoolNdImpl(const AdaptiveMaxPoolOptions<D>& options, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  /// "output_size=3", "output_size=(None, 3)".
  std::string extra_repr() const override;
  AdaptiveMaxPoolOptions<D> options;
};

// One concrete module per dimensionality: NameImpl(arg) and NameImpl(options), plus the holder.
#define KILN_POOL_MODULE(Name, Base, D, Arg)                                                     \
  class Name##Impl : public Base<D> {                                                            \
   public:                                                                                       \
    explicit Name##Impl(Arg arg) : Name##Impl(typename Base<D>::Options(arg)) {}                 \
    explicit Name##Impl(const typename Base<D>::Options& options) : Base<D>(options, #Name) {} \
  };                                                                                             \
  KILN_MODULE(Name)

KILN_POOL_MODULE(MaxPool1d, MaxPoolNdImpl, 1, ExpandingArray<1>);
KILN_POOL_MODULE(MaxPool2d, MaxPoolNdImpl, 2, ExpandingArray<2>);
KILN_POOL_MODULE(MaxPool3d, MaxPoolNdImpl, 3, ExpandingArray<3>);
KILN_POOL_MODULE(AvgPool1d, AvgPoolNdImpl, 1, ExpandingArray<1>);
KILN_POOL_MODULE(AvgPool2d, AvgPoolNdImpl, 2, ExpandingArray<2>);
KILN_POOL_MODULE(AvgPool3d, AvgPoolNdImpl, 3, ExpandingArray<3>);
KILN_POOL_MODULE(AdaptiveAvgPool1d, AdaptiveAvgPoolNdImpl, 1, AdaptiveSize<1>);
KILN_POOL_MODULE(AdaptiveAvgPool2d, AdaptiveAvgPoolNdImpl, 2, AdaptiveSize<2>);
KILN_POOL_MODULE(AdaptiveAvgPool3d, AdaptiveAvgPoolNdImpl, 3, AdaptiveSize<3>);
KILN_POOL_MODULE(AdaptiveMaxPool1d, AdaptiveMaxPoolNdImpl, 1, AdaptiveSize<1>);
KILN_POOL_MODULE(AdaptiveMaxPool2d, AdaptiveMaxPoolNdImpl, 2, AdaptiveSize<2>);
KILN_POOL_MODULE(AdaptiveMaxPool3d, AdaptiveMaxPoolNdImpl, 3, AdaptiveSize<3>);

extern template class MaxPoolNdImpl<1>;
extern template class MaxPoolNdImpl<2>;
extern template class MaxPoolNdImpl<3>;
extern template class AvgPoolNdImpl<1>;
extern template class AvgPoolNdImpl<2>;
extern template class AvgPoolNdImpl<3>;
extern template class AdaptiveAvgPoolNdImpl<1>;
extern template class AdaptiveAvgPoolNdImpl<2>;
extern template class AdaptiveAvgPoolNdImpl<3>;
extern template class AdaptiveMaxPoolNdImpl<1>;
extern template class AdaptiveMaxPoolNdImpl<2>;
extern template class AdaptiveMaxPoolNdImpl<3>;

}  // namespace kiln::nn
