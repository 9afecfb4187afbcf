// The pooling layers of issue 4 (the pooling family): reprs (exactly torch 1.13's), state_dict
// keys, return_indices plumbing, MaxUnpool output_size rules, FractionalMaxPool2d's samples
// (seedable generator; symbolic samples keep a traced batch symbolic), LPPool's formula, the
// adaptive pools' ops in traced graphs, and kiln::Error messages for bad arguments and shapes.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/nn.h"
#include "frontend/trace.h"
#include "ir/kir.h"
#include "ir/tensor_compare.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Matchers::Contains;

std::vector<std::string> Keys(const nn::Module& m) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.state_dict()) keys.push_back(k);
  return keys;
}

Tensor Arange(int64_t n, std::vector<int64_t> sizes) { return arange(0, static_cast<double>(n), 1, DType::kF32).reshape(sizes); }

}  // namespace

TEST_CASE("layers4b reprs match torch 1.13", "[pooling]") {
  CHECK(nn::MaxPool3d(2)->repr() == "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::MaxPool1d(nn::MaxPool1dOptions(3).return_indices(true))->repr() ==
        "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::MaxUnpool1d(2)->repr() == "MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))");
  CHECK(nn::MaxUnpool2d(2)->repr() == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
  CHECK(nn::MaxUnpool2d(nn::MaxUnpool2dOptions({2, 3}).stride(1).padding({1, 0}))->repr() ==
        "MaxUnpool2d(kernel_size=(2, 3), stride=(1, 1), padding=(1, 0))");
  CHECK(nn::MaxUnpool3d(2)->repr() == "MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))");
  CHECK(nn::AvgPool3d(2)->repr() == "AvgPool3d(kernel_size=2, stride=2, padding=0)");
  CHECK(nn::AvgPool3d(nn::AvgPool3dOptions({2, 1, 2}).divisor_override(2))->repr() ==
        "AvgPool3d(kernel_size=(2, 1, 2), stride=(2, 1, 2), padding=0)");
  CHECK(nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(3).output_size(nn::ExpandingArray<2>(5)))->repr() ==
        "FractionalMaxPool2d()");
  CHECK(nn::LPPool1d(2, 3)->repr() == "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)");
  CHECK(nn::LPPool2d(nn::LPPool2dOptions(2.5, {2, 3}).stride(1).ceil_mode(true))->repr() ==
        "LPPool2d(norm_type=2.5, kernel_size=(2, 3), stride=1, ceil_mode=True)");
  CHECK(nn::LPPool2d(2, 3)->repr() == "LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)");
  CHECK(nn::AdaptiveMaxPool1d(3)->repr() == "AdaptiveMaxPool1d(output_size=3)");
  CHECK(nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({std::nullopt, 3}).return_indices(true))->repr() ==
        "AdaptiveMaxPool2d(output_size=(None, 3))");
  CHECK(nn::AdaptiveMaxPool3d(2)->repr() == "AdaptiveMaxPool3d(output_size=2)");
  CHECK(nn::AdaptiveAvgPool1d(3)->repr() == "AdaptiveAvgPool1d(output_size=3)");
  CHECK(nn::AdaptiveAvgPool3d(nn::AdaptiveAvgPool3dOptions({2, std::nullopt, 3}))->repr() ==
        "AdaptiveAvgPool3d(output_size=(2, None, 3))");
}

TEST_CASE("FractionalMaxPool2d: _random_samples is a buffer, in state_dict only when given", "[pooling]") {
  nn::FractionalMaxPool2d none(nn::FractionalMaxPool2dOptions(3).output_size(nn::ExpandingArray<2>(5)));
  CHECK(Keys(*none).empty());
  nn::FractionalMaxPool2d given(
      nn::FractionalMaxPool2dOptions(3).output_ratio(0.5)._random_samples(rand({1, 2, 2})));
  CHECK(Keys(*given) == std::vector<std::string>{"_random_samples"});
  CHECK_THROWS_WITH(nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(3)),
                    Contains("requires specifying either an output size, or a pooling ratio"));
  CHECK_THROWS_WITH(nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(3).output_ratio(1.5)),
                    Contains("output_ratio must be between 0 and 1 (got 1.5)"));
  CHECK_THROWS_WITH(
      nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(3).output_ratio(0.5).output_size(nn::ExpandingArray<2>(2))),
      Contains("only one of output_size and output_ratio"));
}

TEST_CASE("MaxPool return_indices: forward, forward_with_indices, call, round trip through MaxUnpool", "[pooling]") {
  nn::MaxPool2d pool(nn::MaxPool2dOptions(2).return_indices(true));
  Tensor x = Arange(16, {1, 1, 4, 4});
  CHECK(pool->forward(x).to_vector<float>() == std::vector<float>{5, 7, 13, 15});
  auto [v, i] = pool->forward_with_indices(x);
  CHECK(i.dtype() == DType::kI64);
  CHECK(i.to_vector<int64_t>() == std::vector<int64_t>{5, 7, 13, 15});
  std::vector<Tensor> both = pool.call({x});
  REQUIRE(both.size() == 2);
  nn::MaxUnpool2d unpool(2);
  Tensor y = unpool->forward(v, i);
  CHECK(y.sizes() == std::vector<int64_t>{1, 1, 4, 4});
  CHECK(y.to_vector<float>() == std::vector<float>{0, 0, 0, 0, 0, 5, 0, 7, 0, 0, 0, 0, 0, 13, 0, 15});
  CHECK(unpool.call({v, i})[0].sizes() == std::vector<int64_t>{1, 1, 4, 4});
  CHECK(unpool->forward(v, i, std::vector<int64_t>{1, 1, 5, 5}).sizes() == std::vector<int64_t>{1, 1, 5, 5});
  CHECK_THROWS_WITH(unpool->forward(v, i, std::vector<int64_t>{6, 6}),
                    Contains("invalid output_size (6, 6) (dim 0 must be between 2 and 6)"));
  CHECK_THROWS_WITH(unpool->forward(v, i, std::vector<int64_t>{5}), Contains("should be a sequence containing 2 or 4"));
  CHECK_THROWS_WITH(unpool->forward(v, v), Contains("expected indices of dtype i64"));
  CHECK_THROWS_WITH(unpool->forward(v, i.reshape({1, 1, 4})), Contains("expected indices of the same shape"));
  Tensor bad = tensor(std::vector<int64_t>{0, 1, 2, 99}, {1, 1, 2, 2});
  CHECK_THROWS_WITH(unpool->forward(v, bad), Contains("index 99 is out of range"));
}

TEST_CASE("layers4b bad arguments and shapes name the layer", "[pooling]") {
  CHECK_THROWS_WITH(nn::MaxPool3d(5)(ones({1, 1, 3, 3, 3})),
                    Contains("MaxPool3d: max_pool3d: kernel_size 5x5x5 is larger than padded input 3x3x3"));
  CHECK_THROWS_WITH(nn::MaxPool3d(nn::MaxPool3dOptions(2).padding(2)), Contains("pad should be at most half"));
  CHECK_THROWS_WITH(nn::AvgPool3d(2)(ones({2, 2})), Contains("AvgPool3d: avg_pool3d: expected 4D or 5D input, got 2D"));
  CHECK_THROWS_WITH(nn::AvgPool1d(nn::AvgPool1dOptions(2).divisor_override(2)), Contains("has no divisor_override"));
  CHECK_THROWS_WITH(nn::AdaptiveMaxPool2d(0), Contains("AdaptiveMaxPool2d: output_size must be positive"));
  CHECK_THROWS_WITH(nn::AdaptiveAvgPool1d(2)(ones({1, 2, 0})), Contains("expected non-empty spatial dims"));
  CHECK_THROWS_WITH(
      nn::FractionalMaxPool2d(nn::FractionalMaxPool2dOptions(3).output_size(nn::ExpandingArray<2>(4)))(ones({1, 1, 5, 5})),
      Contains("pool height 3 too large relative to input height 5"));
  CHECK_THROWS_WITH(nn::LPPool2d(0, 2), Contains("norm_type must be non-zero"));
  CHECK_THROWS_WITH(nn::F::lp_pool1d(ones({1, 2, 5}, DType::kI64), 2, 2), Contains("expected a floating point input"));
}

TEST_CASE("FractionalMaxPool2d: samples from a seedable generator; symbolic samples trace with batch N",
          "[pooling]") {
  Tensor x = randn({2, 3, 9, 9});
  Generator g1(7), g2(7);
  auto [a, ia] = nn::F::fractional_max_pool2d_with_indices(x, 2, nn::ExpandingArray<2>(4), std::nullopt, {}, &g1);
  auto [b, ib] = nn::F::fractional_max_pool2d_with_indices(x, 2, nn::ExpandingArray<2>(4), std::nullopt, {}, &g2);
  CHECK(a.sizes() == std::vector<int64_t>{2, 3, 4, 4});
  CHECK(ia.to_vector<int64_t>() == ib.to_vector<int64_t>());
  CHECK(allclose(a, b));

  // The module draws from the default generator: kiln::manual_seed makes it reproducible.
  nn::FractionalMaxPool2d m(nn::FractionalMaxPool2dOptions(2).output_ratio(0.5));
  manual_seed(3);
  Tensor y1 = m(x);
  manual_seed(3);
  CHECK(allclose(m(x), y1));
  CHECK(y1.sizes() == std::vector<int64_t>{2, 3, 4, 4});

  // Traced with the samples as a second input: the batch stays symbolic and the graph is pure.
  class WithSamples : public nn::Module {
   public:
    WithSamples() : Module("WithSamples") {}
    std::vector<Tensor> forward_tensors(const std::vector<Tensor>& in) override {
      auto [v, i] = nn::F::fractional_max_pool2d_with_indices(in[0], {2, 3}, nn::ExpandingArray<2>({4, 3}),
                                                                std::nullopt, in[1]);
      return {v, i};
    }
  } fn;
  auto graph = trace(fn, {TensorSpec({sym("N"), 3, 9, 9}), TensorSpec({sym("N"), 3, 2})});
  CHECK_THAT(ir::PrintGraph(*graph), Contains("fractional_max_pool(%input0, %input1)"));
  Tensor s = rand({2, 3, 2});
  auto out = reference::RunGraph(*graph, {{"input0", x.data()}, {"input1", s.data()}});
  REQUIRE(out.ok());
  auto eager = fn.forward_tensors({x, s});
  CHECK(ir::Compare((*out)[0].second, eager[0].data()).ok);
  CHECK(ir::Compare((*out)[1].second, eager[1].data()).ok);
  // Drawing samples needs a static batch.
  nn::FractionalMaxPool2d draw(nn::FractionalMaxPool2dOptions(2).output_size(nn::ExpandingArray<2>(3)));
  CHECK_THROWS_WITH(trace(*draw, {TensorSpec({sym("N"), 3, 9, 9})}), Contains("needs a static batch"));
}

TEST_CASE("LPPool2d is torch's formula; adaptive pools trace to their ops with batch N", "[pooling]") {
  Tensor x = Arange(16, {1, 1, 4, 4});
  // p = 2, kernel 2: sqrt(sum of squares) per window.
  Tensor y = nn::LPPool2d(2, 2)(x);
  std::vector<float> got = y.to_vector<float>();
  CHECK(got[0] == Approx(std::sqrt(0.0 + 1 + 16 + 25)));
  CHECK(got[3] == Approx(std::sqrt(100.0 + 121 + 196 + 225)));

  nn::Sequential seq(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({3, std::nullopt})),
                     nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({2, std::nullopt})));
  auto graph = trace(*seq, {TensorSpec({sym("N"), 2, 7, 5})});
  std::string text = ir::PrintGraph(*graph);
  CHECK_THAT(text, Contains("adaptive_avg_pool(%input) {output_size=[3,5]} : f32[N,2,3,5]"));
  CHECK_THAT(text, Contains("adaptive_max_pool(%0) {output_size=[2,5]} : f32[N,2,2,5], i64[N,2,2,5]"));
}
