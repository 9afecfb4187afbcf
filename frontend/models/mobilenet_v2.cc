#include "frontend/models/mobilenet_v2.h"

#include <cmath>

#include "frontend/activation.h"
#include "frontend/conv.h"
#include "frontend/dropout.h"
#include "frontend/functional.h"
#include "frontend/init.h"
#include "frontend/linear.h"
#include "frontend/normalization.h"

namespace kiln::models {

Conv2dNormActivationImpl::Conv2dNormActivationImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                                                   int64_t stride, int64_t groups)
    : Module("Conv2dNormActivation") {
  register_module("0", nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, kernel_size)
                                      .stride(stride)
                                      .padding((kernel_size - 1) / 2)
                                      .groups(groups)
                                      .bias(false)));
  register_module("1", nn::BatchNorm2d(out_channels));
  register_module("2", nn::ReLU6(true));
}

Tensor Conv2dNormActivationImpl::forward(const Tensor& x) {
  Tensor y = x;
  for (const nn::ModulePtr& child : children()) y = (*child)(y);
  return y;
}

InvertedResidualImpl::InvertedResidualImpl(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio)
    : Module("InvertedResidual") {
  if (stride != 1 && stride != 2) throw Error("InvertedResidual: stride should be 1 or 2, got " + std::to_string(stride));
  const auto hidden_dim = static_cast<int64_t>(std::lround(static_cast<double>(inp * expand_ratio)));
  use_res_connect = stride == 1 && inp == oup;
  nn::Sequential layers;
  if (expand_ratio != 1) layers->push_back(Conv2dNormActivation(inp, hidden_dim, 1));
  layers->push_back(Conv2dNormActivation(hidden_dim, hidden_dim, 3, stride, hidden_dim));
  layers->push_back(nn::Conv2d(nn::Conv2dOptions(hidden_dim, oup, 1).bias(false)));
  layers->push_back(nn::BatchNorm2d(oup));
  conv = register_module("conv", layers);
}

Tensor InvertedResidualImpl::forward(const Tensor& x) { return use_res_connect ? x + conv(x) : conv(x); }

MobileNetV2Impl::MobileNetV2Impl(int64_t num_classes) : Module("MobileNetV2") {
  struct Stage {
    int64_t t, c, n, s;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  // With width_mult 1.0 every channel count is already a multiple of 8 (_make_divisible).
  int64_t input_channel = 32;
  const int64_t last_channel = 1280;
  nn::Sequential f;
  f->push_back(Conv2dNormActivation(3, input_channel, 3, 2));
  for (const Stage& st : stages) {
    for (int64_t i = 0; i < st.n; ++i) {
      f->push_back(InvertedResidual(input_channel, st.c, i == 0 ? st.s : 1, st.t));
      input_channel = st.c;
    }
  }
  f->push_back(Conv2dNormActivation(input_channel, last_channel, 1));
  features = register_module("features", f);
  classifier = register_module("classifier", nn::Sequential(nn::Dropout(0.2), nn::Linear(last_channel, num_classes)));

  // torchvision's initialization.
  for (const nn::ModulePtr& m : modules()) {
    if (auto* c = dynamic_cast<nn::Conv2dImpl*>(m.get())) {
      nn::init::kaiming_normal_(c->weight, 0.0, "fan_out");
      if (c->bias.defined()) nn::init::zeros_(c->bias);
    } else if (auto* bn = dynamic_cast<nn::BatchNorm2dImpl*>(m.get())) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    } else if (auto* fc = dynamic_cast<nn::LinearImpl*>(m.get())) {
      nn::init::normal_(fc->weight, 0, 0.01);
      nn::init::zeros_(fc->bias);
    }
  }
}

Tensor MobileNetV2Impl::forward(const Tensor& input) {
  Tensor x = features(input);
  x = nn::F::adaptive_avg_pool2d(x, {1, 1});
  x = nn::F::flatten(x, 1);
  return classifier(x);
}

MobileNetV2 mobilenet_v2(int64_t num_classes) { return MobileNetV2(num_classes); }

}  // namespace kiln::models
