// Conformance cases: elementwise unary, binary (with broadcasting), comparison, logical,
// where, cast, clamp.
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

namespace {
std::string unary(const std::string& op, const std::string& dtype = "f32") {
  return "graph g {\n  input %x : " + dtype + "[N,3,5]\n  %0 = " + op + "(%x) : " + dtype +
         "[N,3,5]\n  output out = %0\n}\n";
}
std::string binary(const std::string& op, const std::string& dtype, const std::string& out_dtype) {
  return "graph g {\n  input %a : " + dtype + "[N,3,5]\n  input %b : " + dtype + "[3,1]\n  %0 = " + op +
         "(%a, %b) : " + out_dtype + "[N,3,5]\n  output out = %0\n}\n";
}
}  // namespace

void AddElementwiseCases(std::vector<Case>& cases) {
  for (const char* op : {"neg", "abs", "relu", "sign", "exp", "sigmoid", "tanh", "erf", "sin", "cos", "floor", "ceil",
                         "round", "reciprocal"}) {
    cases.push_back({std::string("unary_") + op, unary(op), {{"N", 2}}});
  }
  for (const char* op : {"log", "sqrt", "rsqrt"}) {
    Case c{std::string("unary_") + op, unary(op), {{"N", 2}}};
    c.low = 0.1;
    c.high = 4.0;
    cases.push_back(c);
  }
  cases.push_back({"unary_neg_i64", unary("neg", "i64"), {{"N", 2}}});
  cases.push_back({"unary_abs_i64", unary("abs", "i64"), {{"N", 2}}});
  cases.push_back({"logical_not", unary("logical_not", "bool"), {{"N", 2}}});
  cases.push_back({"clamp", "graph g {\n  input %x : f32[N,7]\n  %0 = clamp(%x) {max=0.5, min=-1.0} : f32[N,7]\n  output out = %0\n}\n", {{"N", 3}}});
  cases.push_back({"cast_f32_i64", "graph g {\n  input %x : f32[N,7]\n  %0 = cast(%x) {dtype=i64} : i64[N,7]\n  output out = %0\n}\n", {{"N", 3}}});
  cases.push_back({"cast_i64_f32", "graph g {\n  input %x : i64[N,7]\n  %0 = cast(%x) {dtype=f32} : f32[N,7]\n  output out = %0\n}\n", {{"N", 3}}});
  for (const char* op : {"add", "sub", "mul", "maximum", "minimum"}) {
    cases.push_back({std::string("binary_") + op, binary(op, "f32", "f32"), {{"N", 2}}});
    cases.push_back({std::string("binary_") + op + "_i64", binary(op, "i64", "i64"), {{"N", 2}}});
  }
  Case div{"binary_div", binary("div", "f32", "f32"), {{"N", 2}}};
  div.low = 0.5;  // keep divisors away from zero
  cases.push_back(div);
  Case pow{"binary_pow", binary("pow", "f32", "f32"), {{"N", 2}}};
  pow.low = 0.1;
  cases.push_back(pow);
  Case idiv{"binary_div_i64", binary("div", "i64", "i64"), {{"N", 2}}};
  idiv.int_low = 1;  // integer division by zero is an error, tested elsewhere
  cases.push_back(idiv);
  for (const char* op : {"eq", "ne", "lt", "le", "gt", "ge"}) {
    Case c{std::string("compare_") + op, binary(op, "i64", "bool"), {{"N", 2}}};
    c.int_low = -1;
    c.int_high = 2;  // many ties
    cases.push_back(c);
  }
  cases.push_back({"logical_and", binary("logical_and", "bool", "bool"), {{"N", 2}}});
  cases.push_back({"logical_or", binary("logical_or", "bool", "bool"), {{"N", 2}}});
  cases.push_back({"where",
                   "graph g {\n  input %c : bool[N,1,4]\n  input %a : f32[3,4]\n  input %b : f32[N,3,1]\n"
                   "  %0 = where(%c, %a, %b) : f32[N,3,4]\n  output out = %0\n}\n",
                   {{"N", 2}}});
}

}  // namespace kiln::conformance
