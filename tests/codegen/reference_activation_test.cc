// Reference kernels of the Layers II activation/dropout ops: elu, leaky_relu, softplus, gelu,
// random_uniform (hand-computed values, NaN, extreme magnitudes).
#include <cmath>
#include <set>

#include "ir/kir.h"
#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

TEST_CASE("elu covers ELU, SELU and CELU") {
  HostTensor x = F64({5}, {-2.0, -0.5, 0.0, 1.5, kNaN});
  CheckTensor(Eval(OpKind::Elu, {}, {x}), DType::kF64, {5},
              {std::exp(-2.0) - 1, std::exp(-0.5) - 1, 0.0, 1.5, kNaN});
  CheckTensor(Eval(OpKind::Elu, {{"alpha", 2.0}, {"scale", 3.0}, {"input_scale", 0.5}}, {x}), DType::kF64, {5},
              {6 * (std::exp(-1.0) - 1), 6 * (std::exp(-0.25) - 1), 0.0, 4.5, kNaN});
  // Large negative inputs saturate at -scale*alpha; large positive ones stay linear.
  CheckTensor(Eval(OpKind::Elu, {}, {F32({2}, {-1e4f, 1e4f})}), DType::kF32, {2}, {-1.0, 1e4}, 0);
  CHECK(EvalError(OpKind::Elu, {}, {I64({1}, {1})}).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("leaky_relu") {
  HostTensor x = F32({4}, {-2.0f, 0.0f, 3.0f, NAN});
  CheckTensor(Eval(OpKind::LeakyRelu, {}, {x}), DType::kF32, {4}, {-0.02, 0.0, 3.0, kNaN});
  CheckTensor(Eval(OpKind::LeakyRelu, {{"negative_slope", 0.5}}, {x}), DType::kF32, {4}, {-1.0, 0.0, 3.0, kNaN});
}

TEST_CASE("softplus: threshold and no overflow") {
  HostTensor x = F64({6}, {-1e4, -1.0, 0.0, 1.0, 20.5, 1e4});
  CheckTensor(Eval(OpKind::Softplus, {}, {x}), DType::kF64, {6},
              {0.0, std::log1p(std::exp(-1.0)), std::log(2.0), std::log1p(std::exp(1.0)), 20.5, 1e4});
  // beta 2, threshold 3: 2*1 = 2 <= 3 uses the log form, 2*2 = 4 > 3 returns x.
  CheckTensor(Eval(OpKind::Softplus, {{"beta", 2.0}, {"threshold", 3.0}}, {F64({3}, {1.0, 2.0, -1.0})}), DType::kF64,
              {3}, {std::log1p(std::exp(2.0)) / 2, 2.0, std::log1p(std::exp(-2.0)) / 2});
  CheckTensor(Eval(OpKind::Softplus, {}, {F32({1}, {NAN})}), DType::kF32, {1}, {kNaN});
}

TEST_CASE("gelu: erf and tanh forms") {
  HostTensor x = F64({4}, {-3.0, -0.5, 0.0, 2.0});
  auto exact = [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); };
  auto approx = [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  };
  CheckTensor(Eval(OpKind::Gelu, {}, {x}), DType::kF64, {4}, {exact(-3), exact(-0.5), 0.0, exact(2)});
  CheckTensor(Eval(OpKind::Gelu, {{"approximate", std::string("tanh")}}, {x}), DType::kF64, {4},
              {approx(-3), approx(-0.5), 0.0, approx(2)});
  // Known values: gelu(1) = 0.8413447460685429.
  CheckTensor(Eval(OpKind::Gelu, {}, {F64({1}, {1.0})}), DType::kF64, {1}, {0.8413447460685429});
  Status s = EvalError(OpKind::Gelu, {{"approximate", std::string("fast")}}, {x});
  CHECK_THAT(s.message(), Catch::Contains("approximate must be \"none\" or \"tanh\""));
}

TEST_CASE("random_uniform: counter-based, seeded, in [0, 1)") {
  HostTensor like = HostTensor(DType::kF32, {100, 100});
  HostTensor a = Eval(OpKind::RandomUniform, {{"seed", int64_t{7}}}, {like});
  HostTensor b = Eval(OpKind::RandomUniform, {{"seed", int64_t{7}}}, {like});
  HostTensor c = Eval(OpKind::RandomUniform, {{"seed", int64_t{8}}}, {like});
  CHECK(a.BitwiseEqual(b));
  CHECK_FALSE(a.BitwiseEqual(c));
  REQUIRE(a.dtype() == DType::kF32);
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  std::set<double> distinct;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    double u = a.GetDouble(i);
    sum += u;
    sum2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    distinct.insert(u);
  }
  double n = static_cast<double>(a.num_elements()), mean = sum / n, var = sum2 / n - mean * mean;
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(mean == Approx(0.5).margin(0.01));
  CHECK(var == Approx(1.0 / 12).margin(0.003));
  CHECK(distinct.size() > 9900);
  // Element i of offset k is element i + k of offset 0: the counter is offset + flat index.
  HostTensor shifted = Eval(OpKind::RandomUniform, {{"seed", int64_t{7}}, {"offset", int64_t{5}}}, {F64({3}, {0, 0, 0})});
  HostTensor flat = Eval(OpKind::RandomUniform, {{"seed", int64_t{7}}}, {F64({8}, std::vector<double>(8, 0.0))});
  for (int64_t i = 0; i < 3; ++i) CHECK(shifted.GetDouble(i) == flat.GetDouble(i + 5));
  // The first values of seed 0 are fixed by the op's definition (a backend must reproduce them).
  HostTensor first = Eval(OpKind::RandomUniform, {{"seed", int64_t{0}}}, {F64({2}, {0, 0})});
  uint64_t key = 0;
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  key = mix(key);
  for (uint64_t i = 0; i < 2; ++i) {
    double want = static_cast<double>(mix(key + (i + 1) * 0x9E3779B97F4A7C15ULL) >> 40) / 16777216.0;
    CHECK(first.GetDouble(static_cast<int64_t>(i)) == want);
  }
  CHECK(EvalError(OpKind::RandomUniform, {{"seed", int64_t{1}}}, {I64({1}, {1})}).code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("layers5a ops round-trip through .kir with a symbolic batch") {
  const char* text =
      "graph g {\n  input %x : f32[N,3]\n"
      "  %0 = gelu(%x) {approximate=\"tanh\"} : f32[N,3]\n"
      "  %1 = random_uniform(%0) {offset=0, seed=3} : f32[N,3]\n"
      "  output out = %1\n}\n";
  auto g = kiln::ir::ParseGraph(text, "t.kir");
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  CHECK(kiln::ir::PrintGraph(**g) == text);
  auto out = RunGraph(**g, {{"x", F32({2, 3}, {0, 0, 0, 0, 0, 0})}});
  REQUIRE(out.ok());
  CHECK((*out)[0].second.sizes() == std::vector<int64_t>{2, 3});
}
