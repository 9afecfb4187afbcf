#include "tools/kiln/flags.h"

#include <cerrno>
#include <cstdlib>

namespace kiln::cli {

namespace {
const FlagSpec* find_flag(const CommandSpec& spec, const std::string& name) {
  for (const FlagSpec& f : spec.flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}
}  // namespace

StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs out;
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 2 || a[0] != '-' ) {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      out.help = true;
      continue;
    }
    std::string name, value;
    if (a.rfind("--", 0) != 0) {
      // A short flag: `-o VALUE` or `-oVALUE`.
      const FlagSpec* f = nullptr;
      for (const FlagSpec& s : spec.flags) {
        if (s.short_name != 0 && s.short_name == a[1]) f = &s;
      }
      if (!f) return InvalidArgument("unknown option '" + a + "'");
      name = f->name;
      if (f->value_name.empty()) {
        if (a.size() > 2) return InvalidArgument("flag '-" + std::string(1, a[1]) + "' takes no value");
      } else if (a.size() > 2) {
        value = a.substr(2);
      } else {
        if (i + 1 >= args.size()) return InvalidArgument("flag '-" + std::string(1, a[1]) + "' needs a value (" + f->value_name + ")");
        value = args[++i];
      }
      if (out.flags.count(name)) return InvalidArgument("flag '--" + name + "' is given twice");
      out.flags[name] = value;
      continue;
    }
    name = a.substr(2);
    bool has_value = false;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagSpec* f = find_flag(spec, name);
    if (!f) return InvalidArgument("unknown flag '--" + name + "'");
    if (f->value_name.empty()) {
      if (has_value) return InvalidArgument("flag '--" + name + "' takes no value");
    } else if (!has_value && !f->optional_value) {
      if (i + 1 >= args.size()) return InvalidArgument("flag '--" + name + "' needs a value (" + f->value_name + ")");
      value = args[++i];
    }
    if (out.flags.count(name)) return InvalidArgument("flag '--" + name + "' is given twice");
    out.flags[name] = value;
  }
  if (out.help) return out;
  for (const FlagSpec& f : spec.flags) {
    if (f.required && !out.has(f.name)) return InvalidArgument("missing required flag '--" + f.name + "'");
  }
  int n = static_cast<int>(out.positional.size());
  if (n < spec.min_positional) return InvalidArgument("missing argument (usage: " + spec.usage + ")");
  if (n > spec.max_positional) return InvalidArgument("unexpected argument '" + out.positional[spec.max_positional] + "'");
  return out;
}

StatusOr<int64_t> ParsedArgs::get_int(const std::string& name, int64_t min, int64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string text = get(name);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < min) {
    return InvalidArgument("--" + name + " needs an integer >= " + std::to_string(min) + ", got '" + text + "'");
  }
  return static_cast<int64_t>(v);
}

std::string HelpText(const CommandSpec& spec) {
  std::string s = "usage: " + spec.usage + "\n\n" + spec.summary + "\n";
  if (!spec.flags.empty()) s += "\nflags:\n";
  for (const FlagSpec& f : spec.flags) {
    std::string left = f.short_name ? std::string("  -") + f.short_name + ", --" + f.name : "  --" + f.name;
    if (!f.value_name.empty()) left += f.optional_value ? "[=" + f.value_name + "]" : " " + f.value_name;
    if (left.size() < 28) left.resize(28, ' '); else left += "  ";
    s += left + f.help + (f.required ? " (required)" : "") + "\n";
  }
  s += "  --help                    show this help\n";
  return s;
}

}  // namespace kiln::cli
