// Helpers shared by the layer golden tests (*_layers_golden_test.cc, layers_golden_test.cc):
// reading a case file of tests/golden/layers, splitting its state./input./expected. tensors,
// loading torch's state_dict, and running a module eagerly and through kiln::trace + the
// reference backend, compared with ir::Compare.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/nn.h"
#include "frontend/trace.h"
#include "ir/safetensors.h"
#include "ir/tensor_compare.h"

namespace kiln::layer_golden {

/// One golden case: the case's name and a factory for the module torch's generator built.
struct LayerCase {
  std::string name;
  std::function<nn::ModulePtr()> make;
  /// Trace with dim 0 as the symbolic batch N (false: unbatched input, whose dim 0 is the
  /// channels, or a case that needs static shapes). Not every test reads it.
  bool symbolic_batch = true;
};

/// The layer cases are test data (//tests/golden/layers) at their workspace path;
/// KILN_GOLDEN_LAYERS_DIR overrides it when running a binary by hand.
inline std::string LayersDir() {
  if (const char* dir = std::getenv("KILN_GOLDEN_LAYERS_DIR")) return dir;
  return "tests/golden/layers";
}

/// Reads LayersDir()/FILE_STEM.safetensors and checks that its metadata names `case_name`.
inline ir::SafetensorsFile LoadCase(const std::string& file_stem, const std::string& case_name) {
  std::string path = LayersDir() + "/" + file_stem + ".safetensors";
  auto file = ir::ReadSafetensors(path);
  INFO(path << ": " << file.status().ToString());
  REQUIRE(file.ok());
  CHECK(file->metadata["case"] == case_name);
  return std::move(*file);
}

/// The tensors under `prefix` (prefix removed), as a state dict.
inline nn::NamedTensors WithPrefix(const ir::SafetensorsFile& file, const std::string& prefix) {
  nn::NamedTensors out;
  for (const auto& [key, t] : file.tensors) {
    if (key.rfind(prefix, 0) == 0) out.emplace_back(key.substr(prefix.size()), Tensor(t.Clone()));
  }
  return out;
}

inline void CheckClose(const ir::HostTensor& got, const ir::HostTensor& expected, const std::string& what) {
  ir::Comparison c = ir::Compare(got, expected);
  INFO(what << ": " << c.message);
  CHECK(c.ok);
}

/// The module's state_dict keys must be exactly the ones torch wrote (order is checked in
/// layers_test; safetensors sorts keys).
inline void CheckSameKeys(nn::Module& m, const nn::NamedTensors& state) {
  std::set<std::string> ours, theirs;
  for (const auto& [k, v] : m.state_dict()) ours.insert(k);
  for (const auto& [k, v] : state) theirs.insert(k);
  CHECK(ours == theirs);
}

/// Loads the case's "state." tensors into `m` after checking their keys.
inline void LoadState(nn::Module& m, const ir::SafetensorsFile& file) {
  nn::NamedTensors state = WithPrefix(file, "state.");
  CheckSameKeys(m, state);
  m.load_state_dict(state);
}

/// Checks the module's state after the case's steps against its "after." tensors.
inline void CheckStateAfter(nn::Module& m, const ir::SafetensorsFile& file, const std::string& what) {
  std::map<std::string, Tensor> ours;
  for (const auto& [k, v] : m.state_dict()) ours[k] = v;
  for (const auto& [k, v] : WithPrefix(file, "after.")) {
    INFO(k);
    REQUIRE(ours.count(k) == 1);
    CheckClose(ours[k].data(), v.data(), what + ": " + k);
  }
}

/// Runs a traced graph on the reference backend; returns its outputs in order.
inline std::vector<ir::HostTensor> RunOnReference(const ir::Graph& graph,
                                                  const std::map<std::string, ir::HostTensor>& feed) {
  auto out = reference::RunGraph(graph, feed);
  INFO((out.ok() ? std::string() : out.status().ToString()));
  REQUIRE(out.ok());
  std::vector<ir::HostTensor> values;
  for (auto& [name, t] : *out) values.push_back(t);
  return values;
}

/// Traces `m` on one input "input" of `input`'s shape (dim 0 the symbolic batch N when
/// `symbolic_batch`) and runs it on the reference backend; returns every output.
inline std::vector<ir::HostTensor> RunTracedOutputs(nn::Module& m, const ir::HostTensor& input,
                                                    bool symbolic_batch = true) {
  std::vector<ir::Dim> dims;
  for (size_t i = 0; i < input.sizes().size(); ++i) {
    dims.push_back(i == 0 && symbolic_batch ? sym("N") : ir::Dim(input.sizes()[i]));
  }
  std::unique_ptr<ir::Graph> graph = trace(m, {TensorSpec(dims)});
  return RunOnReference(*graph, {{"input", input}});
}

/// RunTracedOutputs of a module with one output.
inline ir::HostTensor RunTraced(nn::Module& m, const ir::HostTensor& input, bool symbolic_batch = true) {
  std::vector<ir::HostTensor> out = RunTracedOutputs(m, input, symbolic_batch);
  REQUIRE(out.size() == 1);
  return out[0];
}

/// Compares m(input) with `expected`, eagerly and traced ("WHAT eager" / "WHAT traced").
inline void CheckEagerAndTraced(nn::Module& m, const ir::HostTensor& input, const ir::HostTensor& expected,
                                const std::string& what, bool symbolic_batch = true) {
  Tensor y = m(Tensor(input.Clone()));
  CheckClose(y.data(), expected, what + " eager");
  CheckClose(RunTraced(m, input, symbolic_batch), expected, what + " traced");
}

}  // namespace kiln::layer_golden
