// Tests for the `fuse-elementwise` pass: .kir text in, PrintGraph text out, plus the
// reference backend's check that the fused graph computes what the unfused one does.
#include <catch2/catch.hpp>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/fuse_elementwise.h"
#include "tests/passes/fold_test_util.h"

namespace kiln::passes {
namespace {

std::string RunFuse(const std::string& text, bool expect_changed) {
  FuseElementwise pass;
  return testing::RunPassChecked(pass, text, expect_changed);
}

TEST_CASE("fuse-elementwise: a chain with broadcast and scalar operands becomes one node", "[fuse]") {
  std::string out = RunFuse(R"KIR(graph g {
  input %x : f32[N,4]
  param %b : f32[4]
  %half = constant() {dtype=f32, shape=[], value=[0.5]} : f32[]
  %0 = add(%x, %b) : f32[N,4]
  %1 = mul(%0, %half) : f32[N,4]
  %2 = gelu(%1) {approximate="tanh"} : f32[N,4]
  %y = clamp(%2) {max=6.0} : f32[N,4] @head
  output out = %y
}
)KIR",
                            true);
  CHECK(out == R"KIR(graph g {
  input %x : f32[N,4]
  param %b : f32[4]
  %half = constant() {dtype=f32, shape=[], value=[0.5]} : f32[]
  %y = fused_elementwise(%x, %b, %half) {body="%3 = add(%0, %1); %4 = mul(%3, %2); %5 = gelu(%4) {approximate=\"tanh\"}; %6 = clamp(%5) {max=6.0, min=-inf}; return %6"} : f32[N,4] @head
  output out = %y
}
)KIR");
}

TEST_CASE("fuse-elementwise: multi-use values, outputs and lone nodes are kept", "[fuse]") {
  std::string in = R"KIR(graph g {
  input %x : f32[N,4]
  %a = exp(%x) : f32[N,4]
  %b = neg(%a) : f32[N,4]
  %c = add(%a, %b) : f32[N,4]
  %d = relu(%x) : f32[N,4]
  %e = sigmoid(%d) : f32[N,4]
  %i = cast(%x) {dtype=i64} : i64[N,4]
  %j = neg(%i) : i64[N,4]
  output c = %c
  output d = %d
  output e = %e
  output j = %j
}
)KIR";
  // %a has two users, both inside the {exp, neg, add} group: that is fine. %d is an output,
  // so relu stays and sigmoid is alone; integer ops are not fused.
  std::string out = RunFuse(in, true);
  CHECK(out == R"KIR(graph g {
  input %x : f32[N,4]
  %c = fused_elementwise(%x) {body="%1 = exp(%0); %2 = neg(%1); %3 = add(%1, %2); return %3"} : f32[N,4]
  %d = relu(%x) : f32[N,4]
  %e = sigmoid(%d) : f32[N,4]
  %i = cast(%x) {dtype=i64} : i64[N,4]
  %j = neg(%i) : i64[N,4]
  output c = %c
  output d = %d
  output e = %e
  output j = %j
}
)KIR");
}

TEST_CASE("fuse-elementwise: a value used outside the group stops it", "[fuse]") {
  std::string in = R"KIR(graph g {
  input %x : f32[N,4]
  %a = exp(%x) : f32[N,4]
  %b = reduce_sum(%a) {dims=[1], keepdim=true} : f32[N,1]
  %c = div(%a, %b) : f32[N,4]
  output out = %c
}
)KIR";
  // %a feeds both the reduction and the div: neither group may swallow it.
  CHECK(RunFuse(in, false) == in);
}

TEST_CASE("fuse-elementwise: the conv epilogue stays for the CPU backend; a reduction tail fuses", "[fuse]") {
  std::string out = RunFuse(R"KIR(graph g {
  input %x : f32[N,2,4,4]
  param %w : f32[2,2,1,1]
  %c = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,2,4,4]
  %a = clamp(%c) {max=6.0, min=0.0} : f32[N,2,4,4]
  %s = mul(%a, %a) : f32[N,2,4,4]
  %t = sqrt(%s) : f32[N,2,4,4]
  %m = reduce_mean(%t) {dims=[2,3], keepdim=false} : f32[N,2]
  output out = %m
}
)KIR",
                            true);
  CHECK(out == R"KIR(graph g {
  input %x : f32[N,2,4,4]
  param %w : f32[2,2,1,1]
  %c = conv(%x, %w) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,2,4,4]
  %a = clamp(%c) {max=6.0, min=0.0} : f32[N,2,4,4]
  %m = fused_elementwise(%a) {body="%1 = mul(%0, %0); %2 = sqrt(%1); %3 = reduce_mean(%2) {dims=[2,3], keepdim=false}; return %3"} : f32[N,2]
  output out = %m
}
)KIR");
}

TEST_CASE("fuse-elementwise: groups respect the operand limit", "[fuse]") {
  std::string text = "graph g {\n";
  for (int i = 0; i < 16; ++i) text += "  input %x" + std::to_string(i) + " : f32[3]\n";
  text += "  %s0 = add(%x0, %x1) : f32[3]\n";
  for (int i = 2; i < 16; ++i) {
    text += "  %s" + std::to_string(i - 1) + " = add(%s" + std::to_string(i - 2) + ", %x" + std::to_string(i) + ") : f32[3]\n";
  }
  text += "  output out = %s14\n}\n";
  auto graph = testing::ParseVerified(text, "limit.kir");
  REQUIRE(FuseElementwise().Run(*graph).ok());
  REQUIRE(ir::Verify(*graph).ok());
  for (const ir::Node* n : graph->nodes()) CHECK(n->num_operands() <= FuseElementwise::kMaxOperands);
  CHECK(graph->num_nodes() == 2);
}

}  // namespace
}  // namespace kiln::passes
