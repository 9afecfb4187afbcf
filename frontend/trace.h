// kiln::trace: records a module's forward into an ir::Graph.
//
// The graph's inputs are symbolic tensors of the given specs (a dim may be symbolic, e.g. the
// batch N, so one graph serves any batch size). Every parameter and buffer that the forward
// touches becomes a graph parameter named by its state_dict key (non-persistent buffers by
// their named_buffers() path), and operations on them are recorded, not folded, with the
// module's current values attached as the graph's weights. Nodes carry the module path that
// recorded them as their location (loc). train()/eval() mode is whatever the module is in.
// Hooks run during tracing on symbolic tensors (a forward hook may replace the output).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/module.h"
#include "ir/graph.h"

namespace kiln {

/// The type (and name) of one traced input.
struct TensorSpec {
  TensorSpec(std::vector<ir::Dim> shape, DType dtype = DType::kF32, std::string name = "")
      : shape(std::move(shape)), dtype(dtype), name(std::move(name)) {}
  std::vector<ir::Dim> shape;
  DType dtype;
  std::string name;  ///< "" = "input" (one input) or "input0", "input1", ...
};

/// Shorthand for a symbolic dim in TensorSpec shapes: TensorSpec({sym("N"), 3, 224, 224}).
inline ir::Dim sym(const std::string& name) { return ir::Dim::Symbolic(name); }

struct TraceOptions {
  std::string graph_name = "main";
  /// Names of the outputs; default "output" (one) or "output0", "output1", ...
  std::vector<std::string> output_names;
};

/// Traces `module` on symbolic inputs. Throws kiln::Error (naming the module path) when the
/// forward fails; the graph is verified before it is returned.
std::unique_ptr<ir::Graph> trace(nn::Module& module, const std::vector<TensorSpec>& inputs,
                                 const TraceOptions& options = {});

/// True while a trace is being recorded on this thread.
bool is_tracing();

/// Marks `value` as an extra output of the traced graph under `name` (a "tap"), e.g. from a
/// forward hook. Throws when not tracing or when `value` is not symbolic.
void add_trace_output(const std::string& name, const Tensor& value);

}  // namespace kiln
