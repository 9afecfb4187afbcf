// nn::Bilinear, as torch.nn.Bilinear (torch 1.13): y = x1^T A x2 + b.
//
// Parameters weight [out_features, in1_features, in2_features] and bias [out_features] (None
// with bias=false), both drawn from U(-1/sqrt(in1_features), 1/sqrt(in1_features)). Two inputs:
// call it as `bilinear(x1, x2)` (the holder), `bilinear->call({x1, x2})` or
// `bilinear->forward(x1, x2)`; F::bilinear's decomposition (functional_norm_embedding.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of Bilinear: in1_features, in2_features, out_features, bias (true).
struct BilinearOptions {
  BilinearOptions(int64_t in1_features, int64_t in2_features, int64_t out_features)
      : in1_features_(in1_features), in2_features_(in2_features), out_features_(out_features) {}
  KILN_ARG(int64_t, in1_features);
  KILN_ARG(int64_t, in2_features);
  KILN_ARG(int64_t, out_features);
  KILN_ARG(bool, bias) = true;
};

class BilinearImpl : public Module {
 public:
  BilinearImpl(int64_t in1_features, int64_t in2_features, int64_t out_features)
      : BilinearImpl(BilinearOptions(in1_features, in2_features, out_features)) {}
  explicit BilinearImpl(const BilinearOptions& options);
  /// Redraws weight and bias from the default generator, as torch's reset_parameters().
  void reset_parameters();
  using Module::forward;
  Tensor forward(const Tensor& input1, const Tensor& input2);
  /// Exactly two inputs.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  /// "in1_features=2, in2_features=3, out_features=4, bias=True".
  std::string extra_repr() const override;

  BilinearOptions options;
  Tensor weight;
  Tensor bias;
};

/// The holder; `bilinear(x1, x2)` runs hooks and forward like any module call.
class Bilinear : public ModuleHolder<BilinearImpl> {
 public:
  using ModuleHolder<BilinearImpl>::ModuleHolder;
  using ModuleHolder<BilinearImpl>::operator();
  Tensor operator()(const Tensor& input1, const Tensor& input2) const { return (*this)->call({input1, input2}).at(0); }
};

}  // namespace kiln::nn
