// Tests for the `simplify` pass: .kir text in, PrintGraph text out, each rewrite and the
// near-misses it must leave alone, plus a check through the reference backend that the graph
// computes the same before and after.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/dce.h"
#include "passes/simplify.h"
#include "tests/passes/fold_test_util.h"

namespace kiln::passes {
namespace {

/// Parses `text`, runs simplify (then dce when `then_dce`), checks `changed`, that the result
/// verifies, that a second run changes nothing and that the outputs are numerically the same.
std::string RunSimplify(const std::string& text, bool expect_changed, bool then_dce = true) {
  auto parsed = ir::ParseGraph(text, "simplify_test.kir");
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  ir::Graph& graph = **parsed;
  testing::AttachRandomWeights(graph);
  Status before_ok = ir::Verify(graph);
  INFO(before_ok.ToString());
  REQUIRE(before_ok.ok());
  std::unique_ptr<ir::Graph> before = graph.Clone();
  auto changed = Simplify().Run(graph);
  INFO(changed.status().ToString());
  REQUIRE(changed.ok());
  CHECK(*changed == expect_changed);
  Status verified = ir::Verify(graph);
  INFO(verified.ToString());
  CHECK(verified.ok());
  auto again = Simplify().Run(graph);
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  if (then_dce) REQUIRE(DeadCodeElimination().Run(graph).ok());
  testing::CheckSameOutputs(*before, graph);
  return ir::PrintGraph(graph);
}

/// `text` as the printer writes it (attributes sorted, lists without spaces).
std::string Canonical(const std::string& text) {
  auto parsed = ir::ParseGraph(text, "simplify_test.kir");
  REQUIRE(parsed.ok());
  return ir::PrintGraph(**parsed);
}

TEST_CASE("simplify: identity shape ops and casts are bypassed, dead nodes left for dce", "[simplify]") {
  std::string in = R"(graph g {
  input %x : f32[N,3,4]
  %r = reshape(%x) {shape=[-1,3,4]} : f32[N,3,4]
  %e = expand(%r) {shape=[-1,3,4]} : f32[N,3,4] @m.e
  %c = cast(%e) {dtype=f32} : f32[N,3,4]
  %s = slice(%c) {dim=2, start=0, end=4, step=1} : f32[N,3,4]
  %t = slice(%s) {dim=0, start=0, end=9223372036854775807, step=1} : f32[N,3,4]
  %k = concat(%t) {dim=1} : f32[N,3,4]
  %p = permute(%k) {dims=[0,1,2]} : f32[N,3,4]
  %y = relu(%p) : f32[N,3,4] @m.act
  output out = %y
})";
  CHECK(RunSimplify(in, true, /*then_dce=*/false) == R"(graph g {
  input %x : f32[N,3,4]
  %r = reshape(%x) {shape=[-1,3,4]} : f32[N,3,4]
  %e = expand(%x) {shape=[-1,3,4]} : f32[N,3,4] @m.e
  %c = cast(%x) {dtype=f32} : f32[N,3,4]
  %s = slice(%x) {dim=2, end=4, start=0, step=1} : f32[N,3,4]
  %t = slice(%x) {dim=0, end=9223372036854775807, start=0, step=1} : f32[N,3,4]
  %k = concat(%x) {dim=1} : f32[N,3,4]
  %p = permute(%x) {dims=[0,1,2]} : f32[N,3,4]
  %y = relu(%x) : f32[N,3,4] @m.act
  output out = %y
}
)");
  CHECK(RunSimplify(in, true) == R"(graph g {
  input %x : f32[N,3,4]
  %y = relu(%x) : f32[N,3,4] @m.act
  output out = %y
}
)");
}

TEST_CASE("simplify: an output of an identity keeps its name and points at the kept value", "[simplify]") {
  CHECK(RunSimplify(R"(graph g {
  input %x : f32[2,3]
  %a = reshape(%x) {shape=[2,3]} : f32[2,3]
  %b = slice(%x) {dim=0, start=0, end=2, step=3} : f32[1,3]
  %c = slice(%b) {dim=0, start=-5, end=7, step=2} : f32[1,3]
  output flat = %a
  output head = %c
})", true) == R"(graph g {
  input %x : f32[2,3]
  %b = slice(%x) {dim=0, end=2, start=0, step=3} : f32[1,3]
  output flat = %x
  output head = %b
}
)");
}

TEST_CASE("simplify: near-misses of the shape ops stay", "[simplify]") {
  std::string in = R"(graph g {
  input %x : f32[N,3,3]
  input %v : f32[N,1,3]
  %r = reshape(%x) {shape=[-1,9]} : f32[N,9]
  %p = permute(%x) {dims=[0,2,1]} : f32[N,3,3]
  %e = expand(%v) {shape=[-1,3,3]} : f32[N,3,3]
  %c = cast(%x) {dtype=f64} : f64[N,3,3]
  %s = slice(%x) {dim=1, start=1, end=3, step=1} : f32[N,2,3]
  %t = slice(%x) {dim=2, start=0, end=3, step=2} : f32[N,3,2]
  %k = concat(%x, %x) {dim=1} : f32[N,6,3]
  output r = %r
  output p = %p
  output e = %e
  output c = %c
  output s = %s
  output t = %t
  output k = %k
})";
  CHECK(RunSimplify(in, false) == Canonical(in));
}

TEST_CASE("simplify: reshape chains collapse to one reshape, or to nothing", "[simplify]") {
  CHECK(RunSimplify(R"(graph g {
  input %x : f32[N,2,6]
  %a = reshape(%x) {shape=[-1,12]} : f32[N,12]
  %b = reshape(%a) {shape=[-1,3,4]} : f32[N,3,4] @m.view
  %c = reshape(%b) {shape=[-1,2,6]} : f32[N,2,6]
  %d = relu(%b) : f32[N,3,4]
  %e = relu(%c) : f32[N,2,6]
  output d = %d
  output e = %e
  output a = %a
})", true) == R"(graph g {
  input %x : f32[N,2,6]
  %a = reshape(%x) {shape=[-1,12]} : f32[N,12]
  %b = reshape(%x) {shape=[-1,3,4]} : f32[N,3,4] @m.view
  %d = relu(%b) : f32[N,3,4]
  %e = relu(%x) : f32[N,2,6]
  output d = %d
  output e = %e
  output a = %a
}
)");
}

TEST_CASE("simplify: permute chains compose, and vanish when they cancel", "[simplify]") {
  CHECK(RunSimplify(R"(graph g {
  input %x : f32[2,3,4]
  %t = permute(%x) {dims=[0,2,1]} : f32[2,4,3]
  %u = permute(%t) {dims=[0,2,1]} : f32[2,3,4]
  %v = permute(%x) {dims=[1,0,2]} : f32[3,2,4]
  %w = permute(%v) {dims=[0,2,1]} : f32[3,4,2] @m.t
  output back = %u
  output moved = %w
})", true) == R"(graph g {
  input %x : f32[2,3,4]
  %w = permute(%x) {dims=[1,2,0]} : f32[3,4,2] @m.t
  output back = %x
  output moved = %w
}
)");
}

TEST_CASE("simplify: multiplying by one, dividing by one, exact zeros", "[simplify]") {
  CHECK(RunSimplify(R"(graph g {
  input %x : f32[N,4]
  input %i : i64[N,4]
  %one = constant() {dtype=f32, shape=[], value=[1.0]} : f32[]
  %ones = constant() {dtype=f32, shape=[4], value=[1.0]} : f32[4]
  %nz = constant() {dtype=f32, shape=[], value=[-0.0]} : f32[]
  %pz = constant() {dtype=f32, shape=[], value=[0.0]} : f32[]
  %iz = constant() {dtype=i64, shape=[], value=[0.0]} : i64[]
  %a = mul(%x, %one) : f32[N,4]
  %b = mul(%ones, %a) : f32[N,4]
  %c = div(%b, %ones) : f32[N,4]
  %d = add(%nz, %c) : f32[N,4]
  %e = sub(%d, %pz) : f32[N,4]
  %f = add(%i, %iz) : i64[N,4]
  %g = sub(%f, %iz) : i64[N,4]
  output x = %e
  output i = %g
})", true) == R"(graph g {
  input %x : f32[N,4]
  input %i : i64[N,4]
  output x = %x
  output i = %i
}
)");
}

TEST_CASE("simplify: near-misses of the arithmetic stay", "[simplify]") {
  // +0.0 + -0.0 is +0.0 and -0.0 - -0.0 is +0.0: those zeros are not identities on floats.
  // A constant that broadcasts x to a larger shape, a non-one factor, a zero divisor's
  // mirror (1 / x) and a parameter holding ones all stay.
  std::string in = R"(graph g {
  input %x : f32[N,4]
  input %v : f32[4]
  param %p : f32[4]
  %pz = constant() {dtype=f32, shape=[], value=[0.0]} : f32[]
  %nz = constant() {dtype=f32, shape=[], value=[-0.0]} : f32[]
  %two = constant() {dtype=f32, shape=[4], value=[1.0, 2.0, 1.0, 1.0]} : f32[4]
  %ones = constant() {dtype=f32, shape=[3,4], value=[1.0]} : f32[3,4]
  %one = constant() {dtype=f32, shape=[], value=[1.0]} : f32[]
  %a = add(%x, %pz) : f32[N,4]
  %b = sub(%x, %nz) : f32[N,4]
  %c = mul(%x, %two) : f32[N,4]
  %d = mul(%v, %ones) : f32[3,4]
  %e = div(%one, %x) : f32[N,4]
  %f = mul(%x, %p) : f32[N,4]
  output a = %a
  output b = %b
  output c = %c
  output d = %d
  output e = %e
  output f = %f
})";
  CHECK(RunSimplify(in, false) == Canonical(in));
}

TEST_CASE("simplify: where with a constant condition picks a side", "[simplify]") {
  CHECK(RunSimplify(R"(graph g {
  input %a : f32[N,4]
  input %b : f32[N,4]
  input %m : bool[N,4]
  %t = constant() {dtype=bool, shape=[], value=[1.0]} : bool[]
  %f = constant() {dtype=bool, shape=[4], value=[0.0]} : bool[4]
  %mixed = constant() {dtype=bool, shape=[4], value=[1.0, 0.0, 1.0, 0.0]} : bool[4]
  %x = where(%t, %a, %b) : f32[N,4]
  %y = where(%f, %a, %b) : f32[N,4]
  %z = where(%mixed, %a, %b) : f32[N,4]
  %w = where(%m, %a, %b) : f32[N,4]
  output x = %x
  output y = %y
  output z = %z
  output w = %w
})", true) == R"(graph g {
  input %a : f32[N,4]
  input %b : f32[N,4]
  input %m : bool[N,4]
  %mixed = constant() {dtype=bool, shape=[4], value=[1.0,0.0,1.0,0.0]} : bool[4]
  %z = where(%mixed, %a, %b) : f32[N,4]
  %w = where(%m, %a, %b) : f32[N,4]
  output x = %a
  output y = %b
  output z = %z
  output w = %w
}
)");
}

}  // namespace
}  // namespace kiln::passes
