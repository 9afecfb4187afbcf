// state_dict files: a module's parameters and persistent buffers as safetensors, the format
// of `safetensors.torch.save_file(model.state_dict(), path)`.
//
// Keys are the state_dict keys ("layer1.0.conv1.weight"); the metadata is {"format": "pt"} as
// safetensors.torch writes it, so files go both ways between kiln and PyTorch. A tensor
// shared under two keys (tied weights) is written under both (safetensors.torch.save_file
// refuses shared tensors; kiln writes a copy per key, which loads back the same).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "frontend/module.h"

namespace kiln {

/// Writes module.state_dict() to `path`. Throws kiln::Error naming the file on failure.
void save_state_dict(const nn::Module& module, const std::string& path);

/// Reads `path` and loads it with Module::load_state_dict(state, strict). Throws kiln::Error
/// naming the file when it cannot be read or parsed, or when loading fails. Returns the
/// (missing, unexpected) keys, which only a non-strict load can leave non-empty.
std::pair<std::vector<std::string>, std::vector<std::string>> load_state_dict(nn::Module& module,
                                                                              const std::string& path,
                                                                              bool strict = true);

}  // namespace kiln
