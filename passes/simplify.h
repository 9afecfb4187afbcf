// simplify: removes identity work (no-op reshapes, permutes, expands, casts, slices, concats,
// multiplications by one, ...) and collapses reshape and permute chains.
//
// Contract. Matches, in program order: `reshape`, `expand`, `cast` and `slice` whose result
// type equals their operand's type (a slice can only keep its type by covering the whole dim,
// or a dim of size 1); `permute` with the identity permutation; `concat` of one operand;
// `mul(x, c)` / `mul(c, x)` / `div(x, c)` where the constant `c` is all ones, `add(x, c)` /
// `add(c, x)` / `sub(x, c)` where `c` is all zeros — for floats only the zero whose sign makes
// it exact for every x (`x + -0.0` and `x - +0.0`; `-0.0 + +0.0` is `+0.0`) — each only when
// the result type equals x's type (the constant neither broadcasts x to a larger shape nor
// changes its dtype); and `where(c, a, b)` with a constant condition that is all true (then
// `a`) or all false (then `b`), when the chosen operand already has the result type. Each
// match's result is replaced by the kept operand everywhere (node operands and graph
// outputs, so output names stay). It also rewrites in place: `reshape(reshape(x))` becomes
// one `reshape` of x with the outer shape (when the shape rule gives the same type), and
// `permute(permute(x))` one `permute` with the composed dims — or x itself when they cancel.
// Produces no new nodes: the matched (and now unused) nodes are left for `dce`. Requires a
// verified graph. Preserves inputs, parameters, weights, output names, node order, and the
// names and locs of the nodes it keeps; the replaced results' names are dropped. Deliberately
// does NOT handle: `add(x, +0.0)` on floats (not exact for x = -0.0), `mul` by zero or any
// other algebra, `cast(cast(x))` (not exact in general), expand or slice chains, constants
// held in parameters (it reads only `constant` nodes; run `constant-fold` first), or dropout
// (the frontend records none in eval mode). Errors: none — a pattern it cannot prove an
// identity is left as it is.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// Replaces identity ops by their operand and collapses reshape / permute chains.
class Simplify : public Pass {
 public:
  static constexpr const char* kName = "simplify";
  std::string name() const override { return kName; }
  StatusOr<bool> Run(ir::Graph& graph) override;
};

}  // namespace kiln::passes
