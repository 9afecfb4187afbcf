// Dropout2d, Dropout3d, AlphaDropout and FeatureAlphaDropout, as torch.nn's (torch 1.13): p
// (0.5), inplace (false); repr "p=0.5, inplace=False"; p outside [0, 1] throws at construction.
//
// Eval mode or p = 0: identity. Training: the keep mask comes from the counter-based
// random_uniform op seeded from `generator` (default_generator() when null), so the same
// seed gives the same masks eagerly and in a traced graph (functional_activation.h). Masks
// follow torch's distributions (keep probability 1 - p, whole channels for the 2d/3d/feature
// forms), not torch's exact random streams.
#pragma once

#include <string>

#include "frontend/dropout.h"
#include "frontend/module.h"
#include "frontend/random.h"

namespace kiln::nn {

using Dropout2dOptions = DropoutOptions;
using Dropout3dOptions = DropoutOptions;
using AlphaDropoutOptions = DropoutOptions;
using FeatureAlphaDropoutOptions = DropoutOptions;

/// Shared by the dropout variants below: options, the p check, repr, generator.
class DropoutVariantBase : public Module {
 public:
  DropoutVariantBase(const std::string& name, const DropoutOptions& options);
  /// "p=0.5, inplace=False".
  std::string extra_repr() const override;
  DropoutOptions options;
  /// The generator masks are drawn from; default_generator() when null.
  Generator* generator = nullptr;
};

/// Zeroes whole channels: one draw per [n, c] of [N, C, H, W] (3-d input is read as [N, C, L],
/// torch 1.13's legacy behaviour).
class Dropout2dImpl : public DropoutVariantBase {
 public:
  explicit Dropout2dImpl(double p = 0.5) : Dropout2dImpl(Dropout2dOptions(p)) {}
  explicit Dropout2dImpl(const Dropout2dOptions& options) : DropoutVariantBase("Dropout2d", options) {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(Dropout2d);

/// Zeroes whole channels of [N, C, D, H, W] (or unbatched [C, D, H, W]).
class Dropout3dImpl : public DropoutVariantBase {
 public:
  explicit Dropout3dImpl(double p = 0.5) : Dropout3dImpl(Dropout3dOptions(p)) {}
  explicit Dropout3dImpl(const Dropout3dOptions& options) : DropoutVariantBase("Dropout3d", options) {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(Dropout3d);

/// Dropout that keeps SELU's self-normalization (mean and variance of the input).
class AlphaDropoutImpl : public DropoutVariantBase {
 public:
  explicit AlphaDropoutImpl(double p = 0.5) : AlphaDropoutImpl(AlphaDropoutOptions(p)) {}
  explicit AlphaDropoutImpl(const AlphaDropoutOptions& options) : DropoutVariantBase("AlphaDropout", options) {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(AlphaDropout);

/// Alpha dropout of whole channels.
class FeatureAlphaDropoutImpl : public DropoutVariantBase {
 public:
  explicit FeatureAlphaDropoutImpl(double p = 0.5) : FeatureAlphaDropoutImpl(FeatureAlphaDropoutOptions(p)) {}
  explicit FeatureAlphaDropoutImpl(const FeatureAlphaDropoutOptions& options)
      : DropoutVariantBase("FeatureAlphaDropout", options) {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(FeatureAlphaDropout);

}  // namespace kiln::nn
