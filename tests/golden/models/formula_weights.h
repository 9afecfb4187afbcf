// The deterministic "formula" weights of the built-in models' golden data: random-like,
// exactly reproducible values with kaiming-like scale for weights and plausible BatchNorm
// statistics, computed in double and rounded to f32 once. tests/golden/gen_models.py
// (formula_values) and gen_lstm_model.py compute the same values in Python: keep them in sync.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/host_tensor.h"
#include "ir/status.h"

namespace kiln::golden {

/// The formula tensor of state_dict entry `key` with `shape`: rank >= 2 weights
/// base * sqrt(24 / fan_in); running_mean 0.2 base; running_var 1 + 0.5 (base + 0.5);
/// other ".weight" 1 + 0.2 base; ".bias" and ".bias_*" (RNN biases) 0.2 base;
/// num_batches_tracked i64 zeros. InvalidArgument for a key with no formula.
StatusOr<ir::HostTensor> FormulaTensor(const std::string& key, const std::vector<int64_t>& shape);

}  // namespace kiln::golden
