#include "passes/pass_manager.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <system_error>

#include "ir/kir.h"
#include "ir/verifier.h"

namespace kiln::passes {

namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? sep : "") + items[i];
  return s;
}

/// "03-constant-fold.kir".
std::string dump_file_name(size_t index, const std::string& what) {
  char num[32];
  std::snprintf(num, sizeof num, "%02zu", index);
  return std::string(num) + "-" + what + ".kir";
}

Status write_dump(const std::string& dir, size_t index, const std::string& what, const ir::Graph& graph) {
  std::filesystem::path path = std::filesystem::path(dir) / dump_file_name(index, what);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << ir::PrintGraph(graph);
  out.close();
  if (!out) return IoError("cannot write IR dump '" + path.string() + "'");
  return Status::Ok();
}

}  // namespace

PassManager::PassManager(PassManagerOptions options) : options_(std::move(options)) {}

void PassManager::Add(std::unique_ptr<Pass> pass) {
  KILN_CHECK(pass != nullptr, "PassManager::Add: null pass");
  passes_.push_back(std::move(pass));
}

std::vector<std::string> PassManager::PassNames() const {
  std::vector<std::string> names;
  for (const auto& p : passes_) names.push_back(p->name());
  return names;
}

Status PassManager::Run(ir::Graph& graph) const {
  // Check every option before touching the graph, so a typo costs no work.
  std::optional<std::regex> print_filter;
  if (!options_.print_ir_after.empty()) {
    try {
      print_filter.emplace(options_.print_ir_after, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return InvalidArgument("print-ir-after: '" + options_.print_ir_after +
                             "' is not a valid regular expression: " + e.what());
    }
  }
  std::vector<std::string> names = PassNames();
  if (!options_.stop_after.empty() &&
      std::find(names.begin(), names.end(), options_.stop_after) == names.end()) {
    return NotFound("stop-after: no pass named '" + options_.stop_after + "' in the pipeline (" +
                    (names.empty() ? std::string("empty") : join(names, ",")) + ")");
  }
  if (print_filter && options_.print_stream == nullptr) {
    return InvalidArgument("print-ir-after: print_stream is null");
  }
  if (!options_.dump_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.dump_dir, ec);
    if (ec) return IoError("dump-dir: cannot create directory '" + options_.dump_dir + "': " + ec.message());
    KILN_RETURN_IF_ERROR(write_dump(options_.dump_dir, 0, "input", graph));
  }

  if (options_.verify_each) {
    Status s = ir::Verify(graph);
    if (!s.ok()) return s.WithContext("before the first pass");
  }
  for (size_t i = 0; i < passes_.size(); ++i) {
    Pass& pass = *passes_[i];
    const std::string& name = names[i];
    StatusOr<bool> changed = pass.Run(graph);
    if (!changed.ok()) return changed.status().WithContext(name);
    Status verified = options_.verify_each ? ir::Verify(graph) : Status::Ok();
    // A graph that fails to verify is still printed and dumped: it is the one to look at.
    if (print_filter && std::regex_match(name, *print_filter)) {
      *options_.print_stream << "// -----// IR after " << name << " //----- //\n" << ir::PrintGraph(graph);
      options_.print_stream->flush();
    }
    if (!options_.dump_dir.empty()) KILN_RETURN_IF_ERROR(write_dump(options_.dump_dir, i + 1, name, graph));
    if (!verified.ok()) return verified.WithContext("after pass " + name);
    if (!options_.stop_after.empty() && name == options_.stop_after) break;
  }
  return Status::Ok();
}

}  // namespace kiln::passes
