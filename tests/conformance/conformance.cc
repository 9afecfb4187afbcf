#include "tests/conformance/conformance.h"

#include <cstdlib>
#include <string>

#include "codegen/cpu/compiler.h"
#include "codegen/cpu/loaded_model.h"
#include "codegen/reference/interpreter.h"
#include "passes/shape_inference.h"

namespace kiln::conformance {

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  AddElementwiseCases(cases);
  AddLinalgConvCases(cases);
  AddShapeReduceCases(cases);
  AddSpatialCases(cases);
  AddPoolingCases(cases);
  AddActivationCases(cases);
  AddNormEmbeddingCases(cases);
  AddRecurrentCases(cases);
  AddFusedCases(cases);
  AddLayoutCases(cases);
  AddFusionOpCases(cases);
  return cases;
}

namespace {

// The CPU backend: compiles the case's graph into a fresh temporary directory, loads the
// artifact with dlopen and runs it on 2 threads. An artifact keeps one dim symbolic at run
// time (the batch N); other symbolic dims are bound at compile time from the inputs, as a
// user would with `shape-inference{L=11}`.
StatusOr<NamedOutputs> RunOnCpu(const ir::Graph& graph, const std::map<std::string, ir::HostTensor>& inputs) {
  std::map<std::string, int64_t> bindings;
  for (const ir::Value* v : graph.inputs()) {
    auto it = inputs.find(v->name());
    if (it == inputs.end()) continue;
    for (int d = 0; d < v->type().shape.rank() && d < it->second.rank(); ++d) {
      const ir::Dim& dim = v->type().shape.dim(d);
      if (dim.is_symbolic() && dim.symbol() != "N") bindings[dim.symbol()] = it->second.sizes()[static_cast<size_t>(d)];
    }
  }
  std::unique_ptr<ir::Graph> bound = graph.Clone();
  if (!bindings.empty()) {
    KILN_ASSIGN_OR_RETURN(bool changed, passes::ShapeInference(bindings).Run(*bound));
    (void)changed;
  }
  const ir::Graph& g = *bound;
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/kiln_conformance_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return IoError("mkdtemp failed");
  cpu::CompileOptions options;
  options.name = "conformance";
  options.output_dir = tmpl;
  options.max_batch = 64;
  KILN_ASSIGN_OR_RETURN(cpu::CompiledArtifact artifact, cpu::CompileGraph(g, options));
  KILN_ASSIGN_OR_RETURN(std::unique_ptr<cpu::LoadedModel> model, cpu::LoadedModel::Load(artifact, 2));
  return model->Run(inputs);
}

}  // namespace

std::vector<Backend> available_backends() {
  return {Backend{"reference", [](const ir::Graph& g, const std::map<std::string, ir::HostTensor>& inputs) {
                    return reference::RunGraph(g, inputs);
                  }},
          Backend{"cpu", RunOnCpu}};
}

}  // namespace kiln::conformance
