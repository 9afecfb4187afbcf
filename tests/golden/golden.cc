#include "tests/golden/golden.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "ir/kir.h"
#include "ir/safetensors.h"
#include "ir/verifier.h"

namespace kiln::golden {

namespace {

constexpr const char* kExpectedPrefix = "expected.";

// Whether tensor `t` fits the declared type `type`: same dtype and rank, equal static dims,
// and each symbolic dim the same size everywhere (`symbols` collects the sizes seen).
std::string FitProblem(const ir::HostTensor& t, const ir::TensorType& type, std::map<std::string, int64_t>& symbols) {
  std::string what = "is " + t.type().str() + " but the graph declares " + type.str();
  if (t.dtype() != type.dtype || t.rank() != type.shape.rank()) return what;
  for (int d = 0; d < t.rank(); ++d) {
    const ir::Dim& dim = type.shape.dim(d);
    int64_t size = t.sizes()[static_cast<size_t>(d)];
    if (dim.is_static()) {
      if (dim.size() != size) return what;
    } else {
      auto [it, inserted] = symbols.emplace(dim.symbol(), size);
      if (!inserted && it->second != size) {
        return what + " (" + dim.symbol() + " is " + std::to_string(it->second) + " elsewhere)";
      }
    }
  }
  return "";
}

}  // namespace

std::vector<std::string> CompareOutputs(const std::vector<std::pair<std::string, ir::HostTensor>>& got,
                                        const std::map<std::string, ir::HostTensor>& expected, Tolerance tol) {
  std::vector<std::string> problems;
  std::map<std::string, const ir::HostTensor*> by_name;
  for (const auto& [name, tensor] : got) {
    if (!by_name.emplace(name, &tensor).second) problems.push_back("output " + name + ": produced twice");
    if (!expected.count(name)) problems.push_back("output " + name + ": not expected");
  }
  for (const auto& [name, want] : expected) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      problems.push_back("output " + name + ": missing (expected " + want.type().str() + ")");
      continue;
    }
    Comparison c = Compare(*it->second, want, tol);
    if (!c.ok) problems.push_back("output " + name + ": " + c.message);
  }
  return problems;
}

StatusOr<GoldenCase> LoadCase(const std::string& dir, const std::string& name) {
  const std::string kir_path = dir + "/" + name + ".kir";
  const std::string data_path = dir + "/" + name + ".safetensors";
  const std::string context = "golden case " + name;
  GoldenCase gc;
  gc.name = name;
  auto graph = ir::ParseGraphFile(kir_path);
  if (!graph.ok()) return graph.status().WithContext(context);
  gc.graph = std::move(graph).value();
  auto file = ir::ReadSafetensors(data_path);
  if (!file.ok()) return file.status().WithContext(context);
  std::map<std::string, ir::HostTensor> left = std::move(file->tensors);
  gc.metadata = std::move(file->metadata);

  std::vector<std::string> problems;
  std::map<std::string, int64_t> symbols;
  // Moves the tensor called `key` out of `left` into `into[into_key]`, checking its type.
  auto take = [&](const std::string& key, const ir::TensorType& type, const std::string& what,
                  std::map<std::string, ir::HostTensor>& into, const std::string& into_key) {
    auto it = left.find(key);
    if (it == left.end()) {
      problems.push_back(what + " '" + key + "' (" + type.str() + ") is missing from " + data_path);
      return;
    }
    std::string fit = FitProblem(it->second, type, symbols);
    if (!fit.empty()) problems.push_back(what + " '" + key + "' " + fit);
    into.emplace(into_key, std::move(it->second));
    left.erase(it);
  };
  for (const ir::Value* v : gc.graph->inputs()) take(v->name(), v->type(), "input", gc.inputs, v->name());
  for (const ir::Value* v : gc.graph->params()) take(v->name(), v->type(), "parameter", gc.graph->weights(), v->name());
  for (const ir::GraphOutput& out : gc.graph->outputs()) {
    take(kExpectedPrefix + out.name, out.value->type(), "expected output", gc.expected, out.name);
  }
  for (const auto& [key, tensor] : left) {
    problems.push_back("tensor '" + key + "' (" + tensor.type().str() + ") in " + data_path +
                       " is no input, parameter or output (expected.NAME) of graph " + gc.graph->name());
  }
  if (!problems.empty()) {
    std::string msg = std::to_string(problems.size()) + (problems.size() == 1 ? " problem:" : " problems:");
    for (const std::string& p : problems) msg += "\n  " + p;
    return InvalidArgument(msg).WithContext(context);
  }
  ir::VerifyOptions options;
  options.require_weights = true;
  Status verified = ir::Verify(*gc.graph, options);
  if (!verified.ok()) return verified.WithContext(context + " (" + kir_path + ")");
  return gc;
}

StatusOr<std::vector<std::string>> ListCases(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) return IoError("cannot list golden cases in '" + dir + "': " + ec.message());
  std::vector<std::string> names;
  for (; it != end; it.increment(ec)) {
    if (ec) return IoError("cannot list golden cases in '" + dir + "': " + ec.message());
    const std::filesystem::path& p = it->path();
    if (p.extension() == ".kir") names.push_back(p.stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace kiln::golden
