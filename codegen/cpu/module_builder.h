// Builds the LLVM module of one artifact from a Program: links the kernel library and the
// runtime (bitcode embedded in the compiler), and emits the weights, the model descriptor
// the runtime reads, the `run` function (one call per KernelCall, parallel loops through
// kiln_rt_exec_parallel_for) and the exported C entry points NAME_create / NAME_run /
// NAME_destroy / NAME_last_error. Every other symbol is internal. Only codegen/cpu's LLVM
// files include this header.
#pragma once

#include <memory>
#include <string>

#include "codegen/cpu/program.h"
#include "ir/status.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

namespace kiln::cpu {

struct ModuleTarget {
  std::string triple;
  std::string data_layout;
  std::string cpu;       ///< set as "target-cpu" on every function
  std::string features;  ///< "target-features" ("" keeps the CPU's own)
};

/// The module with `program`'s code. With `external_weights`, the weights blob is not
/// embedded (the runtime maps NAME.weights) and the descriptor carries its checksum.
StatusOr<std::unique_ptr<llvm::Module>> BuildModule(const Program& program, bool external_weights,
                                                    const ModuleTarget& target, llvm::LLVMContext& context);

/// FNV-1a 64 of the weights blob, as kiln_rt_checksum computes it.
uint64_t WeightsChecksum(const std::vector<uint8_t>& blob);

}  // namespace kiln::cpu
