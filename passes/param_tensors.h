// Parameter tensors for the passes that fold weights (param-fold, conv-bn-fold): reading the
// value of a parameter or constant at compile time, and adding the new parameters folding
// produces.
//
// A value is *known* when its data is available at compile time: a parameter with an entry in
// graph.weights(), or the result of a `constant` node (materialized by the reference kernel,
// so folding and running agree). Anything else — a graph input, a parameter without weights,
// the result of any other node — is not. New parameters are named `<base>.folded.N`, `base`
// being a parameter name without its own `.folded.K` suffix and N the smallest number not yet
// taken by an input or parameter, so folding the same parameter twice stays unambiguous.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "ir/graph.h"
#include "ir/host_tensor.h"
#include "ir/status.h"

namespace kiln::passes {

/// Compile-time values of parameters and constants, cached per pass run.
class KnownTensors {
 public:
  explicit KnownTensors(const ir::Graph& graph) : graph_(graph) {}

  /// Whether `v` is a parameter with weight data or the result of a `constant` node.
  bool IsKnown(const ir::Value* v) const;

  /// The data of a known value (IsKnown must hold); an error names the constant node when the
  /// reference kernel cannot materialize it.
  StatusOr<ir::HostTensor> Get(const ir::Value* v);

 private:
  const ir::Graph& graph_;
  std::unordered_map<const ir::Value*, ir::HostTensor> constants_;
};

/// `name` without a trailing `.folded.K` (K decimal), so folded parameters keep their root name.
std::string FoldedBaseName(const std::string& name);

/// Adds parameter `<FoldedBaseName(base)>.folded.N` (the first free N) of `data`'s type and
/// attaches `data` as its weight. Returns the new parameter.
ir::Value* AddFoldedParam(ir::Graph& graph, const std::string& base, ir::HostTensor data);

}  // namespace kiln::passes
