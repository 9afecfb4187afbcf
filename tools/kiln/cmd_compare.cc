// `kiln compare GOT.safetensors EXPECTED.safetensors [--prefix P] [--rtol R] [--atol A]`: the
// tool for diffing a backend's outputs against a reference (the golden files, or `kiln run`).
#include <cstdio>
#include <cstdlib>

#include "ir/safetensors.h"
#include "ir/tensor_compare.h"
#include "tools/kiln/commands.h"

namespace kiln::cli {

CommandSpec CompareSpec() {
  return CommandSpec{
      "compare",
      "kiln compare GOT.safetensors EXPECTED.safetensors [--prefix P] [--rtol R] [--atol A]",
      "Compares every tensor of GOT with the tensor named PREFIX+name in EXPECTED:\n"
      "|got - expected| <= atol + rtol * |expected| (integer and bool tensors exactly).",
      {
          {"prefix", "P", "name prefix in EXPECTED (golden files use 'expected.')"},
          {"rtol", "R", "relative tolerance (default 1e-4)"},
          {"atol", "A", "absolute tolerance (default 1e-5)"},
      },
      2,
      2,
  };
}

namespace {
StatusOr<double> parse_number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0)) {
    return InvalidArgument("--" + flag + " needs a number >= 0, got '" + text + "'");
  }
  return v;
}
}  // namespace

int RunCompare(const ParsedArgs& args) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "kiln compare: error: %s\n", s.message().c_str());
    return 1;
  };
  ir::Tolerance tol;
  auto usage = [](const Status& s) {
    std::fprintf(stderr, "kiln compare: error: %s (see kiln compare --help)\n", s.message().c_str());
    return 2;
  };
  if (args.has("rtol")) {
    auto v = parse_number("rtol", args.get("rtol"));
    if (!v.ok()) return usage(v.status());
    tol.rtol = *v;
  }
  if (args.has("atol")) {
    auto v = parse_number("atol", args.get("atol"));
    if (!v.ok()) return usage(v.status());
    tol.atol = *v;
  }
  auto got = ir::ReadSafetensors(args.positional[0]);
  if (!got.ok()) return fail(got.status());
  auto expected = ir::ReadSafetensors(args.positional[1]);
  if (!expected.ok()) return fail(expected.status());
  if (got->tensors.empty()) return fail(InvalidArgument(args.positional[0] + " holds no tensors"));
  std::string prefix = args.get("prefix");
  int mismatches = 0;
  for (const auto& [name, tensor] : got->tensors) {
    auto it = expected->tensors.find(prefix + name);
    if (it == expected->tensors.end()) {
      std::printf("%s: mismatch: no tensor '%s' in %s\n", name.c_str(), (prefix + name).c_str(), args.positional[1].c_str());
      ++mismatches;
      continue;
    }
    ir::Comparison c = ir::Compare(tensor, it->second, tol);
    std::printf("%s: %s: %s\n", name.c_str(), c.ok ? "ok" : "mismatch", c.message.c_str());
    if (!c.ok) ++mismatches;
  }
  return mismatches == 0 ? 0 : 1;
}

}  // namespace kiln::cli
