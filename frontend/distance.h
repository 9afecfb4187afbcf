// CosineSimilarity and PairwiseDistance, as torch.nn's (torch 1.13): two inputs, broadcast
// together; reprs "CosineSimilarity()" / "PairwiseDistance()" (torch prints no arguments).
// Decompositions: functional_activation.h.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of CosineSimilarity: dim (1), eps (1e-8).
struct CosineSimilarityOptions {
  CosineSimilarityOptions() = default;
  KILN_ARG(int64_t, dim) = 1;
  KILN_ARG(double, eps) = 1e-8;
};

/// sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps))) along dim.
class CosineSimilarityImpl : public Module {
 public:
  explicit CosineSimilarityImpl(const CosineSimilarityOptions& options = {})
      : Module("CosineSimilarity"), options(options) {}
  CosineSimilarityImpl(int64_t dim, double eps = 1e-8)
      : CosineSimilarityImpl(CosineSimilarityOptions().dim(dim).eps(eps)) {}
  using Module::forward;
  Tensor forward(const Tensor& x1, const Tensor& x2);
  /// Two inputs: {x1, x2}.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  CosineSimilarityOptions options;
};
KILN_MODULE(CosineSimilarity);

/// Options of PairwiseDistance: p (2), eps (1e-6), keepdim (false).
struct PairwiseDistanceOptions {
  PairwiseDistanceOptions() = default;
  KILN_ARG(double, p) = 2.0;
  KILN_ARG(double, eps) = 1e-6;
  KILN_ARG(bool, keepdim) = false;
};

/// ||x1 - x2 + eps||_p over the last dim.
class PairwiseDistanceImpl : public Module {
 public:
  explicit PairwiseDistanceImpl(const PairwiseDistanceOptions& options = {})
      : Module("PairwiseDistance"), options(options) {}
  PairwiseDistanceImpl(double p, double eps = 1e-6, bool keepdim = false)
      : PairwiseDistanceImpl(PairwiseDistanceOptions().p(p).eps(eps).keepdim(keepdim)) {}
  using Module::forward;
  Tensor forward(const Tensor& x1, const Tensor& x2);
  /// Two inputs: {x1, x2}.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  PairwiseDistanceOptions options;
};
KILN_MODULE(PairwiseDistance);

}  // namespace kiln::nn
