// Tensor operations on symbolic tensors: each forward is traced with a symbolic batch dim N,
// the graph verifies and prints, and the reference interpreter running the graph at two batch
// sizes reproduces the eager result of the same forward.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/module.h"
#include "frontend/random.h"
#include "frontend/tensor.h"
#include "frontend/trace.h"
#include "ir/kir.h"
#include "ir/verifier.h"

namespace kiln {
namespace {

using Catch::Contains;
using Fn = std::function<Tensor(const Tensor&)>;

// A module whose forward is a test's lambda. It owns one parameter and one buffer, so that
// traced forwards can mix concrete module state with symbolic inputs.
class FnModule : public nn::Module {
 public:
  explicit FnModule(Fn fn) : nn::Module("FnModule"), fn_(std::move(fn)) {
    Generator g(11);
    weight = register_parameter("weight", randn({4, 5}, &g));
    vec = register_buffer("vec", tensor(std::vector<float>{0.5f, -1.f, 2.f, 0.25f}));
  }
  Tensor forward(const Tensor& x) override { return fn_(x); }
  Tensor weight, vec;

 private:
  Fn fn_;
};

Tensor MakeInput(const std::vector<int64_t>& sizes, DType dtype, uint64_t seed) {
  Generator g(seed);
  if (dtype == DType::kI64) return randint(-5, 6, sizes, &g);
  return randn(sizes, &g, dtype);
}

// Traces fn on [N, rest...], checks the graph, runs it at N = 2 and N = 5 and compares with the
// eager forward. Returns the graph text.
std::string CheckTraced(const std::function<Tensor(FnModule&, const Tensor&)>& fn, std::vector<int64_t> rest = {3, 4},
                        DType dtype = DType::kF32) {
  std::shared_ptr<FnModule> m;
  m = std::make_shared<FnModule>([&m, &fn](const Tensor& x) { return fn(*m, x); });
  std::vector<ir::Dim> spec = {sym("N")};
  for (int64_t r : rest) spec.emplace_back(r);
  std::unique_ptr<ir::Graph> g = trace(*m, {TensorSpec(spec, dtype)});
  REQUIRE(g != nullptr);
  Status verified = ir::Verify(*g);
  INFO(verified.message());
  REQUIRE(verified.ok());
  std::string text = ir::PrintGraph(*g);
  INFO(text);
  REQUIRE(g->inputs().at(0)->type().shape.dim(0) == sym("N"));
  for (int64_t n : {2, 5}) {
    std::vector<int64_t> sizes = {n};
    sizes.insert(sizes.end(), rest.begin(), rest.end());
    Tensor x = MakeInput(sizes, dtype, static_cast<uint64_t>(n));
    Tensor eager = (*m)(x);
    auto out = reference::RunGraph(*g, {{"input", x.data()}});
    INFO("N = " << n << ": " << (out.ok() ? "" : out.status().message()));
    REQUIRE(out.ok());
    REQUIRE(out->size() == 1);
    Tensor traced(out->at(0).second);
    CHECK(traced.type_str() == eager.type_str());
    CHECK(allclose(traced, eager, 1e-6, 1e-6));
  }
  return text;
}

Tensor AsF32(const Tensor& t) { return t.to(DType::kF32); }

TEST_CASE("traced elementwise ops and operators", "[tensor][trace]") {
  CheckTraced([](FnModule&, const Tensor& x) {
    Tensor a = (x * 2.0 + 1.0).relu().sigmoid() - x.tanh() / (x.abs() + 1.0);
    Tensor b = (1.0 - x).exp() * 0.5 + (2.0 / (x.abs() + 1.0)).log() + (x * x + 1.0).sqrt().reciprocal();
    Tensor c = x.sign() * x.floor() + x.ceil() - x.round() + x.erf() + x.sin() * x.cos() + (x.abs() + 1.0).rsqrt();
    return a + b + c + (-x).clamp(-0.5, 0.5).pow(2.0) + x.maximum(x.sin()) - minimum(x, x.cos());
  });
}

TEST_CASE("traced comparisons, where, logical_not", "[tensor][trace]") {
  CheckTraced([](FnModule& m, const Tensor& x) {
    Tensor pos = x > scalar_tensor(0.0);
    Tensor r = where(pos, x, x * 0.1) + AsF32(x <= m.vec) + AsF32((x == x) != (x < x)) + AsF32(pos.logical_not());
    return r + AsF32(x >= scalar_tensor(0.5)) + AsF32(x.ne(m.vec)) + AsF32(x.eq(x));
  });
}

TEST_CASE("traced flatten/reshape/unsqueeze/squeeze keep the symbolic batch dim as -1", "[tensor][trace]") {
  std::string text = CheckTraced([](FnModule&, const Tensor& x) { return x.flatten(1); });
  CHECK_THAT(text, Contains("[-1,12]"));
  CHECK_THAT(text, Contains("f32[N,12]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.reshape({-1, 2, 6}); }), Contains("f32[N,2,6]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.view({-1, 12}); }), Contains("[-1,12]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.unsqueeze(1); }), Contains("f32[N,1,3,4]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.unsqueeze(0).unsqueeze(-1); }),
             Contains("f32[1,N,3,4,1]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.unsqueeze(2).squeeze(2); }), Contains("f32[N,3,4]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.squeeze(); }, {1, 4, 1}), Contains("f32[N,4]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.squeeze(0) + x.squeeze(1).unsqueeze(1); }, {1, 4}),
             Contains("f32[N,1,4]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.flatten(1, 2); }, {2, 3, 4}), Contains("f32[N,6,4]"));
  CheckTraced([](FnModule&, const Tensor& x) { return x.unsqueeze(1).flatten(0, 1); });  // [N,1,3,4] -> [N,3,4]
}

TEST_CASE("traced permute, transpose, expand, expand_as", "[tensor][trace]") {
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.transpose(1, 2); }), Contains("f32[N,4,3]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.permute({2, 0, 1}); }), Contains("f32[4,N,3]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.unsqueeze(1).expand({-1, 2, 3, 4}); }),
             Contains("f32[N,2,3,4]"));
  CheckTraced([](FnModule&, const Tensor& x) { return x.select(2, 0).unsqueeze(2).expand_as(x) + x; });
  // Expanding a concrete [1,4] to the symbolic [N,3,4] goes through broadcasting.
  CHECK_THAT(CheckTraced([](FnModule& m, const Tensor& x) { return m.vec.reshape({1, 4}).expand_as(x); }),
             Contains("f32[N,3,4]"));
  CheckTraced([](FnModule&, const Tensor& x) { return zeros_like(x) + ones_like(x) * x + full_like(x, 3.0); });
}

TEST_CASE("traced matmul including 1-d operands", "[tensor][trace]") {
  CHECK_THAT(CheckTraced([](FnModule& m, const Tensor& x) { return x.matmul(m.weight); }), Contains("f32[N,3,5]"));
  CHECK_THAT(CheckTraced([](FnModule& m, const Tensor& x) { return x.matmul(m.vec); }), Contains("f32[N,3]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return tensor(std::vector<float>{1, -2, 3}).matmul(x); }),
             Contains("f32[N,4]"));
  CheckTraced([](FnModule& m, const Tensor& x) { return matmul(x.flatten(1).matmul(ones({12, 4})), m.weight.t().t()); },
              {3, 4});
  CheckTraced([](FnModule&, const Tensor& x) { return x.matmul(x.transpose(1, 2)); });
  CheckTraced([](FnModule&, const Tensor& x) { return x.select(1, 0).matmul(x.select(1, 1).t()); });
}

TEST_CASE("traced reductions and softmax", "[tensor][trace]") {
  CheckTraced([](FnModule&, const Tensor& x) {
    return x.sum({1}) + x.mean({1}) + x.amax({1}) - x.amin({1}) + x.prod(1) + x.softmax(1).sum({1});
  });
  CheckTraced([](FnModule&, const Tensor& x) {
    auto [v, i] = x.max(2);
    auto [w, j] = x.min(-1, true);
    return v + AsF32(i) + w.squeeze(-1) + AsF32(j.squeeze(-1)) + AsF32(x.argmax(2)) + AsF32(x.argmin(-1));
  });
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.log_softmax(-1) + x.softmax(0); }),
             Contains("softmax"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.sum({0}, true) + x.mean({-1, -2}, true); }),
             Contains("f32[1,3,4]"));
  CheckTraced([](FnModule&, const Tensor& x) { return x.sum().unsqueeze(0) + x.mean() + x.max() - x.min(); });
}

TEST_CASE("traced slice, narrow, select, cat, stack", "[tensor][trace]") {
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.slice(1, 1) + x.slice(1, 0, 2); }),
             Contains("f32[N,2,4]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.narrow(2, 1, 2).slice(0); }), Contains("f32[N,3,2]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x.select(1, -1); }), Contains("f32[N,4]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return cat({x, x * 2.0}, 1); }), Contains("f32[N,6,4]"));
  CHECK_THAT(CheckTraced([](FnModule& m, const Tensor& x) { return cat({x, x.slice(2, 0, 1)}, -1) + m.vec.sum(); }),
             Contains("f32[N,3,5]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return stack({x, x.neg()}, 1); }), Contains("f32[N,2,3,4]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return stack({x, x}, -1); }), Contains("f32[N,3,4,2]"));
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return stack({x, x}); }), Contains("f32[2,N,3,4]"));
}

TEST_CASE("traced integer ops: true division, promotion, sums", "[tensor][trace]") {
  CHECK_THAT(CheckTraced([](FnModule&, const Tensor& x) { return x / 2.0 + x.sum({1}).unsqueeze(1) / x.abs().clamp(1.0, std::nullopt); },
                         {3}, DType::kI64),
             Contains("f32[N,3]"));
  CheckTraced([](FnModule&, const Tensor& x) { return x * 3.0 - x.pow(2.0) + x.prod(1, true) + x.max(1).second.unsqueeze(1); }, {3},
              DType::kI64);
  CheckTraced([](FnModule&, const Tensor& x) { return AsF32(x) + (x.abs() + 1.0).sqrt(); }, {3}, DType::kI64);
}

TEST_CASE("symbolic dims the IR cannot express throw clear errors", "[tensor][trace]") {
  auto trace_fn = [](Fn fn) {
    auto m = std::make_shared<FnModule>(std::move(fn));
    return trace(*m, {TensorSpec({sym("N"), 3, 4})});
  };
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.flatten(); }),
                      Contains("flatten: cannot flatten dims 0..2 of f32[N,3,4]: the symbolic dim N would merge"));
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.reshape({-1}); }),
                      Contains("reshape: shape [-1] is invalid for input f32[N,3,4]: the symbolic dim N must stay"));
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.reshape({2, 6}); }), Contains("given as -1"));
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.select(0, 0); }),
                      Contains("select: cannot index the symbolic dim N of f32[N,3,4]"));
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.slice(0, 1); }),
                      Contains("slice: cannot slice the symbolic dim N"));
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.narrow(0, 0, 1); }),
                      Contains("narrow: cannot narrow the symbolic dim N"));
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return cat({x, x}); }),
                      Contains("cat: cannot concatenate along the symbolic dim N"));
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.expand({2, 3, 4}); }),
                      Contains("expand: cannot expand f32[N,3,4] to [2,3,4]"));
  // Errors name the module being run.
  REQUIRE_THROWS_WITH(trace_fn([](const Tensor& x) { return x.flatten(); }), Contains("FnModule"));
}

}  // namespace
}  // namespace kiln
