// Golden parity of the built-in models (frontend/models) with their PyTorch / torchvision
// originals (tests/golden/gen_models.py writes tests/golden/models/NAME.safetensors).
//
// For each model:
//   (a) kiln's state_dict keys, order, shapes and dtypes equal PyTorch's (file metadata), and
//       kiln prints the same module tree as PyTorch's repr;
//   (b) formula weights written under PyTorch's keys to a safetensors file load strictly with
//       kiln::load_state_dict, i.e. weights exported from PyTorch load unchanged;
//   (c) the eager forward in eval mode matches PyTorch's output;
//   (d) the traced graph (symbolic batch N) run on the reference backend matches too, and its
//       parameters are named by state_dict keys.
// Tolerance: ir::Compare's default (rtol 1e-4, atol 1e-5) for every model.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "codegen/api/compile.h"
#include "tests/golden/models/formula_weights.h"
#include "frontend/models/registry.h"
#include "frontend/nn.h"
#include "frontend/serialize.h"
#include "frontend/trace.h"
#include "ir/json.h"
#include "ir/safetensors.h"
#include "ir/tensor_compare.h"

namespace {

namespace nn = kiln::nn;
namespace ir = kiln::ir;
using kiln::Tensor;

const char* kGoldenDir = "tests/golden/models";

struct StateEntry {
  std::string key;
  std::vector<int64_t> shape;
  std::string dtype;  // safetensors spelling: "F32", "I64"
};

struct ModelGolden {
  std::vector<StateEntry> state_dict;
  std::string repr;
  double formula_checksum = 0;
  ir::HostTensor input;
  ir::HostTensor expected;
};

ModelGolden LoadGolden(const std::string& name) {
  auto file = ir::ReadSafetensors(std::string(kGoldenDir) + "/" + name + ".safetensors");
  REQUIRE(file.ok());
  ModelGolden g;
  REQUIRE(file->tensors.count("input") == 1);
  REQUIRE(file->tensors.count("expected.output") == 1);
  g.input = file->tensors.at("input");
  g.expected = file->tensors.at("expected.output");
  g.repr = file->metadata.at("repr");
  g.formula_checksum = std::stod(file->metadata.at("formula_checksum"));
  auto json = ir::ParseJson(file->metadata.at("state_dict"));
  REQUIRE(json.ok());
  for (const ir::JsonValue& item : json->items()) {
    StateEntry e;
    e.key = item.items().at(0).string_value();
    for (const ir::JsonValue& d : item.items().at(1).items()) e.shape.push_back(d.int_value());
    e.dtype = item.items().at(2).string_value();
    g.state_dict.push_back(std::move(e));
  }
  return g;
}

std::string TmpPath(const std::string& file) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + file;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void CheckModel(const std::string& name) {
  ModelGolden g = LoadGolden(name);
  kiln::manual_seed(0);
  kiln::models::BuiltinModel m = kiln::models::build_model(name);
  nn::Module& module = *m.module;

  // (a) state_dict keys, order, shapes, dtypes; repr.
  nn::NamedTensors state = module.state_dict();
  std::vector<std::string> got_keys, want_keys;
  for (const auto& [key, t] : state) got_keys.push_back(key);
  for (const StateEntry& e : g.state_dict) want_keys.push_back(e.key);
  REQUIRE(got_keys == want_keys);
  for (size_t i = 0; i < state.size(); ++i) {
    INFO(state[i].first);
    CHECK(state[i].second.sizes() == g.state_dict[i].shape);
    CHECK(std::string(ir::safetensors_dtype_name(state[i].second.dtype())) == g.state_dict[i].dtype);
  }
  CHECK(module.repr() == g.repr);

  // (b) weights saved under PyTorch's names load strictly.
  std::map<std::string, ir::HostTensor> weights;
  double checksum = 0;
  for (const StateEntry& e : g.state_dict) {
    auto formula = kiln::golden::FormulaTensor(e.key, e.shape);
    INFO(formula.status().ToString());
    REQUIRE(formula.ok());
    ir::HostTensor t = std::move(formula).value();
    for (int64_t i = 0; i < t.num_elements(); ++i) checksum += std::abs(t.GetDouble(i));
    weights.emplace(e.key, std::move(t));
  }
  CHECK(checksum == Approx(g.formula_checksum).epsilon(1e-12));
  const std::string path = TmpPath(name + ".formula.safetensors");
  REQUIRE(ir::WriteSafetensors(path, weights, {{"format", "pt"}}).ok());
  auto [missing, unexpected] = kiln::load_state_dict(module, path);
  CHECK(missing.empty());
  CHECK(unexpected.empty());
  for (const auto& [key, t] : module.state_dict()) {
    INFO(key);
    CHECK(t.data().BitwiseEqual(weights.at(key)));
  }

  // (c) eager forward in eval mode.
  module.eval();
  auto start = std::chrono::steady_clock::now();
  Tensor out = module(Tensor(g.input.Clone()));
  const double eager_s = SecondsSince(start);
  ir::Comparison eager = ir::Compare(out.data(), g.expected);
  INFO("eager: " << eager.message);
  CHECK(eager.ok);

  // (d) traced with a symbolic batch, run on the reference backend.
  start = std::chrono::steady_clock::now();
  kiln::TraceOptions options;
  options.graph_name = name;
  options.output_names = m.output_names;
  // The registry's spec with the golden input's image size (torchvision's models take 64x64).
  REQUIRE(m.inputs.size() == 1);
  kiln::TensorSpec spec = m.inputs[0];
  REQUIRE(spec.shape.size() == g.input.sizes().size());
  for (size_t d = 1; d < spec.shape.size(); ++d) spec.shape[d] = g.input.sizes()[d];
  std::unique_ptr<ir::Graph> graph = kiln::trace(module, {spec}, options);
  const double trace_s = SecondsSince(start);
  REQUIRE(graph->inputs().size() == 1);
  CHECK(graph->inputs()[0]->name() == "input");
  CHECK(graph->inputs()[0]->type().shape.dim(0) == ir::Dim::Symbolic("N"));
  std::set<std::string> keys(want_keys.begin(), want_keys.end());
  for (const ir::Value* p : graph->params()) {
    INFO(p->name());
    CHECK(keys.count(p->name()) == 1);
    CHECK(graph->weights().count(p->name()) == 1);
  }
  start = std::chrono::steady_clock::now();
  auto outputs = kiln::reference::RunGraph(*graph, {{"input", g.input}});
  const double run_s = SecondsSince(start);
  INFO("RunGraph: " << (outputs.ok() ? "ok" : outputs.status().message()));
  REQUIRE(outputs.ok());
  REQUIRE(outputs->size() == 1);
  CHECK((*outputs)[0].first == "output");
  ir::Comparison traced = ir::Compare((*outputs)[0].second, g.expected);
  INFO("traced: " << traced.message);
  CHECK(traced.ok);
  // (e) compiled with the CPU backend (libNAME.so, run through its C ABI): one artifact at
  // the golden batch B, at batch 1 (the first sample) and at 2B (the samples twice).
  start = std::chrono::steady_clock::now();
  kiln::CompileOptions co;
  co.name = name;
  co.max_batch = 8;
  co.threads = 2;
  kiln::CompiledModel compiled = kiln::compile(*graph, co);
  const double compile_s = SecondsSince(start);
  const Tensor x(g.input), want(g.expected);
  const int64_t batch = x.size(0);
  struct Run {
    Tensor input, expected;
  };
  std::vector<Run> runs = {{x, want},
                           {x.narrow(0, 0, 1), want.narrow(0, 0, 1)},
                           {kiln::cat({x, x}, 0), kiln::cat({want, want}, 0)}};
  double compiled_diff = 0;
  for (const Run& r : runs) {
    Tensor got = compiled(r.input);
    // The CPU kernels accumulate in f32 in their own blocked order (the reference in double,
    // PyTorch in f32 in another order); through ResNet-18's 20 layers that moves logits of
    // magnitude ~30 by up to ~3e-5, so near-zero logits need an absolute 1e-4.
    ir::Comparison c = ir::Compare(got.data(), r.expected.contiguous().data(), ir::Tolerance{1e-4, 1e-4});
    INFO("compiled, batch " << r.input.size(0) << " (golden batch " << batch << "): " << c.message);
    CHECK(c.ok);
    compiled_diff = std::max(compiled_diff, c.max_abs_diff);
  }
  std::printf("%-13s %3zu state_dict entries, %3zu graph params, %4zu nodes; eager %.2fs, trace %.2fs, "
              "reference %.2fs, compile %.2fs; max |diff| eager %.2e traced %.2e compiled %.2e\n",
              name.c_str(), state.size(), graph->params().size(), static_cast<size_t>(graph->num_nodes()), eager_s, trace_s, run_s,
              compile_s, eager.max_abs_diff, traced.max_abs_diff, compiled_diff);
}

TEST_CASE("mlp matches PyTorch", "[models][golden]") { CheckModel("mlp"); }

TEST_CASE("lenet5 matches PyTorch", "[models][golden]") { CheckModel("lenet5"); }

TEST_CASE("resnet18 matches torchvision", "[models][golden]") { CheckModel("resnet18"); }

TEST_CASE("mobilenet_v2 matches torchvision", "[models][golden]") { CheckModel("mobilenet_v2"); }

TEST_CASE("every available built-in model has golden data", "[models][golden]") {
  for (const std::string& name : kiln::models::builtin_model_names()) {
    if (!kiln::models::is_model_available(name)) continue;
    INFO(name);
    CHECK(ir::ReadSafetensors(std::string(kGoldenDir) + "/" + name + ".safetensors").ok());
  }
}

}  // namespace
