// nn::Linear, nn::Identity and nn::Flatten, as torch.nn's (constructor arguments, defaults,
// state_dict keys, initialization and repr of torch 1.13).
#pragma once

#include <cstdint>
#include <string>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of Linear: in_features, out_features, bias (default true).
struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  KILN_ARG(int64_t, in_features);
  KILN_ARG(int64_t, out_features);
  KILN_ARG(bool, bias) = true;
};

/// y = x @ weight^T + bias. Parameters: weight [out, in], bias [out] (None when bias=false).
/// Init: weight kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(in), 1/sqrt(in)).
class LinearImpl : public Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features) : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  /// Redraws weight and bias from the default generator, as torch's reset_parameters().
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  /// "in_features=784, out_features=10, bias=True".
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;
};
KILN_MODULE(Linear);

/// Returns its input unchanged.
class IdentityImpl : public Module {
 public:
  IdentityImpl() : Module("Identity") {}
  Tensor forward(const Tensor& input) override { return input; }
};
KILN_MODULE(Identity);

/// Options of Flatten: start_dim (default 1), end_dim (default -1).
struct FlattenOptions {
  KILN_ARG(int64_t, start_dim) = 1;
  KILN_ARG(int64_t, end_dim) = -1;
};

/// Flattens dims start_dim..end_dim into one.
class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(int64_t start_dim = 1, int64_t end_dim = -1)
      : FlattenImpl(FlattenOptions().start_dim(start_dim).end_dim(end_dim)) {}
  explicit FlattenImpl(const FlattenOptions& options) : Module("Flatten"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "start_dim=1, end_dim=-1".
  std::string extra_repr() const override;

  FlattenOptions options;
};
KILN_MODULE(Flatten);

}  // namespace kiln::nn
