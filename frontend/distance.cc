#include "frontend/distance.h"

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/functional_activation.h"

namespace kiln::nn {

namespace {

void require_two(const std::vector<Tensor>& inputs) {
  if (inputs.size() != 2) {
    detail::fail("expected 2 inputs (x1, x2), got " + std::to_string(inputs.size()));
  }
}

}  // namespace

Tensor CosineSimilarityImpl::forward(const Tensor& x1, const Tensor& x2) {
  return call({x1, x2}).at(0);
}

std::vector<Tensor> CosineSimilarityImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  require_two(inputs);
  return {F::cosine_similarity(inputs[0], inputs[1], options.dim(), options.eps())};
}

Tensor PairwiseDistanceImpl::forward(const Tensor& x1, const Tensor& x2) { return call({x1, x2}).at(0); }

std::vector<Tensor> PairwiseDistanceImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  require_two(inputs);
  return {F::pairwise_distance(inputs[0], inputs[1], options.p(), options.eps(), options.keepdim())};
}

}  // namespace kiln::nn
