// kiln::nn::init: gains, fans, each initializer's bounds/statistics, exact eye_/dirac_,
// orthogonality of orthogonal_, determinism with a seeded generator.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "frontend/nn.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Matchers::Contains;

struct Stats {
  double mean = 0, std = 0, min = 0, max = 0;
};

Stats StatsOf(const Tensor& t) {
  std::vector<double> v = t.to_vector<double>();
  Stats s;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.std += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(s.std / static_cast<double>(v.size() - 1));
  return s;
}

// (rows x cols) row-major product A * A^T.
std::vector<double> GramRows(const std::vector<double>& a, int64_t rows, int64_t cols) {
  std::vector<double> g(static_cast<size_t>(rows * rows));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < rows; ++j) {
      double d = 0;
      for (int64_t k = 0; k < cols; ++k) d += a[static_cast<size_t>(i * cols + k)] * a[static_cast<size_t>(j * cols + k)];
      g[static_cast<size_t>(i * rows + j)] = d;
    }
  }
  return g;
}

std::vector<double> Transposed(const std::vector<double>& a, int64_t rows, int64_t cols) {
  std::vector<double> t(a.size());
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) t[static_cast<size_t>(j * rows + i)] = a[static_cast<size_t>(i * cols + j)];
  }
  return t;
}

void CheckIdentity(const std::vector<double>& g, int64_t n, double scale) {
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      INFO(i << "," << j);
      CHECK(g[static_cast<size_t>(i * n + j)] == Approx(i == j ? scale : 0.0).margin(1e-5));
    }
  }
}

}  // namespace

TEST_CASE("calculate_gain follows torch's table", "[init]") {
  using nn::init::calculate_gain;
  for (const char* name : {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                           "conv_transpose3d", "sigmoid"}) {
    CHECK(calculate_gain(name) == 1.0);
  }
  CHECK(calculate_gain("tanh") == Approx(5.0 / 3));
  CHECK(calculate_gain("relu") == Approx(std::sqrt(2.0)));
  CHECK(calculate_gain("leaky_relu") == Approx(std::sqrt(2.0 / (1 + 0.01 * 0.01))));
  CHECK(calculate_gain("leaky_relu", 0.2) == Approx(std::sqrt(2.0 / 1.04)));
  CHECK(calculate_gain("leaky_relu", std::sqrt(5.0)) == Approx(std::sqrt(1.0 / 3)));
  CHECK(calculate_gain("selu") == 0.75);
  CHECK_THROWS_WITH(calculate_gain("swish"), Contains("Unsupported nonlinearity swish"));
}

TEST_CASE("fan in and fan out", "[init]") {
  auto [fi, fo] = nn::init::_calculate_fan_in_and_fan_out(zeros({3, 4, 5, 5}));
  CHECK(fi == 100);
  CHECK(fo == 75);
  CHECK(nn::init::_calculate_correct_fan(zeros({10, 784}), "fan_in") == 784);
  CHECK(nn::init::_calculate_correct_fan(zeros({10, 784}), "fan_out") == 10);
  CHECK_THROWS_WITH(nn::init::_calculate_fan_in_and_fan_out(zeros({5})),
                    Contains("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"));
  CHECK_THROWS_WITH(nn::init::_calculate_correct_fan(zeros({2, 2}), "fan_avg"), Contains("Mode fan_avg not supported"));
}

TEST_CASE("uniform_, normal_, constant_, ones_, zeros_", "[init]") {
  Generator g(1);
  Tensor t = empty({200, 100});
  Tensor r = nn::init::uniform_(t, -2, 3, &g);
  CHECK(r.is_same(t));
  Stats s = StatsOf(t);
  CHECK(s.min >= -2);
  CHECK(s.max < 3);
  CHECK(s.mean == Approx(0.5).margin(0.05));
  CHECK(s.std == Approx(5 / std::sqrt(12.0)).margin(0.03));

  nn::init::normal_(t, 1.0, 0.5, &g);
  s = StatsOf(t);
  CHECK(s.mean == Approx(1.0).margin(0.02));
  CHECK(s.std == Approx(0.5).margin(0.02));

  nn::init::constant_(t, 0.25);
  CHECK(StatsOf(t).min == 0.25);
  CHECK(StatsOf(t).max == 0.25);
  nn::init::ones_(t);
  CHECK(StatsOf(t).mean == 1.0);
  nn::init::zeros_(t);
  CHECK(StatsOf(t).max == 0.0);

  // The same seed gives the same values.
  Generator a(7), b(7);
  CHECK(allclose(nn::init::normal_(empty({10}), 0, 1, &a), nn::init::normal_(empty({10}), 0, 1, &b), 0, 0));
}

TEST_CASE("trunc_normal_ stays within [a, b]", "[init]") {
  Generator g(3);
  Tensor t = empty({20000});
  nn::init::trunc_normal_(t, 0.0, 1.0, -2.0, 2.0, &g);
  Stats s = StatsOf(t);
  CHECK(s.min >= -2.0);
  CHECK(s.max <= 2.0);
  CHECK(s.mean == Approx(0).margin(0.03));
  CHECK(s.std == Approx(0.8796).margin(0.03));  // std of N(0,1) truncated to [-2, 2]
  nn::init::trunc_normal_(t, 5.0, 0.1, 4.9, 5.3, &g);
  s = StatsOf(t);
  CHECK(s.min >= 4.9);
  CHECK(s.max <= 5.3);
}

TEST_CASE("eye_ and dirac_ are exact", "[init]") {
  Tensor e = nn::init::eye_(full({3, 4}, 7.0));
  CHECK(e.to_vector<float>() == std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
  CHECK_THROWS_WITH(nn::init::eye_(zeros({2, 2, 2})), Contains("Only tensors with 2 dimensions are supported"));

  Tensor d = nn::init::dirac_(full({2, 3, 3}, 5.0));
  std::vector<float> dv = d.to_vector<float>();
  std::vector<float> expected(18, 0.0f);
  expected[0 * 9 + 0 * 3 + 1] = 1;  // [0, 0, 1]
  expected[1 * 9 + 1 * 3 + 1] = 1;  // [1, 1, 1]
  CHECK(dv == expected);

  // groups=2 on [4, 2, 3]: out channels per group 2, each copies in channel 0 and 1.
  std::vector<float> g = nn::init::dirac_(zeros({4, 2, 3}), 2).to_vector<float>();
  std::vector<float> eg(24, 0.0f);
  for (int o : {0, 1, 2, 3}) eg[static_cast<size_t>(o * 6 + (o % 2) * 3 + 1)] = 1;
  CHECK(g == eg);

  // A dirac-initialized 3x3 conv with padding 1 reproduces its input.
  Tensor w = nn::init::dirac_(zeros({3, 3, 3, 3}));
  Tensor x = randn({1, 3, 5, 5});
  CHECK(allclose(nn::F::conv2d(x, w, {}, 1, 1), x));
  CHECK_THROWS_WITH(nn::init::dirac_(zeros({2, 2})), Contains("Only tensors with 3, 4, or 5 dimensions are supported"));
  CHECK_THROWS_WITH(nn::init::dirac_(zeros({3, 2, 3}), 2), Contains("dim 0 must be divisible by groups"));
}

TEST_CASE("xavier and kaiming bounds and standard deviations", "[init]") {
  Generator g(5);
  Tensor t = empty({300, 200});
  nn::init::xavier_uniform_(t, 2.0, &g);
  double a = 2.0 * std::sqrt(6.0 / 500.0);
  Stats s = StatsOf(t);
  CHECK(s.min >= -a);
  CHECK(s.max <= a);
  CHECK(s.max > 0.99 * a);
  nn::init::xavier_normal_(t, 1.0, &g);
  CHECK(StatsOf(t).std == Approx(std::sqrt(2.0 / 500.0)).epsilon(0.03));

  nn::init::kaiming_uniform_(t, 0.0, "fan_in", "relu", &g);
  double bound = std::sqrt(6.0 / 200.0);
  s = StatsOf(t);
  CHECK(s.min >= -bound);
  CHECK(s.max <= bound);
  CHECK(s.max > 0.99 * bound);
  nn::init::kaiming_normal_(t, 0.0, "fan_out", "relu", &g);
  CHECK(StatsOf(t).std == Approx(std::sqrt(2.0 / 300.0)).epsilon(0.03));
  // Linear's default: a = sqrt(5) gives bound 1/sqrt(fan_in).
  nn::init::kaiming_uniform_(t, std::sqrt(5.0), "fan_in", "leaky_relu", &g);
  s = StatsOf(t);
  CHECK(s.max <= 1 / std::sqrt(200.0));
  CHECK(s.max > 0.99 / std::sqrt(200.0));
  CHECK_THROWS_WITH(nn::init::kaiming_uniform_(t, 0, "fan_avg"), Contains("Mode fan_avg not supported"));
  CHECK_THROWS_WITH(nn::init::xavier_uniform_(empty({4})), Contains("fewer than 2 dimensions"));
  // A tensor without elements is left alone.
  CHECK(nn::init::kaiming_uniform_(empty({0, 3})).numel() == 0);
}

TEST_CASE("orthogonal_ gives orthonormal rows or columns", "[init]") {
  Generator g(11);
  // Tall: Q^T Q = I.
  Tensor tall = nn::init::orthogonal_(empty({6, 3}), 1.0, &g);
  CheckIdentity(GramRows(Transposed(tall.to_vector<double>(), 6, 3), 3, 6), 3, 1.0);
  // Wide: Q Q^T = I.
  Tensor wide = nn::init::orthogonal_(empty({3, 6}), 1.0, &g);
  CheckIdentity(GramRows(wide.to_vector<double>(), 3, 6), 3, 1.0);
  // Square with gain 2: Q^T Q = 4 I; more dims are flattened (4 x 2*2).
  Tensor sq = nn::init::orthogonal_(empty({4, 2, 2}), 2.0, &g);
  CheckIdentity(GramRows(sq.to_vector<double>(), 4, 4), 4, 4.0);
  CHECK_THROWS_WITH(nn::init::orthogonal_(empty({3})), Contains("Only tensors with 2 or more dimensions are supported"));
}
