// Golden parity: every committed case of tests/golden/cases runs on the reference backend and
// must match what PyTorch computed. Also tests Compare and LoadCase themselves.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>

#include "codegen/reference/interpreter.h"
#include "ir/host_tensor.h"
#include "ir/safetensors.h"
#include "tests/golden/golden.h"

namespace {

using kiln::golden::Compare;
using kiln::golden::Comparison;
using kiln::golden::Tolerance;
using kiln::ir::DType;
using kiln::ir::HostTensor;

// Bazel 4 runs a test in its runfiles root, where the data files sit at their workspace
// paths. KILN_GOLDEN_DIR overrides this (for running the binary by hand).
std::string CasesDir() {
  if (const char* dir = std::getenv("KILN_GOLDEN_DIR")) return dir;
  return "tests/golden/cases";
}

// A scratch directory for files the LoadCase tests write.
std::string TempDir() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/golden_test";
  std::filesystem::create_directories(dir);
  return dir;
}

HostTensor F32(std::vector<int64_t> sizes, std::vector<float> values) {
  return HostTensor::FromVector<float>(std::move(sizes), values);
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

}  // namespace

TEST_CASE("golden cases match PyTorch on the reference backend", "[golden]") {
  auto names = kiln::golden::ListCases(CasesDir());
  INFO("cases dir: " << CasesDir());
  REQUIRE(names.ok());
  REQUIRE(!names->empty());
  // The glob must have picked up the whole set, not a stray file or two.
  REQUIRE(std::find(names->begin(), names->end(), "mlp") != names->end());

  int passed = 0;
  for (const std::string& name : *names) {
    INFO("golden case " << name);
    auto gc = kiln::golden::LoadCase(CasesDir(), name);
    if (!gc.ok()) {
      FAIL_CHECK(gc.status().ToString());
      continue;
    }
    CHECK(gc->metadata["case"] == name);
    CHECK(!gc->metadata["torch"].empty());
    auto outputs = kiln::reference::RunGraph(*gc->graph, gc->inputs);
    if (!outputs.ok()) {
      FAIL_CHECK(name << ": reference backend failed: " << outputs.status().ToString());
      continue;
    }
    std::vector<std::string> problems = kiln::golden::CompareOutputs(*outputs, gc->expected);
    for (const std::string& p : problems) FAIL_CHECK(name << ": " << p);
    if (problems.empty()) ++passed;
  }
  INFO(passed << " of " << names->size() << " cases match");
  CHECK(passed == static_cast<int>(names->size()));
}

TEST_CASE("the mlp demo files hold the mlp case's weights and input", "[golden]") {
  auto gc = kiln::golden::LoadCase(CasesDir(), "mlp");
  REQUIRE(gc.ok());
  auto weights = kiln::ir::ReadSafetensors(CasesDir() + "/mlp.weights.safetensors");
  auto input = kiln::ir::ReadSafetensors(CasesDir() + "/mlp.input.safetensors");
  REQUIRE(weights.ok());
  REQUIRE(input.ok());
  REQUIRE(weights->tensors.size() == gc->graph->weights().size());
  for (const auto& [name, tensor] : gc->graph->weights()) {
    INFO("parameter " << name);
    REQUIRE(weights->tensors.count(name) == 1);
    CHECK(weights->tensors.at(name).BitwiseEqual(tensor));
  }
  REQUIRE(input->tensors.size() == 1);
  REQUIRE(input->tensors.count("input") == 1);
  CHECK(input->tensors.at("input").BitwiseEqual(gc->inputs.at("input")));
}

TEST_CASE("Compare passes within tolerance and fails just outside", "[golden][compare]") {
  Tolerance tol;  // rtol 1e-4, atol 1e-5
  HostTensor expected = F32({2, 2}, {1.0f, -100.0f, 0.0f, 5.0f});

  Comparison same = Compare(expected, expected);
  CHECK(same.ok);
  CHECK(same.max_abs_diff == 0.0);

  // Allowed at -100: 1e-5 + 1e-4 * 100 = 0.01001.
  Comparison inside = Compare(F32({2, 2}, {1.0f, -100.0095f, 0.0f, 5.0f}), expected, tol);
  CHECK(inside.ok);
  CHECK(inside.worst_index == 1);
  CHECK(inside.max_abs_diff == Approx(0.0095).epsilon(1e-3));

  Comparison outside = Compare(F32({2, 2}, {1.0f, -100.0f, 2e-5f, 5.0f}), expected, tol);
  CHECK(!outside.ok);
  CHECK(outside.worst_index == 2);
  INFO(outside.message);
  CHECK(outside.message.find("flat index 2 [1,0]") != std::string::npos);
  CHECK(outside.message.find("got 1.99999995e-05") != std::string::npos);
  CHECK(outside.message.find("expected 0") != std::string::npos);
  CHECK(outside.message.find("1 of 4") != std::string::npos);

  // The worst element is the one furthest out of tolerance, not the largest absolute diff.
  Comparison ranked = Compare(F32({2, 2}, {1.001f, -100.02f, 0.0f, 5.0f}), expected, tol);
  CHECK(!ranked.ok);
  CHECK(ranked.worst_index == 0);  // 1e-3 vs allowed 1.1e-4, against 0.02 vs allowed 0.01
  CHECK(ranked.max_abs_diff == Approx(0.02).epsilon(1e-3));

  // A looser tolerance accepts it.
  CHECK(Compare(F32({2, 2}, {1.001f, -100.02f, 0.0f, 5.0f}), expected, Tolerance{1e-3, 1e-3}).ok);
}

TEST_CASE("Compare reports dtype and shape mismatches naming both types", "[golden][compare]") {
  HostTensor a = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  Comparison shape = Compare(a, a.Reshaped({3, 2}));
  CHECK(!shape.ok);
  CHECK(shape.worst_index == -1);
  CHECK(shape.message == "shape differs: got f32[2,3], expected f32[3,2]");

  HostTensor i = HostTensor::FromVector<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Comparison dtype = Compare(a, i);
  CHECK(!dtype.ok);
  CHECK(dtype.message == "dtype differs: got f32[2,3], expected i64[2,3]");
}

TEST_CASE("Compare treats NaN as equal only to NaN, and infinities only to themselves", "[golden][compare]") {
  HostTensor expected = F32({3}, {kNaN, kInf, -1.0f});
  CHECK(Compare(F32({3}, {kNaN, kInf, -1.0f}), expected).ok);

  Comparison nan_got = Compare(F32({3}, {kNaN, kInf, kNaN}), expected);
  CHECK(!nan_got.ok);
  CHECK(nan_got.worst_index == 2);
  CHECK(std::isinf(nan_got.max_abs_diff));
  CHECK(nan_got.message.find("got nan, expected -1") != std::string::npos);

  Comparison nan_expected = Compare(F32({3}, {1.0f, kInf, -1.0f}), expected);
  CHECK(!nan_expected.ok);
  CHECK(nan_expected.worst_index == 0);

  Comparison inf = Compare(F32({3}, {kNaN, -kInf, -1.0f}), expected, Tolerance{1.0, 1.0});
  CHECK(!inf.ok);
  CHECK(inf.message.find("got -inf, expected inf") != std::string::npos);
}

TEST_CASE("Compare requires exact equality for integer and bool tensors", "[golden][compare]") {
  HostTensor expected = HostTensor::FromVector<int64_t>({2, 2}, {1, 2, 3, 4});
  CHECK(Compare(expected.Clone(), expected).ok);
  Comparison off = Compare(HostTensor::FromVector<int64_t>({2, 2}, {1, 2, 3, 5}), expected, Tolerance{1.0, 10.0});
  CHECK(!off.ok);
  CHECK(off.worst_index == 3);
  CHECK(off.max_abs_diff == 1.0);
  CHECK(off.message.find("[1,1]: got 5, expected 4") != std::string::npos);

  HostTensor b = HostTensor::FromVector<bool>({3}, {true, false, true});
  CHECK(Compare(b.Clone(), b).ok);
  Comparison bad = Compare(HostTensor::FromVector<bool>({3}, {true, true, true}), b);
  CHECK(!bad.ok);
  CHECK(bad.message.find("[1]: got true, expected false") != std::string::npos);
}

TEST_CASE("Compare of empty tensors and scalars", "[golden][compare]") {
  HostTensor empty(DType::kF32, {0, 3});
  Comparison c = Compare(empty, empty);
  CHECK(c.ok);
  CHECK(c.worst_index == -1);
  HostTensor scalar = F32({}, {2.0f});
  Comparison s = Compare(F32({}, {3.0f}), scalar);
  CHECK(!s.ok);
  CHECK(s.message.find("flat index 0 []") != std::string::npos);
}

TEST_CASE("CompareOutputs reports missing, unexpected and differing outputs", "[golden][compare]") {
  std::map<std::string, HostTensor> expected = {{"a", F32({1}, {1.0f})}, {"b", F32({1}, {2.0f})}};
  CHECK(kiln::golden::CompareOutputs({{"a", F32({1}, {1.0f})}, {"b", F32({1}, {2.0f})}}, expected).empty());
  auto problems = kiln::golden::CompareOutputs({{"a", F32({1}, {1.5f})}, {"c", F32({1}, {2.0f})}}, expected);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0] == "output c: not expected");
  CHECK(problems[1].rfind("output a: 1 of 1 elements", 0) == 0);
  CHECK(problems[2] == "output b: missing (expected f32[1])");
}

TEST_CASE("LoadCase rejects missing and left-over tensors", "[golden][load]") {
  const std::string dir = TempDir();
  {
    std::FILE* f = std::fopen((dir + "/t.kir").c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs(
        "graph t {\n"
        "  input %x : f32[N,2]\n"
        "  param %w : f32[2]\n"
        "  %0 = mul(%x, %w) : f32[N,2]\n"
        "  output y = %0\n"
        "}\n",
        f);
    std::fclose(f);
  }
  HostTensor x = F32({3, 2}, {1, 2, 3, 4, 5, 6}), w = F32({2}, {1, -1});
  HostTensor y = F32({3, 2}, {1, -2, 3, -4, 5, -6});
  auto write = [&](std::map<std::string, HostTensor> tensors) {
    REQUIRE(kiln::ir::WriteSafetensors(dir + "/t.safetensors", tensors, {{"case", "t"}}).ok());
  };

  write({{"x", x}, {"w", w}, {"expected.y", y}});
  auto good = kiln::golden::LoadCase(dir, "t");
  REQUIRE(good.ok());
  CHECK(good->inputs.size() == 1);
  CHECK(good->graph->weights().count("w") == 1);
  CHECK(good->expected.count("y") == 1);
  CHECK(good->metadata.at("case") == "t");

  write({{"x", x}, {"expected.y", y}, {"extra", w}});
  auto bad = kiln::golden::LoadCase(dir, "t");
  REQUIRE(!bad.ok());
  INFO(bad.status().message());
  CHECK(bad.status().message().find("2 problems") != std::string::npos);
  CHECK(bad.status().message().find("parameter 'w' (f32[2]) is missing") != std::string::npos);
  CHECK(bad.status().message().find("tensor 'extra' (f32[2])") != std::string::npos);

  write({{"x", x}, {"w", w}});
  auto no_expected = kiln::golden::LoadCase(dir, "t");
  REQUIRE(!no_expected.ok());
  CHECK(no_expected.status().message().find("expected output 'expected.y'") != std::string::npos);

  write({{"x", x}, {"w", w}, {"expected.y", F32({2, 2}, {1, 2, 3, 4})}});
  auto wrong_n = kiln::golden::LoadCase(dir, "t");
  REQUIRE(!wrong_n.ok());
  CHECK(wrong_n.status().message().find("N is 3 elsewhere") != std::string::npos);

  CHECK(!kiln::golden::LoadCase(dir, "no_such_case").ok());
  CHECK(!kiln::golden::ListCases(dir + "/no_such_dir").ok());
}
