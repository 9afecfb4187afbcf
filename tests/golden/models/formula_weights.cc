#include "tests/golden/models/formula_weights.h"

#include <cmath>

namespace kiln::golden {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// FNV-1a (64-bit) of the key's bytes.
uint64_t KeyHash(const std::string& key) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : key) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

/// Uniform [-0.5, 0.5): splitmix64(key_hash + (i + 1) * golden ratio), top 53 bits.
double FormulaBase(uint64_t key_hash, int64_t i) {
  uint64_t z = key_hash + static_cast<uint64_t>(i + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1p-53 - 0.5;
}

}  // namespace

StatusOr<ir::HostTensor> FormulaTensor(const std::string& key, const std::vector<int64_t>& shape) {
  if (EndsWith(key, "num_batches_tracked")) return ir::HostTensor(ir::DType::kI64, shape);
  ir::HostTensor t(ir::DType::kF32, shape);
  const uint64_t hash = KeyHash(key);
  const int64_t n = t.num_elements();
  const bool bias = EndsWith(key, ".bias") || key.find(".bias_") != std::string::npos;
  float* out = t.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const double base = FormulaBase(hash, i);
    double v = 0;
    if (shape.size() >= 2) v = base * std::sqrt(24.0 / static_cast<double>(n / shape[0]));
    else if (EndsWith(key, "running_mean")) v = 0.2 * base;
    else if (EndsWith(key, "running_var")) v = 1.0 + 0.5 * (base + 0.5);
    else if (EndsWith(key, ".weight")) v = 1.0 + 0.2 * base;
    else if (bias) v = 0.2 * base;
    else return InvalidArgument("no formula for state_dict key " + key);
    out[i] = static_cast<float>(v);
  }
  return t;
}

}  // namespace kiln::golden
