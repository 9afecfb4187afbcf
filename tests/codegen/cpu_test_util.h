// Helpers for the CPU backend tests: compile a graph into a fresh temporary directory, load
// the artifact in-process, run it, and compare with the reference backend.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "codegen/cpu/compiler.h"
#include "codegen/cpu/loaded_model.h"
#include "codegen/reference/interpreter.h"
#include "ir/kir.h"
#include "ir/tensor_compare.h"
#include "passes/pass_registry.h"

namespace kiln::cpu::testing {

/// A new empty directory under $TEST_TMPDIR (or /tmp).
inline std::string TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/kiln_cpu_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  REQUIRE(dir != nullptr);
  return dir;
}

/// Parses .kir text and gives every parameter seeded uniform [-1, 1) data.
inline std::unique_ptr<ir::Graph> ParseWithWeights(const std::string& kir, uint64_t seed = 1) {
  auto g = ir::ParseGraph(kir, "test.kir");
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  std::mt19937_64 rng(seed);
  for (const ir::Value* p : (*g)->params()) {
    std::vector<int64_t> sizes;
    for (const ir::Dim& d : p->type().shape.dims()) sizes.push_back(d.size());
    ir::HostTensor t(p->type().dtype, sizes);
    for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, std::uniform_real_distribution<double>(-1, 1)(rng));
    (*g)->weights()[p->name()] = t;
  }
  return std::move(*g);
}

/// A seeded input for `type` with the batch dim bound to `batch`.
inline ir::HostTensor RandomInput(const ir::TensorType& type, int64_t batch, std::mt19937_64& rng, double lo = -2,
                                  double hi = 2) {
  std::vector<int64_t> sizes;
  for (const ir::Dim& d : type.shape.dims()) sizes.push_back(d.is_static() ? d.size() : batch);
  ir::HostTensor t(type.dtype, sizes);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    double u = std::uniform_real_distribution<double>(lo, hi)(rng);
    if (type.dtype == ir::DType::kBool) u = u > (lo + hi) / 2;
    if (!ir::is_floating(type.dtype)) u = std::floor(u);
    t.SetDouble(i, u);
  }
  return t;
}

/// The CPU levels to compile for: AVX2 (x86-64-v3), and AVX-512 (x86-64-v4) when the host has
/// it (other register tiles).
inline std::vector<std::string> Cpus() {
  std::vector<std::string> cpus = {"x86-64-v3"};
  if (__builtin_cpu_supports("avx512f")) cpus.push_back("x86-64-v4");
  return cpus;
}

/// The default pipeline without the channels-last `layout` pass, for tests of the kernels of
/// the channels-first `conv`.
inline std::string ChannelsFirstPipeline() {
  std::string p = passes::DefaultPipeline();
  size_t at = p.find(",layout,");
  if (at != std::string::npos) p.erase(at, 7);
  return p;
}

/// Compiles `graph` with `options` into a temp dir (options.output_dir is replaced).
inline CompiledArtifact CompileOrFail(const ir::Graph& graph, CompileOptions options = {}) {
  options.output_dir = TempDir();
  auto art = CompileGraph(graph, options);
  INFO(art.status().ToString());
  REQUIRE(art.ok());
  return *art;
}

/// Runs `model` and the reference on the same inputs and checks every output.
inline void CheckAgainstReference(LoadedModel& model, const ir::Graph& graph,
                                  const std::map<std::string, ir::HostTensor>& inputs, ir::Tolerance tol = {}) {
  auto expected = reference::RunGraph(graph, inputs);
  INFO(expected.status().ToString());
  REQUIRE(expected.ok());
  auto got = model.Run(inputs);
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  REQUIRE(got->size() == expected->size());
  for (size_t i = 0; i < got->size(); ++i) {
    ir::Comparison cmp = ir::Compare((*got)[i].second, (*expected)[i].second, tol);
    INFO("output " << (*got)[i].first << ": " << cmp.message);
    CHECK(cmp.ok);
  }
}

/// Compiles `graph` with `options`, loads it with 2 threads and checks batches 1 and 3 of
/// seeded random inputs against the reference; `each` (optional) also sees every run's
/// model and inputs. Returns the artifact.
inline CompiledArtifact CompileAndCheckBatches(
    const ir::Graph& graph, const CompileOptions& options, ir::Tolerance tol, uint64_t seed,
    const std::function<void(LoadedModel&, const std::map<std::string, ir::HostTensor>&)>& each = nullptr) {
  CompiledArtifact art = CompileOrFail(graph, options);
  auto model = LoadedModel::Load(art, 2);
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  std::mt19937_64 rng(seed);
  for (int64_t batch : {1, 3}) {
    std::map<std::string, ir::HostTensor> inputs;
    for (const ir::Value* v : graph.inputs()) inputs[v->name()] = RandomInput(v->type(), batch, rng);
    CheckAgainstReference(**model, graph, inputs, tol);
    if (each) each(**model, inputs);
  }
  return art;
}

}  // namespace kiln::cpu::testing
