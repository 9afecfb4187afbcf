// nn::Dropout, as torch.nn.Dropout (torch 1.13): p (0.5), inplace (false).
//
// Eval mode or p = 0: identity. Training on concrete tensors: each element is kept with
// probability 1 - p (drawn from kiln::default_generator()) and scaled by 1/(1-p). Training
// while tracing throws "Dropout in training mode cannot be traced yet (training issue)":
// dropout RNG inside compiled graphs comes with the training issue. p outside [0, 1] throws
// at construction, as torch.
#pragma once

#include <string>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of Dropout: p (0.5), inplace (false).
struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT
  KILN_ARG(double, p);
  KILN_ARG(bool, inplace) = false;
};

class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(double p = 0.5) : DropoutImpl(DropoutOptions(p)) {}
  explicit DropoutImpl(const DropoutOptions& options);
  Tensor forward(const Tensor& input) override;
  /// "p=0.5, inplace=False".
  std::string extra_repr() const override;
  DropoutOptions options;
};
KILN_MODULE(Dropout);

}  // namespace kiln::nn
