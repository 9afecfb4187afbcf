// The built-in models by name: what `kiln export --model NAME` and the tests build.
//
//   kiln::manual_seed(0);                         // optional: initialization is seeded
//   kiln::models::BuiltinModel m = kiln::models::build_model("resnet18");
//   auto graph = kiln::trace(*m.module, m.inputs, {"resnet18", m.output_names});
//
// Every model is built with its default initialization, drawn from kiln::default_generator().
// Its inputs have a symbolic batch dim N. Names: mlp, lenet5, resnet18, mobilenet_v2, lstm
// (Embedding(10000, 128) -> LSTM(128, 256, num_layers=2) -> Linear(256, 10000); input
// `tokens` i64 [T, N] with a symbolic sequence length T too, output `logits` [T, N, 10000]).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/module.h"
#include "frontend/trace.h"

namespace kiln::models {

/// A built model and how to call it.
struct BuiltinModel {
  std::shared_ptr<nn::Module> module;
  /// The forward's inputs, batch dim symbolic ("N"; lstm's tokens are [T, N], T symbolic too),
  /// named as the traced graph names them.
  std::vector<TensorSpec> inputs;
  /// The traced graph's output names.
  std::vector<std::string> output_names;
};

/// Builds the model `name` (in training mode, as a freshly constructed torch module). Throws
/// kiln::Error listing the known names when `name` is unknown, and a "not available yet"
/// kiln::Error for a listed model whose layers are not written yet.
BuiltinModel build_model(const std::string& name);

/// Every known model name, in a fixed order (mlp, lenet5, resnet18, mobilenet_v2, lstm).
std::vector<std::string> builtin_model_names();

/// True if build_model(name) can build it now (false for unknown and not-yet-available names).
bool is_model_available(const std::string& name);

}  // namespace kiln::models
