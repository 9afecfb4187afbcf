// Runs a compiled artifact in this process: dlopen libNAME.so, create a context through its
// C entry points, and run it on ir::HostTensors. Used by tests, the conformance table and
// in-process compilation; the artifact's own validation (shapes, dtypes, batch) applies.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codegen/cpu/compiler.h"
#include "ir/host_tensor.h"
#include "ir/status.h"

namespace kiln::cpu {

class LoadedModel {
 public:
  /// Opens artifact.shared_object and creates one context (`threads` 0: the default;
  /// `weights_path` for external weights, "" otherwise).
  static StatusOr<std::unique_ptr<LoadedModel>> Load(const CompiledArtifact& artifact, int threads = 0,
                                                     const std::string& weights_path = "");
  /// Opens an artifact by path (DIR/libNAME.so, NAME taken from the file name) and reads its
  /// inputs, outputs and limits from NAME_describe(), as `kiln run` / `kiln bench` do.
  static StatusOr<std::unique_ptr<LoadedModel>> Open(const std::string& shared_object, int threads = 0,
                                                     const std::string& weights_path = "");
  /// What the artifact declares (from CompileGraph or NAME_describe()).
  const CompiledArtifact& artifact() const { return artifact_; }
  ~LoadedModel();
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;

  /// Runs on inputs by name; returns the outputs in artifact order, named. A failed run is
  /// InvalidArgument (or the matching code) with the artifact's last_error message.
  StatusOr<std::vector<std::pair<std::string, ir::HostTensor>>> Run(
      const std::map<std::string, ir::HostTensor>& inputs);

  /// The entry points, for tests that call the C ABI directly.
  void* Symbol(const std::string& suffix) const;
  void* context() const { return context_; }

 private:
  LoadedModel() = default;
  CompiledArtifact artifact_;
  void* handle_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace kiln::cpu
