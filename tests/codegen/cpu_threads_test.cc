// One artifact used from 4 threads at once, one context each (the documented threading model):
// every thread gets results bit-identical to a single-threaded run. The runtime that an
// artifact embeds (contexts, thread pool) runs under ThreadSanitizer in
// tests/runtime/sanitizers_test.sh.
#include <atomic>
#include <thread>

#include "tests/codegen/cpu_test_util.h"

namespace kiln::cpu::testing {
namespace {

constexpr const char* kGraph = R"(graph threads {
  input %x : f32[N,3,12,12]
  param %w : f32[8,3,3,3]
  param %b : f32[8]
  param %fc.weight : f32[10,200]
  %0 = conv(%x, %w, %b) {dilation=[1,1], groups=1, padding=[0,0], stride=[2,2]} : f32[N,8,5,5]
  %1 = relu(%0) : f32[N,8,5,5]
  %2 = reshape(%1) {shape=[-1,200]} : f32[N,200]
  %3 = linear(%2, %fc.weight) : f32[N,10]
  %4 = softmax(%3) {dim=1} : f32[N,10]
  output out = %4
}
)";

TEST_CASE("one artifact, 4 threads, one context each: identical results") {
  std::unique_ptr<ir::Graph> graph = ParseWithWeights(kGraph);
  CompileOptions options;
  options.name = "threads";
  options.max_batch = 4;
  CompiledArtifact artifact = CompileOrFail(*graph, options);
  std::mt19937_64 rng(7);
  std::map<std::string, ir::HostTensor> inputs = {{"x", RandomInput(graph->inputs()[0]->type(), 3, rng)}};
  auto single = LoadedModel::Load(artifact, 1);
  REQUIRE(single.ok());
  auto want = (*single)->Run(inputs);
  REQUIRE(want.ok());

  constexpr int kThreads = 4, kRuns = 25;
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto model = LoadedModel::Load(artifact, 2);  // each thread: its own context (and pool)
      if (!model.ok()) {
        ++failures;
        return;
      }
      for (int r = 0; r < kRuns; ++r) {
        auto got = (*model)->Run(inputs);
        if (!got.ok()) {
          ++failures;
          return;
        }
        if (!(*got)[0].second.BitwiseEqual((*want)[0].second)) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(failures.load() == 0);
  CHECK(mismatches.load() == 0);
}

}  // namespace
}  // namespace kiln::cpu::testing
