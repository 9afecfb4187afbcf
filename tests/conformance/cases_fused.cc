// Conformance cases: fused_elementwise (ir/fused_body.h) written out, and unfused chains that
// the CPU backend's pipeline fuses (fuse-elementwise), both against the reference (unfused
// semantics). Shapes cross tile (256 f32 / 128 f64 elements) and row boundaries.
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

namespace {
std::string fused(const std::string& inputs, const std::string& operands, const std::string& body,
                  const std::string& type) {
  return "graph g {\n" + inputs + "  %0 = fused_elementwise(" + operands + ") {body=\"" + body + "\"} : " + type +
         "\n  output out = %0\n}\n";
}
}  // namespace

void AddFusedCases(std::vector<Case>& cases) {
  cases.push_back({"fused_chain",
                   fused("  input %x : f32[N,3,5]\n  input %b : f32[3,1]\n", "%x, %b",
                         "%2 = add(%0, %1); %3 = tanh(%2); %4 = mul(%3, %0); %5 = exp(%4); "
                         "%6 = clamp(%5) {max=2.5, min=0.5}; return %6",
                         "f32[N,3,5]"),
                   {{"N", 2}}});
  cases.push_back({"fused_rows_and_tiles",
                   fused("  input %x : f32[N,7,300]\n  input %c : f32[7,1]\n  param %s : f32[]\n", "%x, %c, %s",
                         "%3 = mul(%0, %1); %4 = sub(%3, %2); %5 = sigmoid(%4); %6 = mul(%5, %0); return %6",
                         "f32[N,7,300]"),
                   {{"N", 3}}});
  cases.push_back({"fused_activations",
                   fused("  input %x : f32[N,4,33]\n", "%x",
                         "%1 = gelu(%0) {approximate=\\\"tanh\\\"}; %2 = elu(%1) {alpha=0.5}; "
                         "%3 = leaky_relu(%2) {negative_slope=0.2}; %4 = softplus(%3) {beta=2.0}; "
                         "%5 = gelu(%4); %6 = erf(%5); %7 = abs(%6); %8 = sqrt(%7); %9 = neg(%8); %10 = sign(%9); "
                         "%11 = add(%10, %8); return %11",
                         "f32[N,4,33]"),
                   {{"N", 2}}});
  cases.push_back({"fused_bool_where_cast",
                   fused("  input %x : f32[N,5,9]\n  input %y : f32[5,1]\n  input %m : bool[9]\n", "%x, %y, %m",
                         "%3 = gt(%0, %1); %4 = logical_not(%2); %5 = logical_and(%3, %4); %6 = cast(%5) {dtype=f32}; "
                         "%7 = where(%5, %0, %1); %8 = add(%7, %6); %9 = maximum(%8, %1); %10 = round(%9); return %10",
                         "f32[N,5,9]"),
                   {{"N", 2}}});
  cases.push_back({"fused_bool_result",
                   fused("  input %x : f32[N,6]\n  input %y : f32[6]\n", "%x, %y",
                         "%2 = sub(%0, %1); %3 = cast(%2) {dtype=bool}; %4 = lt(%0, %1); %5 = logical_or(%3, %4); "
                         "%6 = ne(%5, %4); return %6",
                         "bool[N,6]"),
                   {{"N", 3}}});
  cases.push_back({"fused_f64",
                   fused("  input %x : f64[N,3,130]\n  input %y : f64[130]\n", "%x, %y",
                         "%2 = div(%0, %1); %3 = pow(%2, %1); %4 = cos(%3); %5 = minimum(%4, %0); return %5",
                         "f64[N,3,130]"),
                   {{"N", 2}, }, 0.5, 2.0});
  cases.push_back({"fused_reduce_sum_inner",
                   fused("  input %x : f32[N,3,300]\n  input %b : f32[3,1]\n", "%x, %b",
                         "%2 = sub(%0, %1); %3 = mul(%2, %2); %4 = reduce_sum(%3) {dims=[-1], keepdim=true}; return %4",
                         "f32[N,3,1]"),
                   {{"N", 2}}});
  cases.push_back({"fused_reduce_mean_all",
                   fused("  input %x : f32[N,5,7]\n", "%x",
                         "%1 = sigmoid(%0); %2 = mul(%1, %0); %3 = reduce_mean(%2) {dims=[]}; return %3", "f32[]"),
                   {{"N", 3}}});
  cases.push_back({"fused_reduce_max_outer",
                   fused("  input %x : f32[N,4,6]\n  input %y : f32[4,1]\n", "%x, %y",
                         "%2 = add(%0, %1); %3 = tanh(%2); %4 = reduce_max(%3) {dims=[0,2]}; return %4", "f32[4]"),
                   {{"N", 3}}});
  cases.push_back({"fused_reduce_min_f64",
                   fused("  input %x : f64[N,9]\n", "%x",
                         "%1 = exp(%0); %2 = reduce_min(%1) {dims=[0], keepdim=true}; return %2", "f64[1,9]"),
                   {{"N", 4}}});
  // Unfused graphs: the CPU backend's pipeline fuses them; the reference runs them as written.
  cases.push_back({"fusion_by_pipeline",
                   "graph g {\n  input %x : f32[N,8,40]\n  input %g : f32[8,1]\n"
                   "  %0 = mul(%x, %g) : f32[N,8,40]\n  %1 = sigmoid(%0) : f32[N,8,40]\n"
                   "  %2 = mul(%0, %1) : f32[N,8,40]\n  %3 = reduce_mean(%2) {dims=[2], keepdim=false} : f32[N,8]\n"
                   "  %4 = tanh(%2) : f32[N,8,40]\n  %5 = neg(%4) : f32[N,8,40]\n"
                   "  output mean = %3\n  output act = %5\n}\n",
                   {{"N", 2}}});
}

}  // namespace kiln::conformance
