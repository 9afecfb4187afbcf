#include "codegen/cpu/compiler.h"

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codegen/cpu/header_writer.h"
#include "codegen/cpu/linker.h"
#include "codegen/cpu/lowering.h"
#include "codegen/cpu/object_emitter.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"

namespace kiln::cpu {
namespace {

bool IsCIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

StatusOr<CompiledArtifact> CompileGraph(const ir::Graph& graph, const CompileOptions& options) {
  if (!IsCIdentifier(options.name)) {
    return InvalidArgument("artifact name '" + options.name + "' is not a C identifier (it prefixes the entry points)");
  }
  bool emit_llvm = false, emit_asm = false, emit_obj = false;
  {
    std::stringstream list(options.emit);
    std::string item;
    while (std::getline(list, item, ',')) {
      if (item == "llvm") emit_llvm = true;
      else if (item == "asm") emit_asm = true;
      else if (item == "obj") emit_obj = true;
      else if (!item.empty()) return InvalidArgument("--emit=" + item + " is not one of llvm, asm, obj for the CPU backend");
    }
  }

  // Graph optimizations on a copy.
  std::unique_ptr<ir::Graph> g = graph.Clone();
  passes::PassManagerOptions pmo;
  pmo.verify_each = options.verify_each;
  pmo.print_ir_after = options.print_ir_after;
  pmo.dump_dir = options.dump_dir;
  passes::PassManager pm(pmo);
  KILN_RETURN_IF_ERROR(passes::AddPipeline(pm, options.pipeline.empty() ? passes::DefaultPipeline() : options.pipeline));
  KILN_RETURN_IF_ERROR(pm.Run(*g));

  LoweringOptions lo;
  lo.name = options.name;
  lo.max_batch = options.max_batch;
  lo.max_dims = options.max_dims;
  lo.threads = options.threads;
  lo.vector_floats = TargetVectorFloats(options.cpu);
  lo.conv_algorithm = options.conv_algorithm;
  KILN_ASSIGN_OR_RETURN(Program program, LowerGraph(*g, lo));

  std::error_code ec;
  std::filesystem::create_directories(options.output_dir, ec);
  if (ec) return IoError("cannot create " + options.output_dir + ": " + ec.message());
  std::string base = options.output_dir + "/" + options.name;
  CompiledArtifact art;
  art.name = options.name;
  art.shared_object = options.output_dir + "/lib" + options.name + ".so";
  art.header = base + ".h";
  art.arena_bytes = program.arena_bytes;
  art.weights_bytes = program.weights.size();
  art.max_batch = program.max_batch;
  art.num_kernel_calls = program.calls.size();
  art.inputs = program.inputs;
  art.outputs = program.outputs;
  art.symbols = program.symbols;
  art.symbol_max = program.symbol_max;

  ObjectOptions oo;
  oo.cpu = options.cpu;
  oo.external_weights = options.external_weights;
  oo.object_path = emit_obj ? base + ".o" : base + ".o.tmp" + std::to_string(getpid());
  oo.llvm_path = emit_llvm ? base + ".ll" : "";
  oo.asm_path = emit_asm ? base + ".s" : "";
  KILN_RETURN_IF_ERROR(EmitObject(program, oo));
  Status linked = LinkSharedObject(oo.object_path, art.shared_object);
  if (!emit_obj) std::filesystem::remove(oo.object_path, ec);
  KILN_RETURN_IF_ERROR(linked);

  if (options.external_weights) {
    art.weights = base + ".weights";
    std::ofstream out(art.weights, std::ios::binary);
    out.write(reinterpret_cast<const char*>(program.weights.data()), static_cast<std::streamsize>(program.weights.size()));
    if (!out) return IoError("cannot write " + art.weights);
  }
  KILN_RETURN_IF_ERROR(WriteHeaders(program, options.external_weights, options.output_dir));
  return art;
}

}  // namespace kiln::cpu
