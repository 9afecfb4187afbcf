// Golden parity of the pooling layers of issue 4 (MaxPool with indices, MaxUnpool round trips,
// AvgPool 1-3d, FractionalMaxPool2d, LPPool, adaptive pools) and of two graphs (LeNet-5 and a
// VGG-style block graph) with PyTorch: for every case of tests/golden/gen_pooling_layers.py build the
// same module, load torch's state_dict and compare every output eagerly and through
// kiln::trace (symbolic batch N unless the case needs a static one) + the reference backend.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/nn.h"
#include "tests/frontend/layer_golden_util.h"

namespace {

using namespace kiln;                // NOLINT
using namespace kiln::layer_golden;  // NOLINT

// MaxPool with return_indices, then MaxUnpool: {values, indices, unpooled} (the Python PoolUnpool).
class PoolUnpoolImpl : public nn::Module {
 public:
  PoolUnpoolImpl(nn::ModulePtr pool, nn::ModulePtr unpool, std::optional<std::vector<int64_t>> output_size)
      : Module("PoolUnpool"), output_size_(std::move(output_size)) {
    pool_ = register_module("pool", std::move(pool));
    unpool_ = register_module("unpool", std::move(unpool));
  }
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override {
    std::vector<Tensor> vi = pool_->call(inputs);
    Tensor y;
    if (auto* u1 = dynamic_cast<nn::MaxUnpool1dImpl*>(unpool_.get())) y = u1->forward(vi[0], vi[1], output_size_);
    if (auto* u2 = dynamic_cast<nn::MaxUnpool2dImpl*>(unpool_.get())) y = u2->forward(vi[0], vi[1], output_size_);
    if (auto* u3 = dynamic_cast<nn::MaxUnpool3dImpl*>(unpool_.get())) y = u3->forward(vi[0], vi[1], output_size_);
    return {vi[0], vi[1], y};
  }

 private:
  nn::ModulePtr pool_, unpool_;
  std::optional<std::vector<int64_t>> output_size_;
};

nn::ModulePtr PoolUnpool(nn::ModulePtr pool, nn::ModulePtr unpool,
                         std::optional<std::vector<int64_t>> output_size = std::nullopt) {
  return std::make_shared<PoolUnpoolImpl>(std::move(pool), std::move(unpool), std::move(output_size));
}

// LeNet-5 as in gen_pooling_layers.py (and docs/frontend.md), built here so this test does not
// depend on frontend/models.
class LeNet5Impl : public nn::Module {
 public:
  LeNet5Impl() : Module("LeNet5") {
    features = register_module("features", nn::Sequential(nn::Conv2d(1, 6, 5), nn::ReLU(), nn::MaxPool2d(2),
                                                          nn::Conv2d(6, 16, 5), nn::ReLU(), nn::MaxPool2d(2)));
    flatten = register_module("flatten", nn::Flatten());
    classifier = register_module("classifier", nn::Sequential(nn::Linear(256, 120), nn::ReLU(), nn::Linear(120, 84),
                                                              nn::ReLU(), nn::Linear(84, 10)));
  }
  Tensor forward(const Tensor& x) override { return classifier(flatten(features(x))); }
  nn::Sequential features{nullptr};
  nn::Flatten flatten{nullptr};
  nn::Sequential classifier{nullptr};
};

nn::ModulePtr VggBlocks() {
  auto conv = [](int64_t in, int64_t out) { return nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)); };
  return nn::Sequential(conv(3, 8), nn::ReLU(), conv(8, 8), nn::ReLU(), nn::MaxPool2d(2), conv(8, 16), nn::ReLU(),
                        conv(16, 16), nn::ReLU(), nn::MaxPool2d(2), nn::AdaptiveAvgPool2d(2), nn::Flatten(),
                        nn::Linear(64, 10))
      .ptr();
}

nn::ModulePtr Fractional(nn::FractionalMaxPool2dOptions o, std::vector<int64_t> samples_shape) {
  return nn::FractionalMaxPool2d(o._random_samples(zeros(samples_shape))).ptr();
}

// Mirrors CASES of tests/golden/gen_pooling_layers.py.
std::vector<LayerCase> Cases() {
  using std::nullopt;
  using E2 = nn::ExpandingArray<2>;
  return {
      {"maxpool1d_default", [] { return nn::MaxPool1d(nn::MaxPool1dOptions(3).return_indices(true)).ptr(); }},
      {"maxpool1d_stride_gt_kernel",
       [] { return nn::MaxPool1d(nn::MaxPool1dOptions(2).stride(3).padding(1).return_indices(true)).ptr(); }},
      {"maxpool2d_nonsquare_dilation_ceil",
       [] {
         return nn::MaxPool2d(nn::MaxPool2dOptions({3, 2})
                                  .stride({2, 1})
                                  .padding({1, 1})
                                  .dilation({1, 2})
                                  .ceil_mode(true)
                                  .return_indices(true))
             .ptr();
       }},
      {"maxpool2d_pad_max",
       [] { return nn::MaxPool2d(nn::MaxPool2dOptions(5).stride(2).padding(2).return_indices(true)).ptr(); }},
      {"maxpool2d_ties",
       [] { return nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(1).padding(1).return_indices(true)).ptr(); }},
      {"maxpool2d_1elem",
       [] { return nn::MaxPool2d(nn::MaxPool2dOptions({1, 3}).stride({1, 2}).return_indices(true)).ptr(); }},
      {"maxpool2d_unbatched", [] { return nn::MaxPool2d(nn::MaxPool2dOptions(2).return_indices(true)).ptr(); }, false},
      {"maxpool3d_default", [] { return nn::MaxPool3d(2).ptr(); }},
      {"maxpool3d_ceil_dilation",
       [] {
         return nn::MaxPool3d(nn::MaxPool3dOptions({2, 3, 2})
                                  .stride({1, 2, 3})
                                  .padding({1, 1, 0})
                                  .dilation({2, 1, 1})
                                  .ceil_mode(true)
                                  .return_indices(true))
             .ptr();
       }},
      {"unpool1d_odd_output_size",
       [] {
         return PoolUnpool(nn::MaxPool1d(nn::MaxPool1dOptions(2).return_indices(true)).ptr(), nn::MaxUnpool1d(2).ptr(),
                           std::vector<int64_t>{9});
       }},
      {"unpool2d_default",
       [] {
         return PoolUnpool(nn::MaxPool2d(nn::MaxPool2dOptions(2).return_indices(true)).ptr(), nn::MaxUnpool2d(2).ptr());
       }},
      {"unpool2d_stride_pad_output_size",
       [] {
         return PoolUnpool(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1).return_indices(true)).ptr(),
                           nn::MaxUnpool2d(nn::MaxUnpool2dOptions(3).stride(2).padding(1)).ptr(),
                           std::vector<int64_t>{8, 8});
       }},
      {"unpool3d_default",
       [] {
         return PoolUnpool(nn::MaxPool3d(nn::MaxPool3dOptions(2).return_indices(true)).ptr(), nn::MaxUnpool3d(2).ptr());
       }},
      {"avgpool1d_ceil_exclude_pad",
       [] {
         return nn::AvgPool1d(nn::AvgPool1dOptions(3).stride(2).padding(1).ceil_mode(true).count_include_pad(false))
             .ptr();
       }},
      {"avgpool2d_nonsquare_stride_gt_kernel",
       [] { return nn::AvgPool2d(nn::AvgPool2dOptions({3, 2}).stride({1, 3}).padding({1, 1})).ptr(); }},
      {"avgpool2d_ceil_partial_include_pad",
       [] { return nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(2).padding(1).ceil_mode(true)).ptr(); }},
      {"avgpool3d_default", [] { return nn::AvgPool3d(2).ptr(); }},
      {"avgpool3d_ceil_exclude_pad",
       [] {
         return nn::AvgPool3d(nn::AvgPool3dOptions({3, 2, 2})
                                  .stride({2, 1, 2})
                                  .padding({1, 0, 1})
                                  .ceil_mode(true)
                                  .count_include_pad(false))
             .ptr();
       }},
      {"avgpool3d_divisor", [] { return nn::AvgPool3d(nn::AvgPool3dOptions(2).padding(1).divisor_override(3)).ptr(); }},
      {"fractional_output_size",
       [] {
         return Fractional(nn::FractionalMaxPool2dOptions(3).output_size(E2({4, 5})).return_indices(true), {2, 3, 2});
       },
       false},
      {"fractional_ratio",
       [] { return Fractional(nn::FractionalMaxPool2dOptions({2, 3}).output_ratio(nn::RatioPair{0.5, 0.6}), {1, 2, 2}); },
       false},
      {"fractional_unbatched",
       [] { return Fractional(nn::FractionalMaxPool2dOptions(2).output_size(E2(3)).return_indices(true), {1, 2, 2}); },
       false},
      {"fractional_output_1",
       [] { return Fractional(nn::FractionalMaxPool2dOptions(2).output_size(E2(1)).return_indices(true), {1, 1, 2}); },
       false},
      {"lppool1d_default", [] { return nn::LPPool1d(2, 3).ptr(); }},
      {"lppool1d_ceil_stride_gt_kernel",
       [] { return nn::LPPool1d(nn::LPPool1dOptions(2, 2).stride(3).ceil_mode(true)).ptr(); }},
      {"lppool2d_fractional_norm_ceil",
       [] { return nn::LPPool2d(nn::LPPool2dOptions(1.5, {2, 3}).stride({2, 1}).ceil_mode(true)).ptr(); }},
      {"lppool2d_norm3", [] { return nn::LPPool2d(3, 2).ptr(); }},
      {"adaptive_avgpool1d", [] { return nn::AdaptiveAvgPool1d(4).ptr(); }},
      {"adaptive_avgpool2d_uneven", [] { return nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({3, 5})).ptr(); }},
      {"adaptive_avgpool2d_larger", [] { return nn::AdaptiveAvgPool2d(5).ptr(); }},
      {"adaptive_avgpool3d_none",
       [] { return nn::AdaptiveAvgPool3d(nn::AdaptiveAvgPool3dOptions({2, nullopt, 3})).ptr(); }},
      {"adaptive_maxpool1d",
       [] { return nn::AdaptiveMaxPool1d(nn::AdaptiveMaxPool1dOptions(3).return_indices(true)).ptr(); }},
      {"adaptive_maxpool2d_none",
       [] { return nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({nullopt, 3}).return_indices(true)).ptr(); }},
      {"adaptive_maxpool2d_1x1", [] { return nn::AdaptiveMaxPool2d(1).ptr(); }},
      {"adaptive_maxpool3d",
       [] { return nn::AdaptiveMaxPool3d(nn::AdaptiveMaxPool3dOptions({2, 3, 2}).return_indices(true)).ptr(); }},
      {"adaptive_maxpool2d_unbatched",
       [] { return nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions({2, 3}).return_indices(true)).ptr(); },
       false},
      {"lenet5", [] { return nn::ModulePtr(std::make_shared<LeNet5Impl>()); }},
      {"vgg_blocks", [] { return VggBlocks(); }},
  };
}

std::vector<ir::HostTensor> Outputs(const ir::SafetensorsFile& file) {
  std::vector<ir::HostTensor> out;
  for (int i = 0; file.tensors.count("out." + std::to_string(i)); ++i) out.push_back(file.tensors.at("out." + std::to_string(i)));
  return out;
}

void CheckAll(const std::vector<ir::HostTensor>& got, const std::vector<ir::HostTensor>& expected, const std::string& what) {
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ir::Comparison c = ir::Compare(got[i], expected[i]);
    INFO(what << " output " << i << ": " << c.message);
    CHECK(c.ok);
  }
}

}  // namespace

TEST_CASE("layers4b pooling layers and graphs match torch.nn (eager and traced)", "[pooling][golden]") {
  for (const LayerCase& c : Cases()) {
    SECTION(c.name) {
      ir::SafetensorsFile file = LoadCase("pooling_" + c.name, c.name);
      nn::ModulePtr m = c.make();
      LoadState(*m, file);
      m->eval();
      const ir::HostTensor& input = file.tensors.at("in.0");
      std::vector<ir::HostTensor> expected = Outputs(file);
      std::vector<Tensor> y = m->call({Tensor(input.Clone())});
      std::vector<ir::HostTensor> eager;
      for (const Tensor& t : y) eager.push_back(t.data());
      CheckAll(eager, expected, c.name + " eager");
      CheckAll(RunTracedOutputs(*m, input, c.symbolic_batch), expected, c.name + " traced");
    }
  }
}
