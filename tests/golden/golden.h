// Golden parity with PyTorch: loading the committed cases of tests/golden/cases and comparing
// what a kiln backend computes with what PyTorch computed (tests/golden/generate.py).
//
// A case NAME is two files: NAME.kir (the graph) and NAME.safetensors, which holds the graph
// inputs under their input names, the parameters under their param names, and the expected
// value of every graph output under `expected.OUTPUTNAME`. LoadCase splits the file into those
// three groups and rejects a case with anything missing or left over, so a typo in a name
// fails loudly instead of silently testing less.
//
// Tolerance: see ir/tensor_compare.h (rtol 1e-4, atol 1e-5 for f32, exact for integers/bool).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/host_tensor.h"
#include "ir/status.h"
#include "ir/tensor_compare.h"

namespace kiln::golden {

// The comparison itself lives in ir/tensor_compare.h (the CLI's `kiln compare` uses it too).
using ir::Compare;
using ir::Comparison;
using ir::Tolerance;

/// Compares a backend's outputs with a case's expected outputs by name: every expected output
/// must be present and within tolerance, and no other output may appear. Returns one message
/// per problem ("output NAME: ..."); empty when everything matches.
std::vector<std::string> CompareOutputs(const std::vector<std::pair<std::string, ir::HostTensor>>& got,
                                        const std::map<std::string, ir::HostTensor>& expected,
                                        Tolerance tol = {});

/// One golden case, ready to run.
struct GoldenCase {
  std::string name;
  /// The parsed, verified graph with every parameter's data in graph->weights().
  std::unique_ptr<ir::Graph> graph;
  /// Graph inputs by input name.
  std::map<std::string, ir::HostTensor> inputs;
  /// Expected outputs by graph output name (the file's `expected.NAME` without the prefix).
  std::map<std::string, ir::HostTensor> expected;
  /// The safetensors metadata (generate.py writes "torch" = version and "case" = NAME).
  std::map<std::string, std::string> metadata;
};

/// Loads DIR/NAME.kir and DIR/NAME.safetensors. Errors: the files cannot be read or parsed,
/// the graph fails ir::Verify, an input, parameter or expected output is missing, a tensor
/// does not fit the type the graph declares (symbolic dims match any size), or the file holds
/// tensors that are none of these (all problems reported at once).
StatusOr<GoldenCase> LoadCase(const std::string& dir, const std::string& name);

/// The names of the cases in `dir` (every NAME.kir), sorted. IoError if `dir` is unreadable.
StatusOr<std::vector<std::string>> ListCases(const std::string& dir);

}  // namespace kiln::golden
