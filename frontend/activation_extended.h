// Activation layers of issue 5 ("Layers II", the activation family), as torch.nn's (torch 1.13
// arguments, defaults and reprs): ELU, SELU, CELU, GELU, Hardshrink, Hardtanh, LeakyReLU,
// LogSigmoid, PReLU, RReLU, Softplus, Softshrink, Softsign, Tanhshrink, Threshold, Softmin,
// Softmax2d. (ReLU, ReLU6, Sigmoid, Tanh, Softmax, LogSoftmax are in activation.h.) Which
// are IR ops and which decompose: functional_activation.h.
//
// Reprs print the float arguments as Python floats ("alpha=1.0"); torch prints what the user
// passed, so an int argument (Threshold(0.1, 20)) prints "value=20" there and "value=20.0"
// here. Softplus prints integral beta/threshold as ints, matching its int defaults
// ("Softplus(beta=1, threshold=20)").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "frontend/expanding_array.h"
#include "frontend/module.h"
#include "frontend/random.h"

namespace kiln::nn {

/// Options of ELU / CELU: alpha (1.0), inplace (false).
struct ELUOptions {
  ELUOptions(double alpha = 1.0) : alpha_(alpha) {}  // NOLINT
  KILN_ARG(double, alpha);
  KILN_ARG(bool, inplace) = false;
};
using CELUOptions = ELUOptions;

/// x > 0 ? x : alpha * (exp(x) - 1).
class ELUImpl : public Module {
 public:
  explicit ELUImpl(double alpha = 1.0, bool inplace = false) : ELUImpl(ELUOptions(alpha).inplace(inplace)) {}
  explicit ELUImpl(const ELUOptions& options) : Module("ELU"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "alpha=1.0" (+ ", inplace=True").
  std::string extra_repr() const override;
  ELUOptions options;
};
KILN_MODULE(ELU);

/// max(0, x) + min(0, alpha * (exp(x / alpha) - 1)); alpha 0 throws.
class CELUImpl : public Module {
 public:
  explicit CELUImpl(double alpha = 1.0, bool inplace = false) : CELUImpl(CELUOptions(alpha).inplace(inplace)) {}
  explicit CELUImpl(const CELUOptions& options) : Module("CELU"), options(options) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  CELUOptions options;
};
KILN_MODULE(CELU);

/// Options of SELU: inplace (false).
struct SELUOptions {
  SELUOptions(bool inplace = false) : inplace_(inplace) {}  // NOLINT
  KILN_ARG(bool, inplace);
};

/// scale * elu(x, alpha) with the self-normalizing constants.
class SELUImpl : public Module {
 public:
  explicit SELUImpl(bool inplace = false) : SELUImpl(SELUOptions(inplace)) {}
  explicit SELUImpl(const SELUOptions& options) : Module("SELU"), options(options) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override { return options.inplace() ? "inplace=True" : ""; }
  SELUOptions options;
};
KILN_MODULE(SELU);

/// Options of GELU: approximate ("none" or "tanh").
struct GELUOptions {
  GELUOptions(std::string approximate = "none") : approximate_(std::move(approximate)) {}  // NOLINT
  GELUOptions(const char* approximate) : approximate_(approximate) {}                      // NOLINT
  KILN_ARG(std::string, approximate);
};

class GELUImpl : public Module {
 public:
  GELUImpl() : GELUImpl(GELUOptions()) {}
  explicit GELUImpl(const GELUOptions& options);
  Tensor forward(const Tensor& input) override;
  /// "approximate='none'".
  std::string extra_repr() const override { return "approximate='" + options.approximate() + "'"; }
  GELUOptions options;
};
KILN_MODULE(GELU);

/// Options of Hardshrink / Softshrink: lambd (0.5).
struct HardshrinkOptions {
  HardshrinkOptions(double lambd = 0.5) : lambd_(lambd) {}  // NOLINT
  KILN_ARG(double, lambd);
};
using SoftshrinkOptions = HardshrinkOptions;

/// |x| > lambd ? x : 0.
class HardshrinkImpl : public Module {
 public:
  explicit HardshrinkImpl(const HardshrinkOptions& options = {}) : Module("Hardshrink"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "0.5".
  std::string extra_repr() const override { return py_float(options.lambd()); }
  HardshrinkOptions options;
};
KILN_MODULE(Hardshrink);

/// x - clamp(x, -lambd, lambd); lambd < 0 throws.
class SoftshrinkImpl : public Module {
 public:
  explicit SoftshrinkImpl(const SoftshrinkOptions& options = {});
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override { return py_float(options.lambd()); }
  SoftshrinkOptions options;
};
KILN_MODULE(Softshrink);

/// Options of Hardtanh: min_val (-1), max_val (1), inplace (false).
struct HardtanhOptions {
  HardtanhOptions() = default;
  HardtanhOptions(double min_val, double max_val) : min_val_(min_val), max_val_(max_val) {}
  KILN_ARG(double, min_val) = -1.0;
  KILN_ARG(double, max_val) = 1.0;
  KILN_ARG(bool, inplace) = false;
};

/// clamp(x, min_val, max_val); max_val must exceed min_val.
class HardtanhImpl : public Module {
 public:
  explicit HardtanhImpl(const HardtanhOptions& options = {});
  HardtanhImpl(double min_val, double max_val, bool inplace = false)
      : HardtanhImpl(HardtanhOptions(min_val, max_val).inplace(inplace)) {}
  Tensor forward(const Tensor& input) override;
  /// "min_val=-1.0, max_val=1.0" (+ ", inplace=True").
  std::string extra_repr() const override;
  HardtanhOptions options;
};
KILN_MODULE(Hardtanh);

/// Options of LeakyReLU: negative_slope (0.01), inplace (false).
struct LeakyReLUOptions {
  LeakyReLUOptions(double negative_slope = 0.01) : negative_slope_(negative_slope) {}  // NOLINT
  KILN_ARG(double, negative_slope);
  KILN_ARG(bool, inplace) = false;
};

class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(double negative_slope = 0.01, bool inplace = false)
      : LeakyReLUImpl(LeakyReLUOptions(negative_slope).inplace(inplace)) {}
  explicit LeakyReLUImpl(const LeakyReLUOptions& options) : Module("LeakyReLU"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "negative_slope=0.01" (+ ", inplace=True").
  std::string extra_repr() const override;
  LeakyReLUOptions options;
};
KILN_MODULE(LeakyReLU);

/// log(sigmoid(x)) = -softplus(-x).
class LogSigmoidImpl : public Module {
 public:
  LogSigmoidImpl() : Module("LogSigmoid") {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(LogSigmoid);

/// Options of PReLU: num_parameters (1), init (0.25).
struct PReLUOptions {
  PReLUOptions(int64_t num_parameters = 1) : num_parameters_(num_parameters) {}  // NOLINT
  KILN_ARG(int64_t, num_parameters);
  KILN_ARG(double, init) = 0.25;
};

/// x > 0 ? x : weight * x, with one weight or one per channel (dim 1).
/// Parameter: weight [num_parameters], filled with init.
class PReLUImpl : public Module {
 public:
  explicit PReLUImpl(int64_t num_parameters = 1, double init = 0.25)
      : PReLUImpl(PReLUOptions(num_parameters).init(init)) {}
  explicit PReLUImpl(const PReLUOptions& options);
  Tensor forward(const Tensor& input) override;
  /// "num_parameters=1".
  std::string extra_repr() const override { return "num_parameters=" + std::to_string(options.num_parameters()); }
  PReLUOptions options;
  Tensor weight;
};
KILN_MODULE(PReLU);

/// Options of RReLU: lower (1/8), upper (1/3), inplace (false).
struct RReLUOptions {
  RReLUOptions() = default;
  RReLUOptions(double lower, double upper) : lower_(lower), upper_(upper) {}
  KILN_ARG(double, lower) = 1.0 / 8;
  KILN_ARG(double, upper) = 1.0 / 3;
  KILN_ARG(bool, inplace) = false;
};

/// Randomized leaky ReLU: in training each x <= 0 gets a slope ~ U(lower, upper) (from
/// `generator`, default_generator() when null); in eval the slope is (lower + upper) / 2.
/// As torch, lower > upper is accepted here and fails when run.
class RReLUImpl : public Module {
 public:
  explicit RReLUImpl(const RReLUOptions& options = {}) : Module("RReLU"), options(options) {}
  RReLUImpl(double lower, double upper, bool inplace = false)
      : RReLUImpl(RReLUOptions(lower, upper).inplace(inplace)) {}
  Tensor forward(const Tensor& input) override;
  /// "lower=0.125, upper=0.3333333333333333" (+ ", inplace=True").
  std::string extra_repr() const override;
  RReLUOptions options;
  Generator* generator = nullptr;
};
KILN_MODULE(RReLU);

/// Options of Softplus: beta (1), threshold (20).
struct SoftplusOptions {
  SoftplusOptions() = default;
  SoftplusOptions(double beta, double threshold = 20.0) : beta_(beta), threshold_(threshold) {}
  KILN_ARG(double, beta) = 1.0;
  KILN_ARG(double, threshold) = 20.0;
};

/// log(1 + exp(beta x)) / beta, linear where beta x > threshold.
class SoftplusImpl : public Module {
 public:
  explicit SoftplusImpl(const SoftplusOptions& options = {}) : Module("Softplus"), options(options) {}
  SoftplusImpl(double beta, double threshold) : SoftplusImpl(SoftplusOptions(beta, threshold)) {}
  Tensor forward(const Tensor& input) override;
  /// "beta=1, threshold=20".
  std::string extra_repr() const override;
  SoftplusOptions options;
};
KILN_MODULE(Softplus);

/// x / (1 + |x|).
class SoftsignImpl : public Module {
 public:
  SoftsignImpl() : Module("Softsign") {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(Softsign);

/// x - tanh(x).
class TanhshrinkImpl : public Module {
 public:
  TanhshrinkImpl() : Module("Tanhshrink") {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(Tanhshrink);

/// Options of Threshold: threshold, value (both required), inplace (false).
struct ThresholdOptions {
  ThresholdOptions(double threshold, double value) : threshold_(threshold), value_(value) {}
  KILN_ARG(double, threshold);
  KILN_ARG(double, value);
  KILN_ARG(bool, inplace) = false;
};

/// x <= threshold ? value : x.
class ThresholdImpl : public Module {
 public:
  ThresholdImpl(double threshold, double value, bool inplace = false)
      : ThresholdImpl(ThresholdOptions(threshold, value).inplace(inplace)) {}
  explicit ThresholdImpl(const ThresholdOptions& options) : Module("Threshold"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "threshold=0.1, value=20.0" (+ ", inplace=True").
  std::string extra_repr() const override;
  ThresholdOptions options;
};
KILN_MODULE(Threshold);

/// Options of Softmin: dim (nullopt = None: torch's legacy implicit dim).
struct SoftminOptions {
  SoftminOptions(std::optional<int64_t> dim = std::nullopt) : dim_(dim) {}  // NOLINT
  KILN_ARG(std::optional<int64_t>, dim);
};

/// softmax(-x) along dim.
class SoftminImpl : public Module {
 public:
  SoftminImpl() : SoftminImpl(SoftminOptions()) {}
  explicit SoftminImpl(int64_t dim) : SoftminImpl(SoftminOptions(dim)) {}
  explicit SoftminImpl(const SoftminOptions& options) : Module("Softmin"), options(options) {}
  Tensor forward(const Tensor& input) override;
  /// "dim=1" or "dim=None".
  std::string extra_repr() const override;
  SoftminOptions options;
};
KILN_MODULE(Softmin);

/// Softmax over the channel dim (-3) of a 3-d or 4-d input.
class Softmax2dImpl : public Module {
 public:
  Softmax2dImpl() : Module("Softmax2d") {}
  Tensor forward(const Tensor& input) override;
};
KILN_MODULE(Softmax2d);

}  // namespace kiln::nn
