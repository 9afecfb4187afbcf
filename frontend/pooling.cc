#include "frontend/pooling.h"

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/functional_pooling.h"

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

template <size_t D>
void check_output_size(const std::string& type_name, const AdaptiveSize<D>& size) {
  for (size_t i = 0; i < D; ++i) {
    std::optional<int64_t> v = size[i];
    if (v && *v <= 0) throw Error(type_name + ": output_size must be positive, got " + size.repr());
  }
}

std::vector<Tensor> pair_or_first(const std::tuple<Tensor, Tensor>& r, bool both) {
  if (both) return {std::get<0>(r), std::get<1>(r)};
  return {std::get<0>(r)};
}

}  // namespace

// ---- MaxPoolNd ----

template <size_t D>
MaxPoolNdImpl<D>::MaxPoolNdImpl(const MaxPoolOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  check_sizes<D>(type_name, options.kernel_size(), options.stride(), options.padding());
  for (size_t i = 0; i < D; ++i) {
    if (options.dilation()[i] <= 0) {
      throw Error(type_name + ": dilation must be greater than zero, got " + options.dilation().repr());
    }
  }
}

template <size_t D>
Tensor MaxPoolNdImpl<D>::forward(const Tensor& input) {
  const MaxPoolOptions<D>& o = options;
  if constexpr (D == 1) {
    return F::max_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  } else if constexpr (D == 2) {
    return F::max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  } else {
    return F::max_pool3d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  }
}

template <size_t D>
std::tuple<Tensor, Tensor> MaxPoolNdImpl<D>::forward_with_indices(const Tensor& input) {
  const MaxPoolOptions<D>& o = options;
  if constexpr (D == 1) {
    return F::max_pool1d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  } else if constexpr (D == 2) {
    return F::max_pool2d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  } else {
    return F::max_pool3d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
  }
}

template <size_t D>
std::vector<Tensor> MaxPoolNdImpl<D>::forward_tensors(const std::vector<Tensor>& inputs) {
  if (!options.return_indices()) return Module::forward_tensors(inputs);
  if (inputs.size() != 1) detail::fail(name() + " takes one input tensor, got " + std::to_string(inputs.size()));
  return pair_or_first(forward_with_indices(inputs[0]), true);
}

template <size_t D>
std::string MaxPoolNdImpl<D>::extra_repr() const {
  const MaxPoolOptions<D>& o = options;
  return "kernel_size=" + o.kernel_size().repr() + ", stride=" + o.stride().repr() + ", padding=" +
         o.padding().repr() + ", dilation=" + o.dilation().repr() + ", ceil_mode=" + py_bool(o.ceil_mode());
}

// ---- AvgPoolNd ----

template <size_t D>
AvgPoolNdImpl<D>::AvgPoolNdImpl(const AvgPoolOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  check_sizes<D>(type_name, options.kernel_size(), options.stride(), options.padding());
  if (D == 1 && options.divisor_override()) throw Error(type_name + " has no divisor_override (AvgPool2d/3d have)");
  if (options.divisor_override() && *options.divisor_override() <= 0) {
    throw Error(type_name + ": divisor_override must be positive, got " + std::to_string(*options.divisor_override()));
  }
}

template <size_t D>
Tensor AvgPoolNdImpl<D>::forward(const Tensor& input) {
  const AvgPoolOptions<D>& o = options;
  if constexpr (D == 1) {
    return F::avg_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
  } else if constexpr (D == 2) {
    return F::avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
                         o.divisor_override());
  } else {
    return F::avg_pool3d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
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

// ---- AdaptiveAvgPoolNd ----

template <size_t D>
AdaptiveAvgPoolNdImpl<D>::AdaptiveAvgPoolNdImpl(const AdaptiveAvgPoolOptions<D>& options_,
                                                const std::string& type_name)
    : Module(type_name), options(options_) {
  check_output_size<D>(type_name, options.output_size());
}

template <size_t D>
Tensor AdaptiveAvgPoolNdImpl<D>::forward(const Tensor& input) {
  if constexpr (D == 1) {
    return F::adaptive_avg_pool1d(input, options.output_size());
  } else if constexpr (D == 2) {
    return F::adaptive_avg_pool2d(input, options.output_size());
  } else {
    return F::adaptive_avg_pool3d(input, options.output_size());
  }
}

template <size_t D>
std::string AdaptiveAvgPoolNdImpl<D>::extra_repr() const {
  return "output_size=" + options.output_size().repr();
}

// ---- AdaptiveMaxPoolNd ----

template <size_t D>
AdaptiveMaxPoolNdImpl<D>::AdaptiveMaxPoolNdImpl(const AdaptiveMaxPoolOptions<D>& options_,
                                                const std::string& type_name)
    : Module(type_name), options(options_) {
  check_output_size<D>(type_name, options.output_size());
}

template <size_t D>
std::tuple<Tensor, Tensor> AdaptiveMaxPoolNdImpl<D>::forward_with_indices(const Tensor& input) {
  if constexpr (D == 1) {
    return F::adaptive_max_pool1d_with_indices(input, options.output_size());
  } else if constexpr (D == 2) {
    return F::adaptive_max_pool2d_with_indices(input, options.output_size());
  } else {
    return F::adaptive_max_pool3d_with_indices(input, options.output_size());
  }
}

template <size_t D>
Tensor AdaptiveMaxPoolNdImpl<D>::forward(const Tensor& input) {
  return std::get<0>(forward_with_indices(input));
}

template <size_t D>
std::vector<Tensor> AdaptiveMaxPoolNdImpl<D>::forward_tensors(const std::vector<Tensor>& inputs) {
  if (!options.return_indices()) return Module::forward_tensors(inputs);
  if (inputs.size() != 1) detail::fail(name() + " takes one input tensor, got " + std::to_string(inputs.size()));
  return pair_or_first(forward_with_indices(inputs[0]), true);
}

template <size_t D>
std::string AdaptiveMaxPoolNdImpl<D>::extra_repr() const {
  return "output_size=" + options.output_size().repr();
}

template class MaxPoolNdImpl<1>;
template class MaxPoolNdImpl<2>;
template class MaxPoolNdImpl<3>;
template class AvgPoolNdImpl<1>;
template class AvgPoolNdImpl<2>;
template class AvgPoolNdImpl<3>;
template class AdaptiveAvgPoolNdImpl<1>;
template class AdaptiveAvgPoolNdImpl<2>;
template class AdaptiveAvgPoolNdImpl<3>;
template class AdaptiveMaxPoolNdImpl<1>;
template class AdaptiveMaxPoolNdImpl<2>;
template class AdaptiveMaxPoolNdImpl<3>;

}  // namespace kiln::nn
