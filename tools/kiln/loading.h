// Loading what the CLI works on: a .kir graph, its weights, its inputs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::cli {

/// Parses FILE.kir and, if `weights_path` is not empty, attaches the weights from a
/// safetensors file. Every missing, unexpected or mismatched weight is reported in one error.
/// The result is verified (with weights required when a weights file was given).
StatusOr<std::unique_ptr<ir::Graph>> LoadGraph(const std::string& kir_path, const std::string& weights_path);

/// Attaches `tensors` to the graph's parameters by name (strict, like load_state_dict).
Status AttachWeights(ir::Graph& graph, std::map<std::string, ir::HostTensor> tensors, const std::string& source);

}  // namespace kiln::cli
