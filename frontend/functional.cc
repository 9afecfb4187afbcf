// kiln::nn::functional: argument checks first, then IR ops (see functional.h).
#include "frontend/functional.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "frontend/dispatch.h"
#include "frontend/functional_activation.h"
#include "frontend/functional_util.h"

namespace kiln::nn::functional {

namespace {

using detail::check_min;
using detail::fail;
using detail::join;
using detail::require_defined;
using detail::static_dim;

/// In eager mode with inplace, writes `result` into `input` and returns `input` (as torch's
/// in-place activations); otherwise returns `result`.
Tensor maybe_inplace(const Tensor& input, const Tensor& result, bool inplace) {
  if (!inplace || !input.is_concrete() || !result.is_concrete()) return result;
  Tensor target = input;
  target.copy_(result);
  return target;
}

Tensor convnd(const std::string& fn, size_t nd, const Tensor& input, const Tensor& weight, const Tensor& bias,
              const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
              const std::vector<int64_t>& dilation, int64_t groups) {
  detail::check_conv_operands(fn, nd, input, weight, "[out_channels, in_channels/groups, *kernel]", groups);
  check_min(fn, "stride", stride, 1);
  check_min(fn, "padding", padding, 0);
  check_min(fn, "dilation", dilation, 1);
  Tensor x = detail::batched_conv_input(fn, nd, input, weight, "out_channels", groups);
  std::vector<int64_t> w = weight.sizes();
  int64_t c = static_dim(x, 1);
  if (c != w[1] * groups) {
    fail(fn + ": expected input with " + std::to_string(w[1] * groups) + " channels, got " + std::to_string(c) +
         " (input " + input.type_str() + ", weight " + weight.type_str() + ", groups " + std::to_string(groups) + ")");
  }
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != w[0])) {
    fail(fn + ": expected bias with " + std::to_string(w[0]) + " elements, got " + bias.type_str());
  }
  std::vector<int64_t> in(nd), padded(nd), span(nd);
  bool too_small = false;
  for (size_t i = 0; i < nd; ++i) {
    in[i] = static_dim(x, static_cast<int>(2 + i));
    if (in[i] < 0) fail(fn + ": spatial dims of input " + input.type_str() + " must be static");
    padded[i] = in[i] + 2 * padding[i];
    span[i] = dilation[i] * (w[2 + i] - 1) + 1;
    too_small = too_small || span[i] > padded[i];
  }
  if (too_small) {
    fail(fn + ": kernel size " + join(span) + " (dilated) is larger than padded input " + join(padded) + " (input " +
         input.type_str() + ", weight " + weight.type_str() + ", padding " + py_tuple(padding) + ")");
  }
  ir::Attrs attrs{{"stride", stride}, {"padding", padding}, {"dilation", dilation}, {"groups", groups}};
  return detail::apply_conv(ir::OpKind::Conv, x, weight, bias, attrs, x.dim() != input.dim());
}

enum class PoolKind { kMax, kAvg };

// A pool's window plus avg_pool's own arguments.
struct PoolArgs : detail::PoolSpec {
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override;
};

Tensor poolnd(PoolKind kind, const std::string& fn, size_t nd, const Tensor& input, const PoolArgs& a) {
  detail::check_pool_args(fn, nd, input, a);
  if (a.divisor_override && *a.divisor_override == 0) fail(fn + ": divisor_override must not be zero");
  detail::check_pool_window(fn, nd, input, a);
  ir::Attrs attrs{{"kernel_size", a.kernel}, {"stride", a.stride}, {"padding", a.padding}, {"ceil_mode", a.ceil_mode}};
  if (kind == PoolKind::kMax) {
    attrs.set("dilation", a.dilation);
    return detail::apply1(ir::OpKind::MaxPool, {input}, attrs);
  }
  attrs.set("count_include_pad", a.count_include_pad);
  attrs.set("divisor_override", a.divisor_override.value_or(0));
  return detail::apply1(ir::OpKind::AvgPool, {input}, attrs);
}

int64_t normalize_dim(const std::string& fn, const Tensor& input, int64_t dim) {
  int64_t r = std::max<int64_t>(input.dim(), 1);
  if (dim < -r || dim >= r) {
    fail(fn + ": dimension out of range (expected to be in range of [" + std::to_string(-r) + ", " +
         std::to_string(r - 1) + "], but got " + std::to_string(dim) + ")");
  }
  return dim < 0 ? dim + r : dim;
}

Tensor require_float(const std::string& fn, const Tensor& input) {
  require_defined(input, fn, "input");
  if (!ir::is_floating(input.dtype())) fail(fn + ": expected a floating point input, got " + input.type_str());
  return input;
}

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  require_defined(input, "linear", "input");
  require_defined(weight, "linear", "weight");
  if (weight.dim() != 2) fail("linear: expected a 2D weight [out_features, in_features], got " + weight.type_str());
  if (input.dim() < 1) fail("linear: expected an input with at least 1 dim, got " + input.type_str());
  int64_t in = static_dim(input, static_cast<int>(input.dim() - 1));
  if (in >= 0 && in != weight.size(1)) {
    fail("linear: expected input with " + std::to_string(weight.size(1)) + " features in its last dim, got " +
         std::to_string(in) + " (input " + input.type_str() + ", weight " + weight.type_str() + ")");
  }
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
    fail("linear: expected bias with " + std::to_string(weight.size(0)) + " elements, got " + bias.type_str());
  }
  if (input.dtype() != weight.dtype()) {
    fail("linear: expected input and weight of the same dtype, got " + input.type_str() + " and " + weight.type_str());
  }
  std::vector<Tensor> operands = {input, weight};
  if (bias.defined()) operands.push_back(bias);
  return detail::apply1(ir::OpKind::Linear, operands);
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<1> stride,
              ExpandingArray<1> padding, ExpandingArray<1> dilation, int64_t groups) {
  return convnd("conv1d", 1, input, weight, bias, stride.vec(), padding.vec(), dilation.vec(), groups);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<2> stride,
              ExpandingArray<2> padding, ExpandingArray<2> dilation, int64_t groups) {
  return convnd("conv2d", 2, input, weight, bias, stride.vec(), padding.vec(), dilation.vec(), groups);
}

Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<3> stride,
              ExpandingArray<3> padding, ExpandingArray<3> dilation, int64_t groups) {
  return convnd("conv3d", 3, input, weight, bias, stride.vec(), padding.vec(), dilation.vec(), groups);
}

Tensor max_pool1d(const Tensor& input, ExpandingArray<1> kernel_size, OptionalExpandingArray<1> stride,
                  ExpandingArray<1> padding, ExpandingArray<1> dilation, bool ceil_mode) {
  PoolArgs a{detail::make_pool_spec<1>(kernel_size, stride, padding, dilation, ceil_mode)};
  return poolnd(PoolKind::kMax, "max_pool1d", 1, input, a);
}

Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, OptionalExpandingArray<2> stride,
                  ExpandingArray<2> padding, ExpandingArray<2> dilation, bool ceil_mode) {
  PoolArgs a{detail::make_pool_spec<2>(kernel_size, stride, padding, dilation, ceil_mode)};
  return poolnd(PoolKind::kMax, "max_pool2d", 2, input, a);
}

Tensor avg_pool1d(const Tensor& input, ExpandingArray<1> kernel_size, OptionalExpandingArray<1> stride,
                  ExpandingArray<1> padding, bool ceil_mode, bool count_include_pad) {
  PoolArgs a{detail::make_pool_spec<1>(kernel_size, stride, padding, 1, ceil_mode)};
  a.count_include_pad = count_include_pad;
  return poolnd(PoolKind::kAvg, "avg_pool1d", 1, input, a);
}

Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, OptionalExpandingArray<2> stride,
                  ExpandingArray<2> padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  PoolArgs a{detail::make_pool_spec<2>(kernel_size, stride, padding, 1, ceil_mode)};
  a.count_include_pad = count_include_pad;
  a.divisor_override = divisor_override;
  return poolnd(PoolKind::kAvg, "avg_pool2d", 2, input, a);
}

// adaptive_avg_pool2d: frontend/functional_pooling.cc (the adaptive_avg_pool op).

Tensor relu(const Tensor& input, bool inplace) {
  require_defined(input, "relu", "input");
  return maybe_inplace(input, detail::apply1(ir::OpKind::Relu, {input}), inplace);
}

Tensor relu6(const Tensor& input, bool inplace) {
  require_defined(input, "relu6", "input");
  Tensor y = detail::apply1(ir::OpKind::Clamp, {input}, ir::Attrs{{"min", 0.0}, {"max", 6.0}});
  return maybe_inplace(input, y, inplace);
}

Tensor sigmoid(const Tensor& input) { return detail::apply1(ir::OpKind::Sigmoid, {require_float("sigmoid", input)}); }

Tensor tanh(const Tensor& input) { return detail::apply1(ir::OpKind::Tanh, {require_float("tanh", input)}); }

Tensor softmax(const Tensor& input, int64_t dim) {
  require_float("softmax", input);
  int64_t d = normalize_dim("softmax", input, dim);
  return detail::apply1(ir::OpKind::Softmax, {input}, ir::Attrs{{"dim", d}});
}

Tensor log_softmax(const Tensor& input, int64_t dim) {
  require_float("log_softmax", input);
  int64_t d = normalize_dim("log_softmax", input, dim);
  return detail::apply1(ir::OpKind::LogSoftmax, {input}, ir::Attrs{{"dim", d}});
}

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  const std::string fn = "batch_norm";
  require_float(fn, input);
  int64_t rank = input.dim();
  if (rank < 2) fail(fn + ": expected an input with at least 2 dims [N, C, *], got " + input.type_str());
  int64_t c = static_dim(input, 1);
  if (c < 0) fail(fn + ": the channel dim of input " + input.type_str() + " must be static");
  const std::pair<const char*, const Tensor*> stats[] = {
      {"running_mean", &running_mean}, {"running_var", &running_var}, {"weight", &weight}, {"bias", &bias}};
  for (const auto& [name, t] : stats) {
    if (t->defined() && (t->dim() != 1 || t->size(0) != c)) {
      fail(fn + ": " + name + " should contain " + std::to_string(c) + " elements not " +
           std::to_string(t->dim() == 1 ? t->size(0) : t->numel()) + " (" + t->type_str() + ", input " +
           input.type_str() + ")");
    }
  }
  if (running_mean.defined() != running_var.defined()) {
    fail(fn + ": running_mean and running_var must both be given or both be undefined");
  }
  if (!training && !running_mean.defined()) {
    fail(fn + ": running_mean and running_var are needed in evaluation mode (training=false)");
  }
  std::vector<int64_t> stat_shape(static_cast<size_t>(rank), 1);
  stat_shape[1] = c;
  // While tracing, detail::apply records ops on the module's parameters and buffers, so the
  // reshapes below keep their state_dict names in the graph.
  auto as_stat = [&](const Tensor& t) { return t.reshape(stat_shape); };
  Tensor y;
  if (training) {
    std::vector<int64_t> dims = {0};
    int64_t per_channel = static_dim(input, 0);
    for (int64_t d = 2; d < rank; ++d) {
      dims.push_back(d);
      int64_t s = static_dim(input, static_cast<int>(d));
      per_channel = per_channel < 0 || s < 0 ? -1 : per_channel * s;
    }
    if (per_channel == 1) {
      fail("Expected more than 1 value per channel when training, got input size " + py_tuple(input.sizes()));
    }
    Tensor mean = input.mean(dims, /*keepdim=*/true);
    Tensor centered = input - mean;
    Tensor var = (centered * centered).mean(dims, /*keepdim=*/true);  // biased, as torch normalizes
    y = centered / (var + eps).sqrt();
    if (running_mean.defined() && input.is_concrete() && running_mean.is_concrete() && running_var.is_concrete()) {
      // running = (1 - momentum) * running + momentum * batch, with the unbiased variance.
      double n = static_cast<double>(per_channel);
      Tensor rm = running_mean, rv = running_var;
      ir::HostTensor& m = rm.mutable_data();
      ir::HostTensor& v = rv.mutable_data();
      const ir::HostTensor& bm = mean.data();
      const ir::HostTensor& bv = var.data();
      for (int64_t i = 0; i < c; ++i) {
        m.SetDouble(i, momentum * bm.GetDouble(i) + (1 - momentum) * m.GetDouble(i));
        v.SetDouble(i, momentum * bv.GetDouble(i) * n / (n - 1) + (1 - momentum) * v.GetDouble(i));
      }
    }
  } else {
    y = (input - as_stat(running_mean)) / (as_stat(running_var) + eps).sqrt();
  }
  if (weight.defined()) y = y * as_stat(weight);
  if (bias.defined()) y = y + as_stat(bias);
  return y;
}

Tensor dropout(const Tensor& input, double p, bool training, Generator* generator) {
  require_defined(input, "dropout", "input");
  if (!(p >= 0.0 && p <= 1.0)) fail("dropout probability has to be between 0 and 1, but got " + py_float(p));
  if (!training || p == 0.0) return input;
  if (!ir::is_floating(input.dtype())) fail("dropout: expected a floating point input, got " + input.type_str());
  if (p == 1.0) return input * detail::scalar_like(input, 0.0);
  // Keep an element with probability 1 - p (torch's bernoulli_(1 - p)), scaled by 1 / (1 - p).
  // The mask comes from the counter-based random_uniform op (seeded from `generator`), so
  // training-mode dropout traces too (functional_activation.h).
  Tensor keep = random_uniform_like(input, generator) < detail::scalar_like(input, 1.0 - p);
  return input * (keep.to(input.dtype()) * (1.0 / (1.0 - p)));
}

Tensor flatten(const Tensor& input, int64_t start_dim, int64_t end_dim) {
  require_defined(input, "flatten", "input");
  return input.flatten(start_dim, end_dim);
}

}  // namespace kiln::nn::functional
