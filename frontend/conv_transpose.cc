#include "frontend/conv_transpose.h"

#include <vector>

#include "frontend/conv_util.h"
#include "frontend/dispatch.h"
#include "frontend/functional_spatial.h"

namespace kiln::nn {

template <size_t D>
ConvTransposeNdImpl<D>::ConvTransposeNdImpl(const ConvTransposeOptions<D>& options_, const std::string& type_name)
    : Module(type_name), options(options_) {
  const ConvTransposeOptions<D>& o = options;
  auto error = [&](const std::string& m) { throw Error(type_name + ": " + m); };
  detail::check_conv_options<D>(o, type_name, [&](size_t i) {
    if (o.output_padding()[i] < 0) error("output_padding must be non-negative, got " + o.output_padding().tuple_str());
  });
  if (o.padding_mode() != "zeros") error("Only \"zeros\" padding mode is supported for " + type_name);
  std::vector<int64_t> wshape = {o.in_channels(), o.out_channels() / o.groups()};
  for (size_t i = 0; i < D; ++i) wshape.push_back(o.kernel_size()[i]);
  weight = register_parameter("weight", Tensor(ir::HostTensor(DType::kF32, wshape)));
  bias = register_parameter("bias", o.bias() ? Tensor(ir::HostTensor(DType::kF32, {o.out_channels()})) : Tensor());
  reset_parameters();
}

template <size_t D>
void ConvTransposeNdImpl<D>::reset_parameters() {
  detail::reset_conv_parameters(weight, bias);
}

template <size_t D>
std::vector<int64_t> ConvTransposeNdImpl<D>::output_padding_for(const Tensor& input,
                                                               const std::vector<int64_t>& output_size) const {
  const ConvTransposeOptions<D>& o = options;
  int64_t rank = input.dim(), nd = static_cast<int64_t>(D);
  if (rank != nd + 1 && rank != nd + 2) return o.output_padding().vec();  // F:: reports the rank
  int64_t non_spatial = rank == nd + 2 ? 2 : 1;
  std::vector<int64_t> size = output_size;
  if (static_cast<int64_t>(size.size()) == non_spatial + nd) size.erase(size.begin(), size.begin() + non_spatial);
  if (static_cast<int64_t>(size.size()) != nd) {
    detail::fail("ConvTranspose" + std::to_string(D) + "D: for " + std::to_string(rank) + "D input, output_size must have " +
                 std::to_string(nd) + " or " + std::to_string(non_spatial + nd) + " elements (got " +
                 std::to_string(output_size.size()) + ")");
  }
  std::vector<int64_t> in, min_sizes, max_sizes, result;
  for (size_t d = 0; d < D; ++d) {
    int64_t s = input.shape().dim(static_cast<int>(non_spatial + static_cast<int64_t>(d))).size();
    if (s < 0) detail::fail("ConvTranspose: spatial dims of input " + input.type_str() + " must be static");
    in.push_back(s);
    min_sizes.push_back((s - 1) * o.stride()[d] - 2 * o.padding()[d] + o.dilation()[d] * (o.kernel_size()[d] - 1) + 1);
    max_sizes.push_back(min_sizes[d] + o.stride()[d] - 1);
  }
  for (size_t d = 0; d < D; ++d) {
    if (size[d] < min_sizes[d] || size[d] > max_sizes[d]) {
      detail::fail("requested an output size of " + py_tuple(size) + ", but valid sizes range from " +
                   py_tuple(min_sizes) + " to " + py_tuple(max_sizes) + " (for an input of " + py_tuple(in) + ")");
    }
    result.push_back(size[d] - min_sizes[d]);
  }
  return result;
}

template <size_t D>
Tensor ConvTransposeNdImpl<D>::forward(const Tensor& input) {
  return forward(input, {});
}

template <size_t D>
Tensor ConvTransposeNdImpl<D>::forward(const Tensor& input, const std::vector<int64_t>& output_size) {
  const ConvTransposeOptions<D>& o = options;
  if (!input.defined()) detail::fail(name() + ": input is an undefined tensor");
  std::vector<int64_t> op = output_size.empty() ? o.output_padding().vec() : output_padding_for(input, output_size);
  if constexpr (D == 1) {
    return F::conv_transpose1d(input, weight, bias, o.stride(), o.padding(), op, o.groups(), o.dilation());
  } else if constexpr (D == 2) {
    return F::conv_transpose2d(input, weight, bias, o.stride(), o.padding(), op, o.groups(), o.dilation());
  } else {
    return F::conv_transpose3d(input, weight, bias, o.stride(), o.padding(), op, o.groups(), o.dilation());
  }
}

template <size_t D>
std::string ConvTransposeNdImpl<D>::extra_repr() const {
  const ConvTransposeOptions<D>& o = options;
  std::string s = std::to_string(o.in_channels()) + ", " + std::to_string(o.out_channels()) +
                  ", kernel_size=" + o.kernel_size().tuple_str() + ", stride=" + o.stride().tuple_str();
  if (!o.padding().all_equal(0)) s += ", padding=" + o.padding().tuple_str();
  if (!o.dilation().all_equal(1)) s += ", dilation=" + o.dilation().tuple_str();
  if (!o.output_padding().all_equal(0)) s += ", output_padding=" + o.output_padding().tuple_str();
  if (o.groups() != 1) s += ", groups=" + std::to_string(o.groups());
  if (!o.bias()) s += ", bias=False";
  return s;
}

template class ConvTransposeNdImpl<1>;
template class ConvTransposeNdImpl<2>;
template class ConvTransposeNdImpl<3>;

}  // namespace kiln::nn
