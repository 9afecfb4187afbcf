// Golden parity of issue 5's normalization, bilinear and embedding layers with torch.nn: for
// every case of tests/golden/layers/norm_embedding_*.safetensors (tests/golden/gen_norm_embedding_layers.py) build
// the same module, load torch's state_dict, put it in the case's mode and run its steps: each
// step's output is compared traced (kiln::trace with a symbolic batch N where the inputs share
// dim 0, + the reference backend) and eager; then the state after the last step (running
// stats, num_batches_tracked, renormalized embedding rows).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "frontend/nn.h"
#include "frontend/trace.h"
#include "tests/frontend/layer_golden_util.h"

namespace {

using namespace kiln;                // NOLINT
using namespace kiln::layer_golden;  // NOLINT

using BN = nn::BatchNormOptions;
using IN = nn::InstanceNormOptions;

// Mirrors CASES of tests/golden/gen_norm_embedding_layers.py (names without the norm_embedding_ prefix).
std::vector<LayerCase> Cases() {
  return {
      {"batchnorm1d_2d_eval", [] { return nn::BatchNorm1d(5).ptr(); }},
      {"batchnorm1d_3d_eval_noaffine", [] { return nn::BatchNorm1d(BN(3).eps(1e-3).affine(false)).ptr(); }},
      {"batchnorm3d_eval", [] { return nn::BatchNorm3d(3).ptr(); }},
      {"batchnorm2d_zeros_eval", [] { return nn::BatchNorm2d(3).ptr(); }},
      {"batchnorm2d_notrack_eval", [] { return nn::BatchNorm2d(BN(3).track_running_stats(false)).ptr(); }},
      {"batchnorm1d_2d_train", [] { return nn::BatchNorm1d(BN(5).momentum(0.3)).ptr(); }},
      {"batchnorm1d_3d_train", [] { return nn::BatchNorm1d(4).ptr(); }},
      {"batchnorm2d_train_batch1", [] { return nn::BatchNorm2d(BN(3).eps(1e-3)).ptr(); }},
      {"batchnorm3d_train", [] { return nn::BatchNorm3d(3).ptr(); }},
      {"batchnorm3d_train_cumulative", [] { return nn::BatchNorm3d(BN(2).momentum(std::nullopt)).ptr(); }},
      {"batchnorm2d_train_zeros", [] { return nn::BatchNorm2d(2).ptr(); }},
      {"groupnorm_2d", [] { return nn::GroupNorm(2, 4).ptr(); }},
      {"groupnorm_1d_noaffine_eps", [] { return nn::GroupNorm(nn::GroupNormOptions(3, 6).eps(1e-3).affine(false)).ptr(); }},
      {"groupnorm_2d_input_one_group", [] { return nn::GroupNorm(1, 4).ptr(); }},
      {"groupnorm_3d_per_channel", [] { return nn::GroupNorm(4, 4).ptr(); }},
      {"groupnorm_zeros", [] { return nn::GroupNorm(2, 4).ptr(); }},
      {"instancenorm1d", [] { return nn::InstanceNorm1d(3).ptr(); }},
      {"instancenorm1d_unbatched", [] { return nn::InstanceNorm1d(3).ptr(); }, false},
      {"instancenorm2d_affine", [] { return nn::InstanceNorm2d(IN(3).affine(true)).ptr(); }},
      {"instancenorm3d_batch1", [] { return nn::InstanceNorm3d(IN(2).eps(1e-3)).ptr(); }},
      {"instancenorm2d_zeros", [] { return nn::InstanceNorm2d(2).ptr(); }},
      {"instancenorm2d_track_eval", [] { return nn::InstanceNorm2d(IN(3).track_running_stats(true)).ptr(); }},
      {"instancenorm1d_track_train", [] { return nn::InstanceNorm1d(IN(4).track_running_stats(true)).ptr(); }},
      {"instancenorm2d_track_affine_train",
       [] { return nn::InstanceNorm2d(IN(3).affine(true).track_running_stats(true).momentum(0.4)).ptr(); }},
      {"instancenorm3d_track_train", [] { return nn::InstanceNorm3d(IN(2).track_running_stats(true)).ptr(); }},
      {"layernorm_1d", [] { return nn::LayerNorm(5).ptr(); }},
      {"layernorm_2d_eps", [] { return nn::LayerNorm(nn::LayerNormOptions({3, 4}).eps(1e-3)).ptr(); }},
      {"layernorm_noaffine_3d", [] { return nn::LayerNorm(nn::LayerNormOptions(6).elementwise_affine(false)).ptr(); }},
      {"layernorm_batch1_zeros", [] { return nn::LayerNorm(nn::LayerNormOptions({2, 3, 4})).ptr(); }},
      {"lrn_3d_even", [] { return nn::LocalResponseNorm(2).ptr(); }},
      {"lrn_4d_odd",
       [] { return nn::LocalResponseNorm(nn::LocalResponseNormOptions(3).alpha(0.5).beta(0.5).k(2.0)).ptr(); }},
      {"lrn_5d_wide", [] { return nn::LocalResponseNorm(nn::LocalResponseNormOptions(4).alpha(0.3)).ptr(); }},
      {"bilinear", [] { return nn::Bilinear(4, 3, 5).ptr(); }},
      {"bilinear_nobias_3d", [] { return nn::Bilinear(nn::BilinearOptions(2, 3, 4).bias(false)).ptr(); }},
      {"bilinear_batch1", [] { return nn::Bilinear(3, 3, 2).ptr(); }},
      {"bilinear_unbatched", [] { return nn::Bilinear(2, 3, 4).ptr(); }, false},
      {"embedding", [] { return nn::Embedding(10, 4).ptr(); }},
      {"embedding_padding_neg", [] { return nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(-2)).ptr(); }},
      {"embedding_1d_batch1",
       [] { return nn::Embedding(nn::EmbeddingOptions(6, 5).scale_grad_by_freq(true).sparse(true)).ptr(); }},
      {"embedding_max_norm", [] { return nn::Embedding(nn::EmbeddingOptions(8, 3).max_norm(1.0)).ptr(); }},
      {"embedding_max_norm_l1",
       [] { return nn::Embedding(nn::EmbeddingOptions(8, 4).max_norm(0.5).norm_type(1.0)).ptr(); }},
      {"embeddingbag_2d_mean", [] { return nn::EmbeddingBag(10, 3).ptr(); }},
      {"embeddingbag_offsets_sum_weights", [] { return nn::EmbeddingBag(nn::EmbeddingBagOptions(9, 4).mode("sum")).ptr(); }},
      {"embeddingbag_offsets_max_padding",
       [] { return nn::EmbeddingBag(nn::EmbeddingBagOptions(6, 2).mode("max").padding_idx(4)).ptr(); }},
      {"embeddingbag_mean_last_offset",
       [] { return nn::EmbeddingBag(nn::EmbeddingBagOptions(7, 3).include_last_offset(true).padding_idx(-1)).ptr(); }},
      {"embeddingbag_2d_sum_weights_batch1",
       [] { return nn::EmbeddingBag(nn::EmbeddingBagOptions(5, 3).mode("sum")).ptr(); }},
      {"embeddingbag_max_norm",
       [] { return nn::EmbeddingBag(nn::EmbeddingBagOptions(6, 3).max_norm(0.8).mode("sum")).ptr(); }},
  };
}

// The inputs of step `step`; an omitted optional input (None in torch) is an undefined Tensor.
std::vector<Tensor> StepInputs(const ir::SafetensorsFile& file, int step) {
  std::vector<Tensor> inputs;
  int last = -1;
  for (int i = 0; i < 4; ++i) {
    if (file.tensors.count("s" + std::to_string(step) + ".in" + std::to_string(i))) last = i;
  }
  for (int i = 0; i <= last; ++i) {
    auto it = file.tensors.find("s" + std::to_string(step) + ".in" + std::to_string(i));
    inputs.push_back(it == file.tensors.end() ? Tensor() : Tensor(it->second.Clone()));
  }
  return inputs;
}

// Traces with dim 0 symbolic ("N") when every input has rank >= 1 and the same dim 0, else
// with static shapes; runs on the reference backend. Undefined inputs stay undefined.
ir::HostTensor RunTracedStep(const nn::ModulePtr& m, const std::vector<Tensor>& inputs, bool symbolic) {
  int64_t n = -1;
  for (const Tensor& t : inputs) {
    if (!t.defined()) continue;
    if (t.dim() == 0 || (n >= 0 && t.size(0) != n)) symbolic = false;
    if (t.dim() > 0) n = t.size(0);
  }
  std::vector<TensorSpec> specs;
  std::vector<size_t> defined;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) continue;
    std::vector<ir::Dim> dims;
    for (int64_t d = 0; d < inputs[i].dim(); ++d) {
      dims.push_back(d == 0 && symbolic ? sym("N") : ir::Dim(inputs[i].size(d)));
    }
    specs.emplace_back(dims, inputs[i].dtype(), "in" + std::to_string(i));
    defined.push_back(i);
  }
  // A module with an omitted optional input is wrapped (as child "inner", so its weights keep
  // state_dict names) and the trace sees only the defined inputs.
  struct Wrapper : nn::Module {
    Wrapper(const nn::ModulePtr& m, std::vector<size_t> defined, size_t total)
        : Module("Wrapper"), defined(std::move(defined)), total(total) {
      inner = register_module("inner", m);
    }
    std::vector<Tensor> forward_tensors(const std::vector<Tensor>& in) override {
      std::vector<Tensor> args(total);
      for (size_t k = 0; k < defined.size(); ++k) args[defined[k]] = in[k];
      return inner->call(args);
    }
    nn::ModulePtr inner;
    std::vector<size_t> defined;
    size_t total;
  };
  std::unique_ptr<ir::Graph> graph;
  if (defined.size() == inputs.size()) {
    graph = trace(*m, specs);
  } else {
    auto w = std::make_shared<Wrapper>(m, defined, inputs.size());
    graph = trace(*w, specs);
  }
  std::map<std::string, ir::HostTensor> feed;
  for (size_t i : defined) feed["in" + std::to_string(i)] = inputs[i].data();
  std::vector<ir::HostTensor> out = RunOnReference(*graph, feed);
  REQUIRE(out.size() == 1);
  return out[0];
}

}  // namespace

TEST_CASE("layers5b: kiln::nn norm/bilinear/embedding layers match torch.nn", "[layers][golden]") {
  std::set<std::string> seen;
  for (const LayerCase& c : Cases()) {
    SECTION(c.name) {
      std::string name = "norm_embedding_" + c.name;
      ir::SafetensorsFile file = LoadCase(name, name);
      nn::ModulePtr m = c.make();
      LoadState(*m, file);
      m->train(file.metadata["mode"] == "train");
      int steps = std::stoi(file.metadata["steps"]);
      for (int step = 0; step < steps; ++step) {
        std::vector<Tensor> inputs = StepInputs(file, step);
        const ir::HostTensor& expected = file.tensors.at("s" + std::to_string(step) + ".expected");
        std::string at = name + " step " + std::to_string(step);
        // Traced first: the graph never updates buffers or weights.
        CheckClose(RunTracedStep(m, inputs, c.symbolic_batch), expected, at + " traced");
        std::vector<Tensor> y = m->call(inputs);
        REQUIRE(y.size() == 1);
        CheckClose(y[0].data(), expected, at + " eager");
      }
      CheckStateAfter(*m, file, name + " state after the last step");
    }
  }
}

TEST_CASE("layers5b: every golden file has a C++ case") {
  std::set<std::string> ours, files;
  for (const LayerCase& c : Cases()) ours.insert("norm_embedding_" + c.name + ".safetensors");
  CHECK(ours.size() == Cases().size());  // names are unique
  for (const auto& entry : std::filesystem::directory_iterator(LayersDir())) {
    std::string f = entry.path().filename().string();
    if (f.rfind("norm_embedding_", 0) == 0) files.insert(f);
  }
  CHECK(ours == files);
}
