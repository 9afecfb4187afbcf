// Tests for the `layout` pass: what it converts, what it leaves, and — on the reference
// backend — that the channels-last graph (after simplify / dce clean up its permutes)
// computes what the original does.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/dce.h"
#include "passes/layout.h"
#include "passes/simplify.h"
#include "tests/passes/fold_test_util.h"

namespace kiln::passes {
namespace {

// Runs layout, simplify, dce; checks verification and equal outputs; returns the text.
std::string RunLayout(const std::string& text, bool expect_changed) {
  auto before = testing::ParseVerified(text, "layout_test.kir");
  auto graph = before->Clone();
  Layout layout;
  auto changed = layout.Run(*graph);
  INFO(changed.status().ToString());
  REQUIRE(changed.ok());
  CHECK(*changed == expect_changed);
  REQUIRE(Simplify().Run(*graph).ok());
  REQUIRE(DeadCodeElimination().Run(*graph).ok());
  Status verified = ir::Verify(*graph);
  INFO(verified.ToString());
  REQUIRE(verified.ok());
  testing::CheckSameOutputs(*before, *graph);
  return ir::PrintGraph(*graph);
}

TEST_CASE("layout: an inverted-residual block runs channels-last between two permutes", "[layout]") {
  std::string out = RunLayout(R"KIR(graph g {
  input %x : f32[N,6,9,9]
  param %we : f32[12,6,1,1]
  param %wd : f32[12,1,3,3]
  param %bd : f32[12]
  param %wp : f32[6,12,1,1]
  param %scale : f32[1,12,1,1]
  %half = constant() {dtype=f32, shape=[], value=[0.5]} : f32[]
  %0 = conv(%x, %we) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,12,9,9]
  %1 = clamp(%0) {max=6.0, min=0.0} : f32[N,12,9,9]
  %2 = conv(%1, %wd, %bd) {dilation=[1,1], groups=12, padding=[1,1], stride=[1,1]} : f32[N,12,9,9]
  %3 = mul(%2, %scale) : f32[N,12,9,9]
  %4 = mul(%3, %half) : f32[N,12,9,9]
  %5 = conv(%4, %wp) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,6,9,9]
  %6 = add(%x, %5) : f32[N,6,9,9]
  output y = %6
}
)KIR",
                              true);
  CHECK(testing::CountOf(out, "conv_nhwc(") == 3);
  CHECK(testing::CountOf(out, "conv(") == 0);
  // One permute in for the input (shared by the first conv and the residual add), one out.
  CHECK(testing::CountOf(out, "permute(") == 3);  // input, per-channel %scale, output
  CHECK(testing::CountOf(out, "dims=[0,3,1,2]") == 1);
}

TEST_CASE("layout: outputs keep their names and layout; random_uniform stays channels-first", "[layout]") {
  std::string out = RunLayout(R"KIR(graph g {
  input %x : f32[N,3,8,8]
  param %w1 : f32[5,3,3,3]
  param %w2 : f32[5,5,3,3]
  %0 = conv(%x, %w1) {dilation=[1,1], groups=1, padding=[1,1], stride=[2,2]} : f32[N,5,4,4]
  %1 = relu(%0) : f32[N,5,4,4]
  %2 = conv(%1, %w2) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,5,4,4]
  %3 = random_uniform(%2) {seed=3} : f32[N,5,4,4]
  %4 = add(%2, %3) : f32[N,5,4,4]
  output mid = %1
  output y = %4
}
)KIR",
                              true);
  CHECK(testing::CountOf(out, "conv_nhwc(") == 2);
  CHECK(out.find("output mid = ") != std::string::npos);
  CHECK(out.find("random_uniform(") != std::string::npos);
}

TEST_CASE("layout: a lone conv, 1-d / 3-d convs and grouped convs keep their layout", "[layout]") {
  RunLayout(R"KIR(graph g {
  input %x : f32[N,4,6,6]
  param %w : f32[4,4,3,3]
  param %g : f32[4,2,3,3]
  param %w1 : f32[4,4,3]
  input %s : f32[N,4,7]
  %0 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6]
  %1 = conv(%0, %g) {dilation=[1,1], groups=2, padding=[1,1], stride=[1,1]} : f32[N,4,6,6]
  %2 = conv(%s, %w1) {dilation=[1], groups=1, padding=[1], stride=[1]} : f32[N,4,7]
  %3 = conv(%2, %w1) {dilation=[1], groups=1, padding=[1], stride=[1]} : f32[N,4,7]
  output a = %1
  output b = %3
}
)KIR",
            false);
}

}  // namespace
}  // namespace kiln::passes
