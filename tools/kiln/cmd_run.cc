// `kiln run FILE.kir --weights W --input X.safetensors --output Y.safetensors`: runs a graph on
// the reference backend. Inputs are read by graph input name; outputs are written by output name.
#include <cstdio>

#include "codegen/reference/interpreter.h"
#include "ir/safetensors.h"
#include "tools/kiln/commands.h"
#include "tools/kiln/loading.h"

namespace kiln::cli {

CommandSpec RunSpec() {
  return CommandSpec{
      "run",
      "kiln run FILE.kir --weights W.safetensors --input X.safetensors --output Y.safetensors",
      "Runs a graph on the reference backend (the oracle interpreter). Input tensors are matched to graph\n"
      "inputs by name; outputs are written under the graph's output names.",
      {
          {"weights", "W.safetensors", "the graph's parameters, by name", true},
          {"input", "X.safetensors", "one tensor per graph input, by name", true},
          {"output", "Y.safetensors", "where to write the outputs", true},
      },
      1,
      1,
  };
}

int RunRun(const ParsedArgs& args) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "kiln run: error: %s\n", s.message().c_str());
    return 1;
  };
  auto graph = LoadGraph(args.positional[0], args.get("weights"));
  if (!graph.ok()) return fail(graph.status());
  auto inputs = ir::ReadSafetensors(args.get("input"));
  if (!inputs.ok()) return fail(inputs.status());
  auto outputs = reference::RunGraph(**graph, inputs->tensors);
  if (!outputs.ok()) return fail(outputs.status().WithContext(args.positional[0]));
  std::map<std::string, ir::HostTensor> to_write;
  for (const auto& [name, tensor] : *outputs) {
    std::printf("%-24s %s\n", name.c_str(), tensor.type().str().c_str());
    to_write[name] = tensor;
  }
  Status written = ir::WriteSafetensors(args.get("output"), to_write, {{"producer", "kiln run (reference backend)"}});
  if (!written.ok()) return fail(written);
  std::printf("wrote %s\n", args.get("output").c_str());
  return 0;
}

}  // namespace kiln::cli
