// The built-in `lenet5`: LeNet-5 for 28x28 MNIST digits. Its PyTorch original
// (tests/golden/gen_models.py, docs/frontend.md):
//
//   class LeNet5(nn.Module):
//       def __init__(self):
//           super().__init__()
//           self.features = nn.Sequential(
//               nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
//               nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
//           self.flatten = nn.Flatten()
//           self.classifier = nn.Sequential(
//               nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
//       def forward(self, x):
//           return self.classifier(self.flatten(self.features(x)))
//
// state_dict keys features.{0,3}.{weight,bias}, classifier.{0,2,4}.{weight,bias}.
// Input [N, 1, 28, 28], output [N, 10].
#pragma once

#include "frontend/containers.h"
#include "frontend/linear.h"
#include "frontend/module.h"

namespace kiln::models {

class LeNet5Impl : public nn::Module {
 public:
  LeNet5Impl();
  Tensor forward(const Tensor& x) override;

  nn::Sequential features{nullptr};
  nn::Flatten flatten{nullptr};
  nn::Sequential classifier{nullptr};
};
KILN_MODULE(LeNet5);

}  // namespace kiln::models
