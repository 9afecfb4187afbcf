// The kiln command-line driver: `kiln COMMAND [args]`. Every subcommand has --help; bad usage
// exits 2 with a one-line error, bad input exits 1. See docs/cli.md.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/kiln/commands.h"

namespace {

struct Command {
  kiln::cli::CommandSpec (*spec)();
  int (*run)(const kiln::cli::ParsedArgs&);
};

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {kiln::cli::CompileSpec, kiln::cli::RunCompile},
      {kiln::cli::InspectSpec, kiln::cli::RunInspect},
      {kiln::cli::RunSpec, kiln::cli::RunRun},
      {kiln::cli::OptSpec, kiln::cli::RunOpt},
      {kiln::cli::BenchSpec, kiln::cli::RunBench},
      {kiln::cli::CompareSpec, kiln::cli::RunCompare},
      {kiln::cli::ExportSpec, kiln::cli::RunExport},
  };
  return table;
}

void print_usage(FILE* out) {
  std::fprintf(out, "usage: kiln COMMAND [args]   (kiln COMMAND --help for details)\n\ncommands:\n");
  for (const Command& c : commands()) {
    kiln::cli::CommandSpec spec = c.spec();
    std::fprintf(out, "  %-10s %s\n", spec.name.c_str(), spec.summary.substr(0, spec.summary.find('\n')).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_usage(stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() > 1) args = {args[1], "--help"};
    else {
      print_usage(stdout);
      return 0;
    }
  }
  for (const Command& c : commands()) {
    kiln::cli::CommandSpec spec = c.spec();
    if (spec.name != args[0]) continue;
    auto parsed = kiln::cli::ParseArgs(spec, std::vector<std::string>(args.begin() + 1, args.end()));
    if (!parsed.ok()) {
      std::fprintf(stderr, "kiln %s: error: %s (see kiln %s --help)\n", spec.name.c_str(),
                   parsed.status().message().c_str(), spec.name.c_str());
      return 2;
    }
    if (parsed->help) {
      std::fputs(kiln::cli::HelpText(spec).c_str(), stdout);
      return 0;
    }
    return c.run(*parsed);
  }
  std::fprintf(stderr, "kiln: error: unknown command '%s' (see kiln --help)\n", args[0].c_str());
  return 2;
}
