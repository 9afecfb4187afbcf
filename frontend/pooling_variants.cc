#include "frontend/pooling_variants.h"

#include <cmath>

#include "frontend/dispatch.h"

namespace kiln::nn {

// ---- MaxUnpoolNd ----

template <size_t D>
MaxUnpoolNdImpl<D>::MaxUnpoolNdImpl(const MaxUnpoolOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  for (size_t i = 0; i < D; ++i) {
    if (options.kernel_size()[i] <= 0) {
      throw Error(type_name + ": kernel_size must be greater than zero, got " + options.kernel_size().repr());
    }
    if (options.stride()[i] <= 0) throw Error(type_name + ": stride must be greater than zero, got " + options.stride().repr());
    if (options.padding()[i] < 0) throw Error(type_name + ": padding must be non-negative, got " + options.padding().repr());
  }
}

template <size_t D>
Tensor MaxUnpoolNdImpl<D>::forward(const Tensor& input, const Tensor& indices,
                                   const std::optional<std::vector<int64_t>>& output_size) {
  const MaxUnpoolOptions<D>& o = options;
  if constexpr (D == 1) {
    return F::max_unpool1d(input, indices, o.kernel_size(), o.stride(), o.padding(), output_size);
  } else if constexpr (D == 2) {
    return F::max_unpool2d(input, indices, o.kernel_size(), o.stride(), o.padding(), output_size);
  } else {
    return F::max_unpool3d(input, indices, o.kernel_size(), o.stride(), o.padding(), output_size);
  }
}

template <size_t D>
std::vector<Tensor> MaxUnpoolNdImpl<D>::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.size() != 2) {
    detail::fail(name() + " takes two input tensors (input, indices), got " + std::to_string(inputs.size()));
  }
  return {forward(inputs[0], inputs[1])};
}

template <size_t D>
std::string MaxUnpoolNdImpl<D>::extra_repr() const {
  const MaxUnpoolOptions<D>& o = options;
  return "kernel_size=" + o.kernel_size().tuple_str() + ", stride=" + o.stride().tuple_str() +
         ", padding=" + o.padding().tuple_str();
}

// ---- FractionalMaxPool2d ----

FractionalMaxPool2dImpl::FractionalMaxPool2dImpl(const FractionalMaxPool2dOptions& options_)
    : Module("FractionalMaxPool2d"), options(options_) {
  const std::string n = "FractionalMaxPool2d";
  for (size_t i = 0; i < 2; ++i) {
    if (options.kernel_size()[i] <= 0) {
      throw Error(n + ": kernel_size must be greater than zero, got " + options.kernel_size().repr());
    }
  }
  if (!options.output_size() && !options.output_ratio()) {
    throw Error(n + " requires specifying either an output size, or a pooling ratio");
  }
  if (options.output_size() && options.output_ratio()) {
    throw Error(n + ": only one of output_size and output_ratio may be specified");
  }
  if (options.output_ratio()) {
    for (size_t i = 0; i < 2; ++i) {
      double r = (*options.output_ratio())[i];
      if (!(r > 0 && r < 1)) {
        throw Error(n + ": output_ratio must be between 0 and 1 (got " + options.output_ratio()->repr() + ")");
      }
    }
  }
  if (options.output_size()) {
    for (size_t i = 0; i < 2; ++i) {
      if ((*options.output_size())[i] <= 0) {
        throw Error(n + ": output_size must be positive, got " + options.output_size()->repr());
      }
    }
  }
  // torch: self.register_buffer('_random_samples', _random_samples) (None stays out of state_dict).
  register_buffer("_random_samples", options._random_samples());
}

std::tuple<Tensor, Tensor> FractionalMaxPool2dImpl::forward_with_indices(const Tensor& input) {
  Tensor* samples = find_buffer("_random_samples");
  return F::fractional_max_pool2d_with_indices(input, options.kernel_size(), options.output_size(),
                                               options.output_ratio(), samples ? *samples : Tensor(),
                                               options.generator());
}

Tensor FractionalMaxPool2dImpl::forward(const Tensor& input) { return std::get<0>(forward_with_indices(input)); }

std::vector<Tensor> FractionalMaxPool2dImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  if (!options.return_indices()) return Module::forward_tensors(inputs);
  if (inputs.size() != 1) detail::fail(name() + " takes one input tensor, got " + std::to_string(inputs.size()));
  auto [values, indices] = forward_with_indices(inputs[0]);
  return {values, indices};
}

// ---- LPPoolNd ----

template <size_t D>
LPPoolNdImpl<D>::LPPoolNdImpl(const LPPoolOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  for (size_t i = 0; i < D; ++i) {
    if (options.kernel_size()[i] <= 0) {
      throw Error(type_name + ": kernel_size must be greater than zero, got " + options.kernel_size().repr());
    }
    if (options.stride().has_value() && (*options.stride())[i] <= 0) {
      throw Error(type_name + ": stride must be greater than zero, got " + (*options.stride()).repr());
    }
  }
  if (options.norm_type() == 0 || std::isnan(options.norm_type())) {
    throw Error(type_name + ": norm_type must be non-zero, got " + py_float(options.norm_type()));
  }
}

template <size_t D>
Tensor LPPoolNdImpl<D>::forward(const Tensor& input) {
  const LPPoolOptions<D>& o = options;
  if constexpr (D == 1) {
    return F::lp_pool1d(input, o.norm_type(), o.kernel_size(), o.stride(), o.ceil_mode());
  } else {
    return F::lp_pool2d(input, o.norm_type(), o.kernel_size(), o.stride(), o.ceil_mode());
  }
}

template <size_t D>
std::string LPPoolNdImpl<D>::extra_repr() const {
  const LPPoolOptions<D>& o = options;
  double p = o.norm_type();
  bool integral = std::isfinite(p) && p == std::floor(p) && std::fabs(p) < 1e15;
  std::string norm = integral ? std::to_string(static_cast<int64_t>(p)) : py_float(p);
  std::string stride = o.stride().has_value() ? (*o.stride()).repr() : "None";
  return "norm_type=" + norm + ", kernel_size=" + o.kernel_size().repr() + ", stride=" + stride +
         ", ceil_mode=" + py_bool(o.ceil_mode());
}

template class MaxUnpoolNdImpl<1>;
template class MaxUnpoolNdImpl<2>;
template class MaxUnpoolNdImpl<3>;
template class LPPoolNdImpl<1>;
template class LPPoolNdImpl<2>;

}  // namespace kiln::nn
