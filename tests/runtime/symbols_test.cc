// Models with several symbolic dims: io specs mark dim k as -1-k, the model lists the symbols'
// names and maxima, kiln_rt_run binds each symbol from the inputs (consistently, within its
// bound), hands the sizes to run in exec->sizes (exec->batch = sizes[0]) and writes the
// outputs' dims.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "kiln/runtime.h"
#include "tests/runtime/fake_models.h"

using kiln_test::make_tensor;

namespace {

std::string last_error() { return kiln_rt_last_error(); }

void expect_error(kiln_status status, kiln_status expected, std::vector<std::string> parts) {
  INFO("message: " << last_error());
  CHECK(status == expected);
  for (const std::string& part : parts) CHECK(last_error().find(part) != std::string::npos);
}

// seq [T,N] f32 + bias [N] f32 -> out [N,T] (transposed sum); sizes recorded.
int64_t g_seen[KILN_MAX_SYMBOLS + 1];

kiln_status transpose_add(const kiln_rt_exec* exec) {
  const int64_t N = exec->sizes[0], T = exec->sizes[1];
  g_seen[0] = exec->batch;
  for (int k = 0; k < KILN_MAX_SYMBOLS; ++k) g_seen[k + 1] = exec->sizes[k];
  const float* seq = static_cast<const float*>(exec->inputs[0]);
  const float* bias = static_cast<const float*>(exec->inputs[1]);
  float* out = static_cast<float*>(exec->outputs[0]);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t n = 0; n < N; ++n) out[n * T + t] = seq[t * N + n] + bias[n];
  return KILN_OK;
}

const char* const kSymbols[] = {"N", "T"};
const int64_t kMax[] = {4, 6};
const kiln_rt_io_spec kInputs[] = {{"seq", KILN_F32, 2, {-2, -1}}, {"bias", KILN_F32, 1, {-1}}};
const kiln_rt_io_spec kOutputs[] = {{"out", KILN_F32, 2, {-1, -2}}};

kiln_rt_model seq_model() {
  kiln_rt_model m = {"seq", 2, 1, kInputs, kOutputs, 4, 0, 1, nullptr, 0, 0, transpose_add, 2, kSymbols, kMax};
  return m;
}

}  // namespace

TEST_CASE("symbols: each bound from the inputs, passed in exec->sizes, output dims written") {
  kiln_rt_model model = seq_model();
  kiln_rt_context* ctx = nullptr;
  REQUIRE(kiln_rt_create(&model, nullptr, &ctx) == KILN_OK);
  for (auto [T, N] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {6, 4}, {3, 2}}) {
    std::vector<float> seq(T * N), bias(N), out(24, -1.0f);
    for (size_t i = 0; i < seq.size(); ++i) seq[i] = static_cast<float>(i);
    for (size_t i = 0; i < bias.size(); ++i) bias[i] = 100.0f * static_cast<float>(i);
    kiln_tensor in[2] = {make_tensor(KILN_F32, {T, N}, seq), make_tensor(KILN_F32, {N}, bias)};
    kiln_tensor o = make_tensor(KILN_F32, {0, 0}, out);
    INFO("T=" << T << " N=" << N << ": " << last_error());
    REQUIRE(kiln_rt_run(ctx, in, 2, &o, 1) == KILN_OK);
    CHECK(o.dims[0] == N);
    CHECK(o.dims[1] == T);
    CHECK(g_seen[0] == N);
    CHECK(g_seen[1] == N);
    CHECK(g_seen[2] == T);
    CHECK(g_seen[3] == 1);  // past num_symbols
    CHECK(out[(N - 1) * T + (T - 1)] == seq[(T - 1) * N + (N - 1)] + bias[N - 1]);
  }
  std::vector<float> seq(6 * 4), bias(4), out(24);
  kiln_tensor in[2] = {make_tensor(KILN_F32, {5, 2}, seq), make_tensor(KILN_F32, {2}, bias)};
  kiln_tensor o = make_tensor(KILN_F32, {0, 0}, out);
  SECTION("T over its maximum") {
    in[0].dims[0] = 7;
    expect_error(kiln_rt_run(ctx, in, 2, &o, 1), KILN_INVALID_ARGUMENT,
                 {"input 'seq': T (dim 0) is 7, must be in [1, 6] (the compiled max T)", "expected [T,N], got [7,2]"});
  }
  SECTION("N inconsistent across inputs") {
    in[1].dims[0] = 3;
    expect_error(kiln_rt_run(ctx, in, 2, &o, 1), KILN_INVALID_ARGUMENT,
                 {"input 'bias': batch (dim 0) is 3 but the inputs before it have batch 2", "bound by input 'seq'"});
  }
  SECTION("an output too small for the bound symbols") {
    o.capacity = 9 * sizeof(float);
    expect_error(kiln_rt_run(ctx, in, 2, &o, 1), KILN_INVALID_ARGUMENT, {"output 'out'", "[2,5]"});
  }
  kiln_rt_destroy(ctx);
}

TEST_CASE("symbols: a second input disagreeing on T names both inputs") {
  static const kiln_rt_io_spec inputs[] = {{"a", KILN_F32, 2, {-2, 3}}, {"b", KILN_F32, 1, {-2}}};
  static const kiln_rt_io_spec outputs[] = {{"y", KILN_F32, 1, {-2}}};
  static const char* const names[] = {"B", "T"};
  static const int64_t max[] = {2, 8};
  kiln_rt_model model = {"pair", 2, 1, inputs, outputs, 2, 0, 1, nullptr, 0, 0,
                         [](const kiln_rt_exec*) { return KILN_OK; }, 2, names, max};
  kiln_rt_context* ctx = nullptr;
  REQUIRE(kiln_rt_create(&model, nullptr, &ctx) == KILN_OK);
  std::vector<float> a(24), b(8), y(8);
  kiln_tensor in[2] = {make_tensor(KILN_F32, {4, 3}, a), make_tensor(KILN_F32, {5}, b)};
  kiln_tensor o = make_tensor(KILN_F32, {0}, y);
  expect_error(kiln_rt_run(ctx, in, 2, &o, 1), KILN_INVALID_ARGUMENT,
               {"input 'b': symbolic dim T (dim 0) is 5 but input 'a' bound T to 4"});
  in[1].dims[0] = 4;
  CHECK(kiln_rt_run(ctx, in, 2, &o, 1) == KILN_OK);
  CHECK(o.dims[0] == 4);
  kiln_rt_destroy(ctx);
}

TEST_CASE("symbols: malformed symbol tables are KILN_INTERNAL") {
  kiln_rt_context* ctx = nullptr;
  SECTION("a dim naming a symbol the model does not have") {
    kiln_rt_model model = seq_model();
    model.num_symbols = 1;
    expect_error(kiln_rt_create(&model, nullptr, &ctx), KILN_INTERNAL, {"malformed model", "'seq'", "dim 0 = -2"});
  }
  SECTION("a symbol with maximum 0") {
    static const int64_t zero[] = {4, 0};
    kiln_rt_model model = seq_model();
    model.symbol_max = zero;
    expect_error(kiln_rt_create(&model, nullptr, &ctx), KILN_INTERNAL, {"symbol T has maximum 0"});
  }
  SECTION("an output symbol no input binds") {
    static const kiln_rt_io_spec inputs[] = {{"x", KILN_F32, 1, {-1}}};
    static const kiln_rt_io_spec outputs[] = {{"y", KILN_F32, 1, {-2}}};
    kiln_rt_model model = {"unbound", 1, 1, inputs, outputs, 4, 0, 1, nullptr, 0, 0,
                           [](const kiln_rt_exec*) { return KILN_OK; }, 2, kSymbols, kMax};
    expect_error(kiln_rt_create(&model, nullptr, &ctx), KILN_INTERNAL, {"output 'y' has symbolic dim T"});
  }
  SECTION("too many symbols, or a missing table") {
    kiln_rt_model model = seq_model();
    model.num_symbols = KILN_MAX_SYMBOLS + 1;
    expect_error(kiln_rt_create(&model, nullptr, &ctx), KILN_INTERNAL, {"bad symbol table"});
    model.num_symbols = 2;
    model.symbols = nullptr;
    expect_error(kiln_rt_create(&model, nullptr, &ctx), KILN_INTERNAL, {"bad symbol table"});
  }
  CHECK(ctx == nullptr);
}
