#include "frontend/models/resnet.h"

#include <utility>

#include "frontend/functional.h"
#include "frontend/init.h"

namespace kiln::models {
namespace {

// torchvision's conv3x3 / conv1x1: no bias, "same"-style padding for 3x3.
nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, nn::Sequential downsample)
    : Module("BasicBlock") {
  // Registration order is torchvision's attribute order (conv1, bn1, relu, conv2, bn2,
  // downsample): it fixes the state_dict order.
  conv1 = register_module("conv1", conv3x3(inplanes, planes, stride));
  bn1 = register_module("bn1", nn::BatchNorm2d(planes));
  relu = register_module("relu", nn::ReLU(true));
  conv2 = register_module("conv2", conv3x3(planes, planes));
  bn2 = register_module("bn2", nn::BatchNorm2d(planes));
  if (downsample.ptr()) this->downsample = register_module("downsample", std::move(downsample));
}

Tensor BasicBlockImpl::forward(const Tensor& x) {
  Tensor out = relu(bn1(conv1(x)));
  out = bn2(conv2(out));
  Tensor identity = downsample.ptr() ? downsample(x) : x;
  return relu(out + identity);
}

ResNetImpl::ResNetImpl(std::vector<int64_t> layers, int64_t num_classes) : Module("ResNet") {
  if (layers.size() != 4) throw Error("ResNet: expected 4 stage sizes, got " + std::to_string(layers.size()));
  conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
  bn1 = register_module("bn1", nn::BatchNorm2d(64));
  relu = register_module("relu", nn::ReLU(true));
  maxpool = register_module("maxpool", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)));
  layer1 = register_module("layer1", make_layer(64, layers[0], 1));
  layer2 = register_module("layer2", make_layer(128, layers[1], 2));
  layer3 = register_module("layer3", make_layer(256, layers[2], 2));
  layer4 = register_module("layer4", make_layer(512, layers[3], 2));
  avgpool = register_module("avgpool", nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})));
  fc = register_module("fc", nn::Linear(512, num_classes));

  // torchvision's initialization (its zero_init_residual defaults to False).
  for (const nn::ModulePtr& m : modules()) {
    if (auto* conv = dynamic_cast<nn::Conv2dImpl*>(m.get())) {
      nn::init::kaiming_normal_(conv->weight, 0.0, "fan_out", "relu");
    } else if (auto* bn = dynamic_cast<nn::BatchNorm2dImpl*>(m.get())) {
      nn::init::constant_(bn->weight, 1);
      nn::init::constant_(bn->bias, 0);
    }
  }
}

nn::Sequential ResNetImpl::make_layer(int64_t planes, int64_t blocks, int64_t stride) {
  nn::Sequential downsample{nullptr};
  if (stride != 1 || inplanes_ != planes) {
    downsample = nn::Sequential(conv1x1(inplanes_, planes, stride), nn::BatchNorm2d(planes));
  }
  nn::Sequential layer;
  layer->push_back(BasicBlock(inplanes_, planes, stride, downsample));
  inplanes_ = planes;
  for (int64_t i = 1; i < blocks; ++i) layer->push_back(BasicBlock(inplanes_, planes));
  return layer;
}

Tensor ResNetImpl::forward(const Tensor& input) {
  Tensor x = maxpool(relu(bn1(conv1(input))));
  x = layer4(layer3(layer2(layer1(x))));
  x = avgpool(x);
  x = nn::F::flatten(x, 1);
  return fc(x);
}

ResNet resnet18(int64_t num_classes) { return ResNet(std::vector<int64_t>{2, 2, 2, 2}, num_classes); }

}  // namespace kiln::models
