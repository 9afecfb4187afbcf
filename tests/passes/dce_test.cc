// Tests for the `dce` pass: .kir text in, PrintGraph text out.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/dce.h"

namespace kiln::passes {
namespace {

std::unique_ptr<ir::Graph> Parse(const std::string& text) {
  auto g = ir::ParseGraph(text, "dce_test.kir");
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  REQUIRE(ir::Verify(**g).ok());
  return std::move(g).value();
}

/// Runs dce on `text`; checks that the result verifies and that `changed` is as expected.
std::string RunDce(const std::string& text, bool expect_changed) {
  std::unique_ptr<ir::Graph> graph = Parse(text);
  DeadCodeElimination pass;
  auto changed = pass.Run(*graph);
  INFO(changed.status().ToString());
  REQUIRE(changed.ok());
  CHECK(*changed == expect_changed);
  Status verified = ir::Verify(*graph);
  INFO(verified.ToString());
  CHECK(verified.ok());
  return ir::PrintGraph(*graph);
}

TEST_CASE("dce: removes nodes that reach no output, keeps live ones in order", "[dce]") {
  std::string in = R"(graph g {
  input %x : f32[N,4]
  %0 = relu(%x) : f32[N,4]
  %1 = neg(%x) : f32[N,4]
  %2 = exp(%1) : f32[N,4]
  %3 = abs(%0) : f32[N,4]
  output out = %3
})";
  CHECK(RunDce(in, true) == R"(graph g {
  input %x : f32[N,4]
  %0 = relu(%x) : f32[N,4]
  %1 = abs(%0) : f32[N,4]
  output out = %1
}
)");
}

TEST_CASE("dce: a graph with nothing dead is unchanged", "[dce]") {
  std::string in = R"(graph g {
  input %x : f32[N,4]
  param %w : f32[3,4]
  %0 = linear(%x, %w) : f32[N,3]
  %1 = relu(%0) : f32[N,3]
  output out = %1
}
)";
  CHECK(RunDce(in, false) == in);
}

TEST_CASE("dce: removes unused parameters and their weights, never inputs", "[dce]") {
  std::string in = R"(graph g {
  input %x : f32[N,4]
  input %unused : f32[2]
  param %w : f32[3,4]
  param %dead_w : f32[3,4]
  param %orphan : f32[7]
  %0 = linear(%x, %dead_w) : f32[N,3]
  %1 = linear(%x, %w) : f32[N,3]
  output out = %1
})";
  auto parsed = Parse(in);
  parsed->weights()["w"] = ir::HostTensor(ir::DType::kF32, {3, 4});
  parsed->weights()["dead_w"] = ir::HostTensor(ir::DType::kF32, {3, 4});
  parsed->weights()["orphan"] = ir::HostTensor(ir::DType::kF32, {7});
  DeadCodeElimination pass;
  auto changed = pass.Run(*parsed);
  REQUIRE(changed.ok());
  CHECK(*changed);
  ir::Graph* g = parsed.get();
  CHECK(ir::Verify(*g, {/*require_weights=*/true}).ok());
  CHECK(g->weights().size() == 1);
  CHECK(g->weights().count("w") == 1);
  CHECK(ir::PrintGraph(*g) == R"(graph g {
  input %x : f32[N,4]
  input %unused : f32[2]
  param %w : f32[3,4]
  %0 = linear(%x, %w) : f32[N,3]
  output out = %0
}
)");
}

TEST_CASE("dce: a parameter or input that is itself an output is live", "[dce]") {
  std::string in = R"(graph g {
  input %x : f32[4]
  param %w : f32[4]
  %0 = neg(%x) : f32[4]
  output a = %w
  output b = %x
})";
  CHECK(RunDce(in, true) == R"(graph g {
  input %x : f32[4]
  param %w : f32[4]
  output a = %w
  output b = %x
}
)");
}

TEST_CASE("dce: a dead chain goes in one run and a second run changes nothing", "[dce]") {
  std::string in = R"(graph g {
  input %x : f32[4]
  %c = constant() {dtype=f32, shape=[4], value=[1.0]} : f32[4]
  %0 = add(%x, %c) : f32[4]
  %1 = mul(%0, %0) : f32[4]
  %2 = sqrt(%1) : f32[4]
  %3 = relu(%x) : f32[4]
  output out = %3
})";
  std::string expected = R"(graph g {
  input %x : f32[4]
  %0 = relu(%x) : f32[4]
  output out = %0
}
)";
  CHECK(RunDce(in, true) == expected);
  CHECK(RunDce(expected, false) == expected);
}

TEST_CASE("dce: keeps names and locs of live nodes", "[dce]") {
  std::string in = R"(graph g {
  input %x : f32[4]
  %h = relu(%x) : f32[4] @layer1.act
  %dead = neg(%h) : f32[4] @layer1.neg
  output out = %h
}
)";
  CHECK(RunDce(in, true) == R"(graph g {
  input %x : f32[4]
  %h = relu(%x) : f32[4] @layer1.act
  output out = %h
}
)");
}

}  // namespace
}  // namespace kiln::passes
