// The user-facing umbrella header alone is enough to build, run, trace and save a model, and
// it drags in no LLVM/MLIR (//:kiln depends on the frontend only).
#include "kiln/kiln.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#if defined(LLVM_SUPPORT_COMPILER_H) || defined(MLIR_IR_BUILDERS_H)
#error "kiln/kiln.h must not include LLVM or MLIR headers"
#endif

namespace nn = kiln::nn;

TEST_CASE("kiln/kiln.h: a model from the umbrella header") {
  kiln::manual_seed(0);
  nn::Sequential model(nn::Flatten(), nn::Linear(12, 4), nn::ReLU(), nn::Linear(4, 2));
  model->eval();
  kiln::Tensor x = kiln::randn({3, 3, 4});
  kiln::Tensor y = model(x);
  CHECK(y.sizes() == std::vector<int64_t>{3, 2});
  auto graph = kiln::trace(*model.ptr(), {kiln::TensorSpec({kiln::sym("N"), 3, 4})});
  CHECK(graph->params().size() == 4);
  CHECK(graph->params()[0]->name() == "1.weight");
}

TEST_CASE("kiln::compile: compiled model runs in-process, matches eager, and saves an artifact") {
  kiln::manual_seed(1);
  nn::Sequential model(nn::Conv2d(1, 4, 3), nn::ReLU(), nn::Flatten(), nn::Linear(4 * 6 * 6, 5));
  model->eval();
  kiln::CompileOptions options;
  options.name = "tiny";
  options.max_batch = 8;
  kiln::CompiledModel compiled = kiln::compile(*model.ptr(), {kiln::TensorSpec({kiln::sym("N"), 1, 8, 8})}, options);
  CHECK(compiled.input_names() == std::vector<std::string>{"input"});
  for (int64_t batch : {1, 3, 8}) {
    kiln::Tensor x = kiln::randn({batch, 1, 8, 8});
    kiln::Tensor want = model(x);
    kiln::Tensor got = compiled(x);
    INFO("batch " << batch);
    CHECK(kiln::allclose(got, want, 1e-4, 1e-5));
  }
  CHECK_THROWS_WITH(compiled(kiln::randn({9, 1, 8, 8})), Catch::Contains("batch"));
  CHECK_THROWS_WITH(compiled(kiln::randn({1, 2, 8, 8})), Catch::Contains("input"));
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/saved_tiny";
  compiled.save(dir);
  for (const char* f : {"/libtiny.so", "/tiny.h", "/kiln/runtime.h"}) {
    INFO(f);
    CHECK(std::ifstream(dir + f).good());
  }
}
