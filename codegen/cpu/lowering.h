// Lowering: a verified graph (weights attached) -> Program, the CPU backend's list of kernel
// calls over planned buffers. No LLVM.
//
// Contract. Every node goes through its op's emitter (emitter.h); every problem — ops without
// an emitter, dtypes or ranks an emitter does not handle, a symbolic dim without a bound or
// not bound by any input, a missing weight — is collected and reported at once ("3 ops are not supported by the CPU
// backend: ..."). Locations: graph inputs and outputs are the caller's buffers (a value that
// is an output is computed straight into the output buffer); parameters and folded
// constants live in the weights blob; every other value gets an arena slot from the memory
// plan (memory_plan.h), sized for every symbol at its bound. An output that is an input, a weight or a second
// name of another output is copied at the end.
//
// Epilogue fusion is the fuse-epilogue pass (passes/fuse_epilogue.h): its fused_conv /
// fused_linear nodes reach the conv / GEMM emitters with their epilogue
// (EmitContext::Epilogue), which the kernels apply to the register tile before the one store:
// conv + bias, then + residual, then relu / clamp — the reference's order per element.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "codegen/cpu/program.h"
#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::cpu {

struct LoweringOptions {
  std::string name = "model";
  /// The largest batch a run may bind the symbolic dim N to (the arena is sized for it). A
  /// graph whose only symbolic dim has another name and no max_dims entry uses it too.
  int64_t max_batch = 64;
  /// Bounds of the other symbolic dims by name (e.g. {"T": 64}); an entry for "N" overrides
  /// max_batch. Every symbolic dim of the graph needs a bound.
  std::map<std::string, int64_t> max_dims;
  /// Default thread count (0: the host's CPUs).
  int32_t threads = 0;
  /// Floats per vector register of the target CPU (8: AVX2, 16: AVX-512): the conv / GEMM
  /// kernels' tile shapes depend on it (compiler.cc derives it from --cpu).
  int vector_floats = 8;
  /// "auto", "gemm", "direct", "winograd", "winograd-f2" or "winograd-f4": the kernel of 2-d f32
  /// convs with constant weights
  /// (CompileOptions::conv_algorithm).
  std::string conv_algorithm = "auto";
};

StatusOr<Program> LowerGraph(const ir::Graph& graph, const LoweringOptions& options);

}  // namespace kiln::cpu
