// `kiln compile (--model NAME | FILE.kir --weights W.safetensors) -o DIR [...]`: compiles a graph
// to DIR/libNAME.so + DIR/NAME.h (+ NAME.weights) with the CPU backend.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "codegen/cpu/compiler.h"
#include "ir/kir.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "tools/kiln/commands.h"
#include "tools/kiln/loading.h"

namespace kiln::cli {

CommandSpec CompileSpec() {
  return CommandSpec{
      "compile",
      "kiln compile (--model NAME | FILE.kir --weights W.safetensors) -o DIR [--name NAME] [--cpu CPU]\n"
      "                 [--threads N] [--max-batch N] [--external-weights] [--emit=kir,llvm,asm,obj]\n"
      "                 [--print-ir-after=REGEX] [--verify-each] [--dump-dir=DIR]",
      "Compiles a model to native code: DIR/libNAME.so and DIR/NAME.h (and DIR/NAME.weights with\n"
      "--external-weights). The .so needs only libc/libm/libpthread; NAME.h declares its entry points.",
      {
          {"model", "NAME", "a built-in model (mlp, lenet5, resnet18, mobilenet_v2) instead of FILE.kir"},
          {"weights", "W.safetensors", "the graph's weights (FILE.kir) or a state_dict for --model (strict)"},
          {"seed", "S", "--model without --weights: seed of the default initialization (default 0)"},
          {"output", "DIR", "output directory (created if missing)", true, false, 'o'},
          {"name", "NAME", "artifact name: libNAME.so, NAME_create, ... (default: the model/graph name)"},
          {"cpu", "CPU", "x86-64-v3 (default: any recent x86-64), x86-64-v4, native, or an LLVM CPU name"},
          {"threads", "N", "default thread count of a context (default: the host's CPUs)"},
          {"max-batch", "N", "largest batch a run may use (default 64); the arena is sized for it"},
          {"external-weights", "", "write NAME.weights instead of embedding the weights in the .so"},
          {"emit", "LIST", "also write: kir (optimized graph), llvm (NAME.ll), asm (NAME.s), obj (NAME.o)"},
          {"print-ir-after", "REGEX", "print the graph after each pass whose name matches (stderr)"},
          {"verify-each", "", "verify the graph before and after every pass"},
          {"dump-dir", "DIR", "write the graph after every pass as numbered .kir files"},
      },
      0,
      1,
  };
}

namespace {

bool parse_int(const std::string& text, int64_t min, int64_t& out) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min) return false;
  out = v;
  return true;
}

int usage(const std::string& message) {
  std::fprintf(stderr, "kiln compile: error: %s (see kiln compile --help)\n", message.c_str());
  return 2;
}

int fail(const Status& s) {
  std::fprintf(stderr, "kiln compile: error: %s\n", s.message().c_str());
  return 1;
}

// Stage-by-stage progress for long compiles, only when stderr is a terminal.
void progress(const char* stage) {
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "kiln compile: %s...\n", stage);
}

}  // namespace

int RunCompile(const ParsedArgs& args) {
  const bool from_model = args.has("model");
  if (from_model == !args.positional.empty()) return usage("give either --model NAME or FILE.kir");
  if (!from_model && !args.has("weights")) return usage("FILE.kir needs --weights W.safetensors");
  int64_t threads = 0, max_batch = 64, seed = 0;
  if (args.has("threads") && !parse_int(args.get("threads"), 0, threads)) return usage("--threads needs an integer >= 0");
  if (args.has("max-batch") && !parse_int(args.get("max-batch"), 1, max_batch)) {
    return usage("--max-batch needs an integer >= 1");
  }
  if (args.has("seed") && !parse_int(args.get("seed"), 0, seed)) return usage("--seed needs an integer >= 0");
  std::string emit = args.get("emit");
  bool emit_kir = false;
  std::string backend_emit;
  for (size_t start = 0; start <= emit.size() && !emit.empty();) {
    size_t comma = emit.find(',', start);
    std::string item = emit.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item == "kir") {
      emit_kir = true;
    } else if (item == "llvm" || item == "asm" || item == "obj") {
      backend_emit += (backend_emit.empty() ? "" : ",") + item;
    } else if (item == "mlir") {
      return usage("--emit=mlir: the CPU backend generates LLVM IR directly (see docs/codegen.md); use --emit=llvm");
    } else {
      return usage("--emit: unknown kind '" + item + "' (kir, llvm, asm, obj)");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }

  auto started = std::chrono::steady_clock::now();
  progress(from_model ? "building and tracing the model" : "loading the graph");
  auto graph = from_model ? TraceBuiltinModel(args.get("model"), args.get("weights"), static_cast<uint64_t>(seed), 0)
                          : LoadGraph(args.positional[0], args.get("weights"));
  if (!graph.ok()) return fail(graph.status());

  cpu::CompileOptions options;
  options.name = args.has("name") ? args.get("name") : (*graph)->name();
  options.output_dir = args.get("output");
  if (args.has("cpu")) options.cpu = args.get("cpu");
  options.threads = static_cast<int>(threads);
  options.max_batch = max_batch;
  options.external_weights = args.has("external-weights");
  options.emit = backend_emit;
  options.verify_each = args.has("verify-each");
  options.print_ir_after = args.get("print-ir-after");
  options.dump_dir = args.get("dump-dir");

  std::error_code ec;
  std::filesystem::create_directories(options.output_dir, ec);
  if (ec) return fail(IoError("cannot create directory '" + options.output_dir + "': " + ec.message()));
  if (emit_kir) {
    // The graph as the backend sees it: after the default pipeline.
    std::unique_ptr<ir::Graph> optimized = (*graph)->Clone();
    passes::PassManager pm{passes::PassManagerOptions{}};
    Status s = passes::AddPipeline(pm, passes::DefaultPipeline());
    if (s.ok()) s = pm.Run(*optimized);
    if (!s.ok()) return fail(s);
    std::string path = options.output_dir + "/" + options.name + ".kir";
    std::ofstream f(path, std::ios::binary);
    if (!(f << ir::PrintGraph(*optimized))) return fail(IoError("cannot write " + path));
  }
  progress("compiling (passes, lowering, LLVM O3, linking)");
  auto artifact = cpu::CompileGraph(**graph, options);
  if (!artifact.ok()) return fail(artifact.status());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("compiled %s in %.2f s: %s, %s%s%s (weights %.1f MiB, arena %.1f MiB at batch %lld, %zu kernel calls)\n",
              options.name.c_str(), seconds, artifact->shared_object.c_str(), artifact->header.c_str(),
              artifact->weights.empty() ? "" : ", ", artifact->weights.c_str(),
              static_cast<double>(artifact->weights_bytes) / (1024.0 * 1024.0),
              static_cast<double>(artifact->arena_bytes) / (1024.0 * 1024.0), static_cast<long long>(artifact->max_batch),
              artifact->num_kernel_calls);
  return 0;
}

}  // namespace kiln::cli
