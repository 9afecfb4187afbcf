// The CPU backend: a verified graph with weights -> libNAME.so + NAME.h (+ NAME.weights).
//
// Route (docs/codegen.md): the graph is optimized by the default pass pipeline, lowered to
// calls of a kernel library written in C++ (kernels/, compiled to LLVM bitcode at build time),
// linked into one LLVM module with the runtime's bitcode, specialized with the shapes as
// constants, optimized at O3 for the selected CPU, emitted as one object and linked with
// ld.lld into a shared object that depends on libc, libm and libpthread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "codegen/cpu/program.h"
#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::cpu {

struct CompileOptions {
  /// The artifact's name: libNAME.so, NAME.h, entry points NAME_create ... (a C identifier).
  std::string name = "model";
  /// Where the files go (created if missing).
  std::string output_dir = ".";
  /// "x86-64-v3" (runs on any recent x86-64), "x86-64-v4", "native", or an LLVM CPU name.
  std::string cpu = "x86-64-v3";
  /// Default thread count of a context (0: the host's CPUs).
  int threads = 0;
  /// The largest batch (symbolic dim N) a run may use; the arena is sized for it. Also the
  /// bound of a graph's only symbolic dim when it has another name and no max_dims entry.
  int64_t max_batch = 64;
  /// Bounds of the other symbolic dims, by name (e.g. {"T", 64} for a sequence length); the
  /// arena is sized for them. A graph whose symbolic dims lack a bound is rejected.
  std::map<std::string, int64_t> max_dims;
  /// Write the weights to NAME.weights instead of embedding them.
  bool external_weights = false;
  /// Extra outputs next to the .so: "" (none), "llvm" (NAME.ll), "asm" (NAME.s), "obj" (NAME.o);
  /// several may be given comma-separated.
  std::string emit;
  /// Pass-manager debugging (passes/pass_manager.h).
  bool verify_each = false;
  std::string print_ir_after;
  std::string dump_dir;
  /// The graph pipeline run before lowering ("" = passes::DefaultPipeline()).
  std::string pipeline;
  /// The kernel of 2-d f32 convolutions with constant weights: "auto" (a cost model picks per
  /// conv), "gemm" (implicit GEMM, kernels/conv_gemm.cc), "direct" (kernels/conv_direct.cc) or
  /// "winograd" (kernels/conv_winograd.cc, 3x3 stride-1 convs; the others fall back to the cost
  /// model; "winograd-f2" / "winograd-f4" also force the tile size).
  std::string conv_algorithm = "auto";
};

/// What CompileGraph wrote.
struct CompiledArtifact {
  std::string name;
  std::string shared_object;  ///< DIR/libNAME.so
  std::string header;         ///< DIR/NAME.h
  std::string weights;        ///< DIR/NAME.weights, or "" when embedded
  uint64_t arena_bytes = 0;
  uint64_t weights_bytes = 0;
  int64_t max_batch = 0;
  size_t num_kernel_calls = 0;
  /// The artifact's inputs and outputs, in entry-point order (-1-k: symbol k; -1 the batch).
  std::vector<IoSpec> inputs, outputs;
  /// The symbolic dims (symbol 0 is N when the graph has one) and their maxima.
  std::vector<std::string> symbols;
  std::vector<int64_t> symbol_max;
};

/// Compiles `graph` (verified, weights attached; not modified). Errors name the op, the node
/// and the shapes; unsupported ops are listed all at once.
StatusOr<CompiledArtifact> CompileGraph(const ir::Graph& graph, const CompileOptions& options);

}  // namespace kiln::cpu
