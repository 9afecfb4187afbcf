// HostTensor: a concrete, contiguous, row-major tensor in host memory.
//
// It carries parameter data (weights loaded from safetensors), the inputs and outputs of the
// reference backend, and constants produced by folding. Storage is 64-byte aligned and shared
// between copies (copying a HostTensor is cheap; Clone() makes a deep copy). Typed access is
// checked: data<float>() on an i64 tensor is a bug and aborts with a message.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ir/status.h"
#include "ir/types.h"

namespace kiln::ir {

/// The C++ element type that stores each dtype. f16 and bf16 have none (both are 16-bit
/// patterns): reach them through raw_data(), GetDouble() and SetDouble().
template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::kF32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kF64; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kI64; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kI32; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::kBool; };

class HostTensor {
 public:
  /// An empty f32 tensor of shape [0].
  HostTensor() : HostTensor(DType::kF32, {0}) {}
  /// A zero-filled tensor. Sizes must be non-negative (checked).
  HostTensor(DType dtype, std::vector<int64_t> sizes);

  /// A tensor holding a copy of `values` (size must equal the product of `sizes`).
  template <typename T>
  static HostTensor FromVector(std::vector<int64_t> sizes, const std::vector<T>& values) {
    HostTensor t(DTypeOf<T>::value, std::move(sizes));
    KILN_CHECK(static_cast<int64_t>(values.size()) == t.num_elements(), "FromVector: size mismatch");
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
    return t;
  }

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& sizes() const { return sizes_; }
  int rank() const { return static_cast<int>(sizes_.size()); }
  int64_t num_elements() const { return num_elements_; }
  size_t nbytes() const { return static_cast<size_t>(num_elements_) * dtype_size(dtype_); }
  /// dtype + static shape.
  TensorType type() const { return TensorType{dtype_, Shape::FromSizes(sizes_)}; }

  void* raw_data() { return storage_.get(); }
  const void* raw_data() const { return storage_.get(); }

  /// Typed element pointer; T must be the storage type of dtype() (checked).
  template <typename T>
  T* data() {
    KILN_CHECK(DTypeOf<T>::value == dtype_, std::string("data<T>() on a ") + dtype_name(dtype_) + " tensor");
    return static_cast<T*>(raw_data());
  }
  template <typename T>
  const T* data() const {
    KILN_CHECK(DTypeOf<T>::value == dtype_, std::string("data<T>() on a ") + dtype_name(dtype_) + " tensor");
    return static_cast<const T*>(raw_data());
  }

  /// Element `i` (flat, row-major) converted to double; works for every dtype, f16/bf16 too.
  double GetDouble(int64_t i) const;
  /// Stores `v` converted to dtype() at flat index `i` (rounds f16/bf16 to nearest even).
  void SetDouble(int64_t i, double v);
  /// Element `i` as int64 (exact for the integer dtypes and bool).
  int64_t GetInt(int64_t i) const;

  /// A deep copy with its own storage.
  HostTensor Clone() const;
  /// The same data viewed with other sizes of equal element count (shares storage).
  HostTensor Reshaped(std::vector<int64_t> sizes) const;
  /// True when dtype, sizes and every byte are equal.
  bool BitwiseEqual(const HostTensor& other) const;

 private:
  DType dtype_;
  std::vector<int64_t> sizes_;
  int64_t num_elements_ = 0;
  std::shared_ptr<uint8_t> storage_;
};

/// IEEE half and bfloat16 conversions (round to nearest even).
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
float bf16_to_float(uint16_t b);
uint16_t float_to_bf16(float f);

}  // namespace kiln::ir
