// Tests for the `cse` pass: .kir text in, PrintGraph text out.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/cse.h"

namespace kiln::passes {
namespace {

/// Parses `text`, runs cse, checks the result verifies and `changed`, returns the new text.
std::string RunCse(const std::string& text, bool expect_changed) {
  auto parsed = ir::ParseGraph(text, "cse_test.kir");
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  ir::Graph& graph = **parsed;
  REQUIRE(ir::Verify(graph).ok());
  CommonSubexpressionElimination pass;
  auto changed = pass.Run(graph);
  INFO(changed.status().ToString());
  REQUIRE(changed.ok());
  CHECK(*changed == expect_changed);
  Status verified = ir::Verify(graph);
  INFO(verified.ToString());
  CHECK(verified.ok());
  return ir::PrintGraph(graph);
}

TEST_CASE("cse: merges identical nodes and redirects their uses", "[cse]") {
  std::string in = R"(graph g {
  input %x : f32[N,4]
  %0 = relu(%x) : f32[N,4]
  %1 = relu(%x) : f32[N,4]
  %2 = add(%0, %1) : f32[N,4]
  output out = %2
})";
  CHECK(RunCse(in, true) == R"(graph g {
  input %x : f32[N,4]
  %0 = relu(%x) : f32[N,4]
  %1 = add(%0, %0) : f32[N,4]
  output out = %1
}
)");
}

TEST_CASE("cse: a chain of duplicates collapses in one run", "[cse]") {
  std::string in = R"(graph g {
  input %x : f32[4]
  input %y : f32[4]
  %0 = add(%x, %y) : f32[4]
  %1 = exp(%0) : f32[4]
  %2 = add(%x, %y) : f32[4]
  %3 = exp(%2) : f32[4]
  %4 = mul(%1, %3) : f32[4]
  output a = %4
  output b = %3
})";
  std::string expected = R"(graph g {
  input %x : f32[4]
  input %y : f32[4]
  %0 = add(%x, %y) : f32[4]
  %1 = exp(%0) : f32[4]
  %2 = mul(%1, %1) : f32[4]
  output a = %2
  output b = %1
}
)";
  CHECK(RunCse(in, true) == expected);
  CHECK(RunCse(expected, false) == expected);
}

TEST_CASE("cse: different attributes, operand order or ops are kept apart", "[cse]") {
  std::string in = R"(graph g {
  input %x : f32[2,3]
  input %y : f32[2,3]
  %0 = reduce_sum(%x) {dims=[1], keepdim=false} : f32[2]
  %1 = reduce_sum(%x) {dims=[1], keepdim=true} : f32[2,1]
  %2 = reduce_sum(%x) {dims=[0], keepdim=false} : f32[3]
  %3 = reduce_mean(%x) {dims=[1], keepdim=false} : f32[2]
  %4 = add(%x, %y) : f32[2,3]
  %5 = add(%y, %x) : f32[2,3]
  output a = %0
  output b = %1
  output c = %2
  output d = %3
  output e = %4
  output f = %5
}
)";
  CHECK(RunCse(in, false) == in);
}

TEST_CASE("cse: merges equal constants, not different ones", "[cse]") {
  std::string in = R"(graph g {
  input %x : f32[2]
  %0 = constant() {dtype=f32, shape=[2], value=[1.0, 2.0]} : f32[2]
  %1 = constant() {dtype=f32, shape=[2], value=[1.0, 2.0]} : f32[2]
  %2 = constant() {dtype=f32, shape=[2], value=[1.0, 3.0]} : f32[2]
  %3 = add(%x, %0) : f32[2]
  %4 = add(%x, %1) : f32[2]
  %5 = add(%3, %2) : f32[2]
  %6 = mul(%4, %5) : f32[2]
  output out = %6
})";
  CHECK(RunCse(in, true) == R"(graph g {
  input %x : f32[2]
  %0 = constant() {dtype=f32, shape=[2], value=[1.0,2.0]} : f32[2]
  %1 = constant() {dtype=f32, shape=[2], value=[1.0,3.0]} : f32[2]
  %2 = add(%x, %0) : f32[2]
  %3 = add(%2, %1) : f32[2]
  %4 = mul(%2, %3) : f32[2]
  output out = %4
}
)");
}

TEST_CASE("cse: keeps the first node's name and loc", "[cse]") {
  std::string in = R"(graph g {
  input %x : f32[4]
  %first = sigmoid(%x) : f32[4] @a
  %second = sigmoid(%x) : f32[4] @b
  %0 = mul(%first, %second) : f32[4]
  output out = %0
})";
  CHECK(RunCse(in, true) == R"(graph g {
  input %x : f32[4]
  %first = sigmoid(%x) : f32[4] @a
  %0 = mul(%first, %first) : f32[4]
  output out = %0
}
)");
}

TEST_CASE("cse: duplicates feeding only outputs are merged, outputs redirected", "[cse]") {
  std::string in = R"(graph g {
  input %x : f32[4]
  %0 = tanh(%x) : f32[4]
  %1 = tanh(%x) : f32[4]
  output a = %0
  output b = %1
})";
  CHECK(RunCse(in, true) == R"(graph g {
  input %x : f32[4]
  %0 = tanh(%x) : f32[4]
  output a = %0
  output b = %0
}
)");
}

}  // namespace
}  // namespace kiln::passes
