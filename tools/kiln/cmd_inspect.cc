// `kiln inspect FILE.kir [--weights W.safetensors] [--dot[=FILE]]`: verifies a graph and prints
// a summary (inputs, outputs, parameters, op histogram), or its Graphviz form.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "tools/kiln/commands.h"
#include "tools/kiln/dot.h"
#include "tools/kiln/loading.h"

namespace kiln::cli {

CommandSpec InspectSpec() {
  return CommandSpec{
      "inspect",
      "kiln inspect FILE.kir [--weights W.safetensors] [--dot[=FILE]]",
      "Verifies a graph and prints its inputs, outputs, parameters (count and bytes) and an op histogram.",
      {
          {"weights", "W.safetensors", "attach and check weights (every parameter must be present, no extras)"},
          {"dot", "FILE", "print Graphviz instead of the summary (to FILE if given)", false, true},
      },
      1,
      1,
  };
}

namespace {

std::string human_bytes(uint64_t b) {
  char buf[32];
  if (b < 1024) std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(b));
  else if (b < 1024 * 1024) std::snprintf(buf, sizeof(buf), "%.1f KiB", b / 1024.0);
  else std::snprintf(buf, sizeof(buf), "%.1f MiB", b / (1024.0 * 1024.0));
  return buf;
}

void print_summary(const ir::Graph& g, bool has_weights) {
  std::printf("graph %s: verified\n", g.name().c_str());
  std::printf("inputs (%zu):\n", g.inputs().size());
  for (const ir::Value* v : g.inputs()) std::printf("  %-24s %s\n", v->name().c_str(), v->type().str().c_str());
  std::printf("outputs (%zu):\n", g.outputs().size());
  for (const ir::GraphOutput& o : g.outputs()) {
    std::printf("  %-24s %s\n", o.name.c_str(), o.value->type().str().c_str());
  }
  uint64_t elements = 0, bytes = 0;
  for (const ir::Value* p : g.params()) {
    int64_t n = p->type().shape.num_elements();
    elements += static_cast<uint64_t>(n);
    bytes += static_cast<uint64_t>(n) * ir::dtype_size(p->type().dtype);
  }
  std::printf("parameters: %zu tensors, %llu elements, %s%s\n", g.params().size(),
              static_cast<unsigned long long>(elements), human_bytes(bytes).c_str(),
              has_weights ? " (weights attached and checked)" : " (no weights attached)");
  std::map<std::string, int> histogram;
  for (const ir::Node* n : g.nodes()) ++histogram[n->op_name()];
  std::vector<std::pair<std::string, int>> ops(histogram.begin(), histogram.end());
  std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::printf("nodes: %d\n", g.num_nodes());
  for (const auto& [name, count] : ops) std::printf("  %-24s %d\n", name.c_str(), count);
}

}  // namespace

int RunInspect(const ParsedArgs& args) {
  auto graph = LoadGraph(args.positional[0], args.get("weights"));
  if (!graph.ok()) {
    std::fprintf(stderr, "kiln inspect: error: %s\n", graph.status().message().c_str());
    return 1;
  }
  if (args.has("dot")) {
    std::string dot = GraphToDot(**graph), path = args.get("dot");
    if (path.empty()) {
      std::fputs(dot.c_str(), stdout);
      return 0;
    }
    std::ofstream f(path, std::ios::binary);
    if (!(f << dot)) {
      std::fprintf(stderr, "kiln inspect: error: cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("wrote %s\n", path.c_str());
    return 0;
  }
  print_summary(**graph, args.has("weights"));
  return 0;
}

}  // namespace kiln::cli
