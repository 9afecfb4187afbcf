// kiln::nn::functional pooling of issue 4: argument checks first, then IR ops (see
// functional_pooling.h for the mapping and the decompositions).
#include "frontend/functional_pooling.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "frontend/dispatch.h"
#include "frontend/functional_util.h"

namespace kiln::nn {

RatioPair::RatioPair(std::initializer_list<double> v) {
  if (v.size() != 2) throw Error("output_ratio: expected 1 or 2 values, got " + std::to_string(v.size()));
  std::copy(v.begin(), v.end(), values_.begin());
}

std::string RatioPair::repr() const {
  return scalar_ ? py_float(values_[0]) : "(" + py_float(values_[0]) + ", " + py_float(values_[1]) + ")";
}

namespace functional {

namespace {

using detail::check_min;
using detail::fail;
using detail::make_pool_spec;
using detail::PoolSpec;
using detail::require_pool_input;
using detail::static_dim;

// The checks of torch's max/avg pooling: sizes, pad <= kernel / 2, window fits the padded input.
void check_pool(const std::string& fn, size_t nd, const Tensor& input, const PoolSpec& a) {
  detail::check_pool_args(fn, nd, input, a);
  detail::check_pool_window(fn, nd, input, a);
}

ir::Attrs max_attrs(const PoolSpec& a) {
  return ir::Attrs{{"kernel_size", a.kernel},
                   {"stride", a.stride},
                   {"padding", a.padding},
                   {"dilation", a.dilation},
                   {"ceil_mode", a.ceil_mode}};
}

TensorPair max_with_indices(const std::string& fn, size_t nd, const Tensor& input, const PoolSpec& a) {
  check_pool(fn, nd, input, a);
  std::vector<Tensor> r = detail::apply(ir::OpKind::MaxPoolWithIndices, {input}, max_attrs(a));
  return {r[0], r[1]};
}

Tensor max_unpool(const std::string& fn, size_t nd, const Tensor& input, const Tensor& indices,
                  const std::vector<int64_t>& kernel, const std::vector<int64_t>& stride,
                  const std::vector<int64_t>& padding, const std::optional<std::vector<int64_t>>& output_size) {
  require_pool_input(fn, input, nd);
  if (!indices.defined()) fail(fn + ": indices is an undefined tensor");
  if (indices.dtype() != DType::kI64) fail(fn + ": expected indices of dtype i64, got " + indices.type_str());
  if (indices.shape() != input.shape()) {
    fail(fn + ": expected indices of the same shape as input " + input.type_str() + ", got " + indices.type_str());
  }
  check_min(fn, "kernel_size", kernel, 1);
  check_min(fn, "stride", stride, 1);
  check_min(fn, "padding", padding, 0);
  std::vector<int64_t> defaults(nd);
  for (size_t i = 0; i < nd; ++i) {
    int64_t in = static_dim(input, input.dim() - static_cast<int64_t>(nd) + static_cast<int64_t>(i));
    if (in < 0) fail(fn + ": spatial dims of input " + input.type_str() + " must be static");
    defaults[i] = (in - 1) * stride[i] - 2 * padding[i] + kernel[i];
  }
  std::vector<int64_t> out = defaults;
  if (output_size) {
    out = *output_size;
    if (out.size() == nd + 2) out.erase(out.begin(), out.begin() + 2);
    if (out.size() != nd) {
      fail(fn + ": output_size should be a sequence containing " + std::to_string(nd) + " or " +
           std::to_string(nd + 2) + " elements, but it has a length of '" + std::to_string(output_size->size()) + "'");
    }
    for (size_t i = 0; i < nd; ++i) {
      int64_t lo = defaults[i] - stride[i], hi = defaults[i] + stride[i];
      if (!(lo < out[i] && out[i] < hi)) {
        fail(fn + ": invalid output_size " + py_tuple(*output_size) + " (dim " + std::to_string(i) +
             " must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ")");
      }
    }
  }
  for (int64_t s : out) {
    if (s < 0) fail(fn + ": output size " + py_tuple(out) + " is negative (input " + input.type_str() + ")");
  }
  return detail::apply1(ir::OpKind::MaxUnpool, {input, indices}, ir::Attrs{{"output_size", out}});
}

// The output sizes of an adaptive pool: None keeps the input's size.
std::vector<int64_t> adaptive_sizes(const std::string& fn, size_t nd, const Tensor& input,
                                    const std::vector<std::optional<int64_t>>& output_size) {
  require_pool_input(fn, input, nd);
  std::vector<int64_t> out(nd);
  for (size_t i = 0; i < nd; ++i) {
    int64_t in = static_dim(input, input.dim() - static_cast<int64_t>(nd) + static_cast<int64_t>(i));
    if (in == 0) fail(fn + ": expected non-empty spatial dims, got input " + input.type_str());
    if (!output_size[i] && in < 0) fail(fn + ": output_size None needs a static input dim, got " + input.type_str());
    out[i] = output_size[i].value_or(in);
    if (out[i] <= 0) fail(fn + ": output_size must be positive, got " + std::to_string(out[i]));
  }
  return out;
}

template <size_t N>
std::vector<std::optional<int64_t>> optional_vec(const ExpandingArrayWithOptionalElem<N>& a) {
  std::vector<std::optional<int64_t>> v;
  for (size_t i = 0; i < N; ++i) v.push_back(a[i]);
  return v;
}

Tensor adaptive_avg(const std::string& fn, size_t nd, const Tensor& input,
                    const std::vector<std::optional<int64_t>>& output_size) {
  std::vector<int64_t> out = adaptive_sizes(fn, nd, input, output_size);
  if (!ir::is_floating(input.dtype())) fail(fn + ": expected a floating point input, got " + input.type_str());
  return detail::apply1(ir::OpKind::AdaptiveAvgPool, {input}, ir::Attrs{{"output_size", out}});
}

TensorPair adaptive_max(const std::string& fn, size_t nd, const Tensor& input,
                        const std::vector<std::optional<int64_t>>& output_size) {
  std::vector<int64_t> out = adaptive_sizes(fn, nd, input, output_size);
  if (input.dtype() == DType::kBool) fail(fn + ": expected a numeric input, got " + input.type_str());
  std::vector<Tensor> r = detail::apply(ir::OpKind::AdaptiveMaxPool, {input}, ir::Attrs{{"output_size", out}});
  return {r[0], r[1]};
}

// torch's lp_pool: (sign(a) * relu(|a|) * numel(kernel)) ^ (1 / p), a = avg_pool(x ^ p).
Tensor lp_finish(const Tensor& pooled, double norm_type, int64_t kernel_numel) {
  Tensor a = pooled.sign() * pooled.abs().relu();
  return (a * static_cast<double>(kernel_numel)).pow(1.0 / norm_type);
}

void check_lp(const std::string& fn, const Tensor& input, double norm_type) {
  if (!input.defined()) fail(fn + ": input is an undefined tensor");
  if (!ir::is_floating(input.dtype())) fail(fn + ": expected a floating point input, got " + input.type_str());
  if (norm_type == 0 || std::isnan(norm_type)) fail(fn + ": norm_type must be non-zero, got " + py_float(norm_type));
}

}  // namespace

Tensor max_pool3d(const Tensor& input, ExpandingArray<3> kernel_size, OptionalExpandingArray<3> stride,
                  ExpandingArray<3> padding, ExpandingArray<3> dilation, bool ceil_mode) {
  PoolSpec a = make_pool_spec<3>(kernel_size, stride, padding, dilation, ceil_mode);
  check_pool("max_pool3d", 3, input, a);
  return detail::apply1(ir::OpKind::MaxPool, {input}, max_attrs(a));
}

TensorPair max_pool1d_with_indices(const Tensor& input, ExpandingArray<1> kernel_size, OptionalExpandingArray<1> stride,
                                   ExpandingArray<1> padding, ExpandingArray<1> dilation, bool ceil_mode) {
  return max_with_indices("max_pool1d", 1, input, make_pool_spec<1>(kernel_size, stride, padding, dilation, ceil_mode));
}

TensorPair max_pool2d_with_indices(const Tensor& input, ExpandingArray<2> kernel_size, OptionalExpandingArray<2> stride,
                                   ExpandingArray<2> padding, ExpandingArray<2> dilation, bool ceil_mode) {
  return max_with_indices("max_pool2d", 2, input, make_pool_spec<2>(kernel_size, stride, padding, dilation, ceil_mode));
}

TensorPair max_pool3d_with_indices(const Tensor& input, ExpandingArray<3> kernel_size, OptionalExpandingArray<3> stride,
                                   ExpandingArray<3> padding, ExpandingArray<3> dilation, bool ceil_mode) {
  return max_with_indices("max_pool3d", 3, input, make_pool_spec<3>(kernel_size, stride, padding, dilation, ceil_mode));
}

Tensor avg_pool3d(const Tensor& input, ExpandingArray<3> kernel_size, OptionalExpandingArray<3> stride,
                  ExpandingArray<3> padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  PoolSpec a = make_pool_spec<3>(kernel_size, stride, padding, 1, ceil_mode);
  check_pool("avg_pool3d", 3, input, a);
  if (divisor_override && *divisor_override <= 0) {
    fail("avg_pool3d: divisor_override must be positive, got " + std::to_string(*divisor_override));
  }
  ir::Attrs attrs{{"kernel_size", a.kernel},
                  {"stride", a.stride},
                  {"padding", a.padding},
                  {"ceil_mode", ceil_mode},
                  {"count_include_pad", count_include_pad},
                  {"divisor_override", divisor_override.value_or(0)}};
  return detail::apply1(ir::OpKind::AvgPool, {input}, attrs);
}

Tensor max_unpool1d(const Tensor& input, const Tensor& indices, ExpandingArray<1> kernel_size,
                    OptionalExpandingArray<1> stride, ExpandingArray<1> padding,
                    const std::optional<std::vector<int64_t>>& output_size) {
  return max_unpool("max_unpool1d", 1, input, indices, kernel_size.vec(), stride.value_or(kernel_size).vec(),
                    padding.vec(), output_size);
}

Tensor max_unpool2d(const Tensor& input, const Tensor& indices, ExpandingArray<2> kernel_size,
                    OptionalExpandingArray<2> stride, ExpandingArray<2> padding,
                    const std::optional<std::vector<int64_t>>& output_size) {
  return max_unpool("max_unpool2d", 2, input, indices, kernel_size.vec(), stride.value_or(kernel_size).vec(),
                    padding.vec(), output_size);
}

Tensor max_unpool3d(const Tensor& input, const Tensor& indices, ExpandingArray<3> kernel_size,
                    OptionalExpandingArray<3> stride, ExpandingArray<3> padding,
                    const std::optional<std::vector<int64_t>>& output_size) {
  return max_unpool("max_unpool3d", 3, input, indices, kernel_size.vec(), stride.value_or(kernel_size).vec(),
                    padding.vec(), output_size);
}

TensorPair fractional_max_pool2d_with_indices(const Tensor& input, ExpandingArray<2> kernel_size,
                                              std::optional<ExpandingArray<2>> output_size,
                                              std::optional<RatioPair> output_ratio, const Tensor& random_samples,
                                              Generator* generator) {
  const std::string fn = "fractional_max_pool2d";
  require_pool_input(fn, input, 2);
  if (!ir::is_floating(input.dtype())) fail(fn + ": expected a floating point input, got " + input.type_str());
  check_min(fn, "kernel_size", kernel_size.vec(), 1);
  if (!output_size && !output_ratio) fail(fn + " requires specifying either an output_size or an output_ratio");
  bool batched = input.dim() == 4;
  Tensor x = batched ? input : input.unsqueeze(0);
  int64_t in[2] = {static_dim(x, 2), static_dim(x, 3)}, c = static_dim(x, 1);
  if (in[0] < 0 || in[1] < 0 || c < 0) fail(fn + ": channel and spatial dims of input " + input.type_str() + " must be static");
  std::vector<int64_t> out(2);
  for (size_t i = 0; i < 2; ++i) {
    out[i] = output_size ? (*output_size)[i] : static_cast<int64_t>(static_cast<double>(in[i]) * (*output_ratio)[i]);
    if (out[i] <= 0) fail(fn + ": output size must be positive, got " + py_tuple(out) + " for input " + input.type_str());
    if (out[i] + kernel_size[i] - 1 > in[i]) {
      fail(fn + ": pool " + std::string(i == 0 ? "height " : "width ") + std::to_string(kernel_size[i]) +
           " too large relative to input " + (i == 0 ? "height " : "width ") + std::to_string(in[i]) +
           " for output size " + py_tuple(out));
    }
  }
  Tensor samples = random_samples;
  if (samples.defined()) {
    if (samples.dtype() != input.dtype()) {
      fail(fn + ": expected _random_samples of the input's dtype, got " + samples.type_str() + " for input " +
           input.type_str());
    }
    if (samples.dim() != 3 || samples.shape().dim(0) != x.shape().dim(0) || samples.shape().dim(1) != ir::Dim(c) ||
        samples.shape().dim(2) != ir::Dim(2)) {
      fail(fn + ": expected _random_samples of shape [" + x.shape().dim(0).str() + ", " + std::to_string(c) +
           ", 2], got " + samples.type_str());
    }
  } else {
    int64_t n = static_dim(x, 0);
    if (n < 0) {
      fail(fn + ": drawing _random_samples needs a static batch, got input " + input.type_str() +
           " (pass the samples [N, C, 2] as a traced input instead)");
    }
    samples = rand({n, c, 2}, generator, input.dtype());
  }
  std::vector<Tensor> r = detail::apply(ir::OpKind::FractionalMaxPool, {x, samples},
                                        ir::Attrs{{"kernel_size", kernel_size.vec()}, {"output_size", out}});
  if (batched) return {r[0], r[1]};
  return {r[0].squeeze(0), r[1].squeeze(0)};
}

Tensor fractional_max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size,
                             std::optional<ExpandingArray<2>> output_size, std::optional<RatioPair> output_ratio,
                             const Tensor& random_samples, Generator* generator) {
  return std::get<0>(
      fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio, random_samples, generator));
}

Tensor lp_pool1d(const Tensor& input, double norm_type, ExpandingArray<1> kernel_size, OptionalExpandingArray<1> stride,
                 bool ceil_mode) {
  check_lp("lp_pool1d", input, norm_type);
  Tensor pooled = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode);
  return lp_finish(pooled, norm_type, kernel_size[0]);
}

Tensor lp_pool2d(const Tensor& input, double norm_type, ExpandingArray<2> kernel_size, OptionalExpandingArray<2> stride,
                 bool ceil_mode) {
  check_lp("lp_pool2d", input, norm_type);
  Tensor pooled = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode);
  return lp_finish(pooled, norm_type, kernel_size[0] * kernel_size[1]);
}

Tensor adaptive_avg_pool1d(const Tensor& input, ExpandingArray<1> output_size) {
  return adaptive_avg("adaptive_avg_pool1d", 1, input, {output_size[0]});
}

Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size) {
  return adaptive_avg("adaptive_avg_pool2d", 2, input, optional_vec(output_size));
}

Tensor adaptive_avg_pool3d(const Tensor& input, ExpandingArrayWithOptionalElem<3> output_size) {
  return adaptive_avg("adaptive_avg_pool3d", 3, input, optional_vec(output_size));
}

TensorPair adaptive_max_pool1d_with_indices(const Tensor& input, ExpandingArray<1> output_size) {
  return adaptive_max("adaptive_max_pool1d", 1, input, {output_size[0]});
}

TensorPair adaptive_max_pool2d_with_indices(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size) {
  return adaptive_max("adaptive_max_pool2d", 2, input, optional_vec(output_size));
}

TensorPair adaptive_max_pool3d_with_indices(const Tensor& input, ExpandingArrayWithOptionalElem<3> output_size) {
  return adaptive_max("adaptive_max_pool3d", 3, input, optional_vec(output_size));
}

Tensor adaptive_max_pool1d(const Tensor& input, ExpandingArray<1> output_size) {
  return std::get<0>(adaptive_max_pool1d_with_indices(input, output_size));
}

Tensor adaptive_max_pool2d(const Tensor& input, ExpandingArrayWithOptionalElem<2> output_size) {
  return std::get<0>(adaptive_max_pool2d_with_indices(input, output_size));
}

Tensor adaptive_max_pool3d(const Tensor& input, ExpandingArrayWithOptionalElem<3> output_size) {
  return std::get<0>(adaptive_max_pool3d_with_indices(input, output_size));
}

}  // namespace functional

}  // namespace kiln::nn
