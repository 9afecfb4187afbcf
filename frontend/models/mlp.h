// The built-in `mlp`: an MNIST multilayer perceptron, as in PyTorch
//
//   nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
//                 nn.Linear(512, 10))
//
// state_dict keys 1.weight, 1.bias, 3.weight, 3.bias, 5.weight, 5.bias. Input [N, 1, 28, 28].
#pragma once

#include "frontend/containers.h"

namespace kiln::models {

/// A new mlp with default initialization.
nn::Sequential mlp();

}  // namespace kiln::models
