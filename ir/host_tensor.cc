#include "ir/host_tensor.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace kiln::ir {

namespace {
constexpr size_t kAlignment = 64;

std::shared_ptr<uint8_t> allocate(size_t nbytes) {
  // Round up so aligned_alloc's size is a multiple of the alignment; never allocate 0 bytes.
  size_t rounded = ((nbytes + kAlignment - 1) / kAlignment) * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded);
  KILN_CHECK(p != nullptr, "out of memory allocating " + std::to_string(nbytes) + " bytes");
  std::memset(p, 0, rounded);
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}
}  // namespace

HostTensor::HostTensor(DType dtype, std::vector<int64_t> sizes) : dtype_(dtype), sizes_(std::move(sizes)) {
  num_elements_ = 1;
  for (int64_t s : sizes_) {
    KILN_CHECK(s >= 0, "negative tensor size");
    // Callers validate sizes from files and graphs; an overflow here is a bug in kiln.
    KILN_CHECK(!__builtin_mul_overflow(num_elements_, s, &num_elements_), "tensor element count overflows int64");
  }
  size_t bytes = 0;
  KILN_CHECK(!__builtin_mul_overflow(static_cast<size_t>(num_elements_), dtype_size(dtype_), &bytes),
             "tensor byte size overflows");
  storage_ = allocate(nbytes());
}

double HostTensor::GetDouble(int64_t i) const {
  KILN_CHECK(i >= 0 && i < num_elements_, "GetDouble index out of range");
  const uint8_t* p = storage_.get();
  switch (dtype_) {
    case DType::kF32: return reinterpret_cast<const float*>(p)[i];
    case DType::kF64: return reinterpret_cast<const double*>(p)[i];
    case DType::kF16: return half_to_float(reinterpret_cast<const uint16_t*>(p)[i]);
    case DType::kBF16: return bf16_to_float(reinterpret_cast<const uint16_t*>(p)[i]);
    case DType::kI64: return static_cast<double>(reinterpret_cast<const int64_t*>(p)[i]);
    case DType::kI32: return reinterpret_cast<const int32_t*>(p)[i];
    case DType::kBool: return p[i] != 0 ? 1.0 : 0.0;  // read as a byte: any non-zero is true
  }
  return 0;
}

int64_t HostTensor::GetInt(int64_t i) const {
  KILN_CHECK(i >= 0 && i < num_elements_, "GetInt index out of range");
  const uint8_t* p = storage_.get();
  switch (dtype_) {
    case DType::kI64: return reinterpret_cast<const int64_t*>(p)[i];
    case DType::kI32: return reinterpret_cast<const int32_t*>(p)[i];
    case DType::kBool: return p[i] != 0 ? 1 : 0;
    default: return static_cast<int64_t>(GetDouble(i));
  }
}

void HostTensor::SetDouble(int64_t i, double v) {
  KILN_CHECK(i >= 0 && i < num_elements_, "SetDouble index out of range");
  uint8_t* p = storage_.get();
  switch (dtype_) {
    case DType::kF32: reinterpret_cast<float*>(p)[i] = static_cast<float>(v); return;
    case DType::kF64: reinterpret_cast<double*>(p)[i] = v; return;
    case DType::kF16: reinterpret_cast<uint16_t*>(p)[i] = float_to_half(static_cast<float>(v)); return;
    case DType::kBF16: reinterpret_cast<uint16_t*>(p)[i] = float_to_bf16(static_cast<float>(v)); return;
    case DType::kI64: reinterpret_cast<int64_t*>(p)[i] = static_cast<int64_t>(v); return;
    case DType::kI32: reinterpret_cast<int32_t*>(p)[i] = static_cast<int32_t>(v); return;
    case DType::kBool: reinterpret_cast<bool*>(p)[i] = v != 0.0; return;
  }
}

HostTensor HostTensor::Clone() const {
  HostTensor t(dtype_, sizes_);
  std::memcpy(t.raw_data(), raw_data(), nbytes());
  return t;
}

HostTensor HostTensor::Reshaped(std::vector<int64_t> sizes) const {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  KILN_CHECK(n == num_elements_, "Reshaped: element count changes");
  HostTensor t = *this;
  t.sizes_ = std::move(sizes);
  return t;
}

bool HostTensor::BitwiseEqual(const HostTensor& o) const {
  return dtype_ == o.dtype_ && sizes_ == o.sizes_ && std::memcmp(raw_data(), o.raw_data(), nbytes()) == 0;
}

float half_to_float(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? NAN : INFINITY;
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t absx = x & 0x7fffffff;
  if (absx > 0x7f800000) return static_cast<uint16_t>(sign | 0x7e00);  // NaN
  if (absx >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // overflow -> inf
  if (absx < 0x38800000) {  // subnormal or zero in half
    float a;
    std::memcpy(&a, &absx, 4);
    // Round to nearest even at 2^-24 granularity.
    float scaled = a * 16777216.0f;  // 2^24
    uint32_t m = static_cast<uint32_t>(std::nearbyint(scaled));
    return static_cast<uint16_t>(sign | m);
  }
  uint32_t exp = ((absx >> 23) - 127 + 15) << 10;
  uint32_t mant = absx & 0x7fffff;
  uint32_t h = exp | (mant >> 13);
  uint32_t rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float bf16_to_float(uint16_t b) {
  uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // NaN
  uint32_t rounding = 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>((x + rounding) >> 16);
}

}  // namespace kiln::ir
