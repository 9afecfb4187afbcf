// The built-in `resnet18`: torchvision.models.resnet18() (torchvision 0.14), BasicBlock
// version, with torchvision's module names, so its state_dict loads weights exported from
// torchvision unchanged (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, ..., fc).
//
//   ResNet: conv1 (7x7/2, 64, no bias) - bn1 - relu - maxpool (3x3/2, pad 1)
//           - layer1..layer4 (2 BasicBlocks each; 64, 128, 256, 512 channels; stride 2 from
//             layer2 on, with a downsample = Sequential(1x1 conv/2, BatchNorm2d))
//           - avgpool (AdaptiveAvgPool2d((1, 1))) - flatten - fc (Linear(512, num_classes))
//   BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x) or x)
//
// Initialization as torchvision: convs kaiming_normal_(mode="fan_out", nonlinearity="relu"),
// BatchNorm weight 1 and bias 0, fc torch's Linear default. Input [N, 3, 224, 224] (any size
// from 32x32 works: the pooling before fc is adaptive).
#pragma once

#include <cstdint>

#include <vector>

#include "frontend/activation.h"
#include "frontend/containers.h"
#include "frontend/conv.h"
#include "frontend/linear.h"
#include "frontend/module.h"
#include "frontend/normalization.h"
#include "frontend/pooling.h"

namespace kiln::models {

/// torchvision's BasicBlock (expansion 1).
class BasicBlockImpl : public nn::Module {
 public:
  /// `downsample` may be null (None): then the block's input is added unchanged.
  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride = 1, nn::Sequential downsample = nn::Sequential{nullptr});
  Tensor forward(const Tensor& x) override;

  nn::Conv2d conv1{nullptr};
  nn::BatchNorm2d bn1{nullptr};
  nn::ReLU relu{nullptr};
  nn::Conv2d conv2{nullptr};
  nn::BatchNorm2d bn2{nullptr};
  nn::Sequential downsample{nullptr};
};
KILN_MODULE(BasicBlock);

/// torchvision's ResNet with BasicBlocks; `layers` = blocks per stage ({2, 2, 2, 2} = ResNet-18).
class ResNetImpl : public nn::Module {
 public:
  explicit ResNetImpl(std::vector<int64_t> layers = {2, 2, 2, 2}, int64_t num_classes = 1000);
  Tensor forward(const Tensor& x) override;

  nn::Conv2d conv1{nullptr};
  nn::BatchNorm2d bn1{nullptr};
  nn::ReLU relu{nullptr};
  nn::MaxPool2d maxpool{nullptr};
  nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  nn::AdaptiveAvgPool2d avgpool{nullptr};
  nn::Linear fc{nullptr};

 private:
  nn::Sequential make_layer(int64_t planes, int64_t blocks, int64_t stride);
  int64_t inplanes_ = 64;
};
KILN_MODULE(ResNet);

/// torchvision.models.resnet18(num_classes=...) with default initialization.
ResNet resnet18(int64_t num_classes = 1000);

}  // namespace kiln::models
