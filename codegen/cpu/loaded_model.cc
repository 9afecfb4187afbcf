#include "codegen/cpu/loaded_model.h"

#include <dlfcn.h>

#include <algorithm>

#include "kiln/runtime.h"

namespace kiln::cpu {
namespace {

using CreateFn = kiln_status (*)(const kiln_context_options*, void**);
using RunFn = kiln_status (*)(void*, const kiln_tensor*, int32_t, kiln_tensor*, int32_t);
using DestroyFn = void (*)(void*);
using LastErrorFn = const char* (*)();

Status FromKiln(kiln_status s, const std::string& message) {
  switch (s) {
    case KILN_OK: return Status::Ok();
    case KILN_INVALID_ARGUMENT: return InvalidArgument(message);
    case KILN_IO_ERROR: return IoError(message);
    default: return Internal(message);
  }
}

}  // namespace

void* LoadedModel::Symbol(const std::string& suffix) const {
  return dlsym(handle_, (artifact_.name + suffix).c_str());
}

StatusOr<std::unique_ptr<LoadedModel>> LoadedModel::Load(const CompiledArtifact& artifact, int threads,
                                                         const std::string& weights_path) {
  std::unique_ptr<LoadedModel> m(new LoadedModel());
  m->artifact_ = artifact;
  m->handle_ = dlopen(artifact.shared_object.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (m->handle_ == nullptr) return IoError("cannot load " + artifact.shared_object + ": " + dlerror());
  auto create = reinterpret_cast<CreateFn>(m->Symbol("_create"));
  auto last_error = reinterpret_cast<LastErrorFn>(m->Symbol("_last_error"));
  if (create == nullptr || last_error == nullptr || m->Symbol("_run") == nullptr || m->Symbol("_destroy") == nullptr) {
    return Internal(artifact.shared_object + " lacks the entry points of artifact '" + artifact.name + "'");
  }
  kiln_context_options options = {};
  options.num_threads = threads;
  options.weights_path = weights_path.empty() ? nullptr : weights_path.c_str();
  kiln_status s = create(&options, &m->context_);
  if (s != KILN_OK) return FromKiln(s, std::string(artifact.name) + "_create: " + last_error());
  return m;
}

StatusOr<std::unique_ptr<LoadedModel>> LoadedModel::Open(const std::string& shared_object, int threads,
                                                         const std::string& weights_path) {
  std::string file = shared_object.substr(shared_object.find_last_of('/') + 1);
  if (file.size() <= 6 || file.rfind("lib", 0) != 0 || file.substr(file.size() - 3) != ".so") {
    return InvalidArgument(shared_object + ": expected an artifact named libNAME.so");
  }
  CompiledArtifact artifact;
  artifact.name = file.substr(3, file.size() - 6);
  artifact.shared_object = shared_object.find('/') == std::string::npos ? "./" + shared_object : shared_object;
  // Read the description with a throwaway handle first (Load needs the specs).
  void* handle = dlopen(artifact.shared_object.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return IoError("cannot load " + shared_object + ": " + dlerror());
  using DescribeFn = const kiln_rt_model* (*)();
  auto describe = reinterpret_cast<DescribeFn>(dlsym(handle, (artifact.name + "_describe").c_str()));
  if (describe == nullptr) {
    dlclose(handle);
    return InvalidArgument(shared_object + " is not a kiln artifact named '" + artifact.name + "' (no " + artifact.name +
                           "_describe)");
  }
  const kiln_rt_model* model = describe();
  auto specs = [](const kiln_rt_io_spec* s, int32_t n) {
    std::vector<IoSpec> out;
    for (int32_t i = 0; i < n; ++i) {
      IoSpec spec{s[i].name, static_cast<ir::DType>(s[i].dtype), {}};
      for (int32_t d = 0; d < s[i].rank; ++d) spec.dims.push_back(s[i].dims[d]);
      out.push_back(std::move(spec));
    }
    return out;
  };
  artifact.inputs = specs(model->inputs, model->num_inputs);
  artifact.outputs = specs(model->outputs, model->num_outputs);
  artifact.max_batch = model->max_batch;
  if (model->num_symbols > 0) {
    for (int32_t k = 0; k < model->num_symbols; ++k) {
      artifact.symbols.push_back(model->symbols[k] ? model->symbols[k] : "?");
      artifact.symbol_max.push_back(model->symbol_max[k]);
    }
  } else if (model->max_batch > 0) {
    artifact.symbols = {"N"};
    artifact.symbol_max = {model->max_batch};
  }
  artifact.arena_bytes = model->arena_bytes;
  artifact.weights_bytes = model->weights_bytes;
  auto loaded = Load(artifact, threads, weights_path);
  dlclose(handle);  // Load holds its own reference
  return loaded;
}

LoadedModel::~LoadedModel() {
  if (context_ != nullptr) reinterpret_cast<DestroyFn>(Symbol("_destroy"))(context_);
  if (handle_ != nullptr) dlclose(handle_);
}

StatusOr<std::vector<std::pair<std::string, ir::HostTensor>>> LoadedModel::Run(
    const std::map<std::string, ir::HostTensor>& inputs) {
  std::vector<kiln_tensor> in(artifact_.inputs.size());
  std::vector<int64_t> sizes(KILN_MAX_SYMBOLS, 1);  // symbol k's size, as bound by the inputs
  for (size_t i = 0; i < artifact_.inputs.size(); ++i) {
    const IoSpec& spec = artifact_.inputs[i];
    auto it = inputs.find(spec.name);
    if (it == inputs.end()) return InvalidArgument("input '" + spec.name + "' is missing");
    const ir::HostTensor& t = it->second;
    kiln_tensor& k = in[i];
    k = {};
    k.dtype = static_cast<kiln_dtype>(t.dtype());
    k.rank = t.rank();
    for (int d = 0; d < t.rank() && d < KILN_MAX_RANK; ++d) {
      k.dims[d] = t.sizes()[static_cast<size_t>(d)];
      int64_t declared = d < static_cast<int>(spec.dims.size()) ? spec.dims[static_cast<size_t>(d)] : 0;
      if (declared < 0 && -1 - declared < KILN_MAX_SYMBOLS) sizes[static_cast<size_t>(-1 - declared)] = k.dims[d];
    }
    k.data = const_cast<void*>(t.raw_data());
    k.capacity = t.nbytes();
  }
  // A size over its bound fails the run's checks; do not allocate outputs for it.
  for (size_t k = 0; k < artifact_.symbol_max.size() && k < sizes.size(); ++k) sizes[k] = std::min(sizes[k], artifact_.symbol_max[k]);
  std::vector<kiln_tensor> out(artifact_.outputs.size());
  std::vector<std::pair<std::string, ir::HostTensor>> results;
  for (size_t j = 0; j < artifact_.outputs.size(); ++j) {
    const IoSpec& spec = artifact_.outputs[j];
    std::vector<int64_t> dims;
    for (int64_t d : spec.dims) dims.push_back(d < 0 && -1 - d < KILN_MAX_SYMBOLS ? sizes[static_cast<size_t>(-1 - d)] : d);
    results.emplace_back(spec.name, ir::HostTensor(spec.dtype, dims));
  }
  for (size_t j = 0; j < results.size(); ++j) {
    out[j] = {};
    out[j].dtype = static_cast<kiln_dtype>(artifact_.outputs[j].dtype);
    out[j].rank = static_cast<int32_t>(artifact_.outputs[j].dims.size());
    out[j].data = results[j].second.raw_data();
    out[j].capacity = results[j].second.nbytes();
  }
  auto run = reinterpret_cast<RunFn>(Symbol("_run"));
  kiln_status s = run(context_, in.data(), static_cast<int32_t>(in.size()), out.data(), static_cast<int32_t>(out.size()));
  if (s != KILN_OK) {
    return FromKiln(s, artifact_.name + "_run: " + reinterpret_cast<LastErrorFn>(Symbol("_last_error"))());
  }
  return results;
}

}  // namespace kiln::cpu
