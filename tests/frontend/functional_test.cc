// kiln::nn::functional: eager results checked by hand on small inputs, argument validation
// messages, and the trace behaviour of batch_norm and dropout.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "frontend/nn.h"
#include "frontend/trace.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Matchers::Contains;

Tensor T(std::vector<float> values, std::vector<int64_t> sizes) { return tensor(values, sizes); }

void CheckValues(const Tensor& t, const std::vector<float>& expected, std::vector<int64_t> sizes, double tol = 1e-5) {
  REQUIRE(t.sizes() == sizes);
  std::vector<float> got = t.to_vector<float>();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(expected[i]).margin(tol));
  }
}

Tensor Arange(int64_t n, std::vector<int64_t> sizes) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i);
  return T(v, sizes);
}

}  // namespace

TEST_CASE("F::linear computes x W^T + b and checks features", "[functional]") {
  Tensor x = T({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor w = T({1, 0, -1, 2, 1, 0}, {2, 3});
  Tensor b = T({0.5f, -1}, {2});
  CheckValues(nn::F::linear(x, w, b), {-1.5f, 3, -1.5f, 12}, {2, 2});
  CheckValues(nn::F::linear(x, w), {-2, 4, -2, 13}, {2, 2});
  CHECK_THROWS_WITH(nn::F::linear(x, T({1, 2, 3, 4}, {2, 2})),
                    Contains("expected input with 2 features in its last dim, got 3"));
  CHECK_THROWS_WITH(nn::F::linear(x, w, T({1, 2, 3}, {3})), Contains("expected bias with 2 elements"));
}

TEST_CASE("F::conv2d: stride, padding, groups, unbatched input, errors", "[functional]") {
  Tensor x = Arange(9, {1, 1, 3, 3});
  Tensor x1 = x + 1.0;  // 1..9
  Tensor w = ones({1, 1, 2, 2});
  CheckValues(nn::F::conv2d(x1, w), {12, 16, 24, 28}, {1, 1, 2, 2});
  CheckValues(nn::F::conv2d(x1, w, {}, 2, 1), {1, 5, 11, 28}, {1, 1, 2, 2});
  CheckValues(nn::F::conv2d(x1, w, T({10}, {1}), 2, 1), {11, 15, 21, 38}, {1, 1, 2, 2});
  // Unbatched [C, H, W].
  CheckValues(nn::F::conv2d(x1.reshape({1, 3, 3}), w), {12, 16, 24, 28}, {1, 2, 2});
  // Groups: two channels, each with its own 1x1 kernel.
  Tensor x2 = T({1, 2, 3, 4, 10, 20, 30, 40}, {1, 2, 2, 2});
  Tensor wg = T({2, -1}, {2, 1, 1, 1});
  CheckValues(nn::F::conv2d(x2, wg, {}, 1, 0, 1, 2), {2, 4, 6, 8, -10, -20, -30, -40}, {1, 2, 2, 2});
  // Dilation 2 over 3x3 with a 2x2 kernel touches the corners: 1 + 3 + 7 + 9.
  CheckValues(nn::F::conv2d(x1, w, {}, 1, 0, 2), {20}, {1, 1, 1, 1});

  CHECK_THROWS_WITH(nn::F::conv2d(ones({1, 3, 28, 28}), ones({6, 1, 5, 5})),
                    Contains("expected input with 1 channels, got 3"));
  CHECK_THROWS_WITH(nn::F::conv2d(ones({1, 1, 2, 2}), ones({6, 1, 5, 5})),
                    Contains("kernel size 5x5 (dilated) is larger than padded input 2x2"));
  CHECK_THROWS_WITH(nn::F::conv2d(ones({3, 3}), ones({6, 1, 5, 5})),
                    Contains("expected 3D (unbatched) or 4D (batched) input, got 2D"));
  CHECK_THROWS_WITH(nn::F::conv2d(x1, w, {}, 0), Contains("stride must be greater than zero"));
  CHECK_THROWS_WITH(nn::F::conv2d(x2, ones({3, 1, 1, 1}), {}, 1, 0, 1, 2), Contains("must be divisible by groups 2"));
}

TEST_CASE("F::conv1d and F::conv3d", "[functional]") {
  CheckValues(nn::F::conv1d(T({1, 2, 3, 4}, {1, 1, 4}), T({1, -1}, {1, 1, 2})), {-1, -1, -1}, {1, 1, 3});
  Tensor y = nn::F::conv3d(ones({1, 2, 3, 3, 3}), ones({4, 2, 2, 2, 2}), {}, 1, 0);
  REQUIRE(y.sizes() == std::vector<int64_t>{1, 4, 2, 2, 2});
  CHECK(y.to_vector<float>()[0] == 16.0f);
}

TEST_CASE("F::max_pool2d / avg_pool2d / 1d variants", "[functional]") {
  Tensor x = Arange(16, {1, 1, 4, 4});
  CheckValues(nn::F::max_pool2d(x, 2), {5, 7, 13, 15}, {1, 1, 2, 2});
  CheckValues(nn::F::avg_pool2d(x, 2), {2.5f, 4.5f, 10.5f, 12.5f}, {1, 1, 2, 2});
  Tensor x3 = Arange(9, {1, 1, 3, 3});
  CheckValues(nn::F::max_pool2d(x3, 2, 2, 0, 1, /*ceil_mode=*/true), {4, 5, 7, 8}, {1, 1, 2, 2});
  CheckValues(nn::F::max_pool2d(x3, 2, 2, 0, 1, /*ceil_mode=*/false), {4}, {1, 1, 1, 1});
  // Padding counts as -inf for max; avg with count_include_pad divides by the full window.
  CheckValues(nn::F::max_pool2d(x3 - 100.0, 3, 2, 1), {-96, -95, -93, -92}, {1, 1, 2, 2});
  CheckValues(nn::F::avg_pool2d(x3, 2, 2, 1), {0, 0.75f, 2.25f, 6}, {1, 1, 2, 2});
  CheckValues(nn::F::avg_pool2d(x3, 2, 2, 1, false, /*count_include_pad=*/false), {0, 1.5f, 4.5f, 6}, {1, 1, 2, 2});
  CheckValues(nn::F::avg_pool2d(x3, 2, 2, 1, false, true, /*divisor_override=*/1), {0, 3, 9, 24}, {1, 1, 2, 2});
  CheckValues(nn::F::max_pool1d(T({1, 5, 2, 4, 3}, {1, 1, 5}), 2), {5, 4}, {1, 1, 2});
  CheckValues(nn::F::avg_pool1d(T({1, 5, 2, 4, 3}, {1, 5}), 2, 1), {3, 3.5f, 3, 3.5f}, {1, 4});

  CHECK_THROWS_WITH(nn::F::max_pool2d(Arange(9, {1, 1, 3, 3}), 5),
                    Contains("kernel_size 5x5 is larger than padded input 3x3"));
  CHECK_THROWS_WITH(nn::F::max_pool2d(x, 3, 1, 2), Contains("pad should be at most half of kernel size"));
  CHECK_THROWS_WITH(nn::F::avg_pool2d(x, 2, 2, 0, false, true, 0), Contains("divisor_override must not be zero"));
  CHECK_THROWS_WITH(nn::F::max_pool2d(ones({4, 4}), 2), Contains("expected 3D or 4D input, got 2D"));
}

TEST_CASE("F::adaptive_avg_pool2d: global, divisible, non-divisible and None", "[functional]") {
  Tensor x = Arange(9, {1, 1, 3, 3});
  CheckValues(nn::F::adaptive_avg_pool2d(x, 1), {4}, {1, 1, 1, 1});
  // 3 -> 2: windows [0, 2) and [1, 3) on both dims.
  CheckValues(nn::F::adaptive_avg_pool2d(x, 2), {2, 3, 5, 6}, {1, 1, 2, 2});
  CheckValues(nn::F::adaptive_avg_pool2d(x, 3), x.to_vector<float>(), {1, 1, 3, 3});
  // None keeps the input size: (None, 1) averages each row.
  CheckValues(nn::F::adaptive_avg_pool2d(x, nn::ExpandingArrayWithOptionalElem<2>{std::nullopt, 1}), {1, 4, 7},
              {1, 1, 3, 1});
  // 5 -> 3 along W: windows [0, 2), [1, 4), [3, 5).
  Tensor row = T({0, 1, 2, 3, 4}, {1, 1, 5});
  CheckValues(nn::F::adaptive_avg_pool2d(row, nn::ExpandingArrayWithOptionalElem<2>{1, 3}), {0.5f, 2, 3.5f},
              {1, 1, 3});
  // Divisible: 4x4 -> 2x2 is a 2x2 average pool.
  CheckValues(nn::F::adaptive_avg_pool2d(Arange(16, {1, 1, 4, 4}), 2), {2.5f, 4.5f, 10.5f, 12.5f}, {1, 1, 2, 2});
  CHECK_THROWS_WITH(nn::F::adaptive_avg_pool2d(ones({3, 3}), 1), Contains("expected 3D or 4D input"));
  CHECK_THROWS_WITH(nn::F::adaptive_avg_pool2d(x, 0), Contains("output_size must be positive"));
}

TEST_CASE("F activations", "[functional]") {
  Tensor x = T({-1, 0, 3, 7}, {4});
  CheckValues(nn::F::relu(x), {0, 0, 3, 7}, {4});
  CheckValues(nn::F::relu6(x), {0, 0, 3, 6}, {4});
  CheckValues(nn::F::sigmoid(T({0}, {1})), {0.5f}, {1});
  CheckValues(nn::F::tanh(T({0, 1}, {2})), {0, static_cast<float>(std::tanh(1.0))}, {2});
  Tensor s = nn::F::softmax(T({1, 2, 3, 1, 1, 1}, {2, 3}), 1);
  double e = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CheckValues(s, {static_cast<float>(std::exp(1.0) / e), static_cast<float>(std::exp(2.0) / e),
                  static_cast<float>(std::exp(3.0) / e), 1 / 3.f, 1 / 3.f, 1 / 3.f},
              {2, 3});
  CheckValues(nn::F::softmax(T({1, 1, 1, 1}, {2, 2}), 0), {0.5f, 0.5f, 0.5f, 0.5f}, {2, 2});
  CheckValues(nn::F::log_softmax(T({1, 1, 1, 1}, {2, 2}), -1),
              {static_cast<float>(-std::log(2.0)), static_cast<float>(-std::log(2.0)),
               static_cast<float>(-std::log(2.0)), static_cast<float>(-std::log(2.0))},
              {2, 2});
  CHECK_THROWS_WITH(nn::F::softmax(x, 2), Contains("dimension out of range"));
  CHECK_THROWS_WITH(nn::F::sigmoid(tensor(std::vector<int64_t>{1, 2})), Contains("expected a floating point input"));

  // inplace writes into a concrete input, as torch.
  Tensor y = T({-2, 2}, {2});
  Tensor r = nn::F::relu(y, /*inplace=*/true);
  CHECK(r.is_same(y));
  CheckValues(y, {0, 2}, {2});
}

TEST_CASE("F::batch_norm: eval with running stats, training with batch stats and updates", "[functional]") {
  Tensor x = T({3, 5, 1, 8}, {2, 2});
  Tensor rm = T({1, 2}, {2}), rv = T({4, 9}, {2});
  CheckValues(nn::F::batch_norm(x, rm, rv, {}, {}, false, 0.1, 0.0), {1, 1, 0, 2}, {2, 2});
  CheckValues(nn::F::batch_norm(x, rm, rv, T({2, 1}, {2}), T({0, 1}, {2}), false, 0.1, 0.0), {2, 2, 0, 3}, {2, 2});
  // [N, C, L]: stats broadcast over dim 1.
  Tensor x3 = T({2, 4, 3, 11}, {1, 2, 2});
  CheckValues(nn::F::batch_norm(x3, rm, rv, {}, {}, false, 0.1, 0.0), {0.5f, 1.5f, 1. / 3, 3}, {1, 2, 2});

  // Training: channel 0 sees {1, 3}: mean 2, biased var 1, unbiased var 2.
  Tensor xt = T({1, 10, 3, 10}, {2, 2});
  Tensor m = zeros({2}), v = ones({2});
  Tensor yt = nn::F::batch_norm(xt, m, v, {}, {}, true, 0.1, 1e-5);
  CheckValues(yt, {-1, 0, 1, 0}, {2, 2});
  CheckValues(m, {0.2f, 1.0f}, {2});
  CheckValues(v, {1.1f, 0.9f}, {2});
  // Without running stats, training mode still works (track_running_stats=False).
  CheckValues(nn::F::batch_norm(xt, {}, {}, {}, {}, true, 0.1, 1e-5), {-1, 0, 1, 0}, {2, 2});

  CHECK_THROWS_WITH(nn::F::batch_norm(T({1, 2}, {1, 2}), m, v, {}, {}, true),
                    Contains("Expected more than 1 value per channel when training, got input size (1, 2)"));
  CHECK_THROWS_WITH(nn::F::batch_norm(x, T({1, 2, 3}, {3}), rv), Contains("running_mean should contain 2 elements not 3"));
  CHECK_THROWS_WITH(nn::F::batch_norm(x, {}, {}), Contains("needed in evaluation mode"));
}

TEST_CASE("F::dropout: identity in eval, masks and scales in training", "[functional]") {
  Tensor x = ones({100, 100});
  CHECK(nn::F::dropout(x, 0.5, false).is_same(x));
  CHECK(nn::F::dropout(x, 0.0, true).is_same(x));
  CheckValues(nn::F::dropout(T({1, 2}, {2}), 1.0, true), {0, 0}, {2});
  Generator g(42);
  Tensor y = nn::F::dropout(x, 0.25, true, &g);
  int kept = 0;
  for (float v : y.to_vector<float>()) {
    bool ok = v == 0.0f || std::abs(v - 1 / 0.75f) < 1e-6;
    REQUIRE(ok);
    kept += v != 0.0f;
  }
  CHECK(kept > 7200);
  CHECK(kept < 7800);
  Generator g2(42);
  CHECK(allclose(nn::F::dropout(x, 0.25, true, &g2), y));
  CHECK_THROWS_WITH(nn::F::dropout(x, 1.5), Contains("dropout probability has to be between 0 and 1, but got 1.5"));
}

TEST_CASE("F::flatten", "[functional]") {
  CHECK(nn::F::flatten(ones({2, 3, 4})).sizes() == std::vector<int64_t>{24});
  CHECK(nn::F::flatten(ones({2, 3, 4}), 1).sizes() == std::vector<int64_t>{2, 12});
  CHECK(nn::F::flatten(ones({2, 3, 4, 5}), 1, 2).sizes() == std::vector<int64_t>{2, 12, 5});
}

TEST_CASE("py_float spells floats as Python's repr", "[functional]") {
  CHECK(nn::py_float(1e-5) == "1e-05");
  CHECK(nn::py_float(0.1) == "0.1");
  CHECK(nn::py_float(0.5) == "0.5");
  CHECK(nn::py_float(1.0) == "1.0");
  CHECK(nn::py_float(0.001) == "0.001");
  CHECK(nn::py_float(0.0001) == "0.0001");
  CHECK(nn::py_float(1.5e-7) == "1.5e-07");
  CHECK(nn::py_float(123456.0) == "123456.0");
  CHECK(nn::py_float(1e16) == "1e+16");
  CHECK(nn::py_float(-2.25) == "-2.25");
  CHECK(nn::py_tuple({3}) == "(3,)");
  CHECK(nn::py_tuple({5, 5}) == "(5, 5)");
}
