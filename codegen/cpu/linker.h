// Links an artifact's object into a shared object with ld.lld-19 (run as a child process),
// against libc, libm and libpthread only.
#pragma once

#include <string>

#include "ir/status.h"

namespace kiln::cpu {

/// ld.lld-19 -shared --no-undefined -o so_path object_path -lm -lpthread -lc. A failure is
/// Internal with lld's stderr in the message.
Status LinkSharedObject(const std::string& object_path, const std::string& so_path);

}  // namespace kiln::cpu
