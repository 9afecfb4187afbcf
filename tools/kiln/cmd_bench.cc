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
      "kiln bench DIR/libNAME.so [--threads N] [--batch N] [--dim SYM=N,...] [--iterations N] [--warmup N]\n"
      "                [--weights NAME.weights]",
      "Runs an artifact on random inputs (warm) and prints median/min/max latency and throughput.",
      {
          {"threads", "N", "threads of the context (default: the artifact's default)"},
          {"batch", "N", "size of the symbolic batch dim N (default 1)"},
          {"dim", "SYM=N,...", "sizes of other symbolic dims, e.g. T=32 (default 1)"},
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
  // Symbol k's size: N from --batch, the others from --dim (default 1).
  std::vector<int64_t> symbol_sizes(art.symbols.size(), 1);
  for (size_t k = 0; k < art.symbols.size(); ++k) {
    if (art.symbols[k] == "N") symbol_sizes[k] = *batch;
  }
  std::string dims = args.get("dim");
  for (size_t start = 0; !dims.empty() && start <= dims.size();) {
    size_t comma = dims.find(',', start);
    std::string item = dims.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = item.find('=');
    char* end = nullptr;
    long long v = eq == std::string::npos ? 0 : std::strtoll(item.c_str() + eq + 1, &end, 10);
    if (eq == std::string::npos || v < 1 || *end != '\0') {
      std::fprintf(stderr, "kiln bench: error: --dim needs SYM=N with N >= 1, got '%s'\n", item.c_str());
      return 2;
    }
    size_t k = 0;
    while (k < art.symbols.size() && art.symbols[k] != item.substr(0, eq)) ++k;
    if (k == art.symbols.size()) {
      std::fprintf(stderr, "kiln bench: error: --dim %s: the artifact has no symbolic dim '%s'\n", item.c_str(),
                   item.substr(0, eq).c_str());
      return 2;
    }
    symbol_sizes[k] = v;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::mt19937_64 rng(0);
  std::map<std::string, ir::HostTensor> inputs;
  for (const cpu::IoSpec& spec : art.inputs) {
    std::vector<int64_t> sizes;
    for (int64_t d : spec.dims) {
      size_t k = static_cast<size_t>(-1 - d);
      sizes.push_back(d >= 0 ? d : k < symbol_sizes.size() ? symbol_sizes[k] : *batch);
    }
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
