#include "frontend/adaptive_log_softmax.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "frontend/dispatch.h"
#include "frontend/functional.h"

namespace kiln::nn {

AdaptiveLogSoftmaxWithLossImpl::AdaptiveLogSoftmaxWithLossImpl(const AdaptiveLogSoftmaxWithLossOptions& options_)
    : Module("AdaptiveLogSoftmaxWithLoss"), options(options_) {
  const std::vector<int64_t>& c = options.cutoffs();
  int64_t n_classes = options.n_classes();
  bool bad = c.empty() || !std::is_sorted(c.begin(), c.end()) || std::set<int64_t>(c.begin(), c.end()).size() != c.size();
  for (int64_t v : c) bad = bad || v <= 0 || v > n_classes - 1;
  if (bad) {
    throw Error(
        "AdaptiveLogSoftmaxWithLoss: cutoffs should be a sequence of unique, positive integers sorted in an "
        "increasing order, where each value is between 1 and n_classes-1, got " +
        py_tuple(c) + " with n_classes=" + std::to_string(n_classes));
  }
  if (options.in_features() <= 0) {
    throw Error("AdaptiveLogSoftmaxWithLoss: in_features must be positive, got " +
                std::to_string(options.in_features()));
  }
  if (!(options.div_value() > 0)) {
    throw Error("AdaptiveLogSoftmaxWithLoss: div_value must be positive, got " + py_float(options.div_value()));
  }
  cutoffs = c;
  cutoffs.push_back(n_classes);
  shortlist_size = cutoffs[0];
  n_clusters = static_cast<int64_t>(cutoffs.size()) - 1;
  head_size = shortlist_size + n_clusters;
  head = register_module("head", Linear(LinearOptions(options.in_features(), head_size).bias(options.head_bias())));
  tail = register_module("tail", ModuleList());
  for (int64_t i = 0; i < n_clusters; ++i) {
    // Python: int(in_features // (div_value ** (i + 1))).
    auto hsz = static_cast<int64_t>(
        std::floor(static_cast<double>(options.in_features()) / std::pow(options.div_value(), static_cast<double>(i + 1))));
    int64_t osz = cutoffs[static_cast<size_t>(i) + 1] - cutoffs[static_cast<size_t>(i)];
    tail->push_back(Sequential(Linear(LinearOptions(options.in_features(), hsz).bias(false)),
                               Linear(LinearOptions(hsz, osz).bias(false))));
  }
}

void AdaptiveLogSoftmaxWithLossImpl::check_input(const char* fn, const Tensor& input) const {
  if (!input.defined()) detail::fail(std::string(fn) + ": input is undefined");
  int64_t features = input.dim() == 2 ? input.shape().dim(1).size() : -1;
  if (features != options.in_features()) {
    detail::fail(std::string(fn) + ": expected input [N, " +
                 std::to_string(options.in_features()) + "], got " + input.type_str());
  }
}

Tensor AdaptiveLogSoftmaxWithLossImpl::full_log_prob(const Tensor& input) {
  Tensor head_logprob = F::log_softmax(head(input), 1);
  std::vector<Tensor> parts = {head_logprob.slice(1, 0, shortlist_size)};
  for (int64_t i = 0; i < n_clusters; ++i) {
    Tensor cluster_logprob = F::log_softmax((*tail->at<SequentialImpl>(i))(input), 1);
    int64_t column = shortlist_size + i;
    parts.push_back(cluster_logprob + head_logprob.slice(1, column, column + 1));
  }
  return cat(parts, 1);
}

Tensor AdaptiveLogSoftmaxWithLossImpl::log_prob(const Tensor& input) {
  detail::ModuleScope scope(this);  // errors and traced nodes name this module, as in forward
  check_input("log_prob", input);
  return full_log_prob(input);
}

Tensor AdaptiveLogSoftmaxWithLossImpl::predict(const Tensor& input) {
  detail::ModuleScope scope(this);
  check_input("predict", input);
  return full_log_prob(input).argmax(1);
}

ASMoutput AdaptiveLogSoftmaxWithLossImpl::forward(const Tensor& input, const Tensor& target) {
  std::vector<Tensor> out = call({input, target});
  return {out.at(0), out.at(1)};
}

std::vector<Tensor> AdaptiveLogSoftmaxWithLossImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.size() != 2) detail::fail("expected 2 inputs (input, target), got " + std::to_string(inputs.size()));
  const Tensor &input = inputs[0], &target = inputs[1];
  if (!input.defined() || !target.defined()) detail::fail("input and target must be defined");
  if (target.dtype() != DType::kI64 && target.dtype() != DType::kI32) {
    detail::fail("expected an integer target, got " + target.type_str());
  }
  bool batched = target.dim() == 1;
  if (target.dim() == 1) {
    if (input.dim() != 2) {
      detail::fail("1D target tensor expects 2D input tensors, but found inputs with size " + input.type_str());
    }
    if (input.shape().dim(0) != target.shape().dim(0)) {
      detail::fail("Input and target should have the same size in the batch dimension (input " +
                   input.type_str() + ", target " + target.type_str() + ")");
    }
  } else if (target.dim() == 0) {
    if (input.dim() != 1) {
      detail::fail("0D target tensor expects 1D input tensors, but found inputs with size " + input.type_str());
    }
  } else {
    detail::fail("0D or 1D target tensor expected, multi-target not supported (target " + target.type_str() + ")");
  }
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor t = (batched ? target : target.unsqueeze(0)).to(DType::kI64);
  check_input("forward", x);
  if (t.is_concrete() && t.numel() > 0) {
    std::vector<int64_t> v = t.to_vector<int64_t>();
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    if (*lo < 0 || *hi >= options.n_classes()) {
      detail::fail("Target values should be in [0, " + std::to_string(options.n_classes() - 1) +
                   "], but values in range [" + std::to_string(*lo) + ", " + std::to_string(*hi) + "] were found. ");
    }
  }
  Tensor logprob = full_log_prob(x);
  // output[i] = logprob[i, target[i]], picked with a one-hot mask (where, so -inf elsewhere
  // cannot turn into NaN).
  Tensor classes = arange(0, static_cast<double>(options.n_classes()), 1, DType::kI64).unsqueeze(0);
  Tensor onehot = classes == t.unsqueeze(1);
  Tensor output = where(onehot, logprob, detail::scalar_like(logprob, 0.0)).sum({1});
  Tensor loss = (-output).mean();
  if (!batched) output = output.squeeze(0);
  return {output, loss};
}

}  // namespace kiln::nn
