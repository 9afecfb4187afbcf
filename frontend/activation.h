// Activation layers as torch.nn's: ReLU, ReLU6, Sigmoid, Tanh, Softmax, LogSoftmax (torch
// 1.13 arguments and reprs: ReLU() / ReLU(inplace=True), Softmax(dim=1) / Softmax(dim=None)).
//
// inplace=true writes the result into a concrete input, as torch does; while tracing it has
// no effect (graph values are immutable). Softmax/LogSoftmax with dim=None pick torch's
// legacy dim: 0 for 0-, 1- and 3-d inputs, else 1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of ReLU / ReLU6: inplace (default false).
struct ReLUOptions {
  ReLUOptions(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  KILN_ARG(bool, inplace);
};
using ReLU6Options = ReLUOptions;

/// max(x, 0).
class ReLUImpl : public Module {
 public:
  explicit ReLUImpl(bool inplace = false) : ReLUImpl(ReLUOptions(inplace)) {}
  explicit ReLUImpl(const ReLUOptions& options) : Module("ReLU"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "" or "inplace=True".
  std::string extra_repr() const override { return options.inplace() ? "inplace=True" : ""; }
  ReLUOptions options;
};
KILN_MODULE(ReLU);

/// min(max(x, 0), 6).
class ReLU6Impl : public Module {
 public:
  explicit ReLU6Impl(bool inplace = false) : ReLU6Impl(ReLU6Options(inplace)) {}
  explicit ReLU6Impl(const ReLU6Options& options) : Module("ReLU6"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "" or "inplace=True".
  std::string extra_repr() const override { return options.inplace() ? "inplace=True" : ""; }
  ReLU6Options options;
};
KILN_MODULE(ReLU6);

class SigmoidImpl : public Module {
 public:
  SigmoidImpl() : Module("Sigmoid") {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(Sigmoid);

class TanhImpl : public Module {
 public:
  TanhImpl() : Module("Tanh") {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(Tanh);

/// Options of Softmax / LogSoftmax: dim (nullopt = Python's None).
struct SoftmaxOptions {
  SoftmaxOptions(std::optional<int64_t> dim = std::nullopt) : dim_(dim) {}  // NOLINT
  KILN_ARG(std::optional<int64_t>, dim);
};
using LogSoftmaxOptions = SoftmaxOptions;

/// exp(x) / sum(exp(x)) along dim.
class SoftmaxImpl : public Module {
 public:
  SoftmaxImpl() : SoftmaxImpl(SoftmaxOptions()) {}
  explicit SoftmaxImpl(int64_t dim) : SoftmaxImpl(SoftmaxOptions(dim)) {}
  explicit SoftmaxImpl(const SoftmaxOptions& options) : Module("Softmax"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "dim=1" or "dim=None".
  std::string extra_repr() const override;
  SoftmaxOptions options;
};
KILN_MODULE(Softmax);

/// x - log(sum(exp(x))) along dim.
class LogSoftmaxImpl : public Module {
 public:
  LogSoftmaxImpl() : LogSoftmaxImpl(LogSoftmaxOptions()) {}
  explicit LogSoftmaxImpl(int64_t dim) : LogSoftmaxImpl(LogSoftmaxOptions(dim)) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& options) : Module("LogSoftmax"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "dim=1" or "dim=None".
  std::string extra_repr() const override;
  LogSoftmaxOptions options;
};
KILN_MODULE(LogSoftmax);

}  // namespace kiln::nn
