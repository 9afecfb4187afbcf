// The CPU backend end to end: graphs compiled to libNAME.so, loaded with dlopen, run through
// the C entry points and compared with the reference backend.
#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <fstream>
#include <sstream>

#include "kiln/runtime.h"
#include "tests/codegen/cpu_test_util.h"

namespace kiln::cpu::testing {
namespace {

const char* kElementwise = R"(graph ew {
  input %a : f32[N,3,5]
  input %b : f32[3,1]
  %0 = add(%a, %b) : f32[N,3,5]
  %1 = tanh(%0) : f32[N,3,5]
  %2 = mul(%1, %a) : f32[N,3,5]
  %3 = exp(%2) : f32[N,3,5]
  output out = %3
  output t = %1
}
)";

const char* kMlp = R"(graph mlp {
  input %input : f32[N,1,28,28]
  param %w1 : f32[32,784]
  param %b1 : f32[32]
  param %w2 : f32[10,32]
  param %b2 : f32[10]
  %0 = reshape(%input) {shape=[-1,784]} : f32[N,784]
  %1 = linear(%0, %w1, %b1) : f32[N,32]
  %2 = relu(%1) : f32[N,32]
  %3 = linear(%2, %w2, %b2) : f32[N,10]
  %4 = softmax(%3) {dim=1} : f32[N,10]
  output output = %4
}
)";

TEST_CASE("cpu backend: elementwise graph matches the reference at several batch sizes") {
  auto g = ParseWithWeights(kElementwise);
  CompileOptions o;
  o.name = "ew";
  o.max_batch = 8;
  CompiledArtifact art = CompileOrFail(*g, o);
  auto model = LoadedModel::Load(art);
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  std::mt19937_64 rng(7);
  for (int64_t batch : {1, 3, 8}) {
    std::map<std::string, ir::HostTensor> inputs;
    for (const ir::Value* v : g->inputs()) inputs[v->name()] = RandomInput(v->type(), batch, rng);
    CheckAgainstReference(**model, *g, inputs);
  }
}

TEST_CASE("cpu backend: an MLP with softmax, one artifact for batch 1, 5 and 64") {
  auto g = ParseWithWeights(kMlp);
  CompileOptions o;
  o.name = "mlp";
  CompiledArtifact art = CompileOrFail(*g, o);
  auto model = LoadedModel::Load(art, 2);
  REQUIRE(model.ok());
  std::mt19937_64 rng(3);
  for (int64_t batch : {1, 5, 64}) {
    std::map<std::string, ir::HostTensor> inputs;
    inputs["input"] = RandomInput(g->inputs()[0]->type(), batch, rng);
    CheckAgainstReference(**model, *g, inputs);
  }
  // Over the compiled maximum: a status and a message, not an overrun.
  std::map<std::string, ir::HostTensor> big;
  big["input"] = RandomInput(g->inputs()[0]->type(), 65, rng);
  auto r = (*model)->Run(big);
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("input") != std::string::npos);
}

TEST_CASE("cpu backend: --emit writes .ll, .s and .o; external weights round-trip") {
  auto g = ParseWithWeights(kMlp);
  CompileOptions o;
  o.name = "mlpx";
  o.emit = "llvm,asm,obj";
  o.external_weights = true;
  CompiledArtifact art = CompileOrFail(*g, o);
  std::string dir = art.shared_object.substr(0, art.shared_object.rfind('/'));
  for (const char* ext : {".ll", ".s", ".o", ".h", ".weights"}) {
    std::ifstream f(dir + "/mlpx" + ext);
    INFO(ext);
    CHECK(f.good());
  }
  std::ifstream rt(dir + "/kiln/runtime.h");
  CHECK(rt.good());
  // Without the weights file: a status naming the problem.
  auto missing = LoadedModel::Load(art);
  REQUIRE(!missing.ok());
  auto model = LoadedModel::Load(art, 1, art.weights);
  INFO(model.status().ToString());
  REQUIRE(model.ok());
  std::mt19937_64 rng(5);
  std::map<std::string, ir::HostTensor> inputs;
  inputs["input"] = RandomInput(g->inputs()[0]->type(), 4, rng);
  CheckAgainstReference(**model, *g, inputs);
  // A corrupted weights file is rejected at create.
  {
    std::fstream f(art.weights, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x7f');
  }
  auto corrupted = LoadedModel::Load(art, 1, art.weights);
  REQUIRE(!corrupted.ok());
  CHECK(corrupted.status().message().find("checksum") != std::string::npos);
}

TEST_CASE("cpu backend: the header declares the entry points and the io") {
  auto g = ParseWithWeights(kMlp);
  CompileOptions o;
  o.name = "hdr";
  o.max_batch = 16;
  CompiledArtifact art = CompileOrFail(*g, o);
  std::ifstream f(art.header);
  std::stringstream text;
  text << f.rdbuf();
  std::string h = text.str();
  for (const char* s : {"hdr_create", "hdr_run", "hdr_destroy", "hdr_last_error", "#define HDR_MAX_BATCH 16",
                        "f32[N,1,28,28]", "f32[N,10]", "#include \"kiln/runtime.h\"", "extern \"C\""}) {
    INFO(s);
    CHECK(h.find(s) != std::string::npos);
  }
}

// The DT_NEEDED entries of an ELF shared object, read from its dynamic section.
std::vector<std::string> Needed(const std::string& path) {
  std::string cmd = "readelf -d " + path + " 2>&1";
  std::vector<std::string> libs;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char line[1024];
  while (fgets(line, sizeof line, p)) {
    std::string s(line);
    auto a = s.find("Shared library: [");
    if (a != std::string::npos) libs.push_back(s.substr(a + 17, s.find(']', a) - a - 17));
  }
  pclose(p);
  return libs;
}

TEST_CASE("cpu backend: the shared object needs only libc, libm and libpthread") {
  auto g = ParseWithWeights(kMlp);
  CompiledArtifact art = CompileOrFail(*g, {});
  auto libs = Needed(art.shared_object);
  REQUIRE(!libs.empty());
  for (const auto& l : libs) {
    INFO(l);
    bool allowed = l.rfind("libc.so", 0) == 0 || l.rfind("libm.so", 0) == 0 || l.rfind("libpthread.so", 0) == 0 ||
                   l.rfind("ld-linux", 0) == 0;
    CHECK(allowed);
  }
}

TEST_CASE("cpu backend: bad calls through the C ABI return a status and a message") {
  auto g = ParseWithWeights(kMlp);
  CompileOptions o;
  o.name = "bad";
  CompiledArtifact art = CompileOrFail(*g, o);
  auto model = LoadedModel::Load(art, 1);
  REQUIRE(model.ok());
  using RunFn = kiln_status (*)(void*, const kiln_tensor*, int32_t, kiln_tensor*, int32_t);
  using ErrFn = const char* (*)();
  auto run = reinterpret_cast<RunFn>((*model)->Symbol("_run"));
  auto err = reinterpret_cast<ErrFn>((*model)->Symbol("_last_error"));
  REQUIRE(run != nullptr);
  std::vector<float> x(2 * 784), y(2 * 10);
  kiln_tensor in = {};
  in.dtype = KILN_F32;
  in.rank = 4;
  int64_t dims[4] = {2, 1, 28, 28};
  for (int i = 0; i < 4; ++i) in.dims[i] = dims[i];
  in.data = x.data();
  in.capacity = x.size() * 4;
  kiln_tensor out = {};
  out.dtype = KILN_F32;
  out.rank = 2;
  out.data = y.data();
  out.capacity = y.size() * 4;
  CHECK(run((*model)->context(), &in, 1, &out, 1) == KILN_OK);
  kiln_tensor wrong = in;
  wrong.dims[2] = 27;
  CHECK(run((*model)->context(), &wrong, 1, &out, 1) == KILN_INVALID_ARGUMENT);
  CHECK(std::string(err()).find("input") != std::string::npos);
  CHECK(run((*model)->context(), nullptr, 1, &out, 1) == KILN_INVALID_ARGUMENT);
  CHECK(std::string(err()).size() > 0);
  kiln_tensor small = out;
  small.capacity = 8;
  CHECK(run((*model)->context(), &in, 1, &small, 1) == KILN_INVALID_ARGUMENT);
  kiln_tensor i64 = in;
  i64.dtype = KILN_I64;
  CHECK(run((*model)->context(), &i64, 1, &out, 1) == KILN_INVALID_ARGUMENT);
  CHECK(std::string(err()).find("dtype") != std::string::npos);
}

TEST_CASE("cpu backend: every problem is reported at once") {
  auto g = ParseWithWeights(R"(graph h {
  input %x : f16[N,4]
  input %y : bf16[N,4]
  %0 = exp(%x) : f16[N,4]
  %1 = relu(%y) : bf16[N,4]
  output a = %0
  output b = %1
}
)");
  CompileOptions o;
  o.output_dir = TempDir();
  auto art = CompileGraph(*g, o);
  REQUIRE(!art.ok());
  INFO(art.status().message());
  CHECK(art.status().message().find("2 problem") != std::string::npos);
  CHECK(art.status().message().find("f16") != std::string::npos);
  CHECK(art.status().message().find("bf16") != std::string::npos);
}

TEST_CASE("cpu backend: integer division by zero is a status, not a crash") {
  auto g = ParseWithWeights(R"(graph d {
  input %a : i64[N,3]
  input %b : i64[N,3]
  %0 = div(%a, %b) : i64[N,3]
  output q = %0
}
)");
  CompiledArtifact art = CompileOrFail(*g, {});
  auto model = LoadedModel::Load(art, 1);
  REQUIRE(model.ok());
  std::map<std::string, ir::HostTensor> inputs;
  inputs["a"] = ir::HostTensor::FromVector<int64_t>({1, 3}, {7, -7, 9});
  inputs["b"] = ir::HostTensor::FromVector<int64_t>({1, 3}, {2, 2, 0});
  auto r = (*model)->Run(inputs);
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("division by zero") != std::string::npos);
}

TEST_CASE("cpu backend: an unknown --cpu is an error") {
  auto g = ParseWithWeights(kElementwise);
  CompileOptions o;
  o.cpu = "not-a-cpu";
  o.output_dir = TempDir();
  auto art = CompileGraph(*g, o);
  REQUIRE(!art.ok());
  CHECK(art.status().message().find("not-a-cpu") != std::string::npos);
}

}  // namespace
}  // namespace kiln::cpu::testing
