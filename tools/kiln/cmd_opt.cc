// `kiln opt FILE.kir [--passes=LIST] [--verify-each] [--print-ir-after=REGEX] [--stop-after=NAME]
// [--dump-dir=DIR] [-o OUT.kir]`: runs passes on a graph and prints the result, the way
// mlir-opt does; the IR tests (tests/passes/filecheck) drive the passes through it.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "ir/kir.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "tools/kiln/commands.h"
#include "tools/kiln/loading.h"

namespace kiln::cli {

CommandSpec OptSpec() {
  return CommandSpec{
      "opt",
      "kiln opt FILE.kir [--weights W.safetensors] [--passes=LIST] [--verify-each] [--print-ir-after=REGEX]\n"
      "                [--stop-after=NAME] [--dump-dir=DIR] [--output=OUT.kir]",
      "Runs passes on a graph and prints the resulting .kir (to stdout, or to --output).\n"
      "LIST is comma-separated pass names with options, e.g. 'shape-inference{N=8},cse,dce';\n"
      "the default is the standard pipeline. --print-ir-after writes to stderr.",
      {
          {"weights", "W.safetensors", "attach the graph's weights (passes that fold parameters need them)"},
          {"passes", "LIST", "the pipeline (default: " + passes::DefaultPipeline() + ")"},
          {"verify-each", "", "verify the graph before the first pass and after every pass"},
          {"print-ir-after", "REGEX", "print the IR after each pass whose whole name matches REGEX"},
          {"stop-after", "NAME", "stop after the pass NAME"},
          {"dump-dir", "DIR", "write DIR/00-input.kir and DIR/NN-PASS.kir after each pass"},
          {"output", "OUT.kir", "write the result here instead of stdout"},
      },
      1,
      1,
  };
}

int RunOpt(const ParsedArgs& args) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "kiln opt: error: %s\n", s.message().c_str());
    return 1;
  };
  auto graph = args.has("weights") ? LoadGraph(args.positional[0], args.get("weights"))
                                    : ir::ParseGraphFile(args.positional[0]);
  if (!graph.ok()) return fail(graph.status());
  passes::PassManagerOptions options;
  options.verify_each = args.has("verify-each");
  options.print_ir_after = args.get("print-ir-after");
  options.stop_after = args.get("stop-after");
  options.dump_dir = args.get("dump-dir");
  passes::PassManager pm(options);
  Status s = passes::AddPipeline(pm, args.has("passes") ? args.get("passes") : passes::DefaultPipeline());
  if (s.ok()) s = pm.Run(**graph);
  if (!s.ok()) return fail(s);
  std::string text = ir::PrintGraph(**graph);
  if (!args.has("output")) {
    std::fflush(stderr);
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  std::ofstream f(args.get("output"), std::ios::binary);
  if (!(f << text)) return fail(IoError("cannot write " + args.get("output")));
  return 0;
}

}  // namespace kiln::cli
