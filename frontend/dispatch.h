// The one place where a frontend operation becomes either an eager computation or a graph
// node (internal to frontend/; users see Tensor and nn::).
//
// detail::apply(op, operands, attrs): if every operand is concrete, evaluates the op with the
// reference kernels and returns concrete results; otherwise records a node in the active
// trace (trace.h) and returns symbolic results. Concrete operands of a traced op become graph
// parameters when they are parameters or buffers of the traced module (matched by identity),
// else constants. Errors throw kiln::Error prefixed with the module path being run.
#pragma once

#include <string>
#include <vector>

#include "frontend/tensor.h"
#include "ir/ops.h"

namespace kiln::nn {
class Module;
}

namespace kiln::detail {

/// Runs or records one IR op; returns all its results.
std::vector<Tensor> apply(ir::OpKind op, const std::vector<Tensor>& operands, const ir::Attrs& attrs = {});
/// Same, for single-result ops.
Tensor apply1(ir::OpKind op, const std::vector<Tensor>& operands, const ir::Attrs& attrs = {});

/// A 0-d tensor holding `value` with the dtype of `like`, as torch promotes Python scalars.
Tensor scalar_like(const Tensor& like, double value);

/// Throws kiln::Error with `message` prefixed by the current module path ("layer1.0.conv1 (Conv2d): ...").
[[noreturn]] void fail(const std::string& message);

/// The path of the module whose forward is running ("" at top level), for error messages and
/// node locations.
std::string current_module_path();

/// Marks a module's forward as running while alive: pushes its path (found from the caller
/// module's children) so errors and traced nodes name it.
class ModuleScope {
 public:
  explicit ModuleScope(const nn::Module* module);
  ~ModuleScope();
  ModuleScope(const ModuleScope&) = delete;
  ModuleScope& operator=(const ModuleScope&) = delete;
};

}  // namespace kiln::detail
