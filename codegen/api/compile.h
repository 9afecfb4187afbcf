// kiln::compile: the C++ entry point to the compiler, for programs that build models with the
// frontend. It traces the module, compiles the graph with the CPU backend, and returns a model
// that runs in this process (the freshly linked libNAME.so, loaded with dlopen) and can be
// saved as the same libNAME.so + NAME.h that `kiln compile` writes.
//
//   kiln::CompiledModel m = kiln::compile(*model, {kiln::TensorSpec({kiln::sym("N"), 784})});
//   std::vector<kiln::Tensor> y = m.run({x});
//   m.save("out/");   // out/libmodel.so, out/model.h, out/kiln/runtime.h
//
// No LLVM header is reachable from here (the implementation links LLVM).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frontend/module.h"
#include "frontend/tensor.h"
#include "frontend/trace.h"
#include "ir/graph.h"

namespace kiln {

struct CompileOptions {
  /// Artifact name: libNAME.so, NAME_create, ... (a C identifier).
  std::string name = "model";
  /// "x86-64-v3" (portable default), "x86-64-v4", "native" or an LLVM CPU name.
  std::string cpu = "x86-64-v3";
  /// Default thread count of a context (0: the host's CPUs).
  int threads = 0;
  /// The largest batch (symbolic dim N) a run may use.
  int64_t max_batch = 64;
  /// Bounds of other symbolic dims, e.g. {{"T", 64}} for a sequence length.
  std::map<std::string, int64_t> max_dims;
  /// Keep the weights in NAME.weights instead of the .so.
  bool external_weights = false;
};

/// A compiled model, loaded in this process.
class CompiledModel {
 public:
  CompiledModel(CompiledModel&&) noexcept;
  CompiledModel& operator=(CompiledModel&&) noexcept;
  ~CompiledModel();

  /// Runs on concrete tensors given in input order; returns the outputs in output order.
  /// Shapes, dtypes and the batch limit are checked by the artifact (kiln::Error on failure).
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;
  /// run({input})[0] for single-input, single-output models.
  Tensor operator()(const Tensor& input) const;
  /// Copies libNAME.so, NAME.h, kiln/runtime.h (and NAME.weights) into `dir` (created).
  void save(const std::string& dir) const;
  /// The artifact's name and input/output names.
  const std::string& name() const;
  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;

 private:
  friend CompiledModel compile(const ir::Graph&, const CompileOptions&);
  struct Impl;
  explicit CompiledModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Traces `module` on `inputs` (see kiln::trace) and compiles the graph.
CompiledModel compile(nn::Module& module, const std::vector<TensorSpec>& inputs, const CompileOptions& options = {});
/// Compiles a verified graph with weights attached.
CompiledModel compile(const ir::Graph& graph, const CompileOptions& options = {});

}  // namespace kiln
