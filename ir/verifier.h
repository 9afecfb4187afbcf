// The graph verifier: checks every structural and typing rule of the IR and reports every
// problem at once (one line each, naming the node, op, value and types).
//
// Checks: unique, non-empty, non-numeric input/param names; nodes' operands are defined
// earlier (SSA order) and belong to the graph; operand counts, attribute names/kinds/presence
// against the op table; recorded result types equal what the shape rule infers; outputs name
// defined values with unique names; and, when weights are attached (or required), every
// parameter has data of its declared dtype and static shape.
#pragma once

#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::ir {

struct VerifyOptions {
  /// Every parameter must have weight data (true for anything that will run).
  bool require_weights = false;
};

/// OK, or InvalidArgument with "N problems in graph NAME:" followed by one line per problem.
Status Verify(const Graph& graph, const VerifyOptions& options = {});

}  // namespace kiln::ir
