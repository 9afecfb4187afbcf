// The CPU backend's recurrent ops (rnn: rnn_tanh / rnn_relu / gru, and lstm) with the sequence
// length T and the batch N symbolic at run time: one artifact per graph, run at several (T, N)
// against the reference backend; packed sequences with lengths given at run time (and a bad
// length reported by the artifact); the built-in `lstm` language model end to end. f32 with
// compile-time weights takes the team kernel (rnn_team_f32_v8 / _v16: every target, 1 and 3
// threads; multi-layer unidirectional lstm / gru / rnn_tanh / rnn_relu with partial unit
// blocks and row tiles); f32 weights given at run time and f64 keep the per-row kernel
// (rnn_seq_DT).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "frontend/models/registry.h"
#include "frontend/trace.h"
#include "tests/codegen/cpu_test_util.h"

namespace kiln::cpu::testing {
namespace {

std::string Weights(const std::string& suffix, const std::string& dt, int64_t gh, int64_t in, int64_t hidden,
                    bool biases) {
  std::string s = "  param %w_ih" + suffix + " : " + dt + "[" + std::to_string(gh) + "," + std::to_string(in) + "]\n" +
                  "  param %w_hh" + suffix + " : " + dt + "[" + std::to_string(gh) + "," + std::to_string(hidden) + "]\n";
  if (biases) {
    s += "  param %b_ih" + suffix + " : " + dt + "[" + std::to_string(gh) + "]\n  param %b_hh" + suffix + " : " + dt +
         "[" + std::to_string(gh) + "]\n";
  }
  return s;
}

std::string Operands(const std::string& suffix, bool biases) {
  std::string s = ", %w_ih" + suffix + ", %w_hh" + suffix;
  if (biases) s += ", %b_ih" + suffix + ", %b_hh" + suffix;
  return s;
}

ir::HostTensor Random(ir::DType dtype, const std::vector<int64_t>& sizes, std::mt19937_64& rng, double lo = -1,
                      double hi = 1) {
  ir::HostTensor t(dtype, sizes);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, std::uniform_real_distribution<double>(lo, hi)(rng));
  return t;
}

// Binds T and N in each input's type and fills it.
std::map<std::string, ir::HostTensor> Inputs(const ir::Graph& g, int64_t T, int64_t N, std::mt19937_64& rng) {
  std::map<std::string, ir::HostTensor> in;
  for (const ir::Value* v : g.inputs()) {
    std::vector<int64_t> sizes;
    for (const ir::Dim& d : v->type().shape.dims()) sizes.push_back(d.is_static() ? d.size() : d.symbol() == "T" ? T : N);
    in[v->name()] = Random(v->type().dtype, sizes, rng);
  }
  return in;
}

// Per target (Cpus(): the vector width changes the f32 team kernel, rnn_team_f32_v8 / _v16):
// one artifact, run on 1 thread (the team of one) and on 3 threads.
void RunAt(const std::string& kir, CompileOptions o, const std::vector<std::pair<int64_t, int64_t>>& sizes,
           ir::Tolerance tol = {}) {
  auto g = ParseWithWeights(kir, 5);
  for (const std::string& cpu : Cpus()) {
    o.cpu = cpu;
    CompiledArtifact art = CompileOrFail(*g, o);
    for (int threads : {1, 3}) {
      auto model = LoadedModel::Load(art, threads);
      INFO(model.status().ToString());
      REQUIRE(model.ok());
      std::mt19937_64 rng(17);
      for (auto [T, N] : sizes) {
        INFO(o.name << " on " << cpu << ", " << threads << " threads, at T=" << T << " N=" << N);
        CheckAgainstReference(**model, *g, Inputs(*g, T, N, rng), tol);
      }
    }
  }
}

TEST_CASE("cpu rnn: lstm, 2 layers, bidirectional, initial state, one artifact for several (T, N)") {
  const int64_t H = 21, I = 10;
  std::string kir = "graph g {\n  input %x : f32[T,N,10]\n  input %h0 : f32[4,N,21]\n  input %c0 : f32[4,N,21]\n" +
                    Weights("_l0", "f32", 4 * H, I, H, true) + Weights("_l0r", "f32", 4 * H, I, H, true) +
                    Weights("_l1", "f32", 4 * H, 2 * H, H, true) + Weights("_l1r", "f32", 4 * H, 2 * H, H, true) +
                    "  %0, %1, %2 = lstm(%x, %h0, %c0" + Operands("_l0", true) + Operands("_l0r", true) +
                    Operands("_l1", true) + Operands("_l1r", true) +
                    ") {bidirectional=true, has_initial_state=true, hidden_size=21, num_layers=2} : f32[T,N,42], "
                    "f32[4,N,21], f32[4,N,21]\n  output out = %0\n  output h_n = %1\n  output c_n = %2\n}\n";
  CompileOptions o;
  o.name = "lstm2b";
  o.max_batch = 9;
  o.max_dims = {{"T", 12}};
  RunAt(kir, o, {{1, 1}, {12, 9}, {5, 6}, {7, 2}});
}

TEST_CASE("cpu rnn: gru batch_first and rnn_relu, no biases, at several (T, N)") {
  std::string gru = "graph g {\n  input %x : f32[N,T,6]\n" + Weights("", "f32", 3 * 16, 6, 16, true) +
                    "  %0, %1 = rnn(%x" + Operands("", true) +
                    ") {batch_first=true, hidden_size=16, mode=\"gru\"} : f32[N,T,16], f32[1,N,16]\n"
                    "  output out = %0\n  output h_n = %1\n}\n";
  CompileOptions o;
  o.name = "grubf";
  o.max_batch = 7;
  o.max_dims = {{"T", 10}};
  RunAt(gru, o, {{1, 7}, {10, 3}, {4, 5}});
  std::string relu = "graph g {\n  input %x : f32[T,N,3]\n" + Weights("_l0", "f32", 9, 3, 9, false) +
                     Weights("_l1", "f32", 9, 9, 9, false) + Weights("_l2", "f32", 9, 9, 9, false) +
                     "  %0, %1 = rnn(%x" + Operands("_l0", false) + Operands("_l1", false) + Operands("_l2", false) +
                     ") {has_biases=false, hidden_size=9, mode=\"rnn_relu\", num_layers=3} : f32[T,N,9], f32[3,N,9]\n"
                     "  output out = %0\n  output h_n = %1\n}\n";
  o.name = "relu3";
  RunAt(relu, o, {{2, 2}, {10, 7}});
}

TEST_CASE("cpu rnn: unidirectional multi-layer f32 on the team kernel, at several (T, N)") {
  // lstm, 2 layers, H = 37 (a partial unit block on every target), initial states, N up to 11
  // (a partial row tile); gru batch_first, 3 layers with biases; rnn_tanh, 2 layers, no biases.
  const int64_t H = 37;
  std::string lstm = "graph g {\n  input %x : f32[T,N,6]\n  input %h0 : f32[2,N,37]\n  input %c0 : f32[2,N,37]\n" +
                     Weights("_l0", "f32", 4 * H, 6, H, true) + Weights("_l1", "f32", 4 * H, H, H, true) +
                     "  %0, %1, %2 = lstm(%x, %h0, %c0" + Operands("_l0", true) + Operands("_l1", true) +
                     ") {has_initial_state=true, hidden_size=37, num_layers=2} : f32[T,N,37], f32[2,N,37], "
                     "f32[2,N,37]\n  output out = %0\n  output h_n = %1\n  output c_n = %2\n}\n";
  CompileOptions o;
  o.name = "lstm2w";
  o.max_batch = 11;
  o.max_dims = {{"T", 9}};
  RunAt(lstm, o, {{1, 1}, {9, 11}, {2, 8}, {5, 3}});
  std::string gru = "graph g {\n  input %x : f32[N,T,5]\n" + Weights("_l0", "f32", 3 * 24, 5, 24, true) +
                    Weights("_l1", "f32", 3 * 24, 24, 24, true) + Weights("_l2", "f32", 3 * 24, 24, 24, true) +
                    "  %0, %1 = rnn(%x" + Operands("_l0", true) + Operands("_l1", true) + Operands("_l2", true) +
                    ") {batch_first=true, hidden_size=24, mode=\"gru\", num_layers=3} : f32[N,T,24], f32[3,N,24]\n"
                    "  output out = %0\n  output h_n = %1\n}\n";
  o.name = "gru3w";
  o.max_batch = 10;
  o.max_dims = {{"T", 7}};
  RunAt(gru, o, {{7, 10}, {1, 2}, {2, 9}, {4, 1}});
  std::string tanh = "graph g {\n  input %x : f32[T,N,4]\n" + Weights("_l0", "f32", 16, 4, 16, false) +
                     Weights("_l1", "f32", 16, 16, 16, false) + "  %0, %1 = rnn(%x" + Operands("_l0", false) +
                     Operands("_l1", false) +
                     ") {has_biases=false, hidden_size=16, mode=\"rnn_tanh\", num_layers=2} : f32[T,N,16], "
                     "f32[2,N,16]\n  output out = %0\n  output h_n = %1\n}\n";
  o.name = "tanh2w";
  o.max_batch = 5;
  o.max_dims = {{"T", 6}};
  RunAt(tanh, o, {{6, 5}, {1, 1}, {3, 4}});
}

TEST_CASE("cpu rnn: f32 weights given at run time take the per-row kernel") {
  const int64_t H = 12;
  std::string kir = "graph g {\n  input %x : f32[T,N,5]\n  input %w_ih : f32[48,5]\n  input %w_hh : f32[48,12]\n"
                    "  %0, %1, %2 = lstm(%x, %w_ih, %w_hh) {has_biases=false, hidden_size=" +
                    std::to_string(H) + "} : f32[T,N,12], f32[1,N,12], f32[1,N,12]\n"
                    "  output out = %0\n  output h_n = %1\n  output c_n = %2\n}\n";
  CompileOptions o;
  o.name = "lstmrt";
  o.max_batch = 5;
  o.max_dims = {{"T", 6}};
  RunAt(kir, o, {{6, 5}, {2, 1}});
}

TEST_CASE("cpu rnn: f64 rnn_tanh, bidirectional") {
  std::string kir = "graph g {\n  input %x : f64[T,N,4]\n  input %h0 : f64[2,N,8]\n" +
                    Weights("", "f64", 8, 4, 8, true) + Weights("_r", "f64", 8, 4, 8, true) + "  %0, %1 = rnn(%x, %h0" +
                    Operands("", true) + Operands("_r", true) +
                    ") {bidirectional=true, has_initial_state=true, hidden_size=8, mode=\"rnn_tanh\"} : f64[T,N,16], "
                    "f64[2,N,8]\n  output out = %0\n  output h_n = %1\n}\n";
  CompileOptions o;
  o.name = "tanh64";
  o.max_batch = 4;
  o.max_dims = {{"T", 6}};
  RunAt(kir, o, {{6, 4}, {3, 1}}, ir::Tolerance{1e-10, 1e-12});
}

TEST_CASE("cpu rnn: packed sequences with run-time lengths; a bad length is an error") {
  std::string kir = "graph g {\n  input %x : f32[T,N,3]\n  input %len : i32[N]\n" + Weights("", "f32", 20, 3, 5, true) +
                    Weights("_r", "f32", 20, 3, 5, true) + "  %0, %1, %2 = lstm(%x" + Operands("", true) +
                    Operands("_r", true) +
                    ", %len) {bidirectional=true, has_lengths=true, hidden_size=5} : f32[T,N,10], f32[2,N,5], "
                    "f32[2,N,5]\n  output out = %0\n  output h_n = %1\n  output c_n = %2\n}\n";
  auto g = ParseWithWeights(kir, 3);
  CompileOptions o;
  o.name = "packed";
  o.max_batch = 6;
  o.max_dims = {{"T", 8}};
  for (const std::string& cpu : Cpus()) {
    o.cpu = cpu;
    CompiledArtifact wide = CompileOrFail(*g, o);
    auto team = LoadedModel::Load(wide, 2);
    REQUIRE(team.ok());
    std::mt19937_64 rng(9);
    for (auto [T, N] : std::vector<std::pair<int64_t, int64_t>>{{8, 6}, {5, 4}}) {
      INFO(cpu << " T=" << T << " N=" << N);
      std::map<std::string, ir::HostTensor> in;
      in["x"] = Random(ir::DType::kF32, {T, N, 3}, rng);
      ir::HostTensor len(ir::DType::kI32, {N});
      for (int64_t n = 0; n < N; ++n) len.SetDouble(n, static_cast<double>((n * 5 + T) % (T + 1)));  // includes 0 and T
      in["len"] = len;
      CheckAgainstReference(**team, *g, in);
    }
  }
  o.cpu = "x86-64-v3";
  CompiledArtifact art = CompileOrFail(*g, o);
  auto model = LoadedModel::Load(art, 2);
  REQUIRE(model.ok());
  std::mt19937_64 rng(8);
  for (auto [T, N] : std::vector<std::pair<int64_t, int64_t>>{{8, 6}, {3, 5}, {1, 2}}) {
    INFO("T=" << T << " N=" << N);
    std::map<std::string, ir::HostTensor> in;
    in["x"] = Random(ir::DType::kF32, {T, N, 3}, rng);
    ir::HostTensor len(ir::DType::kI32, {N});
    for (int64_t n = 0; n < N; ++n) len.SetDouble(n, static_cast<double>((n * 5 + T) % (T + 1)));  // includes 0 and T
    in["len"] = len;
    CheckAgainstReference(**model, *g, in);
  }
  std::map<std::string, ir::HostTensor> bad;
  bad["x"] = Random(ir::DType::kF32, {4, 2, 3}, rng);
  ir::HostTensor len(ir::DType::kI32, {2});
  len.SetDouble(0, 2);
  len.SetDouble(1, 5);
  bad["len"] = len;
  auto r = (*model)->Run(bad);
  REQUIRE(!r.ok());
  INFO(r.status().message());
  CHECK(r.status().message().find("outside [0, T]") != std::string::npos);
  CHECK(r.status().message().find("lstm") != std::string::npos);
}

TEST_CASE("cpu rnn: the built-in lstm model compiles once and runs at two (T, N) like the reference") {
  kiln::models::BuiltinModel m = kiln::models::build_model("lstm");
  m.module->eval();
  kiln::TraceOptions options;
  options.graph_name = "lstm";
  options.output_names = m.output_names;
  std::unique_ptr<ir::Graph> graph = kiln::trace(*m.module, m.inputs, options);
  REQUIRE(graph->inputs().size() == 1);
  CompileOptions o;
  o.name = "lstm";
  o.max_batch = 4;
  o.max_dims = {{"T", 16}};
  CompiledArtifact art = CompileOrFail(*graph, o);
  CHECK(art.symbols == std::vector<std::string>{"N", "T"});
  auto model = LoadedModel::Load(art, 4);
  REQUIRE(model.ok());
  std::mt19937_64 rng(23);
  for (auto [T, N] : std::vector<std::pair<int64_t, int64_t>>{{16, 3}, {5, 1}}) {
    INFO("T=" << T << " N=" << N);
    ir::HostTensor tokens(ir::DType::kI64, {T, N});
    for (int64_t i = 0; i < tokens.num_elements(); ++i) {
      tokens.SetDouble(i, static_cast<double>(std::uniform_int_distribution<int64_t>(0, 9999)(rng)));
    }
    CheckAgainstReference(**model, *graph, {{"tokens", tokens}}, ir::Tolerance{1e-4, 1e-4});
  }
}

}  // namespace
}  // namespace kiln::cpu::testing
