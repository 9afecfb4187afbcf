// nn::AdaptiveLogSoftmaxWithLoss, as torch.nn's (torch 1.13): in_features, n_classes, cutoffs,
// div_value (4.0), head_bias (false). Children `head` (Linear(in_features, shortlist +
// n_clusters, bias=head_bias)) and `tail` (ModuleList of Sequential(Linear(in_features, hsz,
// bias=False), Linear(hsz, osz, bias=False)), hsz = floor(in_features / div_value^(i+1))), so
// the state_dict keys are torch's (head.weight, tail.0.0.weight, tail.0.1.weight, ...).
//
// Everything decomposes into existing ops (linear, log_softmax, slice, concat, argmax, eq,
// cast, mul, reduce), so it traces with a symbolic batch:
//   log_prob(input)  [N, n_classes]: head log-probs for the shortlist, and head cluster
//                    log-prob + in-cluster log-probs for each cluster, as torch.
//   predict(input)   [N] i64: argmax of log_prob. torch takes a shortcut (argmax of the head
//                    when it falls in the shortlist); the result is the same except on exact
//                    ties between a shortlist class and a cluster's best class.
//   forward(input, target) -> {output, loss}: output[i] = log_prob(input)[i, target[i]] picked
//                    with a one-hot mask instead of torch's per-cluster gathers (same values
//                    up to rounding), loss = -mean(output). target is i64 [N] with input
//                    [N, in_features], or 0-d with input [in_features] (unbatched, as 1.13).
//                    Out-of-range targets throw on concrete targets (torch's message); a
//                    traced graph gives output 0 for such a row.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/containers.h"
#include "frontend/linear.h"
#include "frontend/module.h"

namespace kiln::nn {

struct AdaptiveLogSoftmaxWithLossOptions {
  AdaptiveLogSoftmaxWithLossOptions(int64_t in_features, int64_t n_classes, std::vector<int64_t> cutoffs)
      : in_features_(in_features), n_classes_(n_classes), cutoffs_(std::move(cutoffs)) {}
  KILN_ARG(int64_t, in_features);
  KILN_ARG(int64_t, n_classes);
  KILN_ARG(std::vector<int64_t>, cutoffs);
  KILN_ARG(double, div_value) = 4.0;
  KILN_ARG(bool, head_bias) = false;
};

/// torch's _ASMoutput.
struct ASMoutput {
  Tensor output;
  Tensor loss;
};

class AdaptiveLogSoftmaxWithLossImpl : public Module {
 public:
  AdaptiveLogSoftmaxWithLossImpl(int64_t in_features, int64_t n_classes, std::vector<int64_t> cutoffs,
                                 double div_value = 4.0, bool head_bias = false)
      : AdaptiveLogSoftmaxWithLossImpl(AdaptiveLogSoftmaxWithLossOptions(in_features, n_classes, std::move(cutoffs))
                                           .div_value(div_value)
                                           .head_bias(head_bias)) {}
  explicit AdaptiveLogSoftmaxWithLossImpl(const AdaptiveLogSoftmaxWithLossOptions& options);

  /// (output, loss) for input [N, in_features] and i64 target [N] (or unbatched).
  using Module::forward;
  ASMoutput forward(const Tensor& input, const Tensor& target);
  /// {input, target} -> {output, loss}.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  /// Log-probabilities of every class, [N, n_classes].
  Tensor log_prob(const Tensor& input);
  /// The most likely class of each row, i64 [N].
  Tensor predict(const Tensor& input);

  AdaptiveLogSoftmaxWithLossOptions options;
  /// cutoffs + [n_classes], as torch's self.cutoffs.
  std::vector<int64_t> cutoffs;
  int64_t shortlist_size = 0;
  int64_t n_clusters = 0;
  int64_t head_size = 0;
  Linear head{nullptr};
  ModuleList tail{nullptr};

 private:
  void check_input(const char* fn, const Tensor& input) const;
  Tensor full_log_prob(const Tensor& input);
};
KILN_MODULE(AdaptiveLogSoftmaxWithLoss);

}  // namespace kiln::nn
