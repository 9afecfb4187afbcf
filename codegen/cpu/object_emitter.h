// Program -> native object file (and the --emit=llvm / asm files): builds the module
// (module_builder.h), optimizes it at O3 for the selected CPU with LLVM's new pass manager,
// and emits a position-independent object. The only other file of the backend that uses
// LLVM; its interface has no LLVM types.
#pragma once

#include <string>

#include "codegen/cpu/program.h"
#include "ir/status.h"

namespace kiln::cpu {

struct ObjectOptions {
  /// "x86-64-v3" (default), "x86-64-v4", "native" (the build host), or any LLVM CPU name.
  std::string cpu = "x86-64-v3";
  bool external_weights = false;
  /// Where to write the object.
  std::string object_path;
  /// Optional extra outputs: the optimized module as text, and assembly ("" = none).
  std::string llvm_path;
  std::string asm_path;
};

/// Floats per vector register for `cpu` (as ObjectOptions::cpu): 16 when it has AVX-512F,
/// else 8. An unknown CPU name gives 8 (EmitObject reports it).
int TargetVectorFloats(const std::string& cpu);

/// Writes options.object_path. Errors: an unknown CPU name (InvalidArgument), LLVM failures.
Status EmitObject(const Program& program, const ObjectOptions& options);

}  // namespace kiln::cpu
