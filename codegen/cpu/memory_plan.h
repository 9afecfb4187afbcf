// Static activation memory plan: one arena per context, offsets fixed at compile time.
//
// Contract. Each request is one intermediate buffer with its size (at the maximum batch) and
// its live range [def, last_use] in node-order steps. Buffers are placed first-fit into the
// free gaps of the arena, each at a 64-byte aligned offset; at every step the buffers defined
// there are placed before the buffers whose last use is that step are released, so a node's
// results never overlap its operands. Graph inputs, outputs and weights are not planned here.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::cpu {

struct BufferRequest {
  uint64_t bytes = 0;
  int def = 0;       ///< the step (node index) that writes it
  int last_use = 0;  ///< the last step that reads it (>= def)
};

struct MemoryPlan {
  std::vector<uint64_t> offsets;  ///< per request, 64-byte aligned
  uint64_t arena_bytes = 0;       ///< a multiple of 64
};

/// Plans `requests` (any order) by liveness with first-fit reuse of released space.
MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests);

}  // namespace kiln::cpu
