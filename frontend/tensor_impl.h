// Internal: the shared state behind a kiln::Tensor handle, and the per-thread trace state.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontend/tensor.h"
#include "ir/graph.h"

namespace kiln::detail {

struct TensorImpl {
  // Exactly one of these is set: `data` for a concrete tensor, `value` for a symbolic one.
  std::shared_ptr<ir::HostTensor> data;
  ir::Value* value = nullptr;
  uint64_t trace_id = 0;  // the trace a symbolic value belongs to (TraceState::id)
  bool requires_grad = false;
  Tensor grad;
};

/// What an active trace records into. One per thread at most (traces do not nest).
struct TraceState {
  uint64_t id = 0;  // unique per trace, so stale symbolic tensors are caught
  std::unique_ptr<ir::Graph> graph;
  /// Parameters and buffers of the traced module by identity -> their state_dict key.
  std::unordered_map<const TensorImpl*, std::string> param_names;
  /// Graph parameters made so far, by identity.
  std::unordered_map<const TensorImpl*, ir::Value*> params;
  /// Extra outputs ("taps") registered during the trace.
  std::vector<std::pair<std::string, ir::Value*>> taps;
  int next_constant = 0;
};

/// The active trace of this thread, or nullptr.
TraceState* current_trace();
void set_current_trace(TraceState* state);

}  // namespace kiln::detail
