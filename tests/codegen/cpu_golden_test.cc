// Every committed PyTorch golden case (tests/golden/cases, mlp included) compiled by the CPU
// backend and compared with PyTorch's expected outputs; the MLP also at two other batch sizes
// from the same artifact, against the reference backend.
#include <catch2/catch.hpp>

#include "tests/codegen/cpu_test_util.h"
#include "tests/golden/golden.h"

namespace kiln::cpu::testing {
namespace {

const char* kCases = "tests/golden/cases";

TEST_CASE("cpu backend: every golden case matches PyTorch") {
  auto names = golden::ListCases(kCases);
  REQUIRE(names.ok());
  REQUIRE(!names->empty());
  for (const std::string& name : *names) {
    DYNAMIC_SECTION(name) {
      auto c = golden::LoadCase(kCases, name);
      INFO(c.status().ToString());
      REQUIRE(c.ok());
      CompileOptions o;
      o.name = "golden";
      o.output_dir = TempDir();
      auto art = CompileGraph(*c->graph, o);
      INFO(art.status().ToString());
      REQUIRE(art.ok());
      auto model = LoadedModel::Load(*art, 2);
      INFO(model.status().ToString());
      REQUIRE(model.ok());
      auto got = (*model)->Run(c->inputs);
      INFO(got.status().ToString());
      REQUIRE(got.ok());
      auto problems = golden::CompareOutputs(*got, c->expected);
      for (const auto& p : problems) INFO(p);
      CHECK(problems.empty());
    }
  }
}

TEST_CASE("cpu backend: the golden MLP at batch 1, 2 and 17 from one artifact") {
  auto c = golden::LoadCase(kCases, "mlp");
  REQUIRE(c.ok());
  CompileOptions o;
  o.name = "mlp";
  o.max_batch = 32;
  CompiledArtifact art = CompileOrFail(*c->graph, o);
  auto model = LoadedModel::Load(art, 2);
  REQUIRE(model.ok());
  // PyTorch's own batch first.
  auto got = (*model)->Run(c->inputs);
  REQUIRE(got.ok());
  CHECK(golden::CompareOutputs(*got, c->expected).empty());
  std::mt19937_64 rng(11);
  for (int64_t batch : {1, 2, 17}) {
    std::map<std::string, ir::HostTensor> inputs;
    inputs["input"] = RandomInput(c->graph->inputs()[0]->type(), batch, rng);
    CheckAgainstReference(**model, *c->graph, inputs);
  }
}

}  // namespace
}  // namespace kiln::cpu::testing
