// The user-facing umbrella header alone is enough to build, run, trace and save a model, and
// it drags in no LLVM/MLIR (//:kiln depends on the frontend only).
#include "kiln/kiln.h"

#include <catch2/catch.hpp>

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
