// Tests for the `fuse-epilogue` pass: which chains become fused_conv / fused_linear, what stays,
// and — on the reference backend — that the fused graph computes what the original does.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/fuse_epilogue.h"
#include "tests/passes/fold_test_util.h"

namespace kiln::passes {
namespace {

std::string RunFuse(const std::string& text, bool expect_changed) {
  FuseEpilogue pass;
  return testing::RunPassChecked(pass, text, expect_changed);
}

TEST_CASE("fuse-epilogue: residual blocks, a residual that is an earlier chain's result", "[fuse-epilogue]") {
  std::string out = RunFuse(R"KIR(graph g {
  input %x : f32[N,4,6,6]
  param %w1 : f32[4,4,3,3]
  param %b1 : f32[4]
  param %w2 : f32[4,4,3,3]
  param %w3 : f32[4,4,3,3]
  %0 = conv(%x, %w1, %b1) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6] @conv1
  %1 = relu(%0) : f32[N,4,6,6]
  %2 = conv(%1, %w2) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6] @conv2
  %3 = clamp(%2) {max=6.0, min=0.0} : f32[N,4,6,6]
  %4 = conv(%3, %w3) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6] @conv3
  %5 = add(%4, %1) : f32[N,4,6,6]
  %6 = relu(%5) : f32[N,4,6,6]
  output y = %6
}
)KIR",
                            true);
  CHECK(testing::CountOf(out, "fused_conv(") == 3);
  CHECK(testing::CountOf(out, "relu(") == 0);
  CHECK(testing::CountOf(out, "add(") == 0);
  CHECK(out.find("has_residual=true") != std::string::npos);
  CHECK(out.find("activation=\"clamp\"") != std::string::npos);
  CHECK(out.find("@conv3") != std::string::npos);
  CHECK(out.find("output y = ") != std::string::npos);
}

TEST_CASE("fuse-epilogue: linear + relu / clamp, channels-last convs", "[fuse-epilogue]") {
  std::string out = RunFuse(R"KIR(graph g {
  input %x : f32[N,5,5,3]
  input %v : f32[N,7]
  param %w : f32[6,3,3,3]
  param %fc : f32[2,7]
  %0 = conv_nhwc(%x, %w) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,5,5,6]
  %1 = relu(%0) : f32[N,5,5,6]
  %2 = linear(%v, %fc) : f32[N,2]
  %3 = clamp(%2) {max=1.0, min=-1.0} : f32[N,2]
  output a = %1
  output b = %3
}
)KIR",
                            true);
  CHECK(out.find("layout=\"NHWC\"") != std::string::npos);
  CHECK(testing::CountOf(out, "fused_linear(") == 1);
}

TEST_CASE("fuse-epilogue: values used twice, graph outputs and run-time weights stay", "[fuse-epilogue]") {
  RunFuse(R"KIR(graph g {
  input %x : f32[N,4,6,6]
  input %wx : f32[4,4,3,3]
  param %w : f32[4,4,3,3]
  %0 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6]
  %1 = relu(%0) : f32[N,4,6,6]
  %2 = add(%0, %1) : f32[N,4,6,6]
  %3 = conv(%2, %wx) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6]
  %4 = relu(%3) : f32[N,4,6,6]
  %5 = conv(%4, %w) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6]
  %6 = relu(%5) : f32[N,4,6,6]
  output y = %6
  output pre = %5
}
)KIR",
          false);
}

}  // namespace
}  // namespace kiln::passes
