// `kiln run FILE.kir --weights W --input X.safetensors --output Y.safetensors`: runs a graph on
// the reference backend. Inputs are read by graph input name; outputs are written by output name.
#include <cstdio>

#include <cstdlib>

#include "codegen/cpu/loaded_model.h"
#include "codegen/reference/interpreter.h"
#include "ir/safetensors.h"
#include "tools/kiln/commands.h"
#include "tools/kiln/loading.h"

namespace kiln::cli {

CommandSpec RunSpec() {
  return CommandSpec{
      "run",
      "kiln run (FILE.kir --weights W.safetensors | DIR/libNAME.so) --input X.safetensors --output Y.safetensors\n"
      "                [--threads N]",
      "Runs a graph on the reference backend (the oracle interpreter), or a compiled artifact through its\n"
      "C ABI. Input tensors are matched to the inputs by name; outputs are written under the output names.",
      {
          {"weights", "W", "FILE.kir: the graph's parameters (safetensors); libNAME.so: its NAME.weights file"},
          {"input", "X.safetensors", "one tensor per input, by name", true},
          {"output", "Y.safetensors", "where to write the outputs", true},
          {"threads", "N", "libNAME.so: threads of the context (default: the artifact's default)"},
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
  const std::string& target = args.positional[0];
  const bool artifact = target.size() > 3 && target.substr(target.size() - 3) == ".so";
  if (!artifact && !args.has("weights")) {
    std::fprintf(stderr, "kiln run: error: FILE.kir needs --weights W.safetensors (see kiln run --help)\n");
    return 2;
  }
  auto inputs = ir::ReadSafetensors(args.get("input"));
  if (!inputs.ok()) return fail(inputs.status());
  StatusOr<std::vector<std::pair<std::string, ir::HostTensor>>> outputs = Internal("not run");
  if (artifact) {
    char* end = nullptr;
    long threads = args.has("threads") ? std::strtol(args.get("threads").c_str(), &end, 10) : 0;
    if (args.has("threads") && (*end != '\0' || threads < 0)) {
      std::fprintf(stderr, "kiln run: error: --threads needs an integer >= 0 (see kiln run --help)\n");
      return 2;
    }
    auto model = cpu::LoadedModel::Open(target, static_cast<int>(threads), args.get("weights"));
    if (!model.ok()) return fail(model.status());
    for (const auto& [name, t] : inputs->tensors) {
      bool known = false;
      for (const cpu::IoSpec& s : (*model)->artifact().inputs) known = known || s.name == name;
      if (!known) return fail(InvalidArgument(args.get("input") + ": tensor '" + name + "' is no input of " + target));
    }
    outputs = (*model)->Run(inputs->tensors);
  } else {
    auto graph = LoadGraph(target, args.get("weights"));
    if (!graph.ok()) return fail(graph.status());
    outputs = reference::RunGraph(**graph, inputs->tensors);
  }
  if (!outputs.ok()) return fail(outputs.status().WithContext(target));
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
