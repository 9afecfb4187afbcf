#include "codegen/cpu/memory_plan.h"

#include <algorithm>
#include <iterator>
#include <map>

namespace kiln::cpu {

namespace {
constexpr uint64_t kAlign = 64;
uint64_t RoundUp(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
}  // namespace

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  int last_step = 0;
  for (const auto& r : requests) last_step = std::max(last_step, std::max(r.def, r.last_use));
  std::vector<std::vector<size_t>> defs(static_cast<size_t>(last_step) + 1), frees(static_cast<size_t>(last_step) + 1);
  for (size_t i = 0; i < requests.size(); ++i) {
    defs[static_cast<size_t>(requests[i].def)].push_back(i);
    frees[static_cast<size_t>(std::max(requests[i].def, requests[i].last_use))].push_back(i);
  }
  std::map<uint64_t, uint64_t> free_gaps;  // offset -> size, below `top`
  uint64_t top = 0;
  for (int step = 0; step <= last_step; ++step) {
    for (size_t i : defs[static_cast<size_t>(step)]) {
      uint64_t size = RoundUp(std::max<uint64_t>(requests[i].bytes, 1));
      auto fit = std::find_if(free_gaps.begin(), free_gaps.end(), [&](const auto& g) { return g.second >= size; });
      if (fit != free_gaps.end()) {
        uint64_t at = fit->first, gap = fit->second;
        free_gaps.erase(fit);
        if (gap > size) free_gaps[at + size] = gap - size;
        plan.offsets[i] = at;
      } else {
        // Grow the arena, reusing a free gap that ends at the top.
        uint64_t at = top;
        if (!free_gaps.empty()) {
          auto last = std::prev(free_gaps.end());
          if (last->first + last->second == top) {
            at = last->first;
            free_gaps.erase(last);
          }
        }
        plan.offsets[i] = at;
        top = at + size;
      }
    }
    for (size_t i : frees[static_cast<size_t>(step)]) {
      uint64_t at = plan.offsets[i], size = RoundUp(std::max<uint64_t>(requests[i].bytes, 1));
      auto next = free_gaps.lower_bound(at);
      if (next != free_gaps.end() && next->first == at + size) {  // merge with the gap after
        size += next->second;
        free_gaps.erase(next);
      }
      auto it = free_gaps.lower_bound(at);
      if (it != free_gaps.begin()) {  // merge with the gap before
        auto prev = std::prev(it);
        if (prev->first + prev->second == at) {
          at = prev->first;
          size += prev->second;
          free_gaps.erase(prev);
        }
      }
      free_gaps[at] = size;
    }
    plan.arena_bytes = std::max(plan.arena_bytes, top);
  }
  return plan;
}

}  // namespace kiln::cpu
