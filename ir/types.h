// Element types, shapes with symbolic dims, and tensor types of the graph IR.
//
// A dim is either static (a non-negative integer) or symbolic (a name such as `N`): a graph
// traced with a symbolic batch dim serves every batch size. Two symbolic dims are the same
// size exactly when they have the same name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::ir {

/// Element types. f32 and i64 work end to end; the others at least print and parse.
enum class DType : uint8_t { kF32, kF64, kF16, kBF16, kI64, kI32, kBool };

/// Every dtype, in declaration order (for tests and tables).
extern const DType kAllDTypes[7];

/// The .kir spelling: "f32", "f64", "f16", "bf16", "i64", "i32", "bool".
const char* dtype_name(DType dtype);
/// Parses a .kir spelling; nullopt if it names no dtype.
std::optional<DType> parse_dtype(std::string_view name);
/// Bytes per element.
size_t dtype_size(DType dtype);
/// True for f32, f64, f16, bf16.
bool is_floating(DType dtype);
/// True for i64, i32.
bool is_integer(DType dtype);

/// One dim of a shape: a static size, or a named symbolic size.
class Dim {
 public:
  Dim() = default;
  Dim(int64_t size) : size_(size) {}  // NOLINT: a number is a static dim
  static Dim Symbolic(std::string name) { Dim d; d.symbol_ = std::move(name); return d; }

  bool is_static() const { return symbol_.empty(); }
  bool is_symbolic() const { return !symbol_.empty(); }
  /// The static size; -1 for a symbolic dim.
  int64_t size() const { return is_static() ? size_ : -1; }
  const std::string& symbol() const { return symbol_; }
  /// "7" or "N".
  std::string str() const;

  bool operator==(const Dim& other) const { return size_ == other.size_ && symbol_ == other.symbol_; }
  bool operator!=(const Dim& other) const { return !(*this == other); }

 private:
  int64_t size_ = 0;
  std::string symbol_;
};

/// An ordered list of dims. Rank 0 is a scalar.
class Shape {
 public:
  Shape() = default;
  Shape(std::vector<Dim> dims) : dims_(std::move(dims)) {}  // NOLINT
  Shape(std::initializer_list<Dim> dims) : dims_(dims) {}
  static Shape FromSizes(const std::vector<int64_t>& sizes);

  int rank() const { return static_cast<int>(dims_.size()); }
  const Dim& dim(int i) const { return dims_.at(static_cast<size_t>(i)); }
  Dim& dim(int i) { return dims_.at(static_cast<size_t>(i)); }
  const std::vector<Dim>& dims() const { return dims_; }
  std::vector<Dim>& dims() { return dims_; }

  /// True when every dim is static.
  bool is_static() const;
  /// The static sizes; only valid when is_static().
  std::vector<int64_t> sizes() const;
  /// Product of static sizes; only valid when is_static().
  int64_t num_elements() const;
  /// "[N,1,28,28]", "[]" for a scalar.
  std::string str() const;

  bool operator==(const Shape& o) const { return dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  std::vector<Dim> dims_;
};

/// dtype + shape: the type of every value in the graph.
struct TensorType {
  DType dtype = DType::kF32;
  Shape shape;

  /// "f32[N,784]".
  std::string str() const;
  bool operator==(const TensorType& o) const { return dtype == o.dtype && shape == o.shape; }
  bool operator!=(const TensorType& o) const { return !(*this == o); }
};

}  // namespace kiln::ir
