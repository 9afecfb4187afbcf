// The built-in models' registry and structure (frontend/models): names and errors, module
// trees and state_dict keys (against torchvision's names), seeded initialization, and forward
// shapes eager and traced with a symbolic batch. Parity of values with PyTorch is
// models_golden_test.cc.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/models/lenet5.h"
#include "frontend/models/mlp.h"
#include "frontend/models/mobilenet_v2.h"
#include "frontend/models/registry.h"
#include "frontend/models/resnet.h"
#include "frontend/nn.h"
#include "frontend/trace.h"

namespace {

using Catch::Contains;
using kiln::Tensor;
namespace models = kiln::models;
namespace nn = kiln::nn;

std::vector<std::string> Keys(const nn::Module& m) {
  std::vector<std::string> keys;
  for (const auto& [key, t] : m.state_dict()) keys.push_back(key);
  return keys;
}

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST_CASE("builtin_model_names lists every model in a fixed order", "[models]") {
  CHECK(models::builtin_model_names() ==
        std::vector<std::string>{"mlp", "lenet5", "resnet18", "mobilenet_v2", "lstm"});
  CHECK(models::is_model_available("resnet18"));
  CHECK(models::is_model_available("lstm"));
  CHECK_FALSE(models::is_model_available("vgg16"));
}

TEST_CASE("build_model rejects unknown and unavailable names", "[models]") {
  CHECK_THROWS_WITH(models::build_model("vgg16"),
                    Contains("unknown model 'vgg16'") &&
                        Contains("known models: mlp, lenet5, resnet18, mobilenet_v2, lstm"));
  CHECK_THROWS_AS(models::build_model("vgg16"), kiln::Error);
}

TEST_CASE("mlp is torch's Sequential MLP", "[models]") {
  nn::Sequential m = models::mlp();
  CHECK(Keys(*m) == std::vector<std::string>{"1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"});
  CHECK(m->size() == 6);
  size_t n = 0;
  for (const Tensor& p : m->parameters()) n += static_cast<size_t>(p.numel());
  CHECK(n == 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
  CHECK(m->repr() ==
        "Sequential(\n"
        "  (0): Flatten(start_dim=1, end_dim=-1)\n"
        "  (1): Linear(in_features=784, out_features=512, bias=True)\n"
        "  (2): ReLU()\n"
        "  (3): Linear(in_features=512, out_features=512, bias=True)\n"
        "  (4): ReLU()\n"
        "  (5): Linear(in_features=512, out_features=10, bias=True)\n"
        ")");
}

TEST_CASE("lenet5 has features/classifier keys and a key-less flatten", "[models]") {
  models::LeNet5 m;
  CHECK(Keys(*m) == std::vector<std::string>{"features.0.weight", "features.0.bias", "features.3.weight",
                                             "features.3.bias", "classifier.0.weight", "classifier.0.bias",
                                             "classifier.2.weight", "classifier.2.bias", "classifier.4.weight",
                                             "classifier.4.bias"});
  CHECK(m->features->size() == 6);
  CHECK(m->classifier->size() == 5);
  CHECK(m->find_child("flatten") != nullptr);
  Tensor y = m(kiln::randn({2, 1, 28, 28}));
  CHECK(y.sizes() == std::vector<int64_t>{2, 10});
}

TEST_CASE("resnet18 has torchvision's keys", "[models]") {
  models::ResNet m = models::resnet18();
  std::vector<std::string> keys = Keys(*m);
  CHECK(keys.size() == 122);  // len(torchvision.models.resnet18().state_dict())
  CHECK(keys.front() == "conv1.weight");
  CHECK(keys[1] == "bn1.weight");
  CHECK(keys[5] == "bn1.num_batches_tracked");
  CHECK(keys[6] == "layer1.0.conv1.weight");
  CHECK(Has(keys, "layer2.0.downsample.0.weight"));
  CHECK(Has(keys, "layer4.1.bn2.running_var"));
  CHECK_FALSE(Has(keys, "layer1.0.downsample.0.weight"));  // same channels, stride 1: None
  CHECK(keys.back() == "fc.bias");
  size_t n = 0;
  for (const Tensor& p : m->parameters()) n += static_cast<size_t>(p.numel());
  CHECK(n == 11689512);  // sum(p.numel() for p in resnet18().parameters())
  CHECK(m->layer2->at<models::BasicBlockImpl>(0)->conv1->weight.sizes() == std::vector<int64_t>{128, 64, 3, 3});
}

TEST_CASE("mobilenet_v2 has torchvision's keys", "[models]") {
  models::MobileNetV2 m = models::mobilenet_v2();
  std::vector<std::string> keys = Keys(*m);
  CHECK(keys.size() == 314);  // len(torchvision.models.mobilenet_v2().state_dict())
  CHECK(keys[0] == "features.0.0.weight");
  CHECK(keys[6] == "features.1.conv.0.0.weight");
  CHECK(keys[12] == "features.1.conv.1.weight");  // no expansion in block 1
  CHECK(Has(keys, "features.2.conv.1.0.weight"));
  CHECK(Has(keys, "features.18.1.num_batches_tracked"));
  CHECK(keys[keys.size() - 2] == "classifier.1.weight");
  CHECK(keys.back() == "classifier.1.bias");
  size_t n = 0;
  for (const Tensor& p : m->parameters()) n += static_cast<size_t>(p.numel());
  CHECK(n == 3504872);  // sum(p.numel() for p in mobilenet_v2().parameters())
  CHECK(m->features->size() == 19);
  CHECK(m->features->at<models::InvertedResidualImpl>(1)->use_res_connect == false);
  CHECK(m->features->at<models::InvertedResidualImpl>(3)->use_res_connect == true);
}

TEST_CASE("models initialize from the default generator", "[models]") {
  kiln::manual_seed(7);
  models::BuiltinModel a = models::build_model("lenet5");
  kiln::manual_seed(7);
  models::BuiltinModel b = models::build_model("lenet5");
  models::BuiltinModel c = models::build_model("lenet5");
  nn::NamedTensors sa = a.module->state_dict(), sb = b.module->state_dict(), sc = c.module->state_dict();
  REQUIRE(sa.size() == sb.size());
  for (size_t i = 0; i < sa.size(); ++i) CHECK(sa[i].second.data().BitwiseEqual(sb[i].second.data()));
  CHECK_FALSE(sa[0].second.data().BitwiseEqual(sc[0].second.data()));
  CHECK(a.module->is_training());
}

TEST_CASE("every available model traces with a symbolic batch", "[models]") {
  for (const std::string& name : models::builtin_model_names()) {
    if (!models::is_model_available(name)) continue;
    INFO(name);
    models::BuiltinModel m = models::build_model(name);
    REQUIRE(m.inputs.size() == 1);
    const bool lstm = name == "lstm";  // tokens i64 [T, N]: sequence first
    CHECK(m.inputs[0].name == (lstm ? "tokens" : "input"));
    CHECK(m.inputs[0].shape[lstm ? 1 : 0] == kiln::ir::Dim::Symbolic("N"));
    m.module->eval();
    kiln::TraceOptions options;
    options.graph_name = name;
    options.output_names = m.output_names;
    auto graph = kiln::trace(*m.module, m.inputs, options);
    CHECK(graph->name() == name);
    REQUIRE(graph->outputs().size() == 1);
    const bool image_net = name == "resnet18" || name == "mobilenet_v2";
    CHECK(graph->outputs()[0].value->type().str() ==
          (lstm ? "f32[T,N,10000]" : image_net ? "f32[N,1000]" : "f32[N,10]"));
  }
}

TEST_CASE("docs/frontend.md: a forward hook taps a traced value", "[models][docs]") {
  models::LeNet5 model;
  model->eval();
  auto handle = model->features->register_forward_hook(
      [](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>& out)
          -> std::optional<std::vector<Tensor>> {
        if (kiln::is_tracing()) kiln::add_trace_output("features", out[0]);
        return std::nullopt;
      });
  auto graph = kiln::trace(*model, {kiln::TensorSpec({kiln::sym("N"), 1, 28, 28})});
  REQUIRE(graph->outputs().size() == 2);
  CHECK(graph->outputs()[0].name == "output");
  CHECK(graph->outputs()[0].value->type().str() == "f32[N,10]");
  CHECK(graph->outputs()[1].name == "features");
  CHECK(graph->outputs()[1].value->type().str() == "f32[N,16,4,4]");
  handle.remove();
  CHECK(kiln::trace(*model, {kiln::TensorSpec({kiln::sym("N"), 1, 28, 28})})->outputs().size() == 1);
  std::ostringstream printed;
  printed << *model;
  CHECK(printed.str() == model->repr());
  CHECK_THAT(model->repr(), Contains("(flatten): Flatten(start_dim=1, end_dim=-1)"));
}

}  // namespace
