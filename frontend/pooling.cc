#include "frontend/pooling.h"

#include "frontend/functional.h"

namespace kiln::nn {

namespace {

template <size_t D>
void check_sizes(const std::string& type_name, const ExpandingArray<D>& kernel, const ExpandingArray<D>& stride,
                 const ExpandingArray<D>& padding) {
  for (size_t i = 0; i < D; ++i) {
    if (kernel[i] <= 0) throw Error(type_name + ": kernel_size must be greater than zero, got " + kernel.repr());
    if (stride[i] <= 0) throw Error(type_name + ": stride must be greater than zero, got " + stride.repr());
    if (padding[i] < 0) throw Error(type_name + ": padding must be non-negative, got " + padding.repr());
    if (padding[i] > kernel[i] / 2) {
      throw Error(type_name + ": pad should be at most half of kernel size, but got padding=" + padding.repr() +
                  " and kernel_size=" + kernel.repr());
    }
  }
}

}  // namespace

template <size_t D>
MaxPoolNdImpl<D>::MaxPoolNdImpl(const MaxPoolOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  check_sizes<D>(type_name, options.kernel_size(), options.stride(), options.padding());
  for (size_t i = 0; i < D; ++i) {
    if (options.dilation()[i] <= 0) {
      throw Error(type_name + ": dilation must be greater than zero, got " + options.dilation().repr());
    }
  }
  if (options.return_indices()) {
    throw Error(type_name + ": return_indices=True is not supported yet (the IR's max_pool has no indices result)");
  }
}

template <size_t D>
Tensor MaxPoolNdImpl<D>::forward(const Tensor& input) {
  const MaxPoolOptions<D>& o = options;
  if constexpr (D == 1) {
    return F::max_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  } else {
    return F::max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  }
}

template <size_t D>
std::string MaxPoolNdImpl<D>::extra_repr() const {
  const MaxPoolOptions<D>& o = options;
  return "kernel_size=" + o.kernel_size().repr() + ", stride=" + o.stride().repr() + ", padding=" +
         o.padding().repr() + ", dilation=" + o.dilation().repr() + ", ceil_mode=" + py_bool(o.ceil_mode());
}

template <size_t D>
AvgPoolNdImpl<D>::AvgPoolNdImpl(const AvgPoolOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  check_sizes<D>(type_name, options.kernel_size(), options.stride(), options.padding());
  if (D == 1 && options.divisor_override()) throw Error(type_name + " has no divisor_override (AvgPool2d has)");
  if (options.divisor_override() && *options.divisor_override() == 0) {
    throw Error(type_name + ": divisor_override must not be zero");
  }
}

template <size_t D>
Tensor AvgPoolNdImpl<D>::forward(const Tensor& input) {
  const AvgPoolOptions<D>& o = options;
  if constexpr (D == 1) {
    return F::avg_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
  } else {
    return F::avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
                         o.divisor_override());
  }
}

template <size_t D>
std::string AvgPoolNdImpl<D>::extra_repr() const {
  const AvgPoolOptions<D>& o = options;
  if constexpr (D == 1) {  // torch's AvgPool1d stores _single(...) tuples
    return "kernel_size=" + o.kernel_size().tuple_str() + ", stride=" + o.stride().tuple_str() +
           ", padding=" + o.padding().tuple_str();
  } else {
    return "kernel_size=" + o.kernel_size().repr() + ", stride=" + o.stride().repr() + ", padding=" +
           o.padding().repr();
  }
}

AdaptiveAvgPool2dImpl::AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options_)
    : Module("AdaptiveAvgPool2d"), options(options_) {
  for (size_t i = 0; i < 2; ++i) {
    const auto& v = options.output_size()[i];
    if (v && *v <= 0) throw Error("AdaptiveAvgPool2d: output_size must be positive, got " + options.output_size().repr());
  }
}

Tensor AdaptiveAvgPool2dImpl::forward(const Tensor& input) {
  return F::adaptive_avg_pool2d(input, options.output_size());
}

std::string AdaptiveAvgPool2dImpl::extra_repr() const { return "output_size=" + options.output_size().repr(); }

template class MaxPoolNdImpl<1>;
template class MaxPoolNdImpl<2>;
template class AvgPoolNdImpl<1>;
template class AvgPoolNdImpl<2>;

}  // namespace kiln::nn
