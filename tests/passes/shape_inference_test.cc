// Tests for the `shape-inference` pass: .kir text in, PrintGraph text out.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/shape_inference.h"

namespace kiln::passes {
namespace {

std::unique_ptr<ir::Graph> Parse(const std::string& text) {
  auto g = ir::ParseGraph(text, "shape_inference_test.kir");
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  return std::move(g).value();
}

/// Parses `text` (which need not verify: wrong types are what the pass repairs), runs the
/// pass, checks the result verifies and `changed`, and returns the new text.
std::string Infer(const std::string& text, bool expect_changed, std::map<std::string, int64_t> bindings = {}) {
  auto graph = Parse(text);
  ShapeInference pass(std::move(bindings));
  auto changed = pass.Run(*graph);
  INFO(changed.status().ToString());
  REQUIRE(changed.ok());
  CHECK(*changed == expect_changed);
  Status verified = ir::Verify(*graph);
  INFO(verified.ToString());
  CHECK(verified.ok());
  return ir::PrintGraph(*graph);
}

constexpr const char* kMlp = R"(graph g {
  input %x : f32[N,4]
  param %w : f32[3,4]
  %0 = linear(%x, %w) : f32[N,3]
  %1 = relu(%0) : f32[N,3]
  %2 = reduce_sum(%1) {dims=[1], keepdim=false} : f32[N]
  output out = %2
}
)";

TEST_CASE("shape-inference: correct types are left alone", "[shape-inference]") {
  CHECK(Infer(kMlp, false) == kMlp);
}

TEST_CASE("shape-inference: binding N specializes inputs and every result", "[shape-inference]") {
  CHECK(Infer(kMlp, true, {{"N", 8}}) == R"(graph g {
  input %x : f32[8,4]
  param %w : f32[3,4]
  %0 = linear(%x, %w) : f32[8,3]
  %1 = relu(%0) : f32[8,3]
  %2 = reduce_sum(%1) {dims=[1], keepdim=false} : f32[8]
  output out = %2
}
)");
}

TEST_CASE("shape-inference: repairs wrong recorded types", "[shape-inference]") {
  std::string in = R"(graph g {
  input %x : f32[2,3]
  %0 = permute(%x) {dims=[1, 0]} : f32[2,3]
  %1 = cast(%0) {dtype=i64} : f32[3,2]
  output out = %1
})";
  CHECK(Infer(in, true) == R"(graph g {
  input %x : f32[2,3]
  %0 = permute(%x) {dims=[1,0]} : f32[3,2]
  %1 = cast(%0) {dtype=i64} : i64[3,2]
  output out = %1
}
)");
}

TEST_CASE("shape-inference: binds some symbols and keeps the others", "[shape-inference]") {
  std::string in = R"(graph g {
  input %x : f32[N,T]
  input %y : f32[N,1]
  %0 = add(%x, %y) : f32[N,T]
  output out = %0
})";
  CHECK(Infer(in, true, {{"T", 5}}) == R"(graph g {
  input %x : f32[N,5]
  input %y : f32[N,1]
  %0 = add(%x, %y) : f32[N,5]
  output out = %0
}
)");
}

TEST_CASE("shape-inference: an error names the node and the operand types", "[shape-inference]") {
  std::string in = R"(graph g {
  input %x : f32[N,4]
  input %y : f32[M,4]
  %bad = add(%x, %y) : f32[N,4] @block.add
  output out = %bad
})";
  auto graph = Parse(in);
  ShapeInference pass({{"N", 2}, {"M", 3}});
  auto changed = pass.Run(*graph);
  REQUIRE_FALSE(changed.ok());
  const std::string& msg = changed.status().message();
  CHECK_THAT(msg, Catch::Contains("%bad = add @block.add"));
  CHECK_THAT(msg, Catch::Contains("f32[2,4], f32[3,4]"));
}

TEST_CASE("shape-inference: a binding that names no input symbol is an error", "[shape-inference]") {
  auto graph = Parse(kMlp);
  ShapeInference pass({{"B", 2}});
  auto changed = pass.Run(*graph);
  REQUIRE_FALSE(changed.ok());
  CHECK_THAT(changed.status().message(), Catch::Contains("cannot bind B"));
  CHECK_THAT(changed.status().message(), Catch::Contains("the inputs have N"));
}

TEST_CASE("shape-inference: options parse SYMBOL=SIZE and report every bad one", "[shape-inference]") {
  auto ok = ShapeInference::FromOptions({{"N", "8"}, {"T", "16"}});
  REQUIRE(ok.ok());
  CHECK((*ok)->bindings() == std::map<std::string, int64_t>{{"N", 8}, {"T", 16}});

  auto bad = ShapeInference::FromOptions({{"N", "eight"}, {"M", "-1"}, {"T", "1"}, {"T", "2"}});
  REQUIRE_FALSE(bad.ok());
  const std::string& msg = bad.status().message();
  CHECK_THAT(msg, Catch::Contains("'N=eight'"));
  CHECK_THAT(msg, Catch::Contains("'M=-1'"));
  CHECK_THAT(msg, Catch::Contains("'T' is bound twice"));
}

}  // namespace
}  // namespace kiln::passes
