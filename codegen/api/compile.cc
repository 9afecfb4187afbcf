#include "codegen/api/compile.h"

#include <cstdlib>
#include <filesystem>

#include "codegen/cpu/compiler.h"
#include "codegen/cpu/loaded_model.h"
#include "frontend/error.h"

namespace kiln {

namespace fs = std::filesystem;

struct CompiledModel::Impl {
  std::string dir;  // a private temporary directory holding the artifact
  cpu::CompiledArtifact artifact;
  std::unique_ptr<cpu::LoadedModel> model;
  ~Impl() {
    model.reset();
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

CompiledModel::CompiledModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledModel::CompiledModel(CompiledModel&&) noexcept = default;
CompiledModel& CompiledModel::operator=(CompiledModel&&) noexcept = default;
CompiledModel::~CompiledModel() = default;

const std::string& CompiledModel::name() const { return impl_->artifact.name; }

std::vector<std::string> CompiledModel::input_names() const {
  std::vector<std::string> names;
  for (const auto& s : impl_->artifact.inputs) names.push_back(s.name);
  return names;
}

std::vector<std::string> CompiledModel::output_names() const {
  std::vector<std::string> names;
  for (const auto& s : impl_->artifact.outputs) names.push_back(s.name);
  return names;
}

std::vector<Tensor> CompiledModel::run(const std::vector<Tensor>& inputs) const {
  const auto& specs = impl_->artifact.inputs;
  if (inputs.size() != specs.size()) {
    throw Error(name() + ": expected " + std::to_string(specs.size()) + " inputs, got " + std::to_string(inputs.size()));
  }
  std::map<std::string, ir::HostTensor> by_name;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].is_concrete()) throw Error(name() + ": input '" + specs[i].name + "' must be a concrete tensor");
    by_name.emplace(specs[i].name, inputs[i].data());
  }
  auto out = impl_->model->Run(by_name);
  throw_if_error(out.status());
  std::vector<Tensor> results;
  for (auto& [n, t] : *out) results.emplace_back(std::move(t));
  return results;
}

Tensor CompiledModel::operator()(const Tensor& input) const {
  std::vector<Tensor> out = run({input});
  if (out.size() != 1) throw Error(name() + " has " + std::to_string(out.size()) + " outputs; use run()");
  return out[0];
}

void CompiledModel::save(const std::string& dir) const {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "kiln", ec);
  if (ec) throw Error("save: cannot create '" + dir + "': " + ec.message());
  auto copy = [&](const std::string& from, const fs::path& to) {
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec) throw Error("save: cannot copy " + from + " to " + to.string() + ": " + ec.message());
  };
  const cpu::CompiledArtifact& a = impl_->artifact;
  copy(a.shared_object, fs::path(dir) / fs::path(a.shared_object).filename());
  copy(a.header, fs::path(dir) / fs::path(a.header).filename());
  copy((fs::path(impl_->dir) / "kiln" / "runtime.h").string(), fs::path(dir) / "kiln" / "runtime.h");
  if (!a.weights.empty()) copy(a.weights, fs::path(dir) / fs::path(a.weights).filename());
}

CompiledModel compile(const ir::Graph& graph, const CompileOptions& options) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/kiln_compile_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw Error("compile: cannot create a temporary directory in " + tmpl);
  auto impl = std::make_unique<CompiledModel::Impl>();
  impl->dir = tmpl;
  cpu::CompileOptions co;
  co.name = options.name;
  co.output_dir = tmpl;
  co.cpu = options.cpu;
  co.threads = options.threads;
  co.max_batch = options.max_batch;
  co.max_dims = options.max_dims;
  co.external_weights = options.external_weights;
  impl->artifact = value_or_throw(cpu::CompileGraph(graph, co), "compile " + options.name);
  impl->model = value_or_throw(cpu::LoadedModel::Load(impl->artifact, options.threads, impl->artifact.weights),
                               "compile " + options.name);
  return CompiledModel(std::move(impl));
}

CompiledModel compile(nn::Module& module, const std::vector<TensorSpec>& inputs, const CompileOptions& options) {
  TraceOptions trace_options;
  trace_options.graph_name = options.name;
  std::unique_ptr<ir::Graph> graph = trace(module, inputs, trace_options);
  return compile(*graph, options);
}

}  // namespace kiln
