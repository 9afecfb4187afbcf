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

int RunBench(const ParsedArgs& args) {
  auto threads = args.get_int("threads", 0, 0), batch = args.get_int("batch", 1, 1);
  auto iterations = args.get_int("iterations", 1, 50), warmup = args.get_int("warmup", 0, 5);
  for (const auto* v : {&threads, &batch, &iterations, &warmup}) {
    if (!v->ok()) {
      std::fprintf(stderr, "kiln bench: error: %s (see kiln bench --help)\n", v->status().message().c_str());
      return 2;
    }
  }
  auto model = cpu::LoadedModel::Open(args.positional[0], static_cast<int>(*threads), args.get("weights"));
  if (!model.ok()) {
    std::fprintf(stderr, "kiln bench: error: %s\n", model.status().message().c_str());
    return 1;
  }
  const cpu::CompiledArtifact& art = (*model)->artifact();
  std::mt19937_64 rng(0);
  std::map<std::string, ir::HostTensor> inputs;
  for (const cpu::IoSpec& spec : art.inputs) {
    std::vector<int64_t> sizes;
    for (int64_t d : spec.dims) sizes.push_back(d < 0 ? *batch : d);
    ir::HostTensor t(spec.dtype, sizes);
    // Floats uniform in [-1, 1); integers 0 (valid as indices of any table).
    for (int64_t i = 0; i < t.num_elements() && ir::is_floating(spec.dtype); ++i) {
      t.SetDouble(i, static_cast<double>(rng() >> 11) / 4503599627370496.0 - 1.0);
    }
    inputs.emplace(spec.name, std::move(t));
  }
  std::vector<double> ms;
  for (int64_t i = 0; i < *warmup + *iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto out = (*model)->Run(inputs);
    double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!out.ok()) {
      std::fprintf(stderr, "kiln bench: error: %s\n", out.status().message().c_str());
      return 1;
    }
    if (i >= *warmup) ms.push_back(elapsed);
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[ms.size() / 2];
  std::printf("%s: batch %lld, threads %s, %lld runs: median %.3f ms, min %.3f ms, max %.3f ms, %.1f samples/s\n",
              art.name.c_str(), static_cast<long long>(*batch),
              *threads == 0 ? "default" : std::to_string(*threads).c_str(), static_cast<long long>(*iterations), median,
              ms.front(), ms.back(), 1000.0 * static_cast<double>(*batch) / median);
  return 0;
}

}  // namespace kiln::cli
