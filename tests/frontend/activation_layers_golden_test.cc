// Golden parity of the activation layers (activations, dropout in eval, distances,
// AdaptiveLogSoftmaxWithLoss) with torch.nn: every case of tests/golden/gen_activation_layers.py,
// eagerly and through kiln::trace (symbolic batch N) + the reference backend.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frontend/nn.h"
#include "frontend/trace.h"
#include "tests/frontend/layer_golden_util.h"

namespace {

using namespace kiln;                // NOLINT
using namespace kiln::layer_golden;  // NOLINT

// Mirrors CASES of tests/golden/gen_activation_layers.py.
std::vector<LayerCase> Cases() {
  return {
      {"elu", [] { return nn::ELU().ptr(); }},
      {"elu_alpha_3d", [] { return nn::ELU(0.5).ptr(); }},
      {"celu", [] { return nn::CELU(2.0).ptr(); }},
      {"selu", [] { return nn::SELU().ptr(); }},
      {"gelu", [] { return nn::GELU().ptr(); }},
      {"gelu_tanh", [] { return nn::GELU("tanh").ptr(); }},
      {"hardshrink", [] { return nn::Hardshrink().ptr(); }},
      {"hardshrink_1", [] { return nn::Hardshrink(1.0).ptr(); }},
      {"softshrink", [] { return nn::Softshrink(0.3).ptr(); }},
      {"hardtanh", [] { return nn::Hardtanh().ptr(); }},
      {"hardtanh_range", [] { return nn::Hardtanh(-2.0, 3.0).ptr(); }},
      {"leaky_relu", [] { return nn::LeakyReLU().ptr(); }},
      {"leaky_relu_02", [] { return nn::LeakyReLU(0.2).ptr(); }},
      {"logsigmoid", [] { return nn::LogSigmoid().ptr(); }},
      {"prelu", [] { return nn::PReLU().ptr(); }},
      {"prelu_channels", [] { return nn::PReLU(3, 0.1).ptr(); }},
      {"prelu_channels_4d_batch1", [] { return nn::PReLU(3).ptr(); }},
      {"rrelu_eval", [] { return nn::RReLU().ptr(); }},
      {"rrelu_eval_range", [] { return nn::RReLU(0.1, 0.3).ptr(); }},
      {"softplus", [] { return nn::Softplus().ptr(); }},
      {"softplus_beta", [] { return nn::Softplus(2.0, 10.0).ptr(); }},
      {"softsign", [] { return nn::Softsign().ptr(); }},
      {"tanhshrink", [] { return nn::Tanhshrink().ptr(); }},
      {"threshold", [] { return nn::Threshold(0.1, 20.0).ptr(); }},
      {"sigmoid_extreme", [] { return nn::Sigmoid().ptr(); }},
      {"tanh_extreme", [] { return nn::Tanh().ptr(); }},
      {"softmax_extreme", [] { return nn::Softmax(-1).ptr(); }},
      {"softmax_dim_none_3d", [] { return nn::Softmax().ptr(); }},
      {"log_softmax_extreme", [] { return nn::LogSoftmax(1).ptr(); }},
      {"log_softmax_dim_none_4d", [] { return nn::LogSoftmax().ptr(); }},
      {"softmin", [] { return nn::Softmin(1).ptr(); }},
      {"softmin_dim_none_3d", [] { return nn::Softmin().ptr(); }},
      {"softmax2d", [] { return nn::Softmax2d().ptr(); }},
      {"softmax2d_3d", [] { return nn::Softmax2d().ptr(); }},
      {"dropout2d_eval", [] { return nn::Dropout2d(0.3).ptr(); }},
      {"dropout3d_eval", [] { return nn::Dropout3d().ptr(); }},
      {"alpha_dropout_eval", [] { return nn::AlphaDropout(0.2).ptr(); }},
      {"cosine_similarity", [] { return nn::CosineSimilarity().ptr(); }},
      {"cosine_similarity_zeros", [] { return nn::CosineSimilarity().ptr(); }},
      {"cosine_similarity_dim2_eps", [] { return nn::CosineSimilarity(2, 1e-3).ptr(); }},
      {"cosine_similarity_broadcast", [] { return nn::CosineSimilarity(1).ptr(); }},
      {"cosine_similarity_batch1", [] { return nn::CosineSimilarity(1).ptr(); }},
      {"pairwise_distance", [] { return nn::PairwiseDistance().ptr(); }},
      {"pairwise_distance_p1_keepdim", [] { return nn::PairwiseDistance(1.0, 1e-3, true).ptr(); }},
      {"pairwise_distance_inf", [] { return nn::PairwiseDistance(INFINITY).ptr(); }},
      {"pairwise_distance_p3_broadcast", [] { return nn::PairwiseDistance(3.0).ptr(); }},
      {"pairwise_distance_p0", [] { return nn::PairwiseDistance(0.0).ptr(); }},
  };
}

ir::SafetensorsFile Load(const std::string& name) { return LoadCase("activation_" + name, name); }

// Traces with the batch dim symbolic in every input of the highest rank (a lower-rank input
// broadcasts, so its dims stay static), then runs the graph on the reference backend.
// With all_batched, dim 0 of every input is the symbolic batch.
std::vector<ir::HostTensor> RunTracedInputs(nn::Module& m, const std::vector<ir::HostTensor>& inputs,
                                      bool all_batched = false) {
  size_t max_rank = 0;
  for (const auto& t : inputs) max_rank = std::max(max_rank, t.sizes().size());
  std::vector<TensorSpec> specs;
  std::map<std::string, ir::HostTensor> feed;
  for (size_t k = 0; k < inputs.size(); ++k) {
    std::vector<ir::Dim> dims;
    for (size_t i = 0; i < inputs[k].sizes().size(); ++i) {
      bool symbolic = i == 0 && (all_batched || inputs[k].sizes().size() == max_rank);
      dims.push_back(symbolic ? sym("N") : ir::Dim(inputs[k].sizes()[i]));
    }
    std::string name = inputs.size() == 1 ? "input" : "input" + std::to_string(k);
    specs.emplace_back(dims, inputs[k].dtype(), name);
    feed[name] = inputs[k];
  }
  std::unique_ptr<ir::Graph> graph = trace(m, specs);
  return RunOnReference(*graph, feed);
}

}  // namespace

TEST_CASE("Activation layers: layers match torch.nn (eager and traced)", "[activation][golden]") {
  for (const LayerCase& c : Cases()) {
    SECTION(c.name) {
      ir::SafetensorsFile file = Load(c.name);
      nn::ModulePtr m = c.make();
      LoadState(*m, file);
      m->eval();
      std::vector<ir::HostTensor> inputs;
      if (file.tensors.count("input")) {
        inputs.push_back(file.tensors.at("input"));
      } else {
        inputs = {file.tensors.at("input0"), file.tensors.at("input1")};
      }
      const ir::HostTensor& expected = file.tensors.at("expected");
      std::vector<Tensor> args;
      for (const auto& t : inputs) args.emplace_back(t.Clone());
      std::vector<Tensor> y = m->call(args);
      REQUIRE(y.size() == 1);
      CheckClose(y[0].data(), expected, c.name + " eager");
      std::vector<ir::HostTensor> traced = RunTracedInputs(*m, inputs);
      REQUIRE(traced.size() == 1);
      CheckClose(traced[0], expected, c.name + " traced");
    }
  }
}

namespace {

// Wraps AdaptiveLogSoftmaxWithLoss so log_prob and predict can be traced as forwards.
class AsmProbe : public nn::Module {
 public:
  AsmProbe(nn::AdaptiveLogSoftmaxWithLoss asm_, bool predict) : Module("AsmProbe"), asm_(asm_), predict_(predict) {
    register_module("asm", asm_);
  }
  Tensor forward(const Tensor& input) override { return predict_ ? asm_->predict(input) : asm_->log_prob(input); }

 private:
  nn::AdaptiveLogSoftmaxWithLoss asm_;
  bool predict_;
};

}  // namespace

TEST_CASE("AdaptiveLogSoftmaxWithLoss matches torch.nn (log_prob, predict, output, loss)", "[activation][golden]") {
  struct AsmCase {
    std::string name;
    std::function<nn::AdaptiveLogSoftmaxWithLoss()> make;
  };
  std::vector<AsmCase> cases = {
      {"adaptive_log_softmax", [] { return nn::AdaptiveLogSoftmaxWithLoss(16, 20, std::vector<int64_t>{4, 10}, 2.0); }},
      {"adaptive_log_softmax_head_bias",
       [] { return nn::AdaptiveLogSoftmaxWithLoss(8, 12, std::vector<int64_t>{3}, 4.0, true); }},
  };
  for (const AsmCase& c : cases) {
    SECTION(c.name) {
      ir::SafetensorsFile file = Load(c.name);
      nn::AdaptiveLogSoftmaxWithLoss m = c.make();
      LoadState(*m, file);
      m->eval();
      const ir::HostTensor& input = file.tensors.at("input");
      const ir::HostTensor& target = file.tensors.at("target");
      Tensor x(input.Clone()), t(target.Clone());
      CheckClose(m->log_prob(x).data(), file.tensors.at("expected.log_prob"), "log_prob eager");
      CheckClose(m->predict(x).data(), file.tensors.at("expected.predict"), "predict eager");
      nn::ASMoutput out = m->forward(x, t);
      CheckClose(out.output.data(), file.tensors.at("expected.output"), "output eager");
      CheckClose(out.loss.data(), file.tensors.at("expected.loss"), "loss eager");

      for (bool predict : {false, true}) {
        AsmProbe probe(m, predict);
        std::vector<ir::HostTensor> traced = RunTracedInputs(probe, {input});
        CheckClose(traced.at(0), file.tensors.at(predict ? "expected.predict" : "expected.log_prob"),
                   predict ? "predict traced" : "log_prob traced");
      }
      std::vector<ir::HostTensor> traced = RunTracedInputs(*m, {input, target}, /*all_batched=*/true);
      REQUIRE(traced.size() == 2);
      CheckClose(traced[0], file.tensors.at("expected.output"), "output traced");
      CheckClose(traced[1], file.tensors.at("expected.loss"), "loss traced");
    }
  }
}
