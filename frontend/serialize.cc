#include "frontend/serialize.h"

#include <map>

#include "ir/safetensors.h"

namespace kiln {

void save_state_dict(const nn::Module& module, const std::string& path) {
  std::map<std::string, ir::HostTensor> tensors;
  for (const auto& [key, t] : module.state_dict()) tensors.emplace(key, t.data());
  throw_if_error(ir::WriteSafetensors(path, tensors, {{"format", "pt"}}),
                 "save_state_dict('" + path + "') of " + module.name());
}

std::pair<std::vector<std::string>, std::vector<std::string>> load_state_dict(nn::Module& module,
                                                                              const std::string& path,
                                                                              bool strict) {
  ir::SafetensorsFile file = value_or_throw(ir::ReadSafetensors(path), "load_state_dict('" + path + "')");
  nn::NamedTensors state;
  for (auto& [key, data] : file.tensors) state.emplace_back(key, Tensor(std::move(data)));
  try {
    return module.load_state_dict(state, strict);
  } catch (const Error& e) {
    throw Error("load_state_dict('" + path + "'): " + e.what());
  }
}

}  // namespace kiln
