// libFuzzer entry point for the safetensors reader: any bytes must give a file or an error,
// never a crash, an out-of-bounds read or a huge allocation. Anything that parses must
// serialize and parse back to the same tensors.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ir/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = kiln::ir::ParseSafetensors(data, size, "<fuzz>");
  if (!file.ok()) return 0;
  auto bytes = kiln::ir::SerializeSafetensors(file->tensors, file->metadata);
  if (!bytes.ok()) std::abort();
  auto again = kiln::ir::ParseSafetensors(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size(), "<again>");
  if (!again.ok() || again->tensors.size() != file->tensors.size()) std::abort();
  for (const auto& [name, t] : file->tensors) {
    if (!again->tensors.at(name).BitwiseEqual(t)) std::abort();
  }
  return 0;
}
