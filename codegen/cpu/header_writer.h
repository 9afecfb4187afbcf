// Writes the artifact's C header NAME.h (and kiln/runtime.h next to it, so an application
// needs nothing from kiln's source tree): the entry points, and the inputs and outputs by
// name, dtype and shape (the symbolic batch dim noted as N), as comments and macros.
#pragma once

#include <string>

#include "codegen/cpu/program.h"
#include "ir/status.h"

namespace kiln::cpu {

/// The text of NAME.h for `program`.
std::string GenerateHeader(const Program& program, bool external_weights);

/// Writes DIR/NAME.h and DIR/kiln/runtime.h.
Status WriteHeaders(const Program& program, bool external_weights, const std::string& dir);

}  // namespace kiln::cpu
