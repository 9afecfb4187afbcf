// Tests for the fused_elementwise body (ir/fused_body.h): parse / print round trip, type
// inference, and clear errors (never a crash) for malformed bodies.
#include <catch2/catch.hpp>

#include "ir/fused_body.h"
#include "ir/kir.h"
#include "ir/verifier.h"

namespace kiln::ir {
namespace {

TEST_CASE("fused body: parses, prints canonically and infers types", "[fused]") {
  auto body = ParseFusedBody("%2=mul(%0,%1) ; %3 = sigmoid( %2 );%4 = clamp(%3) {min = 0, max=6.0}; return %4", 2);
  INFO(body.status().ToString());
  REQUIRE(body.ok());
  CHECK(body->instrs.size() == 3);
  CHECK(!body->has_reduction());
  std::string text = PrintFusedBody(*body);
  CHECK(text == "%2 = mul(%0, %1); %3 = sigmoid(%2); %4 = clamp(%3) {max=6.0, min=0.0}; return %4");
  auto again = ParseFusedBody(text, 2);
  REQUIRE(again.ok());
  CHECK(PrintFusedBody(*again) == text);

  TensorType a{DType::kF32, Shape({Dim::Symbolic("N"), Dim(4)})}, b{DType::kF32, Shape({Dim(4)})};
  auto types = InferFusedBodyTypes(*body, {a, b});
  REQUIRE(types.ok());
  CHECK(types->back() == a);
}

TEST_CASE("fused body: defaults are filled in; strings, bools and a reduction tail", "[fused]") {
  auto body = ParseFusedBody(
      "%1 = gelu(%0) {approximate=\"tanh\"}; %2 = gt(%1, %0); %3 = where(%2, %1, %0); "
      "%4 = reduce_sum(%3) {dims=[-1]}; return %4",
      1);
  INFO(body.status().ToString());
  REQUIRE(body.ok());
  CHECK(body->has_reduction());
  CHECK(PrintFusedBody(*body) ==
        "%1 = gelu(%0) {approximate=\"tanh\"}; %2 = gt(%1, %0); %3 = where(%2, %1, %0); "
        "%4 = reduce_sum(%3) {dims=[-1], keepdim=false}; return %4");
  auto types = InferFusedBodyTypes(*body, {TensorType{DType::kF32, Shape({Dim(2), Dim(5)})}});
  REQUIRE(types.ok());
  CHECK((*types)[2].dtype == DType::kBool);
  CHECK(types->back() == TensorType{DType::kF32, Shape({Dim(2)})});
}

TEST_CASE("fused body: malformed bodies are errors naming the instruction", "[fused]") {
  struct Bad {
    const char* body;
    int operands;
    const char* message;
  };
  const Bad cases[] = {
      {"", 1, "expected an instruction or 'return'"},
      {"return %0", 1, "body has no instructions"},
      {"%1 = relu(%0)", 1, "expected ';' after instruction 0"},
      {"%1 = relu(%0); return %0", 1, "must return the last instruction's %1"},
      {"%2 = relu(%0); return %2", 1, "instruction 0 (%2): defines %2, expected %1"},
      {"%1 = frob(%0); return %1", 1, "instruction 0 (%1): unknown op 'frob'"},
      {"%1 = conv(%0, %0); return %1", 1, "op 'conv' cannot be fused"},
      {"%1 = relu(%1); return %1", 1, "reads %1 before it is defined"},
      {"%1 = add(%0); return %1", 1, "add takes 2 operands, got 1"},
      {"%1 = clamp(%0) {lo=1.0}; return %1", 1, "unknown attribute 'lo' for op 'clamp'"},
      {"%1 = clamp(%0) {min=x}; return %1", 1, "expected a number, read 'x'"},
      {"%1 = clamp(%0) {min=1.0, min=2.0}; return %1", 1, "attribute 'min' is given twice"},
      {"%1 = cast(%0); return %1", 1, "required attribute 'dtype' (dtype) is missing"},
      {"%1 = gelu(%0) {approximate=\"tanh}; return %1", 1, "unterminated string"},
      {"%1 = reduce_sum(%0) {dims=[0]}; %2 = relu(%1); return %2", 1, "a reduction must be the last instruction"},
      {"%2 = relu(%0); return %2", 2, "operand %1 is not used"},
      {"%1 = relu(%0); %2 = neg(%0); return %2", 1, "instruction 0 (%1 = relu(%0)): its result is not used"},
      {"%1 = relu(%0); return %1 extra", 1, "expected end of body after 'return'"},
      {"%1 = relu(%0 ; return %1", 1, "expected ',' or ')'"},
      {"%x = relu(%0); return %x", 1, "expected a register like %0"},
      {"%1 = relu(%0) {; return %1", 1, "unknown attribute ''"},
      {"%1 = reduce_sum(%0) {dims=[0,}; return %1", 1, "expected an integer"},
      {"%1 = reduce_sum(%0) {dims=[99999999999999999999]}; return %1", 1, "expected an integer"},
  };
  for (const Bad& c : cases) {
    auto body = ParseFusedBody(c.body, c.operands);
    INFO(c.body);
    REQUIRE(!body.ok());
    CHECK(body.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(body.status().message(), Catch::Contains(c.message));
  }
}

TEST_CASE("fused body: the verifier reports type errors of a body, naming the node", "[fused]") {
  auto g = ParseGraph(R"KIR(graph g {
  input %x : f32[4]
  input %y : f32[3]
  %0 = fused_elementwise(%x, %y) {body="%2 = add(%0, %1); return %2"} : f32[4]
  %1 = fused_elementwise(%x) {body="%1 = logical_not(%0); return %1"} : f32[4]
  %2 = fused_elementwise(%x) {body="%1 = relu(%0)"} : f32[4]
  output a = %0
  output b = %1
  output c = %2
}
)KIR");
  REQUIRE(g.ok());
  Status s = Verify(**g);
  INFO(s.ToString());
  REQUIRE(!s.ok());
  CHECK_THAT(s.message(), Catch::Contains("3 problems"));
  CHECK_THAT(s.message(), Catch::Contains("fused body instruction 0 (%2 = add(%0, %1)) on (f32[4], f32[3])"));
  CHECK_THAT(s.message(), Catch::Contains("cannot broadcast"));
  CHECK_THAT(s.message(), Catch::Contains("operand must be bool"));
  CHECK_THAT(s.message(), Catch::Contains("expected ';' after instruction 0"));
}

TEST_CASE("fused body: a fused_elementwise node round-trips through .kir", "[fused]") {
  std::string text = R"KIR(graph g {
  input %x : f32[N,4]
  %0 = fused_elementwise(%x) {body="%1 = gelu(%0) {approximate=\"none\"}; %2 = reduce_max(%1) {dims=[1], keepdim=true}; return %2"} : f32[N,1]
  output out = %0
}
)KIR";
  auto g = ParseGraph(text);
  REQUIRE(g.ok());
  CHECK(Verify(**g).ok());
  CHECK(PrintGraph(**g) == text);
}

}  // namespace
}  // namespace kiln::ir
