// Graphviz output of a graph for `kiln inspect --dot`.
#pragma once

#include <string>

#include "ir/graph.h"

namespace kiln::cli {

/// A `digraph` with one box per node (op, location, result type), one ellipse per input and
/// output, parameters folded into their users' labels to keep large models readable.
std::string GraphToDot(const ir::Graph& graph);

}  // namespace kiln::cli
