#include "ir/types.h"

#include "ir/status.h"

namespace kiln::ir {

const DType kAllDTypes[7] = {DType::kF32, DType::kF64, DType::kF16, DType::kBF16,
                             DType::kI64, DType::kI32, DType::kBool};

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF64: return "f64";
    case DType::kF16: return "f16";
    case DType::kBF16: return "bf16";
    case DType::kI64: return "i64";
    case DType::kI32: return "i32";
    case DType::kBool: return "bool";
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (DType d : kAllDTypes) {
    if (name == dtype_name(d)) return d;
  }
  return std::nullopt;
}

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF64: return 8;
    case DType::kF16: return 2;
    case DType::kBF16: return 2;
    case DType::kI64: return 8;
    case DType::kI32: return 4;
    case DType::kBool: return 1;
  }
  return 0;
}

bool is_floating(DType d) {
  return d == DType::kF32 || d == DType::kF64 || d == DType::kF16 || d == DType::kBF16;
}

bool is_integer(DType d) { return d == DType::kI64 || d == DType::kI32; }

std::string Dim::str() const { return is_static() ? std::to_string(size_) : symbol_; }

Shape Shape::FromSizes(const std::vector<int64_t>& sizes) {
  std::vector<Dim> dims;
  dims.reserve(sizes.size());
  for (int64_t s : sizes) dims.emplace_back(s);
  return Shape(std::move(dims));
}

bool Shape::is_static() const {
  for (const Dim& d : dims_) {
    if (!d.is_static()) return false;
  }
  return true;
}

std::vector<int64_t> Shape::sizes() const {
  KILN_CHECK(is_static(), "sizes() of symbolic shape " + str());
  std::vector<int64_t> out;
  out.reserve(dims_.size());
  for (const Dim& d : dims_) out.push_back(d.size());
  return out;
}

int64_t Shape::num_elements() const {
  KILN_CHECK(is_static(), "num_elements() of symbolic shape " + str());
  int64_t n = 1;
  for (const Dim& d : dims_) n *= d.size();
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ",";
    s += dims_[i].str();
  }
  return s + "]";
}

std::string TensorType::str() const { return std::string(dtype_name(dtype)) + shape.str(); }

}  // namespace kiln::ir
