// Conformance cases: reshape, permute, expand, concat, slice, reductions, arg reductions,
// softmax, constants.
#include "tests/conformance/conformance.h"

namespace kiln::conformance {

void AddShapeReduceCases(std::vector<Case>& cases) {
  cases.push_back({"reshape_permute",
                   "graph g {\n  input %x : f32[N,2,3,4]\n  %0 = reshape(%x) {shape=[-1,6,4]} : f32[N,6,4]\n"
                   "  %1 = permute(%0) {dims=[2,0,1]} : f32[4,N,6]\n  output out = %1\n}\n",
                   {{"N", 2}}});
  cases.push_back({"expand_concat_slice",
                   "graph g {\n  input %x : f32[N,1,5]\n  input %y : f32[N,2,5]\n"
                   "  %0 = expand(%x) {shape=[-1,3,-1]} : f32[N,3,5]\n"
                   "  %1 = concat(%0, %y) {dim=1} : f32[N,5,5]\n"
                   "  %2 = slice(%1) {dim=2, end=-1, start=-4, step=2} : f32[N,5,2]\n  output out = %2\n}\n",
                   {{"N", 2}}});
  for (const char* op : {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"}) {
    cases.push_back({std::string(op) + "_keepdim",
                     std::string("graph g {\n  input %x : f32[N,3,4]\n  %0 = ") + op +
                         "(%x) {dims=[0,2], keepdim=true} : f32[1,3,1]\n  output out = %0\n}\n",
                     {{"N", 2}}});
  }
  cases.push_back({"reduce_sum_all_i64",
                   "graph g {\n  input %x : i64[N,3]\n  %0 = reduce_sum(%x) {dims=[], keepdim=false} : i64[]\n"
                   "  output out = %0\n}\n",
                   {{"N", 4}}});
  for (const char* op : {"argmax", "argmin"}) {
    Case c{op, std::string("graph g {\n  input %x : i64[N,6]\n  %0 = ") + op +
                   "(%x) {dim=1, keepdim=false} : i64[N]\n  output out = %0\n}\n",
           {{"N", 3}}};
    c.int_low = 0;
    c.int_high = 3;  // ties: the first index must win
    cases.push_back(c);
  }
  for (const char* op : {"softmax", "log_softmax"}) {
    Case c{op, std::string("graph g {\n  input %x : f32[N,3,4]\n  %0 = ") + op + "(%x) {dim=-1} : f32[N,3,4]\n  output out = %0\n}\n",
           {{"N", 2}}};
    c.low = -30;
    c.high = 30;
    cases.push_back(c);
  }
  cases.push_back({"constant_splat_add",
                   "graph g {\n  input %x : f32[N,3]\n  %0 = constant() {dtype=f32, shape=[3], value=[0.5]} : f32[3]\n"
                   "  %1 = add(%x, %0) : f32[N,3]\n  output out = %1\n}\n",
                   {{"N", 2}}});
}

}  // namespace kiln::conformance
