// Tensor factories: concrete tensors from sizes, values, ranges and random generators.
//
// Unlike the operations, factories fill data directly: they create inputs, not computations.
// Exceptions: zeros_like/ones_like/full_like of a symbolic tensor whose shape has a symbolic
// dim (the batch N) cannot be concrete, so they record where(mask, v, v) with an all-true mask
// shaped like the tensor (a graph computation of the same values).
//
// Differences from torch: a value that an integer dtype cannot hold exactly (full(.., 1.5,
// kI64), tensor({0.5}, .., kI64)) is an error where torch truncates silently.
#include <cmath>
#include <cstring>
#include <limits>

#include "frontend/dispatch.h"
#include "frontend/random.h"
#include "frontend/tensor.h"
#include "frontend/tensor_ops_util.h"

namespace kiln {

using detail::fail;

namespace {

void check_sizes(const char* op, const std::vector<int64_t>& sizes) {
  for (int64_t s : sizes) {
    if (s < 0) fail(std::string(op) + ": negative size " + std::to_string(s) + " in " + detail::ints_str(sizes));
  }
}

// Stores `v` at flat index i, refusing values the dtype cannot hold exactly (integers).
void store(const char* op, ir::HostTensor& h, int64_t i, double v) {
  DType d = h.dtype();
  if (ir::is_integer(d)) {
    double lim = d == DType::kI32 ? 2147483648.0 : 9223372036854775808.0;
    if (!std::isfinite(v) || std::floor(v) != v || v < -lim || v >= lim) {
      fail(std::string(op) + ": value " + ir::float_str(v) + " is not representable in dtype " + ir::dtype_name(d));
    }
  }
  h.SetDouble(i, v);
}

Tensor filled(const char* op, const std::vector<int64_t>& sizes, double value, DType dtype) {
  check_sizes(op, sizes);
  ir::HostTensor h(dtype, sizes);
  if (value != 0.0) {
    for (int64_t i = 0; i < h.num_elements(); ++i) store(op, h, i, value);
  }
  return Tensor(std::move(h));
}

Tensor filled_like(const char* op, const Tensor& t, double value) {
  if (!t.defined()) fail(std::string(op) + " of an undefined tensor");
  ir::Shape s = t.shape();
  if (s.is_static()) return filled(op, s.sizes(), value, t.dtype());
  // A symbolic dim: broadcast the value against an all-true mask shaped like t.
  Tensor mask = detail::apply1(ir::OpKind::LogicalOr, {t.eq(t), t.ne(t)});
  Tensor v = filled(op, {}, value, t.dtype());
  return where(mask, v, v);
}

Generator& gen_or_default(Generator* gen) { return gen ? *gen : default_generator(); }

// Mantissa bits of each floating dtype, so that uniform samples round to values below 1.
int mantissa_bits(DType d) {
  switch (d) {
    case DType::kF64: return 53;
    case DType::kF32: return 24;
    case DType::kF16: return 11;
    default: return 8;  // bf16
  }
}

Tensor from_values(const char* op, const std::vector<double>& values, std::vector<int64_t> sizes, DType dtype) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(values.size())};  // as torch.tensor([..]); 0-d: scalar_tensor
  check_sizes(op, sizes);
  ir::HostTensor h(dtype, sizes);
  if (h.num_elements() != static_cast<int64_t>(values.size())) {
    fail(std::string(op) + ": " + std::to_string(values.size()) + " values do not fill shape " + detail::ints_str(sizes));
  }
  for (size_t i = 0; i < values.size(); ++i) store(op, h, static_cast<int64_t>(i), values[i]);
  return Tensor(std::move(h));
}

}  // namespace

Tensor zeros(const std::vector<int64_t>& sizes, DType dtype) { return filled("zeros", sizes, 0.0, dtype); }
Tensor ones(const std::vector<int64_t>& sizes, DType dtype) { return filled("ones", sizes, 1.0, dtype); }
Tensor full(const std::vector<int64_t>& sizes, double value, DType dtype) { return filled("full", sizes, value, dtype); }
// Zero-filled: kiln has no uninitialized storage, and zeros make runs reproducible.
Tensor empty(const std::vector<int64_t>& sizes, DType dtype) { return filled("empty", sizes, 0.0, dtype); }
Tensor zeros_like(const Tensor& t) { return filled_like("zeros_like", t, 0.0); }
Tensor ones_like(const Tensor& t) { return filled_like("ones_like", t, 1.0); }
Tensor full_like(const Tensor& t, double value) { return filled_like("full_like", t, value); }

Tensor arange(double end) { return arange(0, end, 1); }

Tensor arange(double start, double end, double step, std::optional<DType> dtype) {
  if (!std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step)) {
    fail("arange: start, end and step must be finite, got " + ir::float_str(start) + ", " + ir::float_str(end) + ", " +
         ir::float_str(step));
  }
  if (step == 0) fail("arange: step must be nonzero");
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    fail("arange: end " + ir::float_str(end) + " is on the wrong side of start " + ir::float_str(start) +
         " for step " + ir::float_str(step));
  }
  auto integral = [](double v) { return std::floor(v) == v; };
  DType d = dtype.value_or(integral(start) && integral(end) && integral(step) ? DType::kI64 : DType::kF32);
  double count = std::ceil((end - start) / step);
  if (count > static_cast<double>(std::numeric_limits<int32_t>::max())) fail("arange: too many elements");
  auto n = static_cast<int64_t>(count);
  ir::HostTensor h(d, {n});
  for (int64_t i = 0; i < n; ++i) store("arange", h, i, start + static_cast<double>(i) * step);
  return Tensor(std::move(h));
}

Tensor eye(int64_t n, std::optional<int64_t> m, DType dtype) {
  int64_t cols = m.value_or(n);
  if (n < 0 || cols < 0) fail("eye: sizes must be non-negative, got n=" + std::to_string(n) + ", m=" + std::to_string(cols));
  ir::HostTensor h(dtype, {n, cols});
  for (int64_t i = 0; i < std::min(n, cols); ++i) h.SetDouble(i * cols + i, 1.0);
  return Tensor(std::move(h));
}

Tensor rand(const std::vector<int64_t>& sizes, Generator* gen, DType dtype) {
  check_sizes("rand", sizes);
  if (!ir::is_floating(dtype)) fail(std::string("rand: expected a floating dtype, got ") + ir::dtype_name(dtype));
  Generator& g = gen_or_default(gen);
  ir::HostTensor h(dtype, sizes);
  // Keep only the bits the dtype holds, so rounding never reaches 1.0: [0, 1) as torch.
  double scale = std::ldexp(1.0, mantissa_bits(dtype));
  for (int64_t i = 0; i < h.num_elements(); ++i) h.SetDouble(i, std::floor(g.uniform() * scale) / scale);
  return Tensor(std::move(h));
}

Tensor randn(const std::vector<int64_t>& sizes, Generator* gen, DType dtype) {
  check_sizes("randn", sizes);
  if (!ir::is_floating(dtype)) fail(std::string("randn: expected a floating dtype, got ") + ir::dtype_name(dtype));
  Generator& g = gen_or_default(gen);
  ir::HostTensor h(dtype, sizes);
  for (int64_t i = 0; i < h.num_elements(); ++i) h.SetDouble(i, g.normal());
  return Tensor(std::move(h));
}

Tensor randint(int64_t low, int64_t high, const std::vector<int64_t>& sizes, Generator* gen) {
  check_sizes("randint", sizes);
  if (high <= low) fail("randint: high (" + std::to_string(high) + ") must be greater than low (" + std::to_string(low) + ")");
  Generator& g = gen_or_default(gen);
  ir::HostTensor h(DType::kI64, sizes);
  int64_t* p = h.data<int64_t>();
  for (int64_t i = 0; i < h.num_elements(); ++i) p[i] = g.randint(low, high);
  return Tensor(std::move(h));
}

Tensor tensor(const std::vector<float>& values, std::vector<int64_t> sizes) {
  return from_values("tensor", std::vector<double>(values.begin(), values.end()), std::move(sizes), DType::kF32);
}

Tensor tensor(const std::vector<double>& values, std::vector<int64_t> sizes, DType dtype) {
  return from_values("tensor", values, std::move(sizes), dtype);
}

Tensor tensor(const std::vector<int64_t>& values, std::vector<int64_t> sizes) {
  if (sizes.empty()) sizes = {static_cast<int64_t>(values.size())};  // as torch.tensor([..]); 0-d: scalar_tensor
  check_sizes("tensor", sizes);
  ir::HostTensor h(DType::kI64, sizes);
  if (h.num_elements() != static_cast<int64_t>(values.size())) {
    fail("tensor: " + std::to_string(values.size()) + " values do not fill shape " + detail::ints_str(sizes));
  }
  std::copy(values.begin(), values.end(), h.data<int64_t>());  // exact beyond 2^53
  return Tensor(std::move(h));
}

Tensor scalar_tensor(double value, DType dtype) {
  ir::HostTensor h(dtype, {});
  store("scalar_tensor", h, 0, value);
  return Tensor(std::move(h));
}

Tensor from_blob(const void* data, const std::vector<int64_t>& sizes, DType dtype) {
  check_sizes("from_blob", sizes);
  ir::HostTensor h(dtype, sizes);
  if (h.nbytes() > 0) {
    if (data == nullptr) fail("from_blob: data is null for shape " + detail::ints_str(sizes));
    std::memcpy(h.raw_data(), data, h.nbytes());
  }
  return Tensor(std::move(h));
}

}  // namespace kiln
