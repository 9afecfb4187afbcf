// Golden parity of kiln::nn layers with torch.nn: for every case of tests/golden/layers
// (written by tests/golden/gen_layers.py) build the same module, load torch's state_dict,
// and compare the output eagerly and through kiln::trace + the reference backend.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "frontend/nn.h"
#include "tests/frontend/layer_golden_util.h"

namespace {

using namespace kiln;                // NOLINT
using namespace kiln::layer_golden;  // NOLINT

// Mirrors CASES and TRAIN_CASES of tests/golden/gen_layers.py.
std::vector<LayerCase> EvalCases() {
  return {
      {"linear", [] { return nn::Linear(20, 8).ptr(); }},
      {"linear_nobias_3d", [] { return nn::Linear(nn::LinearOptions(6, 3).bias(false)).ptr(); }},
      {"conv2d_basic", [] { return nn::Conv2d(3, 4, 3).ptr(); }},
      {"conv2d_stride_pad_nobias",
       [] { return nn::Conv2d(nn::Conv2dOptions(3, 6, {3, 5}).stride(2).padding({1, 2}).bias(false)).ptr(); }},
      {"conv2d_dilation_groups",
       [] { return nn::Conv2d(nn::Conv2dOptions(4, 6, 3).padding(2).dilation(2).groups(2)).ptr(); }},
      {"conv2d_depthwise",
       [] { return nn::Conv2d(nn::Conv2dOptions(4, 4, 3).stride(2).padding(1).groups(4).bias(false)).ptr(); }},
      {"conv2d_same", [] { return nn::Conv2d(nn::Conv2dOptions(2, 3, 3).padding("same")).ptr(); }},
      {"conv1d", [] { return nn::Conv1d(nn::Conv1dOptions(3, 5, 3).stride(2).padding(1)).ptr(); }},
      {"conv3d", [] { return nn::Conv3d(nn::Conv3dOptions(2, 3, {1, 2, 3}).stride({1, 2, 1})).ptr(); }},
      {"maxpool2d_stem", [] { return nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1)).ptr(); }},
      {"maxpool2d_ceil", [] { return nn::MaxPool2d(nn::MaxPool2dOptions(2).ceil_mode(true)).ptr(); }},
      {"maxpool2d_dilation",
       [] { return nn::MaxPool2d(nn::MaxPool2dOptions({2, 3}).stride({1, 2}).dilation({2, 1})).ptr(); }},
      {"maxpool1d", [] { return nn::MaxPool1d(nn::MaxPool1dOptions(3).stride(2).padding(1)).ptr(); }},
      {"avgpool2d", [] { return nn::AvgPool2d(2).ptr(); }},
      {"avgpool2d_pad_ceil",
       [] {
         return nn::AvgPool2d(nn::AvgPool2dOptions(3).stride(2).padding(1).ceil_mode(true).count_include_pad(false))
             .ptr();
       }},
      {"avgpool2d_divisor", [] { return nn::AvgPool2d(nn::AvgPool2dOptions(2).padding(1).divisor_override(3)).ptr(); }},
      {"avgpool1d", [] { return nn::AvgPool1d(nn::AvgPool1dOptions(3).stride(2).padding(1)).ptr(); }},
      {"adaptive_avgpool2d_1x1", [] { return nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({1, 1})).ptr(); }},
      {"adaptive_avgpool2d_7_from_10", [] { return nn::AdaptiveAvgPool2d(7).ptr(); }},
      {"adaptive_avgpool2d_divisible", [] { return nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({4, 2})).ptr(); }},
      {"adaptive_avgpool2d_none",
       [] { return nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({std::nullopt, 3})).ptr(); }},
      {"batchnorm2d_eval", [] { return nn::BatchNorm2d(4).ptr(); }},
      {"relu", [] { return nn::ReLU().ptr(); }},
      {"relu6", [] { return nn::ReLU6().ptr(); }},
      {"sigmoid", [] { return nn::Sigmoid().ptr(); }},
      {"tanh", [] { return nn::Tanh().ptr(); }},
      {"softmax_dim1", [] { return nn::Softmax(1).ptr(); }},
      {"log_softmax_dim1", [] { return nn::LogSoftmax(1).ptr(); }},
      {"flatten", [] { return nn::Flatten().ptr(); }},
      {"flatten_1_2", [] { return nn::Flatten(1, 2).ptr(); }},
  };
}

std::vector<LayerCase> TrainCases() {
  return {
      {"batchnorm2d_train", [] { return nn::BatchNorm2d(4).ptr(); }},
      {"batchnorm1d_train_cumulative",
       [] { return nn::BatchNorm1d(nn::BatchNorm1dOptions(5).momentum(std::nullopt)).ptr(); }},
  };
}

}  // namespace

TEST_CASE("kiln::nn layers match torch.nn (eager and traced)", "[layers][golden]") {
  for (const LayerCase& c : EvalCases()) {
    SECTION(c.name) {
      ir::SafetensorsFile file = LoadCase(c.name, c.name);
      nn::ModulePtr m = c.make();
      LoadState(*m, file);
      m->eval();
      CheckEagerAndTraced(*m, file.tensors.at("input"), file.tensors.at("expected"), c.name);
    }
  }
}

TEST_CASE("BatchNorm training steps match torch.nn (outputs and running stats)", "[layers][golden]") {
  for (const LayerCase& c : TrainCases()) {
    SECTION(c.name) {
      ir::SafetensorsFile file = LoadCase(c.name, c.name);
      nn::ModulePtr m = c.make();
      LoadState(*m, file);
      m->train();
      for (int step = 0; step < 3; ++step) {
        const ir::HostTensor& input = file.tensors.at("input" + std::to_string(step));
        const ir::HostTensor& expected = file.tensors.at("expected" + std::to_string(step));
        // Traced training uses batch statistics and leaves the buffers alone.
        CheckClose(RunTraced(*m, input), expected, c.name + " traced step " + std::to_string(step));
        Tensor y = (*m)(Tensor(input.Clone()));
        CheckClose(y.data(), expected, c.name + " eager step " + std::to_string(step));
      }
      CheckStateAfter(*m, file, c.name + " after 3 steps");
    }
  }
}
