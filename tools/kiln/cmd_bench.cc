// `kiln bench DIR/libNAME.so [--threads N] [--batch N] [--iterations N] [--warmup N]`: times an
// artifact on seeded random inputs and prints median/min/max latency and throughput.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "codegen/cpu/loaded_model.h"
#include "tools/kiln/commands.h"

namespace kiln::cli {

CommandSpec BenchSpec() {
  return CommandSpec{
      "bench",
      "kiln bench DIR/libNAME.so [--threads N] [--batch N] [--iterations N] [--warmup N] [--weights NAME.weights]",
      "Runs an artifact on random inputs (warm) and prints median/min/max latency and throughput.",
      {
          {"threads", "N", "threads of the context (default: the artifact's default)"},
          {"batch", "N", "batch size for inputs with a symbolic batch dim (default 1)"},
          {"iterations", "N", "timed runs (default 50)"},
          {"warmup", "N", "untimed runs first (default 5)"},
          {"weights", "NAME.weights", "the weights file of an artifact compiled with --external-weights"},
      },
      1,
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
}  // namespace

int RunBench(const ParsedArgs& args) {
  int64_t threads = 0, batch = 1, iterations = 50, warmup = 5;
  auto usage = [](const std::string& m) {
    std::fprintf(stderr, "kiln bench: error: %s (see kiln bench --help)\n", m.c_str());
    return 2;
  };
  if (args.has("threads") && !parse_int(args.get("threads"), 0, threads)) return usage("--threads needs an integer >= 0");
  if (args.has("batch") && !parse_int(args.get("batch"), 1, batch)) return usage("--batch needs an integer >= 1");
  if (args.has("iterations") && !parse_int(args.get("iterations"), 1, iterations)) {
    return usage("--iterations needs an integer >= 1");
  }
  if (args.has("warmup") && !parse_int(args.get("warmup"), 0, warmup)) return usage("--warmup needs an integer >= 0");
  auto model = cpu::LoadedModel::Open(args.positional[0], static_cast<int>(threads), args.get("weights"));
  if (!model.ok()) {
    std::fprintf(stderr, "kiln bench: error: %s\n", model.status().message().c_str());
    return 1;
  }
  const cpu::CompiledArtifact& art = (*model)->artifact();
  std::mt19937_64 rng(0);
  std::map<std::string, ir::HostTensor> inputs;
  for (const cpu::IoSpec& spec : art.inputs) {
    std::vector<int64_t> sizes;
    for (int64_t d : spec.dims) sizes.push_back(d < 0 ? batch : d);
    ir::HostTensor t(spec.dtype, sizes);
    // Floats uniform in [-1, 1); integers 0 (valid as indices of any table).
    for (int64_t i = 0; i < t.num_elements() && ir::is_floating(spec.dtype); ++i) {
      t.SetDouble(i, static_cast<double>(rng() >> 11) / 4503599627370496.0 - 1.0);
    }
    inputs.emplace(spec.name, std::move(t));
  }
  std::vector<double> ms;
  for (int64_t i = 0; i < warmup + iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto out = (*model)->Run(inputs);
    double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!out.ok()) {
      std::fprintf(stderr, "kiln bench: error: %s\n", out.status().message().c_str());
      return 1;
    }
    if (i >= warmup) ms.push_back(elapsed);
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[ms.size() / 2];
  std::printf("%s: batch %lld, threads %s, %lld runs: median %.3f ms, min %.3f ms, max %.3f ms, %.1f samples/s\n",
              art.name.c_str(), static_cast<long long>(batch),
              threads == 0 ? "default" : std::to_string(threads).c_str(), static_cast<long long>(iterations), median,
              ms.front(), ms.back(), 1000.0 * static_cast<double>(batch) / median);
  return 0;
}

}  // namespace kiln::cli
