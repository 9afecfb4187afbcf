// Tests for the `param-fold` pass: .kir text in, PrintGraph text out, with random weights
// attached, plus the folded data and a numerical check through the reference backend.
#include <catch2/catch.hpp>

#include <cmath>

#include "ir/kir.h"
#include "ir/tensor_compare.h"
#include "ir/verifier.h"
#include "passes/dce.h"
#include "passes/param_fold.h"
#include "tests/passes/fold_test_util.h"

namespace kiln::passes {
namespace {

std::unique_ptr<ir::Graph> Parse(const std::string& text, bool with_weights = true) {
  return testing::ParseVerified(text, "param_fold_test.kir", with_weights);
}

/// Runs param-fold (then dce when `then_dce`) on `graph`, checks `changed`, that the result
/// verifies (with weights required when it has any) and computes what it did before.
std::string Fold(ir::Graph& graph, bool expect_changed, bool then_dce = false) {
  std::unique_ptr<ir::Graph> before = graph.Clone();
  auto changed = ParamFold().Run(graph);
  INFO(changed.status().ToString());
  REQUIRE(changed.ok());
  CHECK(*changed == expect_changed);
  if (then_dce) REQUIRE(DeadCodeElimination().Run(graph).ok());
  ir::VerifyOptions options;
  options.require_weights = !before->weights().empty();
  Status verified = ir::Verify(graph, options);
  INFO(verified.ToString());
  CHECK(verified.ok());
  if (options.require_weights) testing::CheckSameOutputs(*before, graph);
  return ir::PrintGraph(graph);
}

const char* kBatchNormEval = R"(graph g {
  input %x : f32[N,3,4,4]
  param %bn.running_mean : f32[3]
  param %bn.running_var : f32[3]
  param %bn.weight : f32[3]
  param %bn.bias : f32[3]
  %0 = reshape(%bn.running_mean) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %1 = sub(%x, %0) : f32[N,3,4,4] @bn
  %2 = reshape(%bn.running_var) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %3 = constant() {dtype=f32, shape=[], value=[1e-05]} : f32[] @bn
  %4 = add(%2, %3) : f32[1,3,1,1] @bn
  %5 = sqrt(%4) : f32[1,3,1,1] @bn
  %6 = div(%1, %5) : f32[N,3,4,4] @bn
  %7 = reshape(%bn.weight) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %8 = mul(%6, %7) : f32[N,3,4,4] @bn
  %9 = reshape(%bn.bias) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %10 = add(%8, %9) : f32[N,3,4,4] @bn
  output out = %10
})";

TEST_CASE("param-fold: the eval-mode BatchNorm prelude becomes parameters", "[param-fold]") {
  auto graph = Parse(kBatchNormEval);
  std::string expected = R"(graph g {
  input %x : f32[N,3,4,4]
  param %bn.running_mean.folded.0 : f32[1,3,1,1]
  param %bn.running_var.folded.0 : f32[1,3,1,1]
  param %bn.weight.folded.0 : f32[1,3,1,1]
  param %bn.bias.folded.0 : f32[1,3,1,1]
  %0 = sub(%x, %bn.running_mean.folded.0) : f32[N,3,4,4] @bn
  %1 = div(%0, %bn.running_var.folded.0) : f32[N,3,4,4] @bn
  %2 = mul(%1, %bn.weight.folded.0) : f32[N,3,4,4] @bn
  %3 = add(%2, %bn.bias.folded.0) : f32[N,3,4,4] @bn
  output out = %3
}
)";
  ir::HostTensor var = graph->weights().at("bn.running_var");
  CHECK(Fold(*graph, true, /*then_dce=*/true) == expected);
  // The folded data: sqrt(running_var + eps), as the reference kernels compute it in f32.
  const ir::HostTensor& folded = graph->weights().at("bn.running_var.folded.0");
  REQUIRE(folded.sizes() == std::vector<int64_t>{1, 3, 1, 1});
  for (int64_t i = 0; i < 3; ++i) {
    CHECK(folded.GetDouble(i) == static_cast<double>(std::sqrt(static_cast<float>(var.GetDouble(i)) + 1e-05f)));
  }
  CHECK(Fold(*graph, false) == expected);
}

TEST_CASE("param-fold: folded data is the evaluated node, original weights untouched", "[param-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[N,2]
  param %v : f32[2]
  %c = constant() {dtype=f32, shape=[], value=[0.25]} : f32[]
  %0 = add(%v, %c) : f32[2]
  %1 = sqrt(%0) : f32[2]
  %2 = mul(%x, %1) : f32[N,2]
  output out = %2
})");
  ir::HostTensor v = graph->weights().at("v").Clone();
  CHECK(Fold(*graph, true) == R"(graph g {
  input %x : f32[N,2]
  param %v : f32[2]
  param %v.folded.0 : f32[2]
  %c = constant() {dtype=f32, shape=[], value=[0.25]} : f32[]
  %0 = mul(%x, %v.folded.0) : f32[N,2]
  output out = %0
}
)");
  CHECK(graph->weights().at("v").BitwiseEqual(v));
  const ir::HostTensor& folded = graph->weights().at("v.folded.0");
  for (int64_t i = 0; i < 2; ++i) {
    CHECK(folded.GetDouble(i) == static_cast<double>(std::sqrt(static_cast<float>(v.GetDouble(i)) + 0.25f)));
  }
}

TEST_CASE("param-fold: inputs, constants alone, growing results and random_uniform stay", "[param-fold]") {
  std::string in = R"(graph g {
  input %x : f32[4,3]
  param %w : f32[1,3]
  param %u : f32[4,3]
  %a = constant() {dtype=f32, shape=[3], value=[1.0,2.0,3.0]} : f32[3]
  %0 = neg(%a) : f32[3]
  %1 = add(%x, %w) : f32[4,3]
  %2 = expand(%w) {shape=[4,3]} : f32[4,3]
  %3 = random_uniform(%u) {offset=0, seed=3} : f32[4,3]
  %4 = mul(%1, %2) : f32[4,3]
  %5 = add(%4, %3) : f32[4,3]
  %6 = add(%5, %0) : f32[4,3]
  output out = %6
}
)";
  auto graph = Parse(in);
  CHECK(Fold(*graph, false) == in);
}

TEST_CASE("param-fold: without weights nothing changes", "[param-fold]") {
  auto graph = Parse(kBatchNormEval, /*with_weights=*/false);
  std::string text = ir::PrintGraph(*graph);
  CHECK(Fold(*graph, false) == text);
}

TEST_CASE("param-fold: names take the first parameter operand and the first free number", "[param-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[2]
  param %a : f32[2]
  param %b : f32[2]
  param %a.folded.0 : f32[2]
  %0 = mul(%b, %a) : f32[2]
  %1 = neg(%a) : f32[2]
  %2 = exp(%1) : f32[2]
  %3 = add(%x, %0) : f32[2]
  %4 = add(%3, %2) : f32[2]
  %5 = add(%4, %a.folded.0) : f32[2]
  output out = %5
  output shared = %1
})");
  // %1 is also an output, so the parameter it folds to stays next to exp's result.
  CHECK(Fold(*graph, true, /*then_dce=*/true) == R"(graph g {
  input %x : f32[2]
  param %a.folded.0 : f32[2]
  param %b.folded.0 : f32[2]
  param %a.folded.1 : f32[2]
  param %a.folded.2 : f32[2]
  %0 = add(%x, %b.folded.0) : f32[2]
  %1 = add(%0, %a.folded.2) : f32[2]
  %2 = add(%1, %a.folded.0) : f32[2]
  output out = %2
  output shared = %a.folded.1
}
)");
}

TEST_CASE("param-fold: a parameter shared with run-time work keeps its data", "[param-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[N,3]
  param %fc.weight : f32[2,3]
  %0 = permute(%fc.weight) {dims=[1,0]} : f32[3,2]
  %1 = matmul(%x, %0) : f32[N,2]
  %2 = linear(%x, %fc.weight) : f32[N,2]
  %3 = add(%1, %2) : f32[N,2]
  output out = %3
})");
  CHECK(Fold(*graph, true, /*then_dce=*/true) == R"(graph g {
  input %x : f32[N,3]
  param %fc.weight : f32[2,3]
  param %fc.weight.folded.0 : f32[3,2]
  %0 = matmul(%x, %fc.weight.folded.0) : f32[N,2]
  %1 = linear(%x, %fc.weight) : f32[N,2]
  %2 = add(%0, %1) : f32[N,2]
  output out = %2
}
)");
}

TEST_CASE("param-fold: integer division by zero between weights is an error naming the node", "[param-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : i64[2]
  param %a : i64[2]
  param %z : i64[2]
  %q = div(%a, %z) : i64[2] @head.ratio
  %0 = add(%x, %q) : i64[2]
  output out = %0
})",
                     /*with_weights=*/false);
  graph->weights()["a"] = ir::HostTensor::FromVector<int64_t>({2}, {1, 2});
  graph->weights()["z"] = ir::HostTensor::FromVector<int64_t>({2}, {1, 0});
  auto changed = ParamFold().Run(*graph);
  REQUIRE_FALSE(changed.ok());
  CHECK_THAT(changed.status().message(), Catch::Contains("cannot fold %q = div @head.ratio"));
  CHECK_THAT(changed.status().message(), Catch::Contains("zero"));
}

}  // namespace
}  // namespace kiln::passes
