// kiln — the one header a user includes: the torch.nn-style frontend (kiln::Tensor,
// kiln::nn modules, F:: functional, nn::init), tracing to the graph IR, state_dict files, and
// kiln::compile (native code, run in-process or saved as libNAME.so + NAME.h).
// It pulls in no LLVM or MLIR header.
//
//   #include "kiln/kiln.h"
//   kiln::nn::Sequential model(kiln::nn::Linear(784, 10), kiln::nn::ReLU());
//   auto graph = kiln::trace(*model, {kiln::TensorSpec({kiln::sym("N"), 784})});
#pragma once

#include "codegen/api/compile.h"
#include "frontend/error.h"
#include "frontend/nn.h"
#include "frontend/random.h"
#include "frontend/serialize.h"
#include "frontend/tensor.h"
#include "frontend/trace.h"
