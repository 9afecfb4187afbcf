// Activation, dropout and distance layers and functions: reprs (torch 1.13's strings), options, state_dict keys,
// errors, inplace, hand-checked values, and the statistics of the random layers (dropout
// variants, RReLU) eagerly and traced.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/nn.h"
#include "frontend/trace.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Matchers::Contains;

Tensor T(std::vector<float> values, std::vector<int64_t> sizes) { return tensor(values, sizes); }

std::vector<std::string> Keys(const nn::Module& m) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.state_dict()) keys.push_back(k);
  return keys;
}

void CheckValues(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  std::vector<float> got = t.to_vector<float>();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(expected[i]).margin(tol));
  }
}

ir::HostTensor RunTraced(nn::Module& m, const Tensor& x) {
  std::vector<ir::Dim> dims = {sym("N")};
  for (int64_t d = 1; d < x.dim(); ++d) dims.push_back(ir::Dim(x.size(d)));
  auto g = trace(m, {TensorSpec(dims)});
  auto out = reference::RunGraph(*g, {{"input", x.data()}});
  REQUIRE(out.ok());
  return (*out)[0].second;
}

}  // namespace

TEST_CASE("Activation layers: reprs match torch 1.13", "[activation]") {
  CHECK(nn::ELU()->repr() == "ELU(alpha=1.0)");
  CHECK(nn::ELU(0.5, true)->repr() == "ELU(alpha=0.5, inplace=True)");
  CHECK(nn::Hardshrink()->repr() == "Hardshrink(0.5)");
  CHECK(nn::Hardtanh()->repr() == "Hardtanh(min_val=-1.0, max_val=1.0)");
  CHECK(nn::Hardtanh(-2, 3, true)->repr() == "Hardtanh(min_val=-2.0, max_val=3.0, inplace=True)");
  CHECK(nn::LeakyReLU()->repr() == "LeakyReLU(negative_slope=0.01)");
  CHECK(nn::LeakyReLU(0.2, true)->repr() == "LeakyReLU(negative_slope=0.2, inplace=True)");
  CHECK(nn::LogSigmoid()->repr() == "LogSigmoid()");
  CHECK(nn::PReLU()->repr() == "PReLU(num_parameters=1)");
  CHECK(nn::PReLU(3, 0.1)->repr() == "PReLU(num_parameters=3)");
  CHECK(nn::RReLU()->repr() == "RReLU(lower=0.125, upper=0.3333333333333333)");
  CHECK(nn::RReLU(0.1, 0.3, true)->repr() == "RReLU(lower=0.1, upper=0.3, inplace=True)");
  CHECK(nn::SELU()->repr() == "SELU()");
  CHECK(nn::SELU(true)->repr() == "SELU(inplace=True)");
  CHECK(nn::CELU()->repr() == "CELU(alpha=1.0)");
  CHECK(nn::CELU(2.0, true)->repr() == "CELU(alpha=2.0, inplace=True)");
  CHECK(nn::Softplus()->repr() == "Softplus(beta=1, threshold=20)");
  CHECK(nn::Softplus(2.5, 10.0)->repr() == "Softplus(beta=2.5, threshold=10)");
  CHECK(nn::Softshrink()->repr() == "Softshrink(0.5)");
  CHECK(nn::Softsign()->repr() == "Softsign()");
  CHECK(nn::Tanhshrink()->repr() == "Tanhshrink()");
  CHECK(nn::Threshold(0.1, 20.0, true)->repr() == "Threshold(threshold=0.1, value=20.0, inplace=True)");
  CHECK(nn::Softmin()->repr() == "Softmin(dim=None)");
  CHECK(nn::Softmin(1)->repr() == "Softmin(dim=1)");
  CHECK(nn::Softmax2d()->repr() == "Softmax2d()");
  CHECK(nn::GELU()->repr() == "GELU(approximate='none')");
  CHECK(nn::GELU("tanh")->repr() == "GELU(approximate='tanh')");
  CHECK(nn::Dropout2d()->repr() == "Dropout2d(p=0.5, inplace=False)");
  CHECK(nn::Dropout3d(nn::Dropout3dOptions(0.2).inplace(true))->repr() == "Dropout3d(p=0.2, inplace=True)");
  CHECK(nn::AlphaDropout()->repr() == "AlphaDropout(p=0.5, inplace=False)");
  CHECK(nn::FeatureAlphaDropout(0.2)->repr() == "FeatureAlphaDropout(p=0.2, inplace=False)");
  CHECK(nn::CosineSimilarity()->repr() == "CosineSimilarity()");
  CHECK(nn::PairwiseDistance(1.0, 1e-3, true)->repr() == "PairwiseDistance()");
  CHECK(nn::AdaptiveLogSoftmaxWithLoss(16, 20, std::vector<int64_t>{4, 10}, 2.0)->repr() ==
        "AdaptiveLogSoftmaxWithLoss(\n"
        "  (head): Linear(in_features=16, out_features=6, bias=False)\n"
        "  (tail): ModuleList(\n"
        "    (0): Sequential(\n"
        "      (0): Linear(in_features=16, out_features=8, bias=False)\n"
        "      (1): Linear(in_features=8, out_features=6, bias=False)\n"
        "    )\n"
        "    (1): Sequential(\n"
        "      (0): Linear(in_features=16, out_features=4, bias=False)\n"
        "      (1): Linear(in_features=4, out_features=10, bias=False)\n"
        "    )\n"
        "  )\n"
        ")");
}

TEST_CASE("Activation layers: parameters, state_dict keys and bad arguments", "[activation]") {
  nn::PReLU prelu(3, 0.1);
  CHECK(Keys(*prelu) == std::vector<std::string>{"weight"});
  CheckValues(prelu->weight, {0.1, 0.1, 0.1});
  CHECK(prelu->weight.requires_grad());
  nn::AdaptiveLogSoftmaxWithLoss asm_(8, 12, std::vector<int64_t>{3}, 4.0, true);
  CHECK(Keys(*asm_) == std::vector<std::string>{"head.weight", "head.bias", "tail.0.0.weight", "tail.0.1.weight"});
  CHECK(asm_->cutoffs == std::vector<int64_t>{3, 12});
  CHECK(asm_->head_size == 4);

  CHECK_THROWS_WITH(nn::AdaptiveLogSoftmaxWithLoss(8, 12, std::vector<int64_t>{5, 3}),
                    Contains("cutoffs should be a sequence of unique, positive integers"));
  CHECK_THROWS_WITH(nn::AdaptiveLogSoftmaxWithLoss(8, 12, std::vector<int64_t>{12}), Contains("between 1 and n_classes-1"));
  CHECK_THROWS_WITH(nn::Softshrink(-1.0), Contains("lambda must be greater or equal to 0, but found to be -1.0."));
  CHECK_THROWS_WITH(nn::Hardtanh(1, 0), Contains("Hardtanh: max_val (0.0) must be greater than min_val (1.0)"));
  CHECK_THROWS_WITH(nn::GELU("fast"), Contains("approximate argument must be either none or tanh"));
  CHECK_THROWS_WITH(nn::Dropout2d(1.5), Contains("Dropout2d: dropout probability has to be between 0 and 1, but got 1.5"));
  CHECK_THROWS_WITH(nn::AlphaDropout(-0.5), Contains("but got -0.5"));
  CHECK_THROWS_WITH(nn::CELU(0.0)(ones({2})), Contains("ZeroDivisionError: alpha cannot be 0 for CELU"));
  CHECK_THROWS_WITH(nn::PReLU(3)(ones({2, 4})),
                    Contains("Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and "
                             "channel size = 4."));
  CHECK_THROWS_WITH(nn::PReLU(3)(ones({3})), Contains("channel size = 1"));
  CHECK_THROWS_WITH(nn::Softmax2d()(ones({2, 3})), Contains("Softmax2d requires a 3D or 4D tensor as input"));
  CHECK_THROWS_WITH(nn::Softmin(2)(ones({2, 3})), Contains("Dimension out of range"));
  CHECK_THROWS_WITH(nn::LeakyReLU()(tensor(std::vector<int64_t>{1, 2})), Contains("expected a floating point input"));
  CHECK_THROWS_WITH(nn::RReLU(0.5, 0.1)(ones({2})), Contains("Lower bound should be less than or equal to the upper bound"));
  nn::Dropout2d d2;
  CHECK_THROWS_WITH(d2(ones({4})), Contains("Feature dropout requires at least 2 dimensions in the input"));
  nn::CosineSimilarity cos;
  CHECK_THROWS_WITH(cos->forward(ones({2, 3}), ones({2, 4})), Contains("cannot broadcast"));
  CHECK_THROWS_WITH(nn::CosineSimilarity(2)->forward(ones({2, 3}), ones({2, 3})), Contains("Dimension out of range"));
  CHECK_THROWS_WITH(asm_->log_prob(ones({2, 5})), Contains("expected input [N, 8], got f32[2,5]"));
  CHECK_THROWS_WITH(asm_->forward(ones({2, 8}), tensor(std::vector<int64_t>{0, 12})),
                    Contains("Target values should be in [0, 11], but values in range [0, 12] were found."));
  CHECK_THROWS_WITH(asm_->forward(ones({2, 8}), tensor(std::vector<int64_t>{0, 1, 2})),
                    Contains("same size in the batch dimension"));
}

TEST_CASE("Activation layers: functions: hand-checked values and inplace", "[activation]") {
  Tensor x = T({-2, -0.25f, 0, 0.25f, 3}, {5});
  CheckValues(nn::F::hardshrink(x, 0.5), {-2, 0, 0, 0, 3});
  CheckValues(nn::F::softshrink(x, 0.5), {-1.5, 0, 0, 0, 2.5});
  CheckValues(nn::F::hardtanh(x), {-1, -0.25, 0, 0.25, 1});
  CheckValues(nn::F::threshold(x, 0.0, 7.0), {7, 7, 7, 0.25, 3});
  CheckValues(nn::F::leaky_relu(x, 0.1), {-0.2, -0.025, 0, 0.25, 3});
  CheckValues(nn::F::softsign(x), {-2.0 / 3, -0.2, 0, 0.2, 0.75});
  CheckValues(nn::F::tanhshrink(x), {-2 - std::tanh(-2.0), -0.25 - std::tanh(-0.25), 0, 0.25 - std::tanh(0.25),
                                     3 - std::tanh(3.0)});
  CheckValues(nn::F::elu(x), {std::expm1(-2.0), std::expm1(-0.25), 0, 0.25, 3});
  CheckValues(nn::F::celu(x, 2.0), {2 * std::expm1(-1.0), 2 * std::expm1(-0.125), 0, 0.25, 3});
  CheckValues(nn::F::selu(T({-1, 1}, {2})), {1.0507009873554805 * 1.6732632423543772 * std::expm1(-1.0), 1.0507009873554805});
  CheckValues(nn::F::rrelu(x, 0.1, 0.3), {-0.4, -0.05, 0, 0.25, 3});  // eval: slope 0.2
  // logsigmoid is stable at +-1e4.
  CheckValues(nn::F::logsigmoid(T({-1e4f, 0, 1e4f}, {3})), {-1e4, -std::log(2.0), 0}, 1e-3);
  CheckValues(nn::F::softplus(T({-1e4f, 0, 1e4f}, {3})), {0, std::log(2.0), 1e4}, 1e-3);
  CheckValues(nn::F::softmin(T({1, 2}, {2}), 0), {1 / (1 + std::exp(-1.0)), 1 - 1 / (1 + std::exp(-1.0))});
  // PReLU with per-channel weights on [N, C, L].
  Tensor w = T({0.5f, -1}, {2});
  CheckValues(nn::F::prelu(T({-2, 2, -2, 2}, {1, 2, 2}), w), {-1, 2, 2, 2});
  // Distances.
  CheckValues(nn::F::cosine_similarity(T({1, 0, 0, 0}, {2, 2}), T({1, 1, 0, 0}, {2, 2})), {std::sqrt(0.5), 0});
  CheckValues(nn::F::pairwise_distance(T({0, 0}, {1, 2}), T({3, 4}, {1, 2}), 2.0, 0.0), {5});
  CheckValues(nn::F::pairwise_distance(T({0, 0}, {1, 2}), T({3, 4}, {1, 2}), 1.0, 0.0), {7});
  CheckValues(nn::F::pairwise_distance(T({0, 0}, {1, 2}), T({3, 4}, {1, 2}), INFINITY, 0.0), {4});
  CheckValues(nn::F::pairwise_distance(T({0, 0}, {1, 2}), T({3, 0}, {1, 2}), 0.0, 0.0), {1});

  // inplace writes into a concrete input and returns it.
  Tensor y = T({-1, 2}, {2});
  Tensor r = nn::LeakyReLU(0.5, true)(y);
  CHECK(r.is_same(y));
  CheckValues(y, {-0.5, 2});
  Tensor z = T({-1, 2}, {2});
  nn::ELU(1.0, false)(z);
  CheckValues(z, {-1, 2});
}

TEST_CASE("Dropout variants: identity in eval, statistics in training", "[activation]") {
  Tensor x = ones({64, 32, 2, 2});
  nn::Dropout2d d2(0.25);
  d2->eval();
  CHECK(d2(x).is_same(x));
  d2->train();
  Generator g(3);
  d2->generator = &g;
  std::vector<float> v = d2(x).to_vector<float>();
  int kept_channels = 0;
  for (size_t c = 0; c < v.size(); c += 4) {
    // Whole channels are kept (scaled by 1/(1-p)) or zeroed.
    bool all_same = v[c] == v[c + 1] && v[c] == v[c + 2] && v[c] == v[c + 3];
    REQUIRE(all_same);
    REQUIRE((v[c] == 0.0f || std::abs(v[c] - 1 / 0.75f) < 1e-6));
    kept_channels += v[c] != 0.0f;
  }
  CHECK(kept_channels == Approx(0.75 * 64 * 32).margin(100));
  // Same seed, same mask.
  Generator g2(3);
  d2->generator = &g2;
  CHECK(allclose(d2(x), Tensor(ir::HostTensor::FromVector({64, 32, 2, 2}, v))));

  // Dropout3d on unbatched [C, D, H, W]: one draw per channel.
  nn::Dropout3d d3(0.5);
  std::vector<float> v3 = d3(ones({40, 2, 2, 2})).to_vector<float>();
  for (size_t c = 0; c < v3.size(); c += 8) CHECK(v3[c] == v3[c + 7]);

  // AlphaDropout keeps mean 0 and variance 1 of a standard normal input.
  Generator gn(11);
  Tensor n = randn({200000}, &gn);
  nn::AlphaDropout ad(0.3);
  std::vector<float> a = ad(n).to_vector<float>();
  double sum = 0, sum2 = 0;
  for (float e : a) {
    sum += e;
    sum2 += static_cast<double>(e) * e;
  }
  double mean = sum / a.size(), var = sum2 / a.size() - mean * mean;
  CHECK(mean == Approx(0.0).margin(0.02));
  CHECK(var == Approx(1.0).margin(0.03));
  ad->eval();
  CHECK(ad(n).is_same(n));
}

TEST_CASE("Training-mode dropout and RReLU trace and reproduce eager masks", "[activation][trace]") {
  Tensor x = ones({4, 300});
  for (int kind = 0; kind < 5; ++kind) {
    nn::ModulePtr m;
    if (kind == 3) m = nn::Dropout2d(0.4).ptr();
    if (kind == 4) m = nn::FeatureAlphaDropout(0.4).ptr();
    if (kind == 0) m = nn::Dropout(0.4).ptr();
    if (kind == 1) m = nn::AlphaDropout(0.4).ptr();
    if (kind == 2) m = nn::RReLU(0.1, 0.3).ptr();
    INFO(m->name());
    m->train();
    Tensor input = kind == 2 ? -x : kind >= 3 ? ones({4, 30, 2, 5}) : x;
    manual_seed(77);
    Tensor eager = (*m)(input);
    manual_seed(77);
    ir::HostTensor traced = RunTraced(*m, input);
    CHECK(allclose(Tensor(traced), eager));
    if (kind == 0) {
      int kept = 0;
      for (float e : eager.to_vector<float>()) kept += e != 0.0f;
      CHECK(kept == Approx(0.6 * 1200).margin(80));
    }
    if (kind == 2) {
      // Slopes ~ U(0.1, 0.3): outputs in [-0.3, -0.1], mean -0.2.
      std::vector<float> s = eager.to_vector<float>();
      double mean = 0;
      for (float e : s) {
        REQUIRE(e <= -0.1f + 1e-6f);
        REQUIRE(e >= -0.3f - 1e-6f);
        mean += e / s.size();
      }
      CHECK(mean == Approx(-0.2).margin(0.01));
    }
  }
}
