// The backend conformance table: one row per op case (a small .kir graph, input ranges,
// tolerance), run on every backend available on this machine and compared with the
// reference backend (the oracle). Backends: the reference interpreter itself (checks that
// every case runs, is deterministic and matches its declared types) and, as they land, the
// CPU and CUDA backends.
//
// Adding an op means adding at least one row: conformance_test fails for any op of
// ir/ops.def that no case uses.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/host_tensor.h"
#include "ir/status.h"
#include "ir/tensor_compare.h"

namespace kiln::conformance {

using NamedOutputs = std::vector<std::pair<std::string, ir::HostTensor>>;

/// One op case.
struct Case {
  std::string name;
  /// The graph, in .kir text. Inputs and params get seeded random values.
  std::string kir;
  /// Sizes for the symbolic dims of the inputs, e.g. {{"N", 3}}.
  std::map<std::string, int64_t> bindings = {};
  /// Floating inputs/params are uniform in [low, high); integer ones in [int_low, int_high).
  double low = -2.0, high = 2.0;
  int64_t int_low = -5, int_high = 5;
  /// How close another backend must come to the reference.
  ir::Tolerance tolerance = {};
};

/// A backend under test: runs a verified graph with weights attached.
struct Backend {
  std::string name;
  std::function<StatusOr<NamedOutputs>(const ir::Graph&, const std::map<std::string, ir::HostTensor>&)> run;
};

/// Every case of every family (cases_*.cc).
std::vector<Case> all_cases();
/// The backends available on this machine (the reference backend first).
std::vector<Backend> available_backends();

// One function per cases_FAMILY.cc file; all_cases() calls each.
void AddElementwiseCases(std::vector<Case>& cases);
void AddLinalgConvCases(std::vector<Case>& cases);
void AddShapeReduceCases(std::vector<Case>& cases);
void AddSpatialCases(std::vector<Case>& cases);
void AddPoolingCases(std::vector<Case>& cases);
void AddActivationCases(std::vector<Case>& cases);
void AddNormEmbeddingCases(std::vector<Case>& cases);
void AddRecurrentCases(std::vector<Case>& cases);
void AddFusedCases(std::vector<Case>& cases);
void AddLayoutCases(std::vector<Case>& cases);
void AddFusionOpCases(std::vector<Case>& cases);

}  // namespace kiln::conformance
