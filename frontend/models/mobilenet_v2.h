// The built-in `mobilenet_v2`: torchvision.models.mobilenet_v2() (torchvision 0.14, width 1.0),
// with torchvision's module names, so its state_dict loads weights exported from torchvision
// unchanged (features.0.0.weight, features.1.conv.0.1.running_mean, ..., classifier.1.bias).
//
//   features: Conv2dNormActivation(3, 32, stride 2), 17 InvertedResidual blocks
//             (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1)
//             (6,160,3,2) (6,320,1,1), Conv2dNormActivation(320, 1280, kernel 1)
//   then adaptive_avg_pool2d to 1x1, flatten, classifier = Sequential(Dropout(0.2),
//   Linear(1280, num_classes)).
//   Conv2dNormActivation = Sequential-like (0) Conv2d(no bias, padding (k-1)/2), (1)
//   BatchNorm2d, (2) ReLU6(inplace=True).
//   InvertedResidual: `conv` = Sequential([expand 1x1 Conv2dNormActivation when t != 1],
//   depthwise 3x3 Conv2dNormActivation, 1x1 Conv2d, BatchNorm2d); x + conv(x) when stride is
//   1 and the channels stay the same.
//
// Initialization as torchvision: convs kaiming_normal_(mode="fan_out"), BatchNorm 1/0, the
// Linear normal_(0, 0.01) with bias 0. Input [N, 3, 224, 224] (any size from 32x32 works).
#pragma once

#include <cstdint>

#include "frontend/containers.h"
#include "frontend/module.h"

namespace kiln::models {

/// torchvision.ops.Conv2dNormActivation with BatchNorm2d and ReLU6: children "0" (Conv2d),
/// "1" (BatchNorm2d), "2" (ReLU6), called in order (a Sequential that prints its own name).
class Conv2dNormActivationImpl : public nn::Module {
 public:
  Conv2dNormActivationImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size = 3, int64_t stride = 1,
                           int64_t groups = 1);
  Tensor forward(const Tensor& x) override;
};
KILN_MODULE(Conv2dNormActivation);

/// torchvision's MobileNetV2 InvertedResidual block.
class InvertedResidualImpl : public nn::Module {
 public:
  InvertedResidualImpl(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio);
  Tensor forward(const Tensor& x) override;

  nn::Sequential conv{nullptr};
  bool use_res_connect = false;
};
KILN_MODULE(InvertedResidual);

/// torchvision's MobileNetV2 (width_mult 1.0, round_nearest 8, dropout 0.2).
class MobileNetV2Impl : public nn::Module {
 public:
  explicit MobileNetV2Impl(int64_t num_classes = 1000);
  Tensor forward(const Tensor& x) override;

  nn::Sequential features{nullptr};
  nn::Sequential classifier{nullptr};
};
KILN_MODULE(MobileNetV2);

/// torchvision.models.mobilenet_v2(num_classes=...) with default initialization.
MobileNetV2 mobilenet_v2(int64_t num_classes = 1000);

}  // namespace kiln::models
