#include "frontend/padding.h"

#include "frontend/functional_spatial.h"

namespace kiln::nn {

template <size_t D>
PadNdImpl<D>::PadNdImpl(const PadOptions<D>& options_, std::string mode, const std::string& type_name)
    : Module(type_name), options(options_), mode_(std::move(mode)) {}

template <size_t D>
Tensor PadNdImpl<D>::forward(const Tensor& input) {
  return F::pad(input, options.padding().vec(), mode_);
}

template <size_t D>
std::string PadNdImpl<D>::extra_repr() const {
  return options.padding().tuple_str();
}

template <size_t D>
ConstantPadNdImpl<D>::ConstantPadNdImpl(const ConstantPadOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {}

template <size_t D>
Tensor ConstantPadNdImpl<D>::forward(const Tensor& input) {
  return F::pad(input, options.padding().vec(), "constant", options.value());
}

template <size_t D>
std::string ConstantPadNdImpl<D>::extra_repr() const {
  std::string value = options.value_is_int() ? std::to_string(static_cast<int64_t>(options.value()))
                                             : py_float(options.value());
  return "padding=" + options.padding().tuple_str() + ", value=" + value;
}

std::string ZeroPad2dImpl::extra_repr() const { return options.padding().tuple_str(); }

template class PadNdImpl<1>;
template class PadNdImpl<2>;
template class PadNdImpl<3>;
template class ConstantPadNdImpl<1>;
template class ConstantPadNdImpl<2>;
template class ConstantPadNdImpl<3>;

}  // namespace kiln::nn
