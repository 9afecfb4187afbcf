// Helpers shared by the reference backend tests: tensor literals, running one op, comparing.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"

namespace kiln::reference::testing {

namespace ir = ::kiln::ir;
using ::kiln::Status;
using ::kiln::StatusCode;
using ir::Attrs;
using ir::DType;
using ir::HostTensor;
using ir::OpKind;
using reference::EvaluateOp;
using reference::RunGraph;

inline HostTensor F32(std::vector<int64_t> sizes, const std::vector<float>& v) { return HostTensor::FromVector(sizes, v); }
inline HostTensor F64(std::vector<int64_t> sizes, const std::vector<double>& v) { return HostTensor::FromVector(sizes, v); }
inline HostTensor I64(std::vector<int64_t> sizes, const std::vector<int64_t>& v) { return HostTensor::FromVector(sizes, v); }
inline HostTensor I32(std::vector<int64_t> sizes, const std::vector<int32_t>& v) { return HostTensor::FromVector(sizes, v); }
inline HostTensor Bool(std::vector<int64_t> sizes, const std::vector<bool>& v) { return HostTensor::FromVector(sizes, v); }

/// A tensor of `dtype` holding `v` (converted with SetDouble).
inline HostTensor Of(DType dtype, std::vector<int64_t> sizes, const std::vector<double>& v) {
  HostTensor t(dtype, std::move(sizes));
  REQUIRE(static_cast<int64_t>(v.size()) == t.num_elements());
  for (size_t i = 0; i < v.size(); ++i) t.SetDouble(static_cast<int64_t>(i), v[i]);
  return t;
}

/// Runs one op and returns its first result; fails the test on error.
inline HostTensor Eval(OpKind op, const Attrs& attrs, const std::vector<HostTensor>& operands) {
  auto r = EvaluateOp(op, attrs, operands);
  if (!r.ok()) FAIL("EvaluateOp(" << ir::op_schema(op).name << ") failed: " << r.status().ToString());
  REQUIRE(r->size() == 1);
  return (*r)[0];
}

/// Runs one op that must fail; returns the status.
inline Status EvalError(OpKind op, const Attrs& attrs, const std::vector<HostTensor>& operands) {
  auto r = EvaluateOp(op, attrs, operands);
  REQUIRE_FALSE(r.ok());
  return r.status();
}

inline std::vector<double> Values(const HostTensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(t.GetDouble(i));
  return v;
}

inline std::vector<int64_t> IntValues(const HostTensor& t) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(t.GetInt(i));
  return v;
}

/// Checks dtype, sizes and values; NaN expects NaN; `rel` is Approx's relative epsilon
/// (0 = exact equality).
inline void CheckTensor(const HostTensor& t, DType dtype, const std::vector<int64_t>& sizes,
                        const std::vector<double>& expected, double rel = 1e-6) {
  INFO("tensor " << t.type().str());
  REQUIRE(t.dtype() == dtype);
  REQUIRE(t.sizes() == sizes);
  REQUIRE(static_cast<int64_t>(expected.size()) == t.num_elements());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("element " << i);
    double got = t.GetDouble(static_cast<int64_t>(i)), want = expected[i];
    if (std::isnan(want)) {
      CHECK(std::isnan(got));
    } else if (rel == 0 || std::isinf(want)) {
      CHECK(got == want);
    } else {
      CHECK(got == Approx(want).epsilon(rel).margin(1e-12));
    }
  }
}

/// Checks an integer or bool tensor exactly.
inline void CheckInts(const HostTensor& t, DType dtype, const std::vector<int64_t>& sizes,
                      const std::vector<int64_t>& expected) {
  INFO("tensor " << t.type().str());
  REQUIRE(t.dtype() == dtype);
  REQUIRE(t.sizes() == sizes);
  CHECK(IntValues(t) == expected);
}

constexpr double kNaN = NAN;
constexpr double kInf = INFINITY;

}  // namespace kiln::reference::testing
