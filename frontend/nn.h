// All of kiln::nn: Module and the containers, every layer, functional (nn::F) and init.
// `#include "frontend/nn.h"` is the C++ counterpart of `import torch.nn as nn`.
#pragma once

#include "frontend/activation.h"
#include "frontend/containers.h"
#include "frontend/conv.h"
#include "frontend/dropout.h"
#include "frontend/expanding_array.h"
#include "frontend/functional.h"
#include "frontend/init.h"
#include "frontend/linear.h"
#include "frontend/module.h"
#include "frontend/normalization.h"
#include "frontend/pooling.h"
#include "frontend/random.h"
#include "frontend/tensor.h"
// [LAYERS4A]
// [LAYERS4B]
// [LAYERS5A]
// [LAYERS5B]
