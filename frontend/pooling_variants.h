// nn::MaxUnpool1d/2d/3d, nn::FractionalMaxPool2d, nn::LPPool1d/2d, as torch.nn's (torch 1.13
// arguments, defaults, reprs and state_dict keys). The functional forms and how each maps to
// the IR are in functional_pooling.h.
//
// - MaxUnpoolNd: forward(input, indices, output_size = None); call({input, indices}) works
//   too. Repr shows tuples ("kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)").
// - FractionalMaxPool2d: exactly one of output_size / output_ratio (0 < ratio < 1). The
//   `_random_samples` option is registered as a buffer, as torch does (in the state_dict only
//   when given). Without it, each forward draws new samples from `generator` (the default
//   generator if null: kiln::manual_seed makes it reproducible). Prints no extra_repr (torch's
//   has none). return_indices as MaxPoolNd (pooling.h).
// - LPPoolNd: norm_type prints as an int when integral ("norm_type=2"), since C++ cannot tell
//   2 from 2.0 (Python prints what was passed); stride None prints "stride=None".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/functional.h"
#include "frontend/functional_pooling.h"
#include "frontend/module.h"
#include "frontend/random.h"

namespace kiln::nn {

/// Options of MaxUnpoolNd: kernel_size, stride (= kernel_size), padding (0).
template <size_t D>
struct MaxUnpoolOptions {
  MaxUnpoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}  // NOLINT
  KILN_ARG(ExpandingArray<D>, kernel_size);
  KILN_ARG(ExpandingArray<D>, stride);
  KILN_ARG(ExpandingArray<D>, padding) = 0;
};
using MaxUnpool1dOptions = MaxUnpoolOptions<1>;
using MaxUnpool2dOptions = MaxUnpoolOptions<2>;
using MaxUnpool3dOptions = MaxUnpoolOptions<3>;

template <size_t D>
class MaxUnpoolNdImpl : public Module {
 public:
  using Options = MaxUnpoolOptions<D>;
  MaxUnpoolNdImpl(const MaxUnpoolOptions<D>& options, const std::string& type_name);
  using Module::forward;
  /// Scatters input to indices (from MaxPoolNd with return_indices) in zeros of output_size
  /// (nd or nd + 2 entries; default (in - 1) * stride - 2 * padding + kernel_size).
  Tensor forward(const Tensor& input, const Tensor& indices,
                 const std::optional<std::vector<int64_t>>& output_size = std::nullopt);
  /// {input, indices} -> {output}.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  /// "kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)".
  std::string extra_repr() const override;
  MaxUnpoolOptions<D> options;
};

/// Options of FractionalMaxPool2d (see the file comment).
struct FractionalMaxPool2dOptions {
  using GeneratorPtr = Generator*;  // KILN_ARG spells `const T&`

  FractionalMaxPool2dOptions(ExpandingArray<2> kernel_size) : kernel_size_(kernel_size) {}  // NOLINT
  KILN_ARG(ExpandingArray<2>, kernel_size);
  KILN_ARG(std::optional<ExpandingArray<2>>, output_size) = std::nullopt;
  KILN_ARG(std::optional<RatioPair>, output_ratio) = std::nullopt;
  KILN_ARG(bool, return_indices) = false;
  KILN_ARG(Tensor, _random_samples) = {};
  /// Where samples come from when _random_samples is undefined (kiln's addition; null: default).
  KILN_ARG(GeneratorPtr, generator) = nullptr;
};

class FractionalMaxPool2dImpl : public Module {
 public:
  using Options = FractionalMaxPool2dOptions;
  explicit FractionalMaxPool2dImpl(const FractionalMaxPool2dOptions& options);
  Tensor forward(const Tensor& input) override;
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  FractionalMaxPool2dOptions options;
};

/// Options of LPPoolNd: norm_type, kernel_size, stride (None = kernel_size), ceil_mode (false).
template <size_t D>
struct LPPoolOptions {
  LPPoolOptions(double norm_type, ExpandingArray<D> kernel_size) : norm_type_(norm_type), kernel_size_(kernel_size) {}
  KILN_ARG(double, norm_type);
  KILN_ARG(ExpandingArray<D>, kernel_size);
  KILN_ARG(OptionalExpandingArray<D>, stride) = std::nullopt;
  KILN_ARG(bool, ceil_mode) = false;
};
using LPPool1dOptions = LPPoolOptions<1>;
using LPPool2dOptions = LPPoolOptions<2>;

template <size_t D>
class LPPoolNdImpl : public Module {
 public:
  using Options = LPPoolOptions<D>;
  LPPoolNdImpl(const LPPoolOptions<D>& options, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  /// "norm_type=2, kernel_size=3, stride=None, ceil_mode=False".
  std::string extra_repr() const override;
  LPPoolOptions<D> options;
};

class MaxUnpool1dImpl : public MaxUnpoolNdImpl<1> {
 public:
  explicit MaxUnpool1dImpl(ExpandingArray<1> kernel_size) : MaxUnpool1dImpl(MaxUnpool1dOptions(kernel_size)) {}
  explicit MaxUnpool1dImpl(const MaxUnpool1dOptions& options) : MaxUnpoolNdImpl<1>(options, "MaxUnpool1d") {}
};
KILN_MODULE(MaxUnpool1d);
class MaxUnpool2dImpl : public MaxUnpoolNdImpl<2> {
 public:
  explicit MaxUnpool2dImpl(ExpandingArray<2> kernel_size) : MaxUnpool2dImpl(MaxUnpool2dOptions(kernel_size)) {}
  explicit MaxUnpool2dImpl(const MaxUnpool2dOptions& options) : MaxUnpoolNdImpl<2>(options, "MaxUnpool2d") {}
};
KILN_MODULE(MaxUnpool2d);
class MaxUnpool3dImpl : public MaxUnpoolNdImpl<3> {
 public:
  explicit MaxUnpool3dImpl(ExpandingArray<3> kernel_size) : MaxUnpool3dImpl(MaxUnpool3dOptions(kernel_size)) {}
  explicit MaxUnpool3dImpl(const MaxUnpool3dOptions& options) : MaxUnpoolNdImpl<3>(options, "MaxUnpool3d") {}
};
KILN_MODULE(MaxUnpool3d);

KILN_MODULE(FractionalMaxPool2d);

class LPPool1dImpl : public LPPoolNdImpl<1> {
 public:
  LPPool1dImpl(double norm_type, ExpandingArray<1> kernel_size) : LPPool1dImpl(LPPool1dOptions(norm_type, kernel_size)) {}
  explicit LPPool1dImpl(const LPPool1dOptions& options) : LPPoolNdImpl<1>(options, "LPPool1d") {}
};
KILN_MODULE(LPPool1d);
class LPPool2dImpl : public LPPoolNdImpl<2> {
 public:
  LPPool2dImpl(double norm_type, ExpandingArray<2> kernel_size) : LPPool2dImpl(LPPool2dOptions(norm_type, kernel_size)) {}
  explicit LPPool2dImpl(const LPPool2dOptions& options) : LPPoolNdImpl<2>(options, "LPPool2d") {}
};
KILN_MODULE(LPPool2d);

extern template class MaxUnpoolNdImpl<1>;
extern template class MaxUnpoolNdImpl<2>;
extern template class MaxUnpoolNdImpl<3>;
extern template class LPPoolNdImpl<1>;
extern template class LPPoolNdImpl<2>;

}  // namespace kiln::nn
