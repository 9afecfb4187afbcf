// constant-fold: evaluates nodes whose operands are all constants.
//
// Contract. Matches a node, other than a `constant`, all of whose operands are results of
// `constant` nodes. Evaluates it with the reference kernels (kiln::reference::EvaluateOp) and
// produces, right before it, one `constant` node per result, makes every use of the old
// results use the new constants, and erases the old node. The constant's attributes are
// dtype, shape and value as floats, each value the shortest decimal that reads back to the
// same element (an f32 result prints `1.7320508`, not its 17-digit double expansion); a
// tensor whose elements are all alike is written as one repeated value, `value=[0.0]`. The
// new constant keeps the old node's loc and result name. Nodes are visited in program order,
// so a chain of constant ops folds in one run. Constants that become unused are left for
// `dce`. Requires a verified graph. Does NOT fold: a node with an operand or result of more
// than 65536 (1<<16) elements or with a symbolic shape (folding would bloat the text and the
// artifact); an integer result with a value of magnitude above 2^53, which a float attribute
// cannot carry exactly; anything that reads a parameter or an input: weights are folded by
// later passes that work on weight data, not here. An evaluation error is a compile error
// naming the node: an integer division by zero between constants is reported, never folded
// away.
#pragma once

#include <cstdint>

#include "passes/pass.h"

namespace kiln::passes {

/// Replaces nodes computed from constants by constants.
class ConstantFold : public Pass {
 public:
  static constexpr const char* kName = "constant-fold";
  /// The largest result (in elements) that folding produces.
  static constexpr int64_t kMaxFoldedElements = int64_t{1} << 16;

  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
