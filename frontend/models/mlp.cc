#include "frontend/models/mlp.h"

#include "frontend/activation.h"
#include "frontend/linear.h"

namespace kiln::models {

nn::Sequential mlp() {
  return nn::Sequential(nn::Flatten(), nn::Linear(784, 512), nn::ReLU(), nn::Linear(512, 512), nn::ReLU(),
                        nn::Linear(512, 10));
}

}  // namespace kiln::models
