// Helpers shared by the layer options of kiln::nn (as torch's C++ API has them):
//   - ExpandingArray<N>: a size given as one int (expanded to N entries) or as N ints;
//   - ExpandingArrayWithOptionalElem<N>: the same with "None" entries (AdaptiveAvgPool2d);
//   - KILN_ARG: an option field with a chained setter and a getter (TORCH_ARG);
//   - Python-style formatting for extra_repr strings (True/False, 1e-05, (3,)).
//
// ExpandingArray remembers whether it was given one int, because PyTorch's reprs print what
// the user passed (MaxPool2d(kernel_size=2, ...) but MaxPool2d(kernel_size=(2, 3), ...)).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "frontend/error.h"

/// Declares an option `name` of type T: `opts.name(v)` sets it and returns *this (chaining),
/// `opts.name()` reads it.
#define KILN_ARG(T, name)                                          \
 public:                                                           \
  inline auto name(const T& new_##name)->decltype(*this) {         \
    this->name##_ = new_##name;                                    \
    return *this;                                                  \
  }                                                                \
  inline const T& name() const noexcept { return this->name##_; } \
  inline T& name() noexcept { return this->name##_; }              \
                                                                   \
 private:                                                          \
  T name##_

namespace kiln::nn {

/// Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 or from
/// 1e16 on with a two-digit exponent ("1e-05", "0.1", "1.0", "inf").
inline std::string py_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[40];
  int precision = 1;
  for (; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  // buf = "d.ddde[+-]XX": split into digits and exponent.
  std::string s(buf);
  size_t e = s.find('e');
  int exp10 = std::atoi(s.c_str() + e + 1);
  std::string mant = s.substr(0, e);
  bool neg = mant[0] == '-';
  if (neg) mant = mant.substr(1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exp10 < -4 || exp10 >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[8];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out += ebuf;
  } else if (exp10 < 0) {
    out = "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
  } else {
    size_t int_len = static_cast<size_t>(exp10) + 1;
    if (digits.size() <= int_len) {
      out = digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
  return neg ? "-" + out : out;
}

/// "True" / "False".
inline std::string py_bool(bool b) { return b ? "True" : "False"; }

/// Python's tuple spelling: "(3,)", "(5, 5)".
inline std::string py_tuple(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

/// N sizes, given as one int (repeated N times) or as exactly N ints.
template <size_t N>
class ExpandingArray {
 public:
  ExpandingArray(int64_t single) : scalar_(true) { values_.fill(single); }  // NOLINT: implicit, as torch
  ExpandingArray(std::initializer_list<int64_t> list) : ExpandingArray(std::vector<int64_t>(list)) {}  // NOLINT
  ExpandingArray(const std::vector<int64_t>& list) {  // NOLINT
    if (list.size() != N) {
      throw Error("expected " + std::to_string(N) + " values, got " + std::to_string(list.size()) + " " + py_tuple(list));
    }
    for (size_t i = 0; i < N; ++i) values_[i] = list[i];
  }
  ExpandingArray(const std::array<int64_t, N>& values) : values_(values) {}  // NOLINT

  int64_t operator[](size_t i) const { return values_.at(i); }
  int64_t& operator[](size_t i) { return values_.at(i); }
  static constexpr size_t size() { return N; }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(values_.begin(), values_.end()); }
  /// True when constructed from one int.
  bool is_scalar() const { return scalar_; }
  /// "(5, 5)".
  std::string tuple_str() const { return py_tuple(vec()); }
  /// What Python prints for the value as given: "5" for one int, else "(5, 3)".
  std::string repr() const { return scalar_ ? std::to_string(values_[0]) : tuple_str(); }
  bool all_equal(int64_t v) const {
    for (int64_t x : values_) {
      if (x != v) return false;
    }
    return true;
  }
  bool operator==(const ExpandingArray& o) const { return values_ == o.values_; }
  bool operator!=(const ExpandingArray& o) const { return values_ != o.values_; }

 private:
  std::array<int64_t, N> values_{};
  bool scalar_ = false;
};

/// N optional sizes (nullopt = Python's None: keep the input's size), given as one value or N.
template <size_t N>
class ExpandingArrayWithOptionalElem {
 public:
  ExpandingArrayWithOptionalElem(int64_t single) : scalar_(true) { values_.fill(single); }  // NOLINT
  ExpandingArrayWithOptionalElem(std::initializer_list<std::optional<int64_t>> list)  // NOLINT
      : ExpandingArrayWithOptionalElem(std::vector<std::optional<int64_t>>(list)) {}
  ExpandingArrayWithOptionalElem(const std::vector<std::optional<int64_t>>& list) {  // NOLINT
    if (list.size() != N) {
      throw Error("expected " + std::to_string(N) + " values, got " + std::to_string(list.size()));
    }
    for (size_t i = 0; i < N; ++i) values_[i] = list[i];
  }
  ExpandingArrayWithOptionalElem(const std::vector<int64_t>& list)  // NOLINT
      : ExpandingArrayWithOptionalElem(std::vector<std::optional<int64_t>>(list.begin(), list.end())) {}

  const std::optional<int64_t>& operator[](size_t i) const { return values_.at(i); }
  static constexpr size_t size() { return N; }
  bool is_scalar() const { return scalar_; }
  /// "7", "(1, 1)" or "(None, 7)".
  std::string repr() const {
    if (scalar_) return std::to_string(*values_[0]);
    std::string s = "(";
    for (size_t i = 0; i < N; ++i) s += (i ? ", " : "") + (values_[i] ? std::to_string(*values_[i]) : "None");
    return s + (N == 1 ? ",)" : ")");
  }

 private:
  std::array<std::optional<int64_t>, N> values_{};
  bool scalar_ = false;
};

}  // namespace kiln::nn
