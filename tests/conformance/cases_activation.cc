// Conformance cases: elu (ELU/SELU/CELU forms), leaky_relu, softplus, gelu, random_uniform.
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

namespace {

// A one-node unary graph over f32[N,<rest>] with the given op text and result type.
std::string Unary(const std::string& type, const std::string& op) {
  return "graph g {\n  input %x : " + type + "\n  %0 = " + op + " : " + type + "\n  output out = %0\n}\n";
}

}  // namespace

void AddActivationCases(std::vector<Case>& cases) {
  cases.push_back({"elu_default", Unary("f32[N,3,4]", "elu(%x) {alpha=1.0, input_scale=1.0, scale=1.0}"), {{"N", 2}}});
  cases.push_back({"elu_selu",
                   Unary("f32[N,5]", "elu(%x) {alpha=1.6732632423543772, input_scale=1.0, scale=1.0507009873554805}"),
                   {{"N", 3}}, -4.0, 4.0});
  cases.push_back({"elu_celu", Unary("f32[N,5]", "elu(%x) {alpha=2.0, input_scale=0.5, scale=1.0}"), {{"N", 3}}});
  cases.push_back({"leaky_relu", Unary("f32[N,2,3]", "leaky_relu(%x) {negative_slope=0.2}"), {{"N", 2}}});
  cases.push_back({"softplus_default", Unary("f32[N,6]", "softplus(%x) {beta=1.0, threshold=20.0}"), {{"N", 2}},
                   -30.0, 30.0});
  cases.push_back({"softplus_beta_threshold", Unary("f32[N,6]", "softplus(%x) {beta=2.0, threshold=3.0}"),
                   {{"N", 2}}});
  cases.push_back({"gelu_erf", Unary("f32[N,7]", "gelu(%x) {approximate=\"none\"}"), {{"N", 2}}, -4.0, 4.0});
  cases.push_back({"gelu_tanh", Unary("f32[N,7]", "gelu(%x) {approximate=\"tanh\"}"), {{"N", 2}}, -4.0, 4.0});
  cases.push_back({"random_uniform", Unary("f32[N,4,5]", "random_uniform(%x) {offset=3, seed=1234}"), {{"N", 2}}});
}

}  // namespace kiln::conformance
