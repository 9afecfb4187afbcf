#include "ir/tensor_compare.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace kiln::ir {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Num(double v, int precision = 6) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os.precision(precision);
  os << v;
  return os.str();
}

// "[1,0,2]": the row-major multi-index of flat index `flat`.
std::string MultiIndex(const std::vector<int64_t>& sizes, int64_t flat) {
  std::vector<int64_t> index(sizes.size(), 0);
  for (size_t d = sizes.size(); d-- > 0;) {
    if (sizes[d] > 0) {
      index[d] = flat % sizes[d];
      flat /= sizes[d];
    }
  }
  std::string s = "[";
  for (size_t d = 0; d < index.size(); ++d) s += (d ? "," : "") + std::to_string(index[d]);
  return s + "]";
}

// An element as text: enough digits to tell neighbouring floats of its dtype apart.
std::string Element(const HostTensor& t, int64_t i) {
  if (t.dtype() == DType::kBool) return t.GetInt(i) ? "true" : "false";
  if (!is_floating(t.dtype())) return std::to_string(t.GetInt(i));
  return Num(t.GetDouble(i), t.dtype() == DType::kF64 ? 17 : 9);
}

struct ElementResult {
  bool pass;
  double diff;     // |got - expected|; inf for a NaN mismatch
  double allowed;  // the tolerance at this element (0 for exact dtypes)
  double score;    // how far out of tolerance: diff / allowed (inf if allowed is 0)
};

ElementResult CompareFloat(double g, double e, const Tolerance& tol) {
  bool gn = std::isnan(g), en = std::isnan(e);
  if (gn || en) return {gn && en, gn && en ? 0.0 : kInf, 0.0, gn && en ? 0.0 : kInf};
  if (g == e) return {true, 0.0, 0.0, 0.0};  // also equal infinities
  // An infinity matches only itself (atol + rtol * inf would accept anything).
  if (std::isinf(g) || std::isinf(e)) return {false, kInf, 0.0, kInf};
  double diff = std::fabs(g - e);
  double allowed = tol.atol + tol.rtol * std::fabs(e);
  return {diff <= allowed, diff, allowed, allowed > 0 ? diff / allowed : kInf};
}

ElementResult CompareExact(int64_t g, int64_t e) {
  double diff = std::fabs(static_cast<double>(g) - static_cast<double>(e));
  return {g == e, diff, 0.0, g == e ? 0.0 : kInf};
}

}  // namespace

Comparison Compare(const HostTensor& got, const HostTensor& expected, Tolerance tol) {
  Comparison c;
  if (got.dtype() != expected.dtype()) {
    c.message = "dtype differs: got " + got.type().str() + ", expected " + expected.type().str();
    return c;
  }
  if (got.sizes() != expected.sizes()) {
    c.message = "shape differs: got " + got.type().str() + ", expected " + expected.type().str();
    return c;
  }
  const bool exact = !is_floating(expected.dtype());
  const int64_t n = expected.num_elements();
  int64_t failures = 0, worst_fail = -1, largest = -1;
  double worst_score = -1;
  ElementResult worst_fail_result{true, 0, 0, 0};
  for (int64_t i = 0; i < n; ++i) {
    ElementResult r = exact ? CompareExact(got.GetInt(i), expected.GetInt(i))
                            : CompareFloat(got.GetDouble(i), expected.GetDouble(i), tol);
    if (largest < 0 || r.diff > c.max_abs_diff) {
      largest = i;
      c.max_abs_diff = r.diff;
    }
    if (!r.pass) {
      ++failures;
      if (r.score > worst_score) {
        worst_score = r.score;
        worst_fail = i;
        worst_fail_result = r;
      }
    }
  }
  c.ok = failures == 0;
  c.worst_index = c.ok ? largest : worst_fail;
  std::string type = expected.type().str();
  std::string rule = exact ? "exact match for " + std::string(dtype_name(expected.dtype()))
                           : "rtol " + Num(tol.rtol) + ", atol " + Num(tol.atol);
  if (c.worst_index < 0) {
    c.message = "equal: " + type + " has no elements";
    return c;
  }
  std::string at = "flat index " + std::to_string(c.worst_index) + " " + MultiIndex(expected.sizes(), c.worst_index) +
                   ": got " + Element(got, c.worst_index) + ", expected " + Element(expected, c.worst_index);
  if (c.ok) {
    c.message = "equal within " + rule + " (" + type + "); max |diff| " + Num(c.max_abs_diff) + " at " + at;
    return c;
  }
  c.message = std::to_string(failures) + " of " + std::to_string(n) + " elements of " + type + " differ beyond " +
              rule + "; worst at " + at + " (|diff| " + Num(worst_fail_result.diff);
  if (!exact) c.message += ", allowed " + Num(worst_fail_result.allowed);
  c.message += "); max |diff| " + Num(c.max_abs_diff);
  return c;
}

}  // namespace kiln::ir
