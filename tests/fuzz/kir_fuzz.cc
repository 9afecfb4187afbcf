// libFuzzer entry point for the .kir parser: any input must parse or fail with a Status,
// never crash; whatever parses must print to text that parses again to the same text.
//
//   bazel build //tests/fuzz:kir_fuzz && bazel-bin/tests/fuzz/kir_fuzz -max_len=4096
// (needs a clang with its libFuzzer and ASan runtimes).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ir/kir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto graph = kiln::ir::ParseGraph(text, "fuzz.kir");
  if (!graph.ok()) return 0;
  std::string printed = kiln::ir::PrintGraph(**graph);
  auto again = kiln::ir::ParseGraph(printed, "printed.kir");
  if (!again.ok() || kiln::ir::PrintGraph(**again) != printed) {
    std::fprintf(stderr, "print/parse round trip failed:\n%s\n%s\n", printed.c_str(),
                 again.ok() ? "(prints differently)" : again.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
