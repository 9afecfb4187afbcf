// The CPU backend's fused_elementwise kernels (kernels/fused.cc, emitters_fused.cc): graphs
// the default pipeline fuses run with fewer kernel calls and match the reference (which runs
// them unfused), at several batch sizes and thread counts, across tile and row boundaries.
#include <catch2/catch.hpp>

#include "tests/codegen/cpu_test_util.h"

namespace kiln::cpu::testing {
namespace {

// Every fused shape: a row-crossing tile walk (7 x 300), broadcasts on inner and middle dims,
// a scalar constant, bools through where, and three reduction tails (inner, outer, all).
const char* kGraph = R"KIR(graph fz {
  input %x : f32[N,7,300]
  input %g : f32[7,1]
  input %h : f32[N,1,300]
  %k = constant() {dtype=f32, shape=[], value=[0.25]} : f32[]
  %0 = mul(%x, %g) : f32[N,7,300]
  %1 = add(%0, %h) : f32[N,7,300]
  %2 = sigmoid(%1) : f32[N,7,300]
  %3 = mul(%1, %2) : f32[N,7,300]
  %4 = gt(%3, %k) : bool[N,7,300]
  %5 = where(%4, %3, %k) : f32[N,7,300]
  %6 = tanh(%5) : f32[N,7,300]
  %7 = exp(%x) : f32[N,7,300]
  %8 = mul(%7, %g) : f32[N,7,300]
  %9 = reduce_sum(%8) {dims=[2], keepdim=true} : f32[N,7,1]
  %10 = sub(%x, %h) : f32[N,7,300]
  %11 = abs(%10) : f32[N,7,300]
  %12 = reduce_max(%11) {dims=[0,2], keepdim=false} : f32[7]
  %13 = mul(%h, %h) : f32[N,1,300]
  %14 = reduce_mean(%13) {dims=[]} : f32[]
  output act = %6
  output sum = %9
  output max = %12
  output mean = %14
}
)KIR";

TEST_CASE("cpu backend: fused elementwise chains and reduction tails match the reference") {
  auto g = ParseWithWeights(kGraph);
  CompileOptions fused;
  fused.name = "fz";
  fused.max_batch = 5;
  CompiledArtifact art = CompileOrFail(*g, fused);
  CompileOptions unfused = fused;
  unfused.pipeline = "shape-inference,constant-fold,param-fold,conv-bn-fold,simplify,cse,dce";
  CompiledArtifact plain = CompileOrFail(*g, unfused);
  // Four fused nodes instead of fifteen elementwise / reduce nodes.
  CHECK(art.num_kernel_calls == 4);
  CHECK(plain.num_kernel_calls == 15);
  for (int threads : {1, 3}) {
    auto model = LoadedModel::Load(art, threads);
    INFO(model.status().ToString());
    REQUIRE(model.ok());
    std::mt19937_64 rng(11);
    for (int64_t batch : {1, 2, 5}) {
      std::map<std::string, ir::HostTensor> inputs;
      for (const ir::Value* v : g->inputs()) inputs[v->name()] = RandomInput(v->type(), batch, rng);
      CheckAgainstReference(**model, *g, inputs);
    }
  }
}

TEST_CASE("cpu backend: a fused_elementwise node with f64, bool operands and a bool result") {
  auto g = ParseWithWeights(R"KIR(graph fb {
  input %x : f64[N,130]
  input %m : bool[130]
  param %w : f64[130]
  %0 = fused_elementwise(%x, %m, %w) {body="%3 = mul(%0, %2); %4 = where(%1, %3, %0); %5 = softplus(%4) {beta=2.0}; return %5"} : f64[N,130]
  %1 = fused_elementwise(%0, %w) {body="%2 = lt(%0, %1); %3 = logical_not(%2); return %3"} : bool[N,130]
  output y = %0
  output b = %1
}
)KIR");
  CompileOptions o;
  o.name = "fb";
  o.max_batch = 4;
  CompiledArtifact art = CompileOrFail(*g, o);
  auto model = LoadedModel::Load(art);
  REQUIRE(model.ok());
  std::mt19937_64 rng(3);
  for (int64_t batch : {1, 4}) {
    std::map<std::string, ir::HostTensor> inputs;
    for (const ir::Value* v : g->inputs()) inputs[v->name()] = RandomInput(v->type(), batch, rng);
    CheckAgainstReference(**model, *g, inputs);
  }
}

TEST_CASE("cpu backend: a fused body outside the kernel's dtypes is reported, not miscompiled") {
  auto g = ParseWithWeights(R"KIR(graph fi {
  input %x : f32[4]
  %0 = fused_elementwise(%x) {body="%1 = cast(%0) {dtype=i64}; %2 = neg(%1); return %2"} : i64[4]
  output y = %0
}
)KIR");
  CompileOptions o;
  o.output_dir = TempDir();
  auto art = CompileGraph(*g, o);
  REQUIRE(!art.ok());
  CHECK(art.status().code() == StatusCode::kUnimplemented);
  CHECK_THAT(art.status().message(), Catch::Contains("fused_elementwise"));
  CHECK_THAT(art.status().message(), Catch::Contains("i64[4] is not supported by the CPU backend"));
}

}  // namespace
}  // namespace kiln::cpu::testing
