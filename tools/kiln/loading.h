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

/// Builds the built-in model `name` (frontend/models) with the default initialization drawn
/// from `seed`, loads `weights_path` strictly when given (a state_dict safetensors file, e.g.
/// exported from PyTorch), and traces it in eval mode — batch dim symbolic (N), or `batch`
/// when it is not 0. The graph's weights are the model's.
StatusOr<std::unique_ptr<ir::Graph>> TraceBuiltinModel(const std::string& name, const std::string& weights_path,
                                                       uint64_t seed, int64_t batch);

/// Attaches `tensors` to the graph's parameters by name (strict, like load_state_dict).
Status AttachWeights(ir::Graph& graph, std::map<std::string, ir::HostTensor> tensors, const std::string& source);

}  // namespace kiln::cli
