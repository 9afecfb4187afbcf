// `kiln export --model NAME -o DIR [--weights W.safetensors] [--seed S] [--batch N]`:
// builds a built-in model (frontend/models), loads its weights, traces it in eval mode and
// writes DIR/NAME.kir and DIR/NAME.safetensors (the graph's weights by parameter name), which
// `kiln inspect`, `kiln run` and `kiln opt` take as they are.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "frontend/models/registry.h"
#include "ir/kir.h"
#include "ir/safetensors.h"
#include "tools/kiln/commands.h"
#include "tools/kiln/loading.h"

namespace kiln::cli {

namespace {

std::string model_list() {
  std::string s;
  for (const std::string& name : models::builtin_model_names()) {
    s += (s.empty() ? "" : ", ") + name;
    if (!models::is_model_available(name)) s += " (not available yet)";
  }
  return s;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "kiln export: error: %s (see kiln export --help)\n", message.c_str());
  return 2;
}

int input_error(const std::string& message) {
  std::fprintf(stderr, "kiln export: error: %s\n", message.c_str());
  return 1;
}

std::string human_bytes(uint64_t b) {
  char buf[32];
  if (b < 1024 * 1024) std::snprintf(buf, sizeof(buf), "%.1f KiB", b / 1024.0);
  else std::snprintf(buf, sizeof(buf), "%.1f MiB", b / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

CommandSpec ExportSpec() {
  return CommandSpec{
      "export",
      "kiln export --model NAME -o DIR [--weights W.safetensors] [--seed S] [--batch N]",
      "Builds a built-in model, loads its weights, traces it in eval mode and writes DIR/NAME.kir and\n"
      "DIR/NAME.safetensors (the graph's weights by parameter name). Models: " +
          model_list() +
          ".\n"
          "Weights are a state_dict safetensors file, e.g. from PyTorch:\n"
          "  safetensors.torch.save_file(model.state_dict(), \"w.safetensors\")\n"
          "loaded strictly (every key present with its shape, no extra keys). Without --weights the\n"
          "model keeps its default initialization, drawn from the seed. The batch dim is symbolic (N)\n"
          "unless --batch fixes it.",
      {
          {"model", "NAME", "the built-in model to export", true},
          {"output", "DIR", "the directory to write NAME.kir and NAME.safetensors to (created if missing)", true, false, 'o'},
          {"weights", "W.safetensors", "a state_dict to load (strict); default: the seeded initialization"},
          {"seed", "S", "seed of the default initialization (default 0)"},
          {"batch", "N", "a static batch size instead of the symbolic N"},
      },
      0,
      0,
  };
}

int RunExport(const ParsedArgs& args) {
  const std::string name = args.get("model");
  const std::string dir = args.get("output");
  auto seed = args.get_int("seed", 0, 0), batch = args.get_int("batch", 1, 0);
  if (!seed.ok()) return usage_error(seed.status().message());
  if (!batch.ok()) return usage_error(batch.status().message());
  if (dir.empty()) return usage_error("--output needs a directory");

  auto traced = TraceBuiltinModel(name, args.get("weights"), static_cast<uint64_t>(*seed), *batch);
  if (!traced.ok()) return input_error(traced.status().message());
  std::unique_ptr<ir::Graph> graph = std::move(traced).value();

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return input_error("cannot create directory '" + dir + "': " + ec.message());
  const std::string kir_path = dir + "/" + name + ".kir";
  const std::string weights_path = dir + "/" + name + ".safetensors";
  {
    std::ofstream f(kir_path, std::ios::binary);
    f << ir::PrintGraph(*graph);
    if (!f) return input_error("cannot write '" + kir_path + "'");
  }
  Status written = ir::WriteSafetensors(weights_path, graph->weights(),
                                        {{"producer", "kiln export"}, {"model", name}});
  if (!written.ok()) return input_error(written.message());

  uint64_t elements = 0, bytes = 0;
  for (const auto& [param, t] : graph->weights()) {
    elements += static_cast<uint64_t>(t.num_elements());
    bytes += t.nbytes();
  }
  std::string signature;
  for (const ir::Value* v : graph->inputs()) signature += (signature.empty() ? "" : ", ") + v->name() + " " + v->type().str();
  signature += " -> ";
  for (size_t i = 0; i < graph->outputs().size(); ++i) {
    const ir::GraphOutput& o = graph->outputs()[i];
    signature += (i ? ", " : "") + o.name + " " + o.value->type().str();
  }
  std::printf("exported %s (%s): %zu parameters, %llu elements (%s), %d nodes -> %s, %s\n", name.c_str(),
              signature.c_str(), graph->params().size(), static_cast<unsigned long long>(elements),
              human_bytes(bytes).c_str(), graph->num_nodes(), kir_path.c_str(), weights_path.c_str());
  return 0;
}

}  // namespace kiln::cli
