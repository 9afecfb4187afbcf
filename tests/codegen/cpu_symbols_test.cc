// The CPU backend with several runtime-variable dims: a graph with inputs [T,N,...] compiles
// once (T bounded by max_dims, N by max_batch) and runs at several (T,N) against the
// reference; the runtime binds each symbol consistently across inputs and checks its bound.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "kiln/runtime.h"
#include "tests/codegen/cpu_test_util.h"

namespace kiln::cpu::testing {
namespace {

// tokens [T,N] -> embedding [T,N,8]; + bias over N; linear; tanh; a sum over T and a
// permute to [N,T,6]; a second input x [T,N,6] shares T and N.
const char* kSeq = R"(graph seq {
  input %tokens : i64[T,N]
  input %x : f32[T,N,6]
  input %h : f32[N,8]
  param %emb : f32[11,8]
  param %w : f32[6,8]
  param %b : f32[6]
  %0 = embedding(%emb, %tokens) : f32[T,N,8]
  %1 = add(%0, %h) : f32[T,N,8]
  %2 = linear(%1, %w, %b) : f32[T,N,6]
  %3 = tanh(%2) : f32[T,N,6]
  %4 = mul(%3, %x) : f32[T,N,6]
  %5 = reduce_sum(%4) {dims=[0]} : f32[N,6]
  %6 = permute(%4) {dims=[1,0,2]} : f32[N,T,6]
  %7 = softmax(%6) {dim=1} : f32[N,T,6]
  output seq = %4
  output pooled = %5
  output attn = %7
}
)";

ir::HostTensor Random(ir::DType dtype, const std::vector<int64_t>& sizes, std::mt19937_64& rng, double lo, double hi) {
  ir::HostTensor t(dtype, sizes);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    double u = std::uniform_real_distribution<double>(lo, hi)(rng);
    t.SetDouble(i, ir::is_floating(dtype) ? u : std::floor(u));
  }
  return t;
}

std::map<std::string, ir::HostTensor> SeqInputs(int64_t T, int64_t N, std::mt19937_64& rng) {
  std::map<std::string, ir::HostTensor> in;
  in["tokens"] = Random(ir::DType::kI64, {T, N}, rng, 0, 11);
  in["x"] = Random(ir::DType::kF32, {T, N, 6}, rng, -2, 2);
  in["h"] = Random(ir::DType::kF32, {N, 8}, rng, -1, 1);
  return in;
}

TEST_CASE("cpu symbols: one artifact runs [T,N] inputs at several (T,N) like the reference") {
  auto g = ParseWithWeights(kSeq);
  CompileOptions o;
  o.name = "seq";
  o.max_batch = 4;
  o.max_dims = {{"T", 7}};
  CompiledArtifact art = CompileOrFail(*g, o);
  REQUIRE(art.symbols == std::vector<std::string>{"N", "T"});
  REQUIRE(art.symbol_max == std::vector<int64_t>{4, 7});
  CHECK(art.inputs[0].dims == std::vector<int64_t>{-2, -1});
  CHECK(art.outputs[2].dims == std::vector<int64_t>{-1, -2, 6});
  auto model = LoadedModel::Load(art, 2);
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  std::mt19937_64 rng(11);
  for (auto [T, N] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 2}, {7, 4}, {2, 4}, {7, 1}, {5, 3}}) {
    INFO("T=" << T << " N=" << N);
    CheckAgainstReference(**model, *g, SeqInputs(T, N, rng));
  }
}

TEST_CASE("cpu symbols: inconsistent or too large symbols are refused with messages") {
  auto g = ParseWithWeights(kSeq);
  CompileOptions o;
  o.name = "seqerr";
  o.max_batch = 4;
  o.max_dims = {{"T", 5}};
  CompiledArtifact art = CompileOrFail(*g, o);
  auto model = LoadedModel::Load(art, 1);
  REQUIRE(model.ok());
  std::mt19937_64 rng(2);
  {  // T over its bound
    auto in = SeqInputs(6, 2, rng);
    auto r = (*model)->Run(in);
    REQUIRE(!r.ok());
    INFO(r.status().message());
    CHECK(r.status().message().find("input 'tokens': T (dim 0) is 6, must be in [1, 5] (the compiled max T)") !=
          std::string::npos);
    CHECK(r.status().message().find("expected [T,N], got [6,2]") != std::string::npos);
  }
  {  // x disagrees with tokens on T
    auto in = SeqInputs(3, 2, rng);
    in["x"] = Random(ir::DType::kF32, {4, 2, 6}, rng, -1, 1);
    auto r = (*model)->Run(in);
    REQUIRE(!r.ok());
    INFO(r.status().message());
    CHECK(r.status().message().find("input 'x': symbolic dim T (dim 0) is 4 but input 'tokens' bound T to 3") !=
          std::string::npos);
  }
  {  // h disagrees on N (the batch keeps its message)
    auto in = SeqInputs(3, 2, rng);
    in["h"] = Random(ir::DType::kF32, {3, 8}, rng, -1, 1);
    auto r = (*model)->Run(in);
    REQUIRE(!r.ok());
    INFO(r.status().message());
    CHECK(r.status().message().find("input 'h': batch (dim 0) is 3 but the inputs before it have batch 2") !=
          std::string::npos);
  }
  {  // a wrong static dim shows the symbols by name
    auto in = SeqInputs(3, 2, rng);
    in["x"] = Random(ir::DType::kF32, {3, 2, 5}, rng, -1, 1);
    auto r = (*model)->Run(in);
    REQUIRE(!r.ok());
    INFO(r.status().message());
    CHECK(r.status().message().find("expected [T,N,6], got [3,2,5]") != std::string::npos);
  }
  // A good call still works afterwards.
  CheckAgainstReference(**model, *g, SeqInputs(5, 4, rng));
}

TEST_CASE("cpu symbols: a symbol without a bound, or a bound for a missing symbol, is a compile error") {
  auto g = ParseWithWeights(kSeq);
  CompileOptions o;
  o.name = "nobound";
  o.output_dir = TempDir();
  auto art = CompileGraph(*g, o);
  REQUIRE(!art.ok());
  CHECK(art.status().message().find("symbolic dim T needs a bound: pass max_dims / --max-dim T=64") !=
        std::string::npos);
  o.max_dims = {{"T", 8}, {"L", 3}};
  art = CompileGraph(*g, o);
  REQUIRE(!art.ok());
  CHECK(art.status().message().find("max_dims names symbolic dim L, which graph seq does not have (its symbolic "
                                    "dims: N, T)") != std::string::npos);
  o.max_dims = {{"T", 0}};
  art = CompileGraph(*g, o);
  REQUIRE(!art.ok());
  CHECK(art.status().message().find("bound of symbolic dim T must be at least 1") != std::string::npos);
}

TEST_CASE("cpu symbols: a graph whose only symbol is not N still uses max_batch") {
  auto g = ParseWithWeights(R"(graph lonely {
  input %x : f32[L,4]
  %0 = tanh(%x) : f32[L,4]
  output y = %0
}
)");
  CompileOptions o;
  o.name = "lonely";
  o.max_batch = 9;
  CompiledArtifact art = CompileOrFail(*g, o);
  CHECK(art.symbols == std::vector<std::string>{"L"});
  CHECK(art.max_batch == 9);
  auto model = LoadedModel::Load(art, 1);
  REQUIRE(model.ok());
  std::mt19937_64 rng(4);
  std::map<std::string, ir::HostTensor> in;
  in["x"] = Random(ir::DType::kF32, {9, 4}, rng, -1, 1);
  CheckAgainstReference(**model, *g, in);
}

TEST_CASE("cpu symbols: the header and NAME_describe list the symbols and their bounds") {
  auto g = ParseWithWeights(kSeq);
  CompileOptions o;
  o.name = "seqhdr";
  o.max_batch = 3;
  o.max_dims = {{"T", 32}};
  CompiledArtifact art = CompileOrFail(*g, o);
  std::ifstream f(art.header);
  std::stringstream text;
  text << f.rdbuf();
  std::string h = text.str();
  for (const char* s : {"#define SEQHDR_MAX_BATCH 3", "#define SEQHDR_MAX_N 3", "#define SEQHDR_MAX_T 32",
                        "#define SEQHDR_NUM_SYMBOLS 2", "i64[T,N]", "f32[N,T,6]", "#define SEQHDR_INPUT_0_DIMS {-2, -1}",
                        "T (-2): 1..32", "N (-1): 1..3, the batch"}) {
    INFO(s);
    CHECK(h.find(s) != std::string::npos);
  }
  auto opened = LoadedModel::Open(art.shared_object, 1);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  const CompiledArtifact& d = (*opened)->artifact();
  CHECK(d.symbols == std::vector<std::string>{"N", "T"});
  CHECK(d.symbol_max == std::vector<int64_t>{3, 32});
  CHECK(d.inputs[1].dims == std::vector<int64_t>{-2, -1, 6});
  std::mt19937_64 rng(9);
  auto in = SeqInputs(17, 3, rng);
  auto expected = reference::RunGraph(*g, in);
  REQUIRE(expected.ok());
  auto got = (*opened)->Run(in);
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  CHECK((*got)[2].second.sizes() == std::vector<int64_t>{3, 17, 6});
}

}  // namespace
}  // namespace kiln::cpu::testing
