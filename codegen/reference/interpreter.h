// The reference backend: a plain interpreter that runs any verified graph on concrete
// ir::HostTensor values. It is the correctness oracle every other backend is compared
// against, so each kernel is a straightforward loop written for clarity, not speed.
//
// Contract.
// - Semantics are PyTorch's, as the ops.def docs state: NumPy broadcasting; max/min-like ops,
//   relu, abs, neg and clamp propagate NaN; sign(NaN) is 0 as in torch.sign; round is half to
//   even; integer div truncates toward zero and dividing by zero is an error; integer
//   add/sub/mul/neg wrap around (two's complement) like torch; cast from float to an integer
//   truncates toward zero, and NaN or out-of-range values are errors (torch leaves them
//   undefined); argmax/argmin return the first extreme index, a NaN counting as the extreme;
//   max_pool pads with -inf; avg_pool clips ceil_mode windows and picks divisors exactly as
//   torch.nn.AvgPoolNd.
// - Precision: floating values are computed in double and rounded once per op to the result
//   dtype; sums, products, matmul, linear, conv, mean and softmax accumulate in double. So an
//   f32 result is the correctly rounded (or nearly so) value of the exact math, which can
//   differ in the last bits from PyTorch's float accumulation — compare with a tolerance.
//   Integer dtypes (i64, i32) and bool compute in int64, exactly.
// - Dtypes: f32, f64, i64, i32 and bool work wherever the op's shape rule accepts them. f16
//   and bf16 operands are widened to f32, the op runs in f32, and f16/bf16 results are rounded
//   to nearest even once — the way PyTorch's CPU kernels treat half types (a cast from f64
//   to f16/bf16 therefore rounds twice, through f32).
// - Results never share storage with operands, graph inputs or weights.
// - Not handled: symbolic dims inside a kernel (RunGraph binds every symbol to a size before
//   any kernel runs), in-place updates, and speed.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::reference {

/// Evaluates one op on concrete operands. `attrs` are checked against the op's schema and
/// missing defaults are filled in (already-complete attributes pass through unchanged). The
/// result types come from the op's shape rule applied to the operands' concrete types
/// (ir::infer_result_types), so symbolic dims never reach a kernel; a rule's rejection is
/// returned as is. Errors: InvalidArgument for runtime problems (integer division by zero, a
/// NaN cast to an integer, max over an empty set, ...); Unimplemented "no reference kernel for
/// op X" for an op without a kernel.
StatusOr<std::vector<ir::HostTensor>> EvaluateOp(ir::OpKind op, const ir::Attrs& attrs,
                                                 const std::vector<ir::HostTensor>& operands);

/// Runs a graph: verifies it (ir::Verify with require_weights = true), binds `inputs` by name,
/// evaluates the nodes in order with graph.weights() as the parameters, and returns the
/// outputs in graph output order, named as the graph names them.
///
/// Binding checks every input at once and reports all problems: every graph input must be
/// given and no unknown name may appear; dtype, rank and static dims must equal the declared
/// type; a symbolic dim takes its size from the first input that has it and must have the
/// same size everywhere (N = 8 in every input). Messages name the input, the expected type
/// (e.g. f32[N,784]) and the shape it got. An error from a node is prefixed with
/// node->Describe().
StatusOr<std::vector<std::pair<std::string, ir::HostTensor>>> RunGraph(
    const ir::Graph& graph, const std::map<std::string, ir::HostTensor>& inputs);

}  // namespace kiln::reference
