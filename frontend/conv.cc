#include "frontend/conv.h"

#include <vector>

#include "frontend/conv_util.h"
#include "frontend/functional.h"
#include "frontend/functional_spatial.h"

namespace kiln::nn {

template <size_t D>
ConvNdImpl<D>::ConvNdImpl(const ConvOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  const ConvOptions<D>& o = options;
  detail::check_conv_options<D>(o, type_name);
  auto error = [&](const std::string& m) { throw Error(type_name + ": " + m); };
  const std::string& pm = o.padding_mode();
  if (pm != "zeros" && pm != "reflect" && pm != "replicate" && pm != "circular") {
    error("padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', but got padding_mode='" + pm + "'");
  }
  resolved_padding_ = o.padding();
  std::vector<int64_t> right(D, 0);  // right-side padding where it differs from the left
  bool asymmetric = false;
  if (o.padding_str() == "valid") {
    resolved_padding_ = 0;
  } else if (o.padding_str() == "same") {
    if (!o.stride().all_equal(1)) error("padding='same' is not supported for strided convolutions");
    for (size_t i = 0; i < D; ++i) {
      int64_t total = o.dilation()[i] * (o.kernel_size()[i] - 1);
      resolved_padding_[i] = total / 2;
      right[i] = total - total / 2;
      asymmetric = asymmetric || right[i] != resolved_padding_[i];
    }
  } else if (!o.padding_str().empty()) {
    error("Invalid padding string '" + o.padding_str() + "', should be one of {'valid', 'same'}");
  }
  if (o.padding_str() != "same") {
    for (size_t i = 0; i < D; ++i) right[i] = resolved_padding_[i];
  }
  // torch's _reversed_padding_repeated_twice (non-zeros modes) or the zero-padded excess of an
  // asymmetric "same" (zeros mode, as torch's _convolution_mode).
  for (size_t i = D; i-- > 0;) {
    if (pm != "zeros") {
      pre_pad_.push_back(resolved_padding_[i]);
      pre_pad_.push_back(right[i]);
    } else if (asymmetric) {
      pre_pad_.push_back(0);
      pre_pad_.push_back(right[i] - resolved_padding_[i]);
    }
  }
  if (pm != "zeros") resolved_padding_ = 0;
  std::vector<int64_t> wshape = {o.out_channels(), o.in_channels() / o.groups()};
  for (size_t i = 0; i < D; ++i) wshape.push_back(o.kernel_size()[i]);
  weight = register_parameter("weight", Tensor(ir::HostTensor(DType::kF32, wshape)));
  bias = register_parameter("bias", o.bias() ? Tensor(ir::HostTensor(DType::kF32, {o.out_channels()})) : Tensor());
  reset_parameters();
}

template <size_t D>
void ConvNdImpl<D>::reset_parameters() {
  detail::reset_conv_parameters(weight, bias);
}

template <size_t D>
Tensor ConvNdImpl<D>::forward(const Tensor& input) {
  const ConvOptions<D>& o = options;
  Tensor x = input;
  if (!pre_pad_.empty() && input.defined()) {
    x = F::pad(input, pre_pad_, o.padding_mode() == "zeros" ? "constant" : o.padding_mode());
  }
  if constexpr (D == 1) {
    return F::conv1d(x, weight, bias, o.stride(), resolved_padding_, o.dilation(), o.groups());
  } else if constexpr (D == 2) {
    return F::conv2d(x, weight, bias, o.stride(), resolved_padding_, o.dilation(), o.groups());
  } else {
    return F::conv3d(x, weight, bias, o.stride(), resolved_padding_, o.dilation(), o.groups());
  }
}

template <size_t D>
std::string ConvNdImpl<D>::extra_repr() const {
  const ConvOptions<D>& o = options;
  std::string s = std::to_string(o.in_channels()) + ", " + std::to_string(o.out_channels()) +
                  ", kernel_size=" + o.kernel_size().tuple_str() + ", stride=" + o.stride().tuple_str();
  if (!o.padding_str().empty()) {
    s += ", padding=" + o.padding_str();
  } else if (!o.padding().all_equal(0)) {
    s += ", padding=" + o.padding().tuple_str();
  }
  if (!o.dilation().all_equal(1)) s += ", dilation=" + o.dilation().tuple_str();
  if (o.groups() != 1) s += ", groups=" + std::to_string(o.groups());
  if (!o.bias()) s += ", bias=False";
  if (o.padding_mode() != "zeros") s += ", padding_mode=" + o.padding_mode();
  return s;
}

template class ConvNdImpl<1>;
template class ConvNdImpl<2>;
template class ConvNdImpl<3>;

}  // namespace kiln::nn
