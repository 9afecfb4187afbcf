// kiln::nn::functional, part of issue 5 ("Layers II", the activation family): activations, channel
// and alpha dropout, and distances, with torch.nn.functional's names, argument order and
// defaults (torch 1.13).
//
// How each function is built (an IR op where a backend gains from a fused kernel, else a
// decomposition into existing ops, so eager and traced results agree by construction):
//   elu, selu, celu        -> `elu` op {alpha, scale, input_scale} (ATen's generic elu)
//   leaky_relu             -> `leaky_relu` op;  rrelu (eval) -> leaky_relu((lower+upper)/2)
//   softplus               -> `softplus` op {beta, threshold} (overflow-free log1p form)
//   logsigmoid             -> -softplus(-x) (beta 1, threshold 20): stable for |x| ~ 1e4
//   gelu                   -> `gelu` op {approximate "none" | "tanh"}
//   hardtanh               -> clamp;  threshold -> where(x <= threshold, value, x)
//   hardshrink             -> where(|x| <= lambd, 0, x);  softshrink -> x - clamp(x, -l, l)
//   softsign               -> x / (1 + |x|);  tanhshrink -> x - tanh(x)
//   prelu                  -> where(x > 0, x, weight * x), weight broadcast along dim 1
//   softmin                -> softmax(-x, dim)
//   rrelu (training), dropout2d/3d, alpha_dropout, dropout
//                          -> `random_uniform` op {seed, offset} (counter-based, see ops.def)
//                             + compare/where/mul. The seed is drawn from the kiln::Generator
//                             (default_generator() when null) when the function runs, so
//                             eager calls are reproducible from a seed, and a traced graph
//                             holds its seed as an attribute (the compiled artifact draws
//                             the same mask every run until the training issue threads a step
//                             counter into it). Masks follow torch's distributions, not its
//                             exact random streams.
//   cosine_similarity      -> torch 1.13's: sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)), dim)
//                             over the broadcast shape
//   pairwise_distance      -> ||x1 - x2 + eps||_p over the last dim (p = 0, 1, 2, inf, -inf, other)
// `inplace` writes the result into a concrete input, as torch does; it has no effect while
// tracing (graph values are immutable).
#pragma once

#include <cstdint>
#include <string>

#include "frontend/random.h"
#include "frontend/tensor.h"

namespace kiln::nn::functional {

Tensor elu(const Tensor& input, double alpha = 1.0, bool inplace = false);
Tensor selu(const Tensor& input, bool inplace = false);
/// Throws for alpha == 0, as torch.
Tensor celu(const Tensor& input, double alpha = 1.0, bool inplace = false);
Tensor hardshrink(const Tensor& input, double lambd = 0.5);
Tensor hardtanh(const Tensor& input, double min_val = -1.0, double max_val = 1.0, bool inplace = false);
Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01, bool inplace = false);
Tensor logsigmoid(const Tensor& input);
/// weight has 1 element, or input.size(1) elements (one per channel).
Tensor prelu(const Tensor& input, const Tensor& weight);
/// Training: slope ~ U(lower, upper) per element for x <= 0; eval: slope (lower + upper) / 2.
Tensor rrelu(const Tensor& input, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false,
             bool inplace = false, Generator* generator = nullptr);
Tensor softplus(const Tensor& input, double beta = 1.0, double threshold = 20.0);
/// Throws for lambd < 0, as torch.
Tensor softshrink(const Tensor& input, double lambd = 0.5);
Tensor softsign(const Tensor& input);
Tensor tanhshrink(const Tensor& input);
Tensor threshold(const Tensor& input, double threshold, double value, bool inplace = false);
Tensor softmin(const Tensor& input, int64_t dim);
/// approximate: "none" (erf) or "tanh".
Tensor gelu(const Tensor& input, const std::string& approximate = "none");

/// Uniform [0, 1) samples shaped like `like` (floating), from the counter-based random_uniform
/// op seeded by `generator` (default_generator() if null). Traceable.
Tensor random_uniform_like(const Tensor& like, Generator* generator = nullptr);

/// Channel-wise dropout (torch's feature dropout): one keep/drop draw per [n, c] plane.
/// dropout2d treats 3-d input as [N, C, L] (torch 1.13's legacy behaviour, which it warns
/// about); dropout3d treats any input that is not 5-d as unbatched [C, D, H, W].
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false,
                 Generator* generator = nullptr);
Tensor dropout3d(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false,
                 Generator* generator = nullptr);
/// SELU-preserving dropout: dropped elements become -alpha' and the result is affinely
/// rescaled so zero mean / unit variance is kept (ATen's alpha dropout formula).
Tensor alpha_dropout(const Tensor& input, double p = 0.5, bool training = false, bool inplace = false,
                     Generator* generator = nullptr);
/// Alpha dropout with one draw per [n, c] plane, as torch's feature_alpha_dropout.
Tensor feature_alpha_dropout(const Tensor& input, double p = 0.5, bool training = false, bool inplace = false,
                             Generator* generator = nullptr);

/// Cosine similarity along `dim` of the broadcast shape of x1 and x2.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);
/// p-norm of x1 - x2 + eps over the last dim of the broadcast shape.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2.0, double eps = 1e-6,
                         bool keepdim = false);

}  // namespace kiln::nn::functional
