// kiln::nn::init: torch.nn.init — in-place initializers for parameters.
//
// Contract. Every initializer takes a concrete tensor (a handle: the data it shares with the
// module is filled in place, as torch's C++ API takes `Tensor tensor`), fills it, and returns
// it. Random ones draw from `generator`, or from kiln::default_generator() when it is null.
// Distributions, bounds, gains and fan computations are torch 1.13's (the random streams are
// kiln's own, see random.h). Errors throw kiln::Error with torch's messages: fewer than 2 dims
// for fan-based initializers, unsupported nonlinearity or mode, wrong rank for eye_/dirac_.
// Initializing a tensor with zero elements does nothing (torch warns and returns).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "frontend/random.h"
#include "frontend/tensor.h"

namespace kiln::nn::init {

/// The recommended gain for a nonlinearity: linear, conv1d/2d/3d, conv_transpose1d/2d/3d and
/// sigmoid -> 1, tanh -> 5/3, relu -> sqrt(2), leaky_relu -> sqrt(2 / (1 + slope^2)) (slope =
/// param, default 0.01), selu -> 3/4.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);

/// (fan_in, fan_out) = (size(1), size(0)) times the receptive field (product of dims >= 2).
std::pair<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor);
/// fan_in or fan_out by `mode` ("fan_in" / "fan_out").
int64_t _calculate_correct_fan(const Tensor& tensor, const std::string& mode);

Tensor uniform_(Tensor tensor, double a = 0.0, double b = 1.0, Generator* generator = nullptr);
Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0, Generator* generator = nullptr);
/// Normal(mean, std) truncated to [a, b] (inverse-CDF sampling, as torch).
Tensor trunc_normal_(Tensor tensor, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                     Generator* generator = nullptr);
Tensor constant_(Tensor tensor, double value);
Tensor ones_(Tensor tensor);
Tensor zeros_(Tensor tensor);
/// The identity matrix (2-d tensors only).
Tensor eye_(Tensor tensor);
/// The Dirac delta for convolution weights (3-, 4- or 5-d): out channel g*out_per_group + d
/// copies in channel d at the kernel center, for d < min(out_per_group, in_channels).
Tensor dirac_(Tensor tensor, int64_t groups = 1);
/// U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0, Generator* generator = nullptr);
/// N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(Tensor tensor, double gain = 1.0, Generator* generator = nullptr);
/// U(-bound, bound) with bound = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).
Tensor kaiming_uniform_(Tensor tensor, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", Generator* generator = nullptr);
/// N(0, std^2) with std = gain / sqrt(fan).
Tensor kaiming_normal_(Tensor tensor, double a = 0.0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu", Generator* generator = nullptr);
/// A (semi-)orthogonal matrix from the QR decomposition of a normal matrix (dims >= 1 are
/// flattened), times gain; rows or columns are orthonormal, whichever are fewer.
Tensor orthogonal_(Tensor tensor, double gain = 1.0, Generator* generator = nullptr);

}  // namespace kiln::nn::init
