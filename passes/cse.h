// cse: common-subexpression elimination.
//
// Contract. Matches a node that has the same op, the same operands (the same Values, in the
// same order), equal attributes and equal result types as an earlier node. Produces the graph
// where every use of the later node's results (node operands and graph outputs) refers to the
// earlier node's results instead, and the later node is erased. Nodes are visited in program
// order, so a chain of duplicates (two identical `relu(add(x, y))`) collapses in one run.
// `constant` nodes with equal attributes are merged too. Requires a verified graph. Preserves
// the first node of each group, its result names and loc; the erased node's result names and
// loc are dropped. Deliberately does NOT look through commutativity or any other algebra:
// `add(%a, %b)` and `add(%b, %a)` stay two nodes (canonicalizing operand order is a separate
// pass's job). Attribute equality is exact: float attributes compare as doubles, so a NaN
// attribute never equals another and such nodes are kept apart. Every op is treated as pure
// (see dce.h).
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Merges nodes that provably compute the same values.
class CommonSubexpressionElimination : public Pass {
 public:
  static constexpr const char* kName = "cse";
  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
