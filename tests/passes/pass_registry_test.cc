// Tests for the pass registry: names, options, pipelines and their errors.
#include <catch2/catch.hpp>

#include <regex>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "passes/pass_registry.h"
#include "passes/shape_inference.h"

namespace kiln::passes {
namespace {

TEST_CASE("registry: names are sorted, kebab-case and create their pass", "[registry]") {
  std::vector<std::string> names = RegisteredPassNames();
  CHECK(names == std::vector<std::string>{"constant-fold", "conv-bn-fold", "cse", "dce", "fuse-elementwise", "fuse-epilogue", "layout", "param-fold", "shape-inference", "simplify"});
  for (const std::string& name : names) {
    INFO(name);
    CHECK(std::regex_match(name, std::regex("[a-z][a-z0-9]*(-[a-z0-9]+)*")));
    auto pass = CreatePass(name);
    REQUIRE(pass.ok());
    CHECK((*pass)->name() == name);
  }
}

TEST_CASE("registry: an unknown name is NotFound listing the known names", "[registry]") {
  auto pass = CreatePass("cse2");
  REQUIRE_FALSE(pass.ok());
  CHECK(pass.status().code() == StatusCode::kNotFound);
  CHECK_THAT(pass.status().message(), Catch::Contains("unknown pass 'cse2'"));
  CHECK_THAT(pass.status().message(), Catch::Contains("constant-fold, conv-bn-fold, cse, dce, fuse-elementwise, fuse-epilogue, layout, param-fold, shape-inference, simplify"));
}

TEST_CASE("registry: options", "[registry]") {
  auto si = CreatePass(" shape-inference{ N=8, T = 3 } ");
  INFO(si.status().ToString());
  REQUIRE(si.ok());
  auto* shape_inference = dynamic_cast<ShapeInference*>(si->get());
  REQUIRE(shape_inference != nullptr);
  CHECK(shape_inference->bindings() == std::map<std::string, int64_t>{{"N", 8}, {"T", 3}});

  CHECK(CreatePass("shape-inference{N=8 T=3}").ok());
  CHECK(CreatePass("shape-inference{}").ok());

  auto no_options = CreatePass("cse{x=1}");
  REQUIRE_FALSE(no_options.ok());
  CHECK_THAT(no_options.status().message(), Catch::Contains("'cse' takes no options"));

  for (const char* bad : {"shape-inference{N=8", "shape-inference{N}", "shape-inference{N=x}", "{N=8}",
                          "shape-inference{N=1}x", "dce}"}) {
    INFO(bad);
    auto p = CreatePass(bad);
    CHECK_FALSE(p.ok());
    CHECK(p.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("registry: AddPipeline reports every unknown name at once and adds nothing", "[registry]") {
  PassManager pm;
  Status s = AddPipeline(pm, "cse,frobnicate,dce,fuse-everything");
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK_THAT(s.message(), Catch::Contains("2 unknown passes: 'frobnicate', 'fuse-everything'"));
  CHECK_THAT(s.message(), Catch::Contains("known passes: constant-fold, conv-bn-fold, cse, dce, fuse-elementwise, fuse-epilogue, layout, param-fold, shape-inference, simplify"));
  CHECK(pm.PassNames().empty());

  Status mixed = AddPipeline(pm, "nope,cse{a=1},,dce");
  REQUIRE_FALSE(mixed.ok());
  CHECK_THAT(mixed.message(), Catch::Contains("1 unknown pass: 'nope'"));
  CHECK_THAT(mixed.message(), Catch::Contains("'cse' takes no options"));
  CHECK_THAT(mixed.message(), Catch::Contains("empty pass name"));
  CHECK(pm.PassNames().empty());
}

TEST_CASE("registry: AddPipeline keeps option commas inside braces", "[registry]") {
  PassManager pm;
  REQUIRE(AddPipeline(pm, "shape-inference{N=8,T=2}, cse ,dce").ok());
  CHECK(pm.PassNames() == std::vector<std::string>{"shape-inference", "cse", "dce"});
  REQUIRE(AddPipeline(pm, "").ok());
  CHECK(pm.PassNames().size() == 3);
}

TEST_CASE("registry: the default pipeline runs end to end", "[registry]") {
  CHECK(DefaultPipeline() ==
        "shape-inference,constant-fold,param-fold,conv-bn-fold,simplify,cse,dce,layout,constant-fold,param-fold,"
        "simplify,dce,fuse-epilogue,fuse-elementwise");
  PassManagerOptions options;
  options.verify_each = true;
  PassManager pm(options);
  REQUIRE(AddPipeline(pm, "shape-inference{N=2}," + DefaultPipeline()).ok());
  auto g = ir::ParseGraph(R"(graph g {
  input %x : f32[N,2]
  param %w : f32[3,2]
  param %unused : f32[3]
  %one = constant() {dtype=f32, shape=[3], value=[1.0]} : f32[3]
  %two = constant() {dtype=f32, shape=[3], value=[2.0]} : f32[3]
  %b = add(%one, %two) : f32[3]
  %0 = linear(%x, %w, %b) : f32[N,3]
  %1 = linear(%x, %w, %b) : f32[N,3]
  %2 = relu(%0) : f32[N,3]
  %3 = relu(%1) : f32[N,3]
  %4 = add(%2, %3) : f32[N,3]
  %5 = neg(%4) : f32[N,3]
  output out = %4
})");
  REQUIRE(g.ok());
  Status s = pm.Run(**g);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(ir::PrintGraph(**g) == R"(graph g {
  input %x : f32[2,2]
  param %w : f32[3,2]
  %b = constant() {dtype=f32, shape=[3], value=[3.0]} : f32[3]
  %0 = fused_linear(%x, %w, %b) {activation="relu", max=inf, min=-inf} : f32[2,3]
  %1 = add(%0, %0) : f32[2,3]
  output out = %1
}
)");
}

}  // namespace
}  // namespace kiln::passes
