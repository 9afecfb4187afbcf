#include "frontend/models/lenet5.h"

#include "frontend/activation.h"
#include "frontend/conv.h"
#include "frontend/pooling.h"

namespace kiln::models {

LeNet5Impl::LeNet5Impl() : Module("LeNet5") {
  features = register_module("features", nn::Sequential(nn::Conv2d(1, 6, 5), nn::ReLU(), nn::MaxPool2d(2),
                                                         nn::Conv2d(6, 16, 5), nn::ReLU(), nn::MaxPool2d(2)));
  flatten = register_module("flatten", nn::Flatten());
  classifier = register_module("classifier", nn::Sequential(nn::Linear(256, 120), nn::ReLU(), nn::Linear(120, 84),
                                                             nn::ReLU(), nn::Linear(84, 10)));
}

Tensor LeNet5Impl::forward(const Tensor& x) { return classifier(flatten(features(x))); }

}  // namespace kiln::models
