#include "frontend/functional_util.h"

#include "frontend/dispatch.h"

namespace kiln::detail {

std::string join(const std::vector<int64_t>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

void require_defined(const Tensor& t, const std::string& fn, const char* what) {
  if (!t.defined()) fail(fn + ": " + what + " is an undefined tensor");
}

int64_t static_dim(const Tensor& t, int64_t i) { return t.shape().dim(static_cast<int>(i)).size(); }

void check_min(const std::string& fn, const char* what, const std::vector<int64_t>& v, int64_t min) {
  for (int64_t x : v) {
    if (x < min) {
      fail(fn + ": " + what + " must be " + (min == 0 ? "non-negative" : "greater than zero") + ", got " +
           nn::py_tuple(v));
    }
  }
}

void check_conv_operands(const std::string& fn, size_t nd, const Tensor& input, const Tensor& weight,
                         const char* weight_layout, int64_t groups) {
  require_defined(input, fn, "input");
  require_defined(weight, fn, "weight");
  int64_t rank = input.dim(), batched = static_cast<int64_t>(nd) + 2;
  if (rank != batched && rank != batched - 1) {
    fail(fn + ": expected " + std::to_string(batched - 1) + "D (unbatched) or " + std::to_string(batched) +
         "D (batched) input, got " + std::to_string(rank) + "D input " + input.type_str());
  }
  if (weight.dim() != batched) {
    fail(fn + ": expected " + std::to_string(batched) + "D weight " + weight_layout + ", got " + weight.type_str());
  }
  if (groups < 1) fail(fn + ": groups must be positive, got " + std::to_string(groups));
}

Tensor batched_conv_input(const std::string& fn, size_t nd, const Tensor& input, const Tensor& weight,
                          const char* weight_dim0, int64_t groups) {
  if (input.dtype() != weight.dtype()) {
    fail(fn + ": expected input and weight of the same dtype, got " + input.type_str() + " and " + weight.type_str());
  }
  int64_t w0 = weight.sizes()[0];
  if (w0 % groups != 0) {
    fail(fn + ": " + weight_dim0 + " " + std::to_string(w0) + " of weight " + weight.type_str() +
         " must be divisible by groups " + std::to_string(groups));
  }
  Tensor x = input.dim() == static_cast<int64_t>(nd) + 2 ? input : input.unsqueeze(0);
  if (static_dim(x, 1) < 0) fail(fn + ": the channel dim of input " + input.type_str() + " must be static");
  return x;
}

Tensor apply_conv(ir::OpKind op, const Tensor& x, const Tensor& weight, const Tensor& bias, const ir::Attrs& attrs,
                  bool unbatched) {
  std::vector<Tensor> operands = {x, weight};
  if (bias.defined()) operands.push_back(bias);
  Tensor y = apply1(op, operands, attrs);
  return unbatched ? y.squeeze(0) : y;
}

void require_pool_input(const std::string& fn, const Tensor& input, size_t nd) {
  if (!input.defined()) fail(fn + ": input is an undefined tensor");
  int64_t rank = input.dim(), batched = static_cast<int64_t>(nd) + 2;
  if (rank != batched && rank != batched - 1) {
    fail(fn + ": expected " + std::to_string(batched - 1) + "D or " + std::to_string(batched) + "D input, got " +
         std::to_string(rank) + "D input " + input.type_str());
  }
}

void check_pool_args(const std::string& fn, size_t nd, const Tensor& input, const PoolSpec& a) {
  require_pool_input(fn, input, nd);
  check_min(fn, "kernel_size", a.kernel, 1);
  check_min(fn, "stride", a.stride, 1);
  check_min(fn, "padding", a.padding, 0);
  check_min(fn, "dilation", a.dilation, 1);
  for (size_t i = 0; i < nd; ++i) {
    if (a.padding[i] > a.kernel[i] / 2) {
      fail(fn + ": pad should be at most half of kernel size, but got padding=" + nn::py_tuple(a.padding) +
           " and kernel_size=" + nn::py_tuple(a.kernel));
    }
  }
}

void check_pool_window(const std::string& fn, size_t nd, const Tensor& input, const PoolSpec& a) {
  std::vector<int64_t> padded(nd), span(nd);
  bool too_small = false;
  for (size_t i = 0; i < nd; ++i) {
    int64_t in = static_dim(input, input.dim() - static_cast<int64_t>(nd) + static_cast<int64_t>(i));
    if (in < 0) fail(fn + ": spatial dims of input " + input.type_str() + " must be static");
    padded[i] = in + 2 * a.padding[i];
    span[i] = a.dilation[i] * (a.kernel[i] - 1) + 1;
    too_small = too_small || span[i] > padded[i];
  }
  if (too_small) {
    fail(fn + ": kernel_size " + join(span) + (a.dilation == std::vector<int64_t>(nd, 1) ? "" : " (dilated)") +
         " is larger than padded input " + join(padded) + " (input " + input.type_str() + ", padding " +
         nn::py_tuple(a.padding) + ")");
  }
}

}  // namespace kiln::detail
