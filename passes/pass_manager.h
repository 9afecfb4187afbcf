// PassManager: runs a pipeline of passes over a graph, with the debugging hooks compiler
// users expect (`--verify-each`, `--print-ir-after=REGEX`, `--dump-dir=DIR`, `--stop-after`).
//
// Contract. Run() executes the passes in the order they were added, each once. Before the
// first pass it checks the options (an invalid regex or a `stop_after` that names no pass of
// the pipeline is an error, and nothing runs). With `verify_each` it runs ir::Verify on the
// input graph and after every pass; a failure names the pass after which the graph broke
// ("after pass cse: 1 problem in graph g: ..."), after printing and dumping that broken graph
// as the options ask. A pass's own error is prefixed with its name ("constant-fold: ...").
// The first error stops the pipeline and leaves the graph as that pass left it. The manager
// never changes the graph itself.
#pragma once

#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/status.h"
#include "passes/pass.h"

namespace kiln::passes {

/// How a PassManager runs its pipeline. The defaults run the passes and nothing else.
struct PassManagerOptions {
  /// Run ir::Verify on the input and after every pass.
  bool verify_each = false;
  /// ECMAScript regex matched against the WHOLE pass name (`cse`, `cse|dce`, `.*fold.*`);
  /// after each matching pass the graph is printed to `print_stream` under a header line
  /// `// -----// IR after NAME //----- //`. "" prints nothing.
  std::string print_ir_after;
  /// If set, the directory (created if missing) receives `00-input.kir` before the first
  /// pass and `NN-NAME.kir` after the NN-th pass (01, 02, ...).
  std::string dump_dir;
  /// If set, the pipeline stops after the first pass of this name. A name that no pass of
  /// the pipeline has is an error reported before anything runs.
  std::string stop_after;
  /// Where `print_ir_after` writes. Not owned; must outlive Run().
  std::ostream* print_stream = &std::cerr;
};

/// An ordered pipeline of passes.
class PassManager {
 public:
  explicit PassManager(PassManagerOptions options = {});

  /// Appends a pass to the pipeline.
  void Add(std::unique_ptr<Pass> pass);

  /// The names of the passes, in pipeline order.
  std::vector<std::string> PassNames() const;

  const PassManagerOptions& options() const { return options_; }

  /// Runs the pipeline over `graph` (see the contract above).
  Status Run(ir::Graph& graph) const;

 private:
  PassManagerOptions options_;
  std::vector<std::unique_ptr<Pass>> passes_;
};

}  // namespace kiln::passes
