// kiln::nn layers: constructor defaults, reprs (exactly torch 1.13's), state_dict keys and
// order, parameter shapes, default init bounds, train/eval behaviour, BatchNorm running
// stats, and what tracing records.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/nn.h"
#include "frontend/trace.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Matchers::Contains;

std::vector<std::string> Keys(const nn::Module& m) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.state_dict()) keys.push_back(k);
  return keys;
}

using Keys_t = std::vector<std::string>;

Tensor T(std::vector<float> values, std::vector<int64_t> sizes) { return tensor(values, sizes); }

double MaxAbs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_vector<double>()) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

TEST_CASE("Linear: options, repr, state_dict, init bounds, forward", "[layers]") {
  nn::Linear fc(784, 10);
  CHECK(fc->repr() == "Linear(in_features=784, out_features=10, bias=True)");
  CHECK(Keys(*fc) == Keys_t{"weight", "bias"});
  CHECK(fc->weight.sizes() == std::vector<int64_t>{10, 784});
  CHECK(fc->bias.sizes() == std::vector<int64_t>{10});
  CHECK(fc->weight.requires_grad());
  // kaiming_uniform_(a=sqrt(5)) gives bound 1/sqrt(fan_in); the bias has the same bound.
  double bound = 1.0 / std::sqrt(784.0);
  CHECK(MaxAbs(fc->weight) <= bound);
  CHECK(MaxAbs(fc->weight) > 0.95 * bound);
  CHECK(MaxAbs(fc->bias) <= bound);

  nn::Linear nobias(nn::LinearOptions(3, 2).bias(false));
  CHECK(nobias->repr() == "Linear(in_features=3, out_features=2, bias=False)");
  CHECK(Keys(*nobias) == Keys_t{"weight"});
  CHECK(!nobias->bias.defined());
  nobias->weight.copy_(T({1, 2, 3, 0, 0, 1}, {2, 3}));
  CHECK(nobias(T({1, 1, 1}, {1, 3})).to_vector<float>() == std::vector<float>{6, 1});
  CHECK_THROWS_WITH(nobias(ones({1, 4})), Contains("expected input with 3 features"));

  // Module::to(dtype) reaches the layer's own handles.
  nobias->to(DType::kF64);
  CHECK(nobias->weight.dtype() == DType::kF64);
  CHECK(nobias(ones({1, 3}, DType::kF64)).dtype() == DType::kF64);
}

TEST_CASE("Identity and Flatten", "[layers]") {
  nn::Identity id;
  Tensor x = ones({2, 3});
  CHECK(id(x).is_same(x));
  CHECK(id->repr() == "Identity()");
  nn::Flatten flat;
  CHECK(flat->repr() == "Flatten(start_dim=1, end_dim=-1)");
  CHECK(flat(ones({2, 3, 4})).sizes() == std::vector<int64_t>{2, 12});
  CHECK(nn::Flatten(0, 1)->repr() == "Flatten(start_dim=0, end_dim=1)");
  CHECK(nn::Flatten(nn::FlattenOptions().start_dim(2))(ones({2, 3, 4, 5})).sizes() ==
        std::vector<int64_t>{2, 3, 20});
}

TEST_CASE("Conv1d/2d/3d: repr rule, weight shapes, init, errors", "[layers]") {
  CHECK(nn::Conv2d(1, 6, 5)->repr() == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))");
  CHECK(nn::Conv2d(nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false))->repr() ==
        "Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)");
  CHECK(nn::Conv2d(nn::Conv2dOptions(4, 4, 3).padding(2).dilation(2).groups(2))->repr() ==
        "Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=(2, 2), dilation=(2, 2), groups=2)");
  CHECK(nn::Conv1d(2, 3, 3)->repr() == "Conv1d(2, 3, kernel_size=(3,), stride=(1,))");
  CHECK(nn::Conv3d(nn::Conv3dOptions(2, 3, {1, 2, 3}))->repr() ==
        "Conv3d(2, 3, kernel_size=(1, 2, 3), stride=(1, 1, 1))");
  CHECK(nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding("same"))->repr() ==
        "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)");
  CHECK(nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding("valid"))->repr() ==
        "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=valid)");

  nn::Conv2d conv(nn::Conv2dOptions(32, 64, 3).groups(4));
  CHECK(Keys(*conv) == Keys_t{"weight", "bias"});
  CHECK(conv->weight.sizes() == std::vector<int64_t>{64, 8, 3, 3});
  double bound = 1.0 / std::sqrt(8.0 * 9.0);
  CHECK(MaxAbs(conv->weight) <= bound);
  CHECK(MaxAbs(conv->weight) > 0.95 * bound);
  CHECK(MaxAbs(conv->bias) <= bound);
  CHECK(Keys(*nn::Conv2d(nn::Conv2dOptions(1, 1, 1).bias(false))) == Keys_t{"weight"});

  CHECK(nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding_mode("reflect"))->repr() ==
        "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding_mode=reflect)");
  CHECK_THROWS_WITH(nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding_mode("mirror")),
                    Contains("padding_mode must be one of"));
  CHECK_THROWS_WITH(nn::Conv2d(nn::Conv2dOptions(3, 2, 3).groups(2)), Contains("in_channels must be divisible by groups"));
  CHECK_THROWS_WITH(nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding("same").stride(2)),
                    Contains("padding='same' is not supported for strided convolutions"));
  CHECK_THROWS_WITH(nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding("full")), Contains("Invalid padding string"));

  nn::Conv2d c1(1, 6, 5);
  CHECK(c1(ones({2, 1, 28, 28})).sizes() == std::vector<int64_t>{2, 6, 24, 24});
  CHECK_THROWS_WITH(c1(ones({2, 3, 28, 28})), Contains("Conv2d: conv2d: expected input with 1 channels, got 3"));
  nn::Conv2d same(nn::Conv2dOptions(1, 1, 3).padding("same"));
  CHECK(same(ones({1, 1, 5, 7})).sizes() == std::vector<int64_t>{1, 1, 5, 7});
}

TEST_CASE("Pooling layers: defaults and reprs as torch prints them", "[layers]") {
  CHECK(nn::MaxPool2d(2)->repr() == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1))->repr() ==
        "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)");
  CHECK(nn::MaxPool2d(nn::MaxPool2dOptions({2, 3}))->repr() ==
        "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::MaxPool1d(3)->repr() == "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)");
  CHECK(nn::AvgPool2d(2)->repr() == "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  CHECK(nn::AvgPool2d(nn::AvgPool2dOptions(3).stride(2).padding(1).ceil_mode(true).count_include_pad(false))->repr() ==
        "AvgPool2d(kernel_size=3, stride=2, padding=1)");
  CHECK(nn::AvgPool1d(3)->repr() == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))");
  CHECK(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1}))->repr() == "AdaptiveAvgPool2d(output_size=(1, 1))");
  CHECK(nn::AdaptiveAvgPool2d(7)->repr() == "AdaptiveAvgPool2d(output_size=7)");
  CHECK(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({std::nullopt, 7}))->repr() ==
        "AdaptiveAvgPool2d(output_size=(None, 7))");
  CHECK(Keys(*nn::MaxPool2d(2)).empty());

  CHECK(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1))(ones({1, 64, 112, 112})).sizes() ==
        std::vector<int64_t>{1, 64, 56, 56});
  CHECK(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1}))(ones({2, 512, 7, 7})).sizes() ==
        std::vector<int64_t>{2, 512, 1, 1});
  // return_indices works now (tests/frontend/pooling_layers_test.cc); one-output call of a 2-output module throws.
  CHECK_THROWS_WITH(nn::MaxPool2d(nn::MaxPool2dOptions(2).return_indices(true))(ones({1, 1, 4, 4})),
                    Contains("returned 2 outputs"));
  CHECK_THROWS_WITH(nn::MaxPool2d(nn::MaxPool2dOptions(3).padding(2)), Contains("pad should be at most half"));
  CHECK_THROWS_WITH(nn::MaxPool2d(5)(ones({1, 1, 3, 3})),
                    Contains("MaxPool2d: max_pool2d: kernel_size 5x5 is larger than padded input 3x3"));
}

TEST_CASE("Activations and Dropout: reprs and behaviour", "[layers]") {
  CHECK(nn::ReLU()->repr() == "ReLU()");
  CHECK(nn::ReLU(true)->repr() == "ReLU(inplace=True)");
  CHECK(nn::ReLU6()->repr() == "ReLU6()");
  CHECK(nn::ReLU6(nn::ReLU6Options().inplace(true))->repr() == "ReLU6(inplace=True)");
  CHECK(nn::Sigmoid()->repr() == "Sigmoid()");
  CHECK(nn::Tanh()->repr() == "Tanh()");
  CHECK(nn::Softmax(1)->repr() == "Softmax(dim=1)");
  CHECK(nn::Softmax()->repr() == "Softmax(dim=None)");
  CHECK(nn::LogSoftmax(1)->repr() == "LogSoftmax(dim=1)");
  CHECK(nn::LogSoftmax()->repr() == "LogSoftmax(dim=None)");
  CHECK(nn::Dropout()->repr() == "Dropout(p=0.5, inplace=False)");
  CHECK(nn::Dropout(nn::DropoutOptions(0.2).inplace(true))->repr() == "Dropout(p=0.2, inplace=True)");
  CHECK_THROWS_WITH(nn::Dropout(1.5), Contains("dropout probability has to be between 0 and 1, but got 1.5"));
  CHECK_THROWS_WITH(nn::Dropout(-0.1), Contains("but got -0.1"));

  // Softmax(dim=None) uses torch's legacy dim: 1 for 2-d input.
  std::vector<float> s = nn::Softmax()(T({0, 0, 1, 1}, {2, 2})).to_vector<float>();
  CHECK(s[0] == Approx(0.5));
  CHECK(nn::ReLU6()(T({-1, 3, 9}, {3})).to_vector<float>() == std::vector<float>{0, 3, 6});

  nn::Dropout drop(0.5);
  Tensor x = ones({50, 50});
  Tensor y = drop(x);
  int zeros_seen = 0;
  for (float v : y.to_vector<float>()) zeros_seen += v == 0.0f;
  CHECK(zeros_seen > 1000);
  CHECK(zeros_seen < 1500);
  drop->eval();
  CHECK(drop(x).is_same(x));
}

TEST_CASE("BatchNorm: options, repr, state_dict order, init", "[layers]") {
  nn::BatchNorm2d bn(64);
  CHECK(bn->repr() == "BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  CHECK(Keys(*bn) == Keys_t{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
  CHECK(bn->num_batches_tracked.dtype() == DType::kI64);
  CHECK(bn->num_batches_tracked.dim() == 0);
  CHECK(bn->weight.to_vector<float>() == std::vector<float>(64, 1.0f));
  CHECK(bn->bias.to_vector<float>() == std::vector<float>(64, 0.0f));
  CHECK(bn->running_mean.to_vector<float>() == std::vector<float>(64, 0.0f));
  CHECK(bn->running_var.to_vector<float>() == std::vector<float>(64, 1.0f));
  CHECK(bn->parameters().size() == 2);
  CHECK(bn->buffers().size() == 3);

  nn::BatchNorm2d bn2(nn::BatchNorm2dOptions(3).eps(1e-3).momentum(0.01));
  CHECK(bn2->repr() == "BatchNorm2d(3, eps=0.001, momentum=0.01, affine=True, track_running_stats=True)");
  nn::BatchNorm1d bn1(nn::BatchNorm1dOptions(10).momentum(std::nullopt).affine(false).track_running_stats(false));
  CHECK(bn1->repr() == "BatchNorm1d(10, eps=1e-05, momentum=None, affine=False, track_running_stats=False)");
  CHECK(Keys(*bn1).empty());
  CHECK(Keys(*nn::BatchNorm1d(nn::BatchNorm1dOptions(2).affine(false))) ==
        Keys_t{"running_mean", "running_var", "num_batches_tracked"});
  CHECK(Keys(*nn::BatchNorm1d(nn::BatchNorm1dOptions(2).track_running_stats(false))) == Keys_t{"weight", "bias"});

  CHECK_THROWS_WITH(bn(ones({2, 64, 4})), Contains("BatchNorm2d: expected 4D input (got 3D input"));
  CHECK_THROWS_WITH(bn1(ones({2, 10, 4, 4})), Contains("expected 2D or 3D input (got 4D input"));
}

TEST_CASE("BatchNorm running stats after 3 training steps; eval uses them", "[layers]") {
  // One channel seeing {1, 3} each step: batch mean 2, unbiased var 2.
  Tensor x = T({1, 3}, {2, 1});
  nn::BatchNorm1d bn(1);
  for (int i = 0; i < 3; ++i) {
    Tensor y = bn(x);
    CHECK(y.to_vector<float>()[0] == Approx(-1.0).margin(1e-4));
  }
  // running = 0.9 * running + 0.1 * batch, three times.
  CHECK(bn->running_mean.item<float>() == Approx(0.542).margin(1e-6));
  CHECK(bn->running_var.item<float>() == Approx(1.271).margin(1e-6));
  CHECK(bn->num_batches_tracked.item<int64_t>() == 3);
  bn->eval();
  Tensor y = bn(x);
  CHECK(y.to_vector<float>()[0] == Approx((1 - 0.542) / std::sqrt(1.271 + 1e-5)).margin(1e-5));
  CHECK(bn->num_batches_tracked.item<int64_t>() == 3);

  // momentum=None: the cumulative average of the batch statistics.
  nn::BatchNorm1d cum(nn::BatchNorm1dOptions(1).momentum(std::nullopt));
  cum(T({1, 3}, {2, 1}));
  cum(T({5, 9}, {2, 1}));
  cum(T({0, 0.5f}, {2, 1}));
  CHECK(cum->running_mean.item<float>() == Approx((2 + 7 + 0.25) / 3.0).margin(1e-6));
  CHECK(cum->running_var.item<float>() == Approx((2 + 8 + 0.125) / 3.0).margin(1e-6));
  CHECK(cum->num_batches_tracked.item<int64_t>() == 3);

  // track_running_stats=false normalizes with batch statistics in eval mode too.
  nn::BatchNorm1d nostats(nn::BatchNorm1dOptions(1).track_running_stats(false));
  nostats->eval();
  CHECK(nostats(x).to_vector<float>()[0] == Approx(-1.0).margin(1e-4));
}

namespace {

struct SmallNet : nn::Module {
  SmallNet() : Module("SmallNet") {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding(1).bias(false)));
    bn = register_module("bn", nn::BatchNorm2d(4));
    pool = register_module("pool", nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})));
    flat = register_module("flat", nn::Flatten());
    drop = register_module("drop", nn::Dropout(0.2));
    fc = register_module("fc", nn::Linear(4, 2));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = nn::F::relu(bn(conv(x)));
    return fc(drop(flat(pool(y))));
  }
  nn::Conv2d conv{nullptr};
  nn::BatchNorm2d bn{nullptr};
  nn::AdaptiveAvgPool2d pool{nullptr};
  nn::Flatten flat{nullptr};
  nn::Dropout drop{nullptr};
  nn::Linear fc{nullptr};
};

}  // namespace

TEST_CASE("Tracing layers: parameters and buffers keep their state_dict names", "[layers][trace]") {
  SmallNet net;
  net.eval();
  auto graph = trace(net, {TensorSpec({sym("N"), 3, 8, 8})});
  std::vector<std::string> params;
  for (const ir::Value* p : graph->params()) params.push_back(p->name());
  std::sort(params.begin(), params.end());
  CHECK(params == std::vector<std::string>{"bn.bias", "bn.running_mean", "bn.running_var", "bn.weight", "conv.weight",
                                           "fc.bias", "fc.weight"});
  CHECK(graph->outputs().at(0).value->type().str() == "f32[N,2]");

  // Eval-mode tracing and eager agree (reference backend).
  Tensor x = randn({2, 3, 8, 8});
  Tensor eager = net(x);
  auto out = reference::RunGraph(*graph, {{"input", x.data()}});
  REQUIRE(out.ok());
  CHECK(allclose(Tensor((*out)[0].second), eager, 1e-4, 1e-5));

  // Training mode traces too: Dropout records a random_uniform mask (issue 5, activation).
  net.train();
  auto g_train = trace(net, {TensorSpec({sym("N"), 3, 8, 8})});
  bool has_mask = false;
  for (const ir::Node* n : g_train->nodes()) has_mask = has_mask || n->op() == ir::OpKind::RandomUniform;
  CHECK(has_mask);
  nn::BatchNorm2d bn(3);
  auto g2 = trace(*bn, {TensorSpec({sym("N"), 3, 4, 4})});
  CHECK(bn->num_batches_tracked.item<int64_t>() == 0);
  CHECK(g2->FindParam("running_mean") == nullptr);
}
