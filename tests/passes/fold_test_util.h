// Helpers for the tests of the passes that fold weights (param-fold, conv-bn-fold): random
// weights for a parsed graph, and a numerical check that a pass kept what the graph computes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "ir/host_tensor.h"
#include "passes/pass.h"

namespace kiln::passes::testing {

/// A tensor of `type` with symbolic dims bound to `batch`, filled uniformly from [lo, hi)
/// (integer dtypes: rounded) by a generator seeded with `seed`.
ir::HostTensor RandomTensor(const ir::TensorType& type, uint32_t seed, double lo = -1, double hi = 1,
                            int64_t batch = 2);

/// Attaches random weights to every parameter: uniform in [0.5, 1.5) for names containing
/// "var" (variances must be positive), [-1, 1) otherwise. Deterministic for a given seed.
void AttachRandomWeights(ir::Graph& graph, uint32_t seed = 1);

/// Random inputs for every graph input (symbolic dims = `batch`).
std::map<std::string, ir::HostTensor> RandomInputs(const ir::Graph& graph, uint32_t seed = 7, int64_t batch = 2);

/// Parses `text` (errors named after `filename`), attaches random weights when asked, and
/// requires (Catch2) that the result verifies.
std::unique_ptr<ir::Graph> ParseVerified(const std::string& text, const std::string& filename,
                                         bool with_weights = true);

/// Runs `before` and `after` with the reference backend on the same random inputs and checks
/// (Catch2) that every output matches within ir::Compare's default tolerance.
void CheckSameOutputs(const ir::Graph& before, const ir::Graph& after, int64_t batch = 2);

/// How many times `what` occurs in `text` (overlaps counted).
int CountOf(const std::string& text, const std::string& what);

/// Parses `text` with random weights, runs `pass` on a clone and checks (Catch2) that it
/// reports `expect_changed`, that the result verifies and computes the same on the reference
/// backend, and that a second run changes nothing. Returns the result's text.
std::string RunPassChecked(Pass& pass, const std::string& text, bool expect_changed);

}  // namespace kiln::passes::testing
