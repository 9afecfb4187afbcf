#include "tools/kiln/loading.h"

#include <vector>

#include "frontend/error.h"
#include "frontend/models/registry.h"
#include "frontend/random.h"
#include "frontend/serialize.h"
#include "frontend/trace.h"
#include "ir/kir.h"
#include "ir/safetensors.h"
#include "ir/verifier.h"

namespace kiln::cli {

namespace {
std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s;
}
}  // namespace

Status AttachWeights(ir::Graph& graph, std::map<std::string, ir::HostTensor> tensors, const std::string& source) {
  std::vector<std::string> missing, mismatched, unexpected;
  for (const ir::Value* p : graph.params()) {
    auto it = tensors.find(p->name());
    if (it == tensors.end()) {
      missing.push_back(p->name() + " " + p->type().str());
      continue;
    }
    if (it->second.type() != p->type()) {
      mismatched.push_back(p->name() + " (graph " + p->type().str() + ", file " + it->second.type().str() + ")");
    } else {
      graph.weights()[p->name()] = it->second;
    }
    tensors.erase(it);
  }
  for (const auto& [name, t] : tensors) unexpected.push_back(name);
  std::vector<std::string> problems;
  if (!missing.empty()) problems.push_back(std::to_string(missing.size()) + " missing: " + join(missing));
  if (!mismatched.empty()) problems.push_back(std::to_string(mismatched.size()) + " mismatched: " + join(mismatched));
  if (!unexpected.empty()) problems.push_back(std::to_string(unexpected.size()) + " unexpected: " + join(unexpected));
  if (problems.empty()) return Status::Ok();
  std::string msg = "weights in " + source + " do not match graph " + graph.name() + ":";
  for (const auto& p : problems) msg += "\n  " + p;
  return InvalidArgument(msg);
}

StatusOr<std::unique_ptr<ir::Graph>> LoadGraph(const std::string& kir_path, const std::string& weights_path) {
  KILN_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> graph, ir::ParseGraphFile(kir_path));
  if (!weights_path.empty()) {
    KILN_ASSIGN_OR_RETURN(ir::SafetensorsFile file, ir::ReadSafetensors(weights_path));
    KILN_RETURN_IF_ERROR(AttachWeights(*graph, std::move(file.tensors), weights_path));
  }
  ir::VerifyOptions options;
  options.require_weights = !weights_path.empty();
  KILN_RETURN_IF_ERROR(ir::Verify(*graph, options).WithContext(kir_path));
  return graph;
}

StatusOr<std::unique_ptr<ir::Graph>> TraceBuiltinModel(const std::string& name, const std::string& weights_path,
                                                       uint64_t seed, int64_t batch) {
  try {
    manual_seed(seed);
    models::BuiltinModel model = models::build_model(name);
    if (!weights_path.empty()) load_state_dict(*model.module, weights_path, /*strict=*/true);
    model.module->eval();
    std::vector<TensorSpec> inputs = model.inputs;
    if (batch != 0) {
      for (TensorSpec& spec : inputs) {
        for (ir::Dim& d : spec.shape) {
          if (d == ir::Dim::Symbolic("N")) d = ir::Dim(batch);
        }
      }
    }
    TraceOptions options;
    options.graph_name = name;
    options.output_names = model.output_names;
    return trace(*model.module, inputs, options);
  } catch (const Error& e) {
    return InvalidArgument(e.what());
  }
}

}  // namespace kiln::cli
