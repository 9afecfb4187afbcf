#include "passes/pass_registry.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>
#include <utility>

#include "passes/constant_fold.h"
#include "passes/conv_bn_fold.h"
#include "passes/cse.h"
#include "passes/dce.h"
#include "passes/fuse_elementwise.h"
#include "passes/fuse_epilogue.h"
#include "passes/layout.h"
#include "passes/param_fold.h"
#include "passes/shape_inference.h"
#include "passes/simplify.h"

namespace kiln::passes {

namespace {

using PassOptions = std::vector<std::pair<std::string, std::string>>;
using PassFactory = std::function<StatusOr<std::unique_ptr<Pass>>(const PassOptions&)>;

struct PassEntry {
  const char* name;
  PassFactory create;
};

/// A factory for a pass that takes no options.
template <typename P>
PassFactory NoOptions() {
  return [](const PassOptions& options) -> StatusOr<std::unique_ptr<Pass>> {
    if (!options.empty()) return InvalidArgument(std::string("pass '") + P::kName + "' takes no options");
    return std::unique_ptr<Pass>(std::make_unique<P>());
  };
}

/// Every pass, sorted by name. Adding a pass: one line here (docs/adding_a_pass.md).
const std::vector<PassEntry>& Registry() {
  static const std::vector<PassEntry> registry = {
      {ConstantFold::kName, NoOptions<ConstantFold>()},
      {ConvBnFold::kName, NoOptions<ConvBnFold>()},
      {CommonSubexpressionElimination::kName, NoOptions<CommonSubexpressionElimination>()},
      {DeadCodeElimination::kName, NoOptions<DeadCodeElimination>()},
      {FuseElementwise::kName, NoOptions<FuseElementwise>()},
      {FuseEpilogue::kName, NoOptions<FuseEpilogue>()},
      {Layout::kName, NoOptions<Layout>()},
      {ParamFold::kName, NoOptions<ParamFold>()},
      {ShapeInference::kName,
       [](const PassOptions& options) -> StatusOr<std::unique_ptr<Pass>> {
         KILN_ASSIGN_OR_RETURN(auto pass, ShapeInference::FromOptions(options));
         return std::unique_ptr<Pass>(std::move(pass));
       }},
      {Simplify::kName, NoOptions<Simplify>()},
  };
  return registry;
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string KnownNames() {
  std::string s;
  for (const std::string& n : RegisteredPassNames()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

struct ParsedSpec {
  std::string name;
  PassOptions options;
};

/// Splits "name{K=V,K=V}" into the name and its options.
StatusOr<ParsedSpec> ParseSpec(const std::string& raw) {
  std::string spec = Trim(raw);
  ParsedSpec out;
  size_t brace = spec.find('{');
  out.name = Trim(spec.substr(0, brace));
  if (out.name.empty()) return InvalidArgument("'" + spec + "': empty pass name");
  if (out.name.find('}') != std::string::npos) return InvalidArgument("'" + spec + "': '}' without '{'");
  if (brace == std::string::npos) return out;
  if (spec.back() != '}') return InvalidArgument("'" + spec + "': options must end with '}'");
  // Spaces around '=' belong to the option ("T = 3"); elsewhere they separate options.
  std::string body = std::regex_replace(spec.substr(brace + 1, spec.size() - brace - 2), std::regex("\\s*=\\s*"), "=");
  if (body.find_first_of("{}") != std::string::npos) return InvalidArgument("'" + spec + "': nested braces");
  std::string item;
  auto flush = [&]() -> Status {
    std::string opt = Trim(item);
    item.clear();
    if (opt.empty()) return Status::Ok();
    size_t eq = opt.find('=');
    if (eq == std::string::npos) return InvalidArgument("'" + spec + "': option '" + opt + "' is not KEY=VALUE");
    out.options.emplace_back(Trim(opt.substr(0, eq)), Trim(opt.substr(eq + 1)));
    return Status::Ok();
  };
  for (char c : body) {
    if (c == ',' || c == ' ' || c == '\t') {
      KILN_RETURN_IF_ERROR(flush());
    } else {
      item += c;
    }
  }
  KILN_RETURN_IF_ERROR(flush());
  return out;
}

/// Splits a pipeline at the commas outside braces.
std::vector<std::string> SplitPipeline(const std::string& pipeline) {
  std::vector<std::string> specs;
  std::string cur;
  int depth = 0;
  for (char c : pipeline) {
    if (c == '{') ++depth;
    if (c == '}') --depth;
    if (c == ',' && depth <= 0) {
      specs.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  specs.push_back(cur);
  return specs;
}

}  // namespace

std::vector<std::string> RegisteredPassNames() {
  std::vector<std::string> names;
  for (const PassEntry& e : Registry()) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<std::unique_ptr<Pass>> CreatePass(const std::string& spec) {
  KILN_ASSIGN_OR_RETURN(ParsedSpec parsed, ParseSpec(spec));
  for (const PassEntry& e : Registry()) {
    if (parsed.name == e.name) return e.create(parsed.options);
  }
  return NotFound("unknown pass '" + parsed.name + "' (known passes: " + KnownNames() + ")");
}

Status AddPipeline(PassManager& pm, const std::string& comma_separated_names) {
  if (Trim(comma_separated_names).empty()) return Status::Ok();
  std::vector<std::unique_ptr<Pass>> passes;
  std::vector<std::string> unknown, problems;
  for (const std::string& spec : SplitPipeline(comma_separated_names)) {
    auto pass = CreatePass(spec);
    if (pass.ok()) {
      passes.push_back(std::move(pass).value());
    } else if (pass.status().code() == StatusCode::kNotFound) {
      unknown.push_back("'" + ParseSpec(spec)->name + "'");
    } else {
      problems.push_back(pass.status().message());
    }
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& u : unknown) list += (list.empty() ? "" : ", ") + u;
    problems.insert(problems.begin(), std::to_string(unknown.size()) +
                                          (unknown.size() == 1 ? " unknown pass: " : " unknown passes: ") + list +
                                          " (known passes: " + KnownNames() + ")");
  }
  if (!problems.empty()) {
    std::string msg = "pipeline '" + comma_separated_names + "': ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    return unknown.empty() ? InvalidArgument(msg) : NotFound(msg);
  }
  for (auto& p : passes) pm.Add(std::move(p));
  return Status::Ok();
}

// param-fold turns the weight-only prelude of an eval-mode BatchNorm into parameters, which
// conv-bn-fold needs; simplify then drops identity ops (some appear only once the folds have
// turned operands into constants), so cse sees fewer distinct chains, and dce cleans up what
// all of them left (the original parameters, the bypassed identity nodes). fuse-elementwise
// runs last, on the cleaned-up graph: the folds and cse must see the individual ops, and dead
// or duplicate nodes would otherwise count as extra uses that block fusion.
std::string DefaultPipeline() {
  return "shape-inference,constant-fold,param-fold,conv-bn-fold,simplify,cse,dce,layout,constant-fold,param-fold,simplify,"
         "dce,fuse-epilogue,fuse-elementwise";
}

}  // namespace kiln::passes
