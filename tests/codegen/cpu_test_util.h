// Helpers for the CPU backend tests: compile a graph into a fresh temporary directory, load
// the artifact in-process, run it, and compare with the reference backend.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "codegen/cpu/compiler.h"
#include "codegen/cpu/loaded_model.h"
#include "codegen/reference/interpreter.h"
#include "ir/kir.h"
#include "ir/tensor_compare.h"

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

}  // namespace kiln::cpu::testing
