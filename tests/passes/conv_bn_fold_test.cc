// Tests for the `conv-bn-fold` pass: .kir text in, PrintGraph text out, with random weights
// attached, plus a numerical check through the reference backend.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/conv_bn_fold.h"
#include "passes/dce.h"
#include "passes/param_fold.h"
#include "tests/passes/fold_test_util.h"

namespace kiln::passes {
namespace {

std::unique_ptr<ir::Graph> Parse(const std::string& text, bool with_weights = true) {
  return testing::ParseVerified(text, "conv_bn_fold_test.kir", with_weights);
}

/// Runs conv-bn-fold (param-fold first when `param_fold_first`, dce after when `then_dce`),
/// checks `changed` (of conv-bn-fold), that the result verifies, and that it computes what
/// the input did.
std::string Fold(ir::Graph& graph, bool expect_changed, bool then_dce = false, bool param_fold_first = false) {
  std::unique_ptr<ir::Graph> before = graph.Clone();
  if (param_fold_first) REQUIRE(ParamFold().Run(graph).ok());
  auto changed = ConvBnFold().Run(graph);
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

TEST_CASE("conv-bn-fold: a traced eval BatchNorm folds into a bias-free conv", "[conv-bn-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[N,2,5,5]
  param %conv.weight : f32[3,2,3,3]
  param %bn.running_mean : f32[3]
  param %bn.running_var : f32[3]
  param %bn.weight : f32[3]
  param %bn.bias : f32[3]
  %0 = conv(%x, %conv.weight) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,3,5,5] @conv
  %1 = reshape(%bn.running_mean) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %2 = sub(%0, %1) : f32[N,3,5,5] @bn
  %3 = reshape(%bn.running_var) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %4 = constant() {dtype=f32, shape=[], value=[1e-05]} : f32[] @bn
  %5 = add(%3, %4) : f32[1,3,1,1] @bn
  %6 = sqrt(%5) : f32[1,3,1,1] @bn
  %7 = div(%2, %6) : f32[N,3,5,5] @bn
  %8 = reshape(%bn.weight) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %9 = mul(%7, %8) : f32[N,3,5,5] @bn
  %10 = reshape(%bn.bias) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %11 = add(%9, %10) : f32[N,3,5,5] @bn
  %y = relu(%11) : f32[N,3,5,5] @relu
  output out = %y
})");
  std::string expected = R"(graph g {
  input %x : f32[N,2,5,5]
  param %conv.weight.folded.0 : f32[3,2,3,3]
  param %conv.bias.folded.0 : f32[3]
  %0 = conv(%x, %conv.weight.folded.0, %conv.bias.folded.0) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,3,5,5] @conv
  %y = relu(%0) : f32[N,3,5,5] @relu
  output out = %y
}
)";
  CHECK(Fold(*graph, true, /*then_dce=*/true, /*param_fold_first=*/true) == expected);
  CHECK(Fold(*graph, false) == expected);
}

TEST_CASE("conv-bn-fold: without param-fold the reshaped stats are not known", "[conv-bn-fold]") {
  std::string in = R"(graph g {
  input %x : f32[N,2,4,4]
  param %conv.weight : f32[3,2,1,1]
  param %bn.running_mean : f32[3]
  %0 = conv(%x, %conv.weight) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,3,4,4] @conv
  %1 = reshape(%bn.running_mean) {shape=[1,3,1,1]} : f32[1,3,1,1] @bn
  %2 = sub(%0, %1) : f32[N,3,4,4] @bn
  output out = %2
}
)";
  auto graph = Parse(in);
  CHECK(Fold(*graph, false) == in);
}

TEST_CASE("conv-bn-fold: any order, reversed sub, scalar constants, existing bias", "[conv-bn-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[N,2,4,4]
  param %c.weight : f32[3,2,3,3]
  param %c.bias : f32[3]
  param %shift : f32[3,1,1]
  param %t : f32[1,3,1,1]
  %half = constant() {dtype=f32, shape=[], value=[0.5]} : f32[]
  %0 = conv(%x, %c.weight, %c.bias) {dilation=[1,1], groups=1, padding=[0,0], stride=[2,2]} : f32[N,3,1,1] @c
  %1 = mul(%half, %0) : f32[N,3,1,1]
  %2 = add(%1, %shift) : f32[N,3,1,1]
  %z = sub(%t, %2) : f32[N,3,1,1] @t
  %3 = relu(%z) : f32[N,3,1,1]
  output out = %3
})");
  CHECK(Fold(*graph, true, /*then_dce=*/true) == R"(graph g {
  input %x : f32[N,2,4,4]
  param %c.weight.folded.0 : f32[3,2,3,3]
  param %c.bias.folded.0 : f32[3]
  %z = conv(%x, %c.weight.folded.0, %c.bias.folded.0) {dilation=[1,1], groups=1, padding=[0,0], stride=[2,2]} : f32[N,3,1,1] @c
  %0 = relu(%z) : f32[N,3,1,1]
  output out = %0
}
)");
}

TEST_CASE("conv-bn-fold: linear with BatchNorm1d-shaped stats", "[conv-bn-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[N,4]
  param %fc.weight : f32[3,4]
  param %fc.bias : f32[3]
  param %m : f32[3]
  param %var : f32[1,3]
  %0 = linear(%x, %fc.weight, %fc.bias) : f32[N,3] @fc
  %1 = sub(%0, %m) : f32[N,3]
  %2 = div(%1, %var) : f32[N,3]
  output out = %2
})");
  CHECK(Fold(*graph, true, /*then_dce=*/true) == R"(graph g {
  input %x : f32[N,4]
  param %fc.weight.folded.0 : f32[3,4]
  param %fc.bias.folded.0 : f32[3]
  %0 = linear(%x, %fc.weight.folded.0, %fc.bias.folded.0) : f32[N,3] @fc
  output out = %0
}
)");
}

TEST_CASE("conv-bn-fold: depthwise conv1d; the last value may have other users", "[conv-bn-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[N,3,8]
  param %dw : f32[3,1,3]
  param %s : f32[1,3,1]
  %0 = conv(%x, %dw) {dilation=[1], groups=3, padding=[1], stride=[1]} : f32[N,3,8] @dw
  %scaled = mul(%0, %s) : f32[N,3,8]
  %1 = relu(%scaled) : f32[N,3,8]
  output out = %1
  output pre = %scaled
})");
  CHECK(Fold(*graph, true, /*then_dce=*/true) == R"(graph g {
  input %x : f32[N,3,8]
  param %dw.folded.0 : f32[3,1,3]
  param %dw.bias.folded.0 : f32[3]
  %scaled = conv(%x, %dw.folded.0, %dw.bias.folded.0) {dilation=[1], groups=3, padding=[1], stride=[1]} : f32[N,3,8] @dw
  %0 = relu(%scaled) : f32[N,3,8]
  output out = %0
  output pre = %scaled
}
)");
}

TEST_CASE("conv-bn-fold: near misses stay as they are", "[conv-bn-fold]") {
  std::string in = R"(graph g {
  input %x : f32[N,2,4,4]
  input %g : f32[1,3,1,1]
  param %w : f32[3,2,1,1]
  param %s : f32[1,3,1,1]
  param %plane : f32[1,1,4,4]
  %0 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,3,4,4]
  %1 = mul(%0, %s) : f32[N,3,4,4]
  %2 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,3,4,4]
  %3 = add(%2, %plane) : f32[N,3,4,4]
  %4 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,3,4,4]
  %5 = div(%s, %4) : f32[N,3,4,4]
  %6 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,3,4,4]
  %7 = mul(%6, %g) : f32[N,3,4,4]
  %8 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,3,4,4]
  %9 = mul(%8, %8) : f32[N,3,4,4]
  %10 = add(%1, %3) : f32[N,3,4,4]
  %11 = add(%10, %5) : f32[N,3,4,4]
  %12 = add(%11, %7) : f32[N,3,4,4]
  %13 = add(%12, %9) : f32[N,3,4,4]
  output out = %13
  output raw = %0
}
)";
  auto graph = Parse(in);
  CHECK(Fold(*graph, false) == in);
}

TEST_CASE("conv-bn-fold: an intermediate with another user ends the chain there", "[conv-bn-fold]") {
  auto graph = Parse(R"(graph g {
  input %x : f32[N,2,3,3]
  param %w : f32[2,2,1,1]
  param %s : f32[1,2,1,1]
  param %t : f32[1,2,1,1]
  %0 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,2,3,3]
  %1 = mul(%0, %s) : f32[N,2,3,3]
  %2 = add(%1, %t) : f32[N,2,3,3]
  %3 = neg(%1) : f32[N,2,3,3]
  %4 = add(%2, %3) : f32[N,2,3,3]
  output out = %4
})");
  CHECK(Fold(*graph, true, /*then_dce=*/true) == R"(graph g {
  input %x : f32[N,2,3,3]
  param %t : f32[1,2,1,1]
  param %w.folded.0 : f32[2,2,1,1]
  param %w.bias.folded.0 : f32[2]
  %0 = conv(%x, %w.folded.0, %w.bias.folded.0) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,2,3,3]
  %1 = add(%0, %t) : f32[N,2,3,3]
  %2 = neg(%0) : f32[N,2,3,3]
  %3 = add(%1, %2) : f32[N,2,3,3]
  output out = %3
}
)");
}

TEST_CASE("conv-bn-fold: a non-finite scale is left alone; no weights, no change", "[conv-bn-fold]") {
  std::string in = R"(graph g {
  input %x : f32[N,2,3,3]
  param %w : f32[2,2,1,1]
  param %s : f32[1,2,1,1]
  %0 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,2,3,3]
  %1 = div(%0, %s) : f32[N,2,3,3]
  output out = %1
}
)";
  auto graph = Parse(in);
  graph->weights()["s"] = ir::HostTensor::FromVector<float>({1, 2, 1, 1}, {2.0f, 0.0f});
  auto changed = ConvBnFold().Run(*graph);
  REQUIRE(changed.ok());
  CHECK_FALSE(*changed);
  CHECK(ir::PrintGraph(*graph) == in);

  auto bare = Parse(in, /*with_weights=*/false);
  CHECK(Fold(*bare, false) == in);
}

}  // namespace
}  // namespace kiln::passes
