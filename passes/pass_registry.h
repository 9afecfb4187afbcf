// The pass registry: every pass by its stable kebab-case name, and pipelines built from
// pass-name lists such as "shape-inference{N=8},constant-fold,cse,dce".
//
// Contract. A pipeline is a comma-separated list of pass specs; a spec is a pass name,
// optionally followed by options in braces, `name{KEY=VALUE,KEY=VALUE}` (options may also
// be separated by spaces; whitespace around names and options is ignored). Commas inside the
// braces belong to the options. The passes and their options:
//   constant-fold    (no options)
//   conv-bn-fold     (no options)
//   cse              (no options)
//   dce              (no options)
//   fuse-elementwise (no options)
//   param-fold       (no options)
//   shape-inference  {SYMBOL=SIZE ...}: binds symbolic dims of the graph inputs
//   simplify         (no options)
// A malformed spec, an unknown name or a bad option is an error; AddPipeline reports every
// problem of the list at once and then adds nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/status.h"
#include "passes/pass.h"
#include "passes/pass_manager.h"

namespace kiln::passes {

/// Creates the pass named by `spec` ("cse", "shape-inference{N=8}"). An unknown name is
/// NotFound listing the known names; bad options are InvalidArgument.
StatusOr<std::unique_ptr<Pass>> CreatePass(const std::string& spec);

/// The names of all registered passes, sorted.
std::vector<std::string> RegisteredPassNames();

/// Appends the passes of a comma-separated list to `pm`, in order. Reports all unknown names
/// (and other bad specs) at once, and adds nothing on error. "" adds nothing.
Status AddPipeline(PassManager& pm, const std::string& comma_separated_names);

/// The standard optimization pipeline:
/// "shape-inference,constant-fold,param-fold,conv-bn-fold,simplify,cse,dce,layout,constant-fold,
/// param-fold,simplify,dce,fuse-epilogue,fuse-elementwise" (the second round folds the constants the layout
/// pass transposes, cancels its back-to-back permutes and drops the dead ones).
std::string DefaultPipeline();

}  // namespace kiln::passes
