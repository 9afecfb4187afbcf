// The kiln CLI's subcommands. Each has a spec (flags, usage) and a handler; main.cc keeps
// them in one table. A handler returns the process exit code: 0 on success, 1 when the
// input was bad (one-line "kiln CMD: error: ..." on stderr), 2 on bad usage.
#pragma once

#include "tools/kiln/flags.h"

namespace kiln::cli {

CommandSpec InspectSpec();
int RunInspect(const ParsedArgs& args);

CommandSpec RunSpec();
int RunRun(const ParsedArgs& args);

CommandSpec OptSpec();
int RunOpt(const ParsedArgs& args);

CommandSpec CompileSpec();
int RunCompile(const ParsedArgs& args);

CommandSpec BenchSpec();
int RunBench(const ParsedArgs& args);

CommandSpec CompareSpec();
int RunCompare(const ParsedArgs& args);

CommandSpec ExportSpec();
int RunExport(const ParsedArgs& args);

}  // namespace kiln::cli
