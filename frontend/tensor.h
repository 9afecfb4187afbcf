// kiln::Tensor: the value that torch.nn-style code computes with.
//
// A Tensor is a reference to shared state, like torch::Tensor: copying a Tensor makes a second
// handle to the same tensor (parameters are shared that way between a module and its users).
// It is either
//   - concrete: it owns its data (an ir::HostTensor). Operations on concrete tensors run at
//     once on the reference kernels (codegen/reference), so the frontend behaves like eager
//     PyTorch for small checks; or
//   - symbolic: it stands for an ir::Value of the graph being traced (see trace.h). Operations
//     on it record nodes. Concrete tensors that meet symbolic ones inside an operation become
//     graph parameters (when they are a traced module's parameters or buffers) or constants.
// Every operation is one IR op or a short composition of IR ops (frontend/tensor_ops.cc,
// tensor_shape_ops.cc; factories in factories.cc), so eager
// evaluation and the traced graph compute the same thing by construction.
//
// Errors (bad shapes, dtypes, dims) throw kiln::Error naming the module path being run.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frontend/error.h"
#include "ir/attributes.h"
#include "ir/graph.h"
#include "ir/host_tensor.h"
#include "ir/types.h"

namespace kiln {

using ir::DType;

namespace detail {
struct TensorImpl;
}

class Generator;

/// A tensor: concrete data, or a symbolic value of the graph being traced.
class Tensor {
 public:
  /// An undefined tensor (defined() is false), like a default torch::Tensor.
  Tensor() = default;
  /// A concrete tensor that owns `data`.
  explicit Tensor(ir::HostTensor data);
  /// A symbolic tensor for `value` of the graph being traced.
  static Tensor Symbolic(ir::Value* value);

  bool defined() const { return impl_ != nullptr; }
  bool is_symbolic() const;
  bool is_concrete() const { return defined() && !is_symbolic(); }
  /// True if both handles refer to the same tensor.
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  DType dtype() const;
  /// The shape; a symbolic tensor may have symbolic dims (the batch N).
  ir::Shape shape() const;
  /// Static sizes; throws for a symbolic dim.
  std::vector<int64_t> sizes() const;
  /// Size of dim `d` (negative counts from the end); throws for a symbolic dim.
  int64_t size(int64_t d) const;
  int64_t dim() const;
  int64_t numel() const;
  /// "f32[2,3]".
  std::string type_str() const;

  /// The data of a concrete tensor; throws for a symbolic one.
  const ir::HostTensor& data() const;
  ir::HostTensor& mutable_data();
  /// The graph value of a symbolic tensor; throws for a concrete one.
  ir::Value* value() const;

  /// The single element of a one-element concrete tensor, converted to T.
  template <typename T>
  T item() const;
  /// All elements of a concrete tensor, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;

  /// Parameters require gradients (torch's requires_grad). Training is a later issue; the flag
  /// is kept, printed and honoured by parameters()/named_parameters().
  bool requires_grad() const;
  Tensor& set_requires_grad(bool requires_grad = true);
  /// The gradient (undefined until a training step fills it); zero_grad() resets it.
  Tensor grad() const;
  void set_grad(Tensor grad);

  // ---- copies and conversion ----
  Tensor clone() const;
  /// The same data, without requires_grad (concrete: shares storage).
  Tensor detach() const;
  /// Converts the dtype (a no-op returning *this when it already matches).
  Tensor to(DType dtype) const;

  // ---- in place (concrete tensors; used by init and load_state_dict) ----
  /// Copies `src` (same shape; dtype converted) into this tensor's storage.
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(double value);
  Tensor& zero_();
  /// Replaces this handle's data in place with new data of any shape/dtype (used by to(dtype)
  /// on modules, where every handle to a parameter must see the converted data).
  void set_data(ir::HostTensor data);

  // ---- elementwise ----
  Tensor neg() const;
  Tensor abs() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor reciprocal() const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor sign() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor erf() const;
  Tensor logical_not() const;
  Tensor clamp(std::optional<double> min, std::optional<double> max) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(double exponent) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;

  // ---- linear algebra ----
  /// torch.matmul: 1-d operands are promoted and the added dim removed afterwards.
  Tensor matmul(const Tensor& other) const;
  /// Transpose of a 2-d tensor (a 0-d or 1-d tensor is returned as is), as torch.t().
  Tensor t() const;

  // ---- shape ----
  /// torch.reshape / view (one -1 allowed).
  Tensor reshape(const std::vector<int64_t>& shape) const;
  Tensor view(const std::vector<int64_t>& shape) const { return reshape(shape); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor unsqueeze(int64_t dim) const;
  /// Removes all size-1 dims / dim `dim` if it has size 1.
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  /// torch.expand (-1 keeps a dim).
  Tensor expand(const std::vector<int64_t>& sizes) const;
  Tensor expand_as(const Tensor& other) const;
  /// x[start:end:step] along `dim` (Python clamping; end defaults to the end).
  Tensor slice(int64_t dim, int64_t start = 0, std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  /// x.select(dim, index): removes `dim`.
  Tensor select(int64_t dim, int64_t index) const;
  Tensor contiguous() const { return *this; }

  // ---- reductions ----
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(int64_t dim, bool keepdim = false) const;
  /// Max/min of all elements.
  Tensor max() const;
  Tensor min() const;
  /// Max/min along `dim`: (values, indices), as torch.max(x, dim).
  std::pair<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::pair<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor amin(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor argmin(int64_t dim, bool keepdim = false) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // ---- comparison (bool results) ----
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;

  /// A printable description: dtype, shape and (concrete, small) the values, like torch's repr.
  std::string str() const;

  /// Internal: the shared state (for trace bookkeeping; identity of parameters).
  const detail::TensorImpl* impl() const { return impl_.get(); }

 private:
  std::shared_ptr<detail::TensorImpl> impl_;
};

// ---- operators (broadcasting; a double operand becomes a scalar of the tensor's dtype) ----
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);
/// Elementwise comparisons returning bool tensors (as torch's operators do).
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// ---- free functions ----
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
/// True if shapes, dtypes and values agree within rtol/atol (concrete tensors), like torch.allclose.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);

// ---- factories (concrete tensors) ----
Tensor zeros(const std::vector<int64_t>& sizes, DType dtype = DType::kF32);
Tensor ones(const std::vector<int64_t>& sizes, DType dtype = DType::kF32);
Tensor full(const std::vector<int64_t>& sizes, double value, DType dtype = DType::kF32);
Tensor empty(const std::vector<int64_t>& sizes, DType dtype = DType::kF32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
/// [start, end) by step, as torch.arange (i64 when all arguments are integral and no dtype is given).
Tensor arange(double end);
Tensor arange(double start, double end, double step = 1, std::optional<DType> dtype = std::nullopt);
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, DType dtype = DType::kF32);
/// Uniform [0, 1) / standard normal samples from `gen` (the default generator if null).
Tensor rand(const std::vector<int64_t>& sizes, Generator* gen = nullptr, DType dtype = DType::kF32);
Tensor randn(const std::vector<int64_t>& sizes, Generator* gen = nullptr, DType dtype = DType::kF32);
/// Integers uniform in [low, high) (i64).
Tensor randint(int64_t low, int64_t high, const std::vector<int64_t>& sizes, Generator* gen = nullptr);
/// A concrete tensor from values (copied). `sizes` defaults to [values.size()].
Tensor tensor(const std::vector<float>& values, std::vector<int64_t> sizes = {});
Tensor tensor(const std::vector<double>& values, std::vector<int64_t> sizes = {}, DType dtype = DType::kF32);
Tensor tensor(const std::vector<int64_t>& values, std::vector<int64_t> sizes = {});
/// A one-element (0-d) tensor.
Tensor scalar_tensor(double value, DType dtype = DType::kF32);
/// Copies `data` (which must hold numel elements of `dtype`) into a new concrete tensor.
Tensor from_blob(const void* data, const std::vector<int64_t>& sizes, DType dtype = DType::kF32);

}  // namespace kiln
