// A small declarative command-line parser for the kiln CLI's subcommands.
//
// Each subcommand declares its flags (name, whether it takes a value, help text) and how many
// positional arguments it takes. Parsing accepts `--flag value`, `--flag=value` and boolean
// `--flag`; anything unknown or missing is an error that names it, so the CLI can answer with
// one line and a non-zero exit.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/status.h"

namespace kiln::cli {

/// One flag of a subcommand.
struct FlagSpec {
  std::string name;        ///< without the leading "--"
  std::string value_name;  ///< e.g. "FILE"; empty for a boolean flag
  std::string help;
  bool required = false;
  bool optional_value = false;  ///< `--dot` or `--dot=FILE`: the value may be omitted (only with '=')
  char short_name = 0;          ///< e.g. 'o' for `-o DIR` (0: none)
};

/// What a subcommand accepts.
struct CommandSpec {
  std::string name;
  std::string usage;    ///< e.g. "kiln inspect FILE.kir [flags]"
  std::string summary;  ///< one line
  std::vector<FlagSpec> flags;
  int min_positional = 0;
  int max_positional = 0;
};

/// The result of parsing: flag values by name ("" for booleans that were given) and positionals.
struct ParsedArgs {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  bool help = false;  ///< --help / -h was given

  bool has(const std::string& name) const { return flags.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
  }
  /// The integer value of flag `name` (`fallback` when absent); an error "--NAME needs an
  /// integer >= MIN, got 'x'" when it is not a decimal integer >= min.
  StatusOr<int64_t> get_int(const std::string& name, int64_t min, int64_t fallback) const;
};

/// Parses argv (without the program and subcommand names) against `spec`.
StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args);

/// The --help text of a subcommand.
std::string HelpText(const CommandSpec& spec);

}  // namespace kiln::cli
