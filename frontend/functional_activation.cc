// kiln::nn::functional for the activation family (see functional_activation.h for which function
// is an IR op and which a decomposition).
#include "frontend/functional_activation.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frontend/dispatch.h"
#include "frontend/expanding_array.h"
#include "frontend/functional.h"
#include "ir/shape_rules.h"

namespace kiln::nn::functional {

namespace {

using detail::fail;
using detail::scalar_like;

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

const Tensor& require_float(const std::string& fn, const Tensor& input) {
  if (!input.defined()) fail(fn + ": input is an undefined tensor");
  if (!ir::is_floating(input.dtype())) fail(fn + ": expected a floating point input, got " + input.type_str());
  return input;
}

const Tensor& require_numeric(const std::string& fn, const Tensor& input) {
  if (!input.defined()) fail(fn + ": input is an undefined tensor");
  if (input.dtype() == DType::kBool) fail(fn + ": expected a numeric input, got " + input.type_str());
  return input;
}

/// With inplace on concrete tensors, writes `result` into `input` and returns `input`, as torch.
Tensor maybe_inplace(const Tensor& input, const Tensor& result, bool inplace) {
  if (!inplace || !input.is_concrete() || !result.is_concrete() || result.is_same(input)) return result;
  Tensor target = input;
  target.copy_(result);
  return target;
}

Tensor elu_op(const Tensor& x, double alpha, double scale, double input_scale) {
  return detail::apply1(ir::OpKind::Elu, {x},
                        ir::Attrs{{"alpha", alpha}, {"scale", scale}, {"input_scale", input_scale}});
}

void check_p(double p) {
  if (!(p >= 0.0 && p <= 1.0)) fail("dropout probability has to be between 0 and 1, but got " + py_float(p));
}

/// The keep mask (bool) with probability 1 - p, shaped like `like`.
Tensor keep_mask(const Tensor& like, double p, Generator* generator) {
  return random_uniform_like(like, generator) < scalar_like(like, 1.0 - p);
}

/// [N, C, 1, ...]: one noise element per (sample, channel), as ATen's make_feature_noise.
Tensor feature_noise_like(const std::string& fn, const Tensor& x) {
  if (x.dim() < 2) fail(fn + ": Feature dropout requires at least 2 dimensions in the input, got " + x.type_str());
  Tensor like = x;
  for (int64_t d = 2; d < x.dim(); ++d) like = like.slice(d, 0, 1);
  return like;
}

/// Dropout (alpha or not) with noise shaped like `noise_like` (x itself or its feature shape).
Tensor dropout_impl(const std::string& fn, const Tensor& x, const Tensor& noise_like, double p, bool alpha,
                    Generator* generator) {
  require_float(fn, x);
  if (p == 1.0) return x * scalar_like(x, 0.0);
  Tensor keep = keep_mask(noise_like, p, generator);
  if (!alpha) {
    Tensor mask = keep.to(x.dtype()) * (1.0 / (1.0 - p));
    return x * mask;
  }
  // ATen: a = 1/sqrt((alpha^2 p + 1)(1 - p)); y = x * noise * a + (noise - 1) * alpha * a + alpha * a * p.
  constexpr double kAlpha = 1.7580993408473766;
  double a = 1.0 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  Tensor noise = keep.to(x.dtype());
  Tensor b = (noise - 1.0) * (kAlpha * a) + kAlpha * a * p;
  return x * (noise * a) + b;
}

int64_t check_dim(const std::string& fn, int64_t dim, int64_t rank) {
  int64_t r = std::max<int64_t>(rank, 1);
  if (dim < -r || dim >= r) {
    fail(fn + ": Dimension out of range (expected to be in range of [" + std::to_string(-r) + ", " +
         std::to_string(r - 1) + "], but got " + std::to_string(dim) + ")");
  }
  return dim < 0 ? dim + r : dim;
}

/// x with leading size-1 dims added up to `rank`.
Tensor unsqueeze_to(const Tensor& x, int64_t rank) {
  Tensor y = x;
  while (y.dim() < rank) y = y.unsqueeze(0);
  return y;
}

/// x (of full rank) expanded along dim `d` to `want`, when it has size 1 there. Other dims
/// broadcast later in the elementwise ops, so a symbolic batch dim needs no expand.
Tensor expand_dim(const std::string& fn, const Tensor& x, int64_t d, const ir::Dim& want) {
  if (x.shape().dim(static_cast<int>(d)) == want) return x;
  if (!want.is_static()) fail(fn + ": cannot broadcast " + x.type_str() + " along the symbolic dim " + want.str());
  std::vector<int64_t> sizes(static_cast<size_t>(x.dim()), -1);
  sizes[static_cast<size_t>(d)] = want.size();
  return x.expand(sizes);
}

ir::Shape broadcast_shape(const std::string& fn, const Tensor& a, const Tensor& b) {
  auto s = ir::broadcast_shapes(a.shape(), b.shape());
  if (!s.ok()) fail(fn + ": " + s.status().message());
  return *s;
}

}  // namespace

Tensor elu(const Tensor& input, double alpha, bool inplace) {
  return maybe_inplace(input, elu_op(require_float("elu", input), alpha, 1.0, 1.0), inplace);
}

Tensor selu(const Tensor& input, bool inplace) {
  return maybe_inplace(input, elu_op(require_float("selu", input), kSeluAlpha, kSeluScale, 1.0), inplace);
}

Tensor celu(const Tensor& input, double alpha, bool inplace) {
  require_float("celu", input);
  if (alpha == 0) fail("celu: ZeroDivisionError: alpha cannot be 0 for CELU");
  return maybe_inplace(input, elu_op(input, alpha, 1.0, 1.0 / alpha), inplace);
}

Tensor hardshrink(const Tensor& input, double lambd) {
  require_float("hardshrink", input);
  return where(input.abs() <= scalar_like(input, lambd), scalar_like(input, 0.0), input);
}

Tensor hardtanh(const Tensor& input, double min_val, double max_val, bool inplace) {
  require_numeric("hardtanh", input);
  Tensor y = detail::apply1(ir::OpKind::Clamp, {input}, ir::Attrs{{"min", min_val}, {"max", max_val}});
  return maybe_inplace(input, y, inplace);
}

Tensor leaky_relu(const Tensor& input, double negative_slope, bool inplace) {
  require_float("leaky_relu", input);
  Tensor y = detail::apply1(ir::OpKind::LeakyRelu, {input}, ir::Attrs{{"negative_slope", negative_slope}});
  return maybe_inplace(input, y, inplace);
}

Tensor logsigmoid(const Tensor& input) {
  require_float("logsigmoid", input);
  return -softplus(-input, 1.0, 20.0);
}

Tensor prelu(const Tensor& input, const Tensor& weight) {
  require_float("prelu", input);
  if (!weight.defined()) fail("prelu: weight is an undefined tensor");
  if (weight.dtype() != input.dtype()) {
    fail("prelu: expected input and weight of the same dtype, got " + input.type_str() + " and " + weight.type_str());
  }
  int64_t n = weight.numel();
  Tensor w;
  if (n == 1) {
    w = weight.reshape({});
  } else {
    if (input.dim() == 0) fail("prelu: Not allow zero-dim input tensor.");
    int64_t channels = input.dim() > 1 ? input.shape().dim(1).size() : 1;
    if (channels != n) {
      fail("prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = " +
           std::to_string(n) + " and channel size = " + (channels < 0 ? input.type_str() : std::to_string(channels)) +
           ".");
    }
    std::vector<int64_t> shape(static_cast<size_t>(input.dim() - 1), 1);
    shape[0] = n;
    w = weight.reshape(shape);
  }
  return where(input > scalar_like(input, 0.0), input, input * w);
}

Tensor rrelu(const Tensor& input, double lower, double upper, bool training, bool inplace, Generator* generator) {
  require_float("rrelu", input);
  if (lower > upper) fail("rrelu: Lower bound should be less than or equal to the upper bound");
  Tensor y;
  if (!training) {
    y = leaky_relu(input, (lower + upper) / 2);
  } else {
    Tensor slope = random_uniform_like(input, generator) * (upper - lower) + lower;
    y = where(input <= scalar_like(input, 0.0), input * slope, input);
  }
  return maybe_inplace(input, y, inplace);
}

Tensor softplus(const Tensor& input, double beta, double threshold) {
  require_float("softplus", input);
  return detail::apply1(ir::OpKind::Softplus, {input}, ir::Attrs{{"beta", beta}, {"threshold", threshold}});
}

Tensor softshrink(const Tensor& input, double lambd) {
  require_float("softshrink", input);
  if (lambd < 0) fail("softshrink: lambda must be greater or equal to 0, but found to be " + py_float(lambd) + ".");
  return input - input.clamp(-lambd, lambd);
}

Tensor softsign(const Tensor& input) {
  require_float("softsign", input);
  return input / (input.abs() + 1.0);
}

Tensor tanhshrink(const Tensor& input) {
  require_float("tanhshrink", input);
  return input - input.tanh();
}

Tensor threshold(const Tensor& input, double threshold, double value, bool inplace) {
  require_numeric("threshold", input);
  Tensor y = where(input <= scalar_like(input, threshold), scalar_like(input, value), input);
  return maybe_inplace(input, y, inplace);
}

Tensor softmin(const Tensor& input, int64_t dim) {
  require_float("softmin", input);
  check_dim("softmin", dim, input.dim());
  return softmax(-input, dim);
}

Tensor gelu(const Tensor& input, const std::string& approximate) {
  require_float("gelu", input);
  if (approximate != "none" && approximate != "tanh") {
    fail("gelu: approximate argument must be either none or tanh, got '" + approximate + "'");
  }
  return detail::apply1(ir::OpKind::Gelu, {input}, ir::Attrs{{"approximate", approximate}});
}

Tensor random_uniform_like(const Tensor& like, Generator* generator) {
  require_float("random_uniform_like", like);
  Generator& gen = generator ? *generator : default_generator();
  // Attributes are int64: keep the seed non-negative so it prints and parses back unchanged.
  auto seed = static_cast<int64_t>(gen.next_u64() >> 1);
  return detail::apply1(ir::OpKind::RandomUniform, {like}, ir::Attrs{{"seed", seed}, {"offset", int64_t{0}}});
}

Tensor dropout2d(const Tensor& input, double p, bool training, bool inplace, Generator* generator) {
  check_p(p);
  if (!input.defined()) fail("dropout2d: input is an undefined tensor");
  if (!training || p == 0.0) return input;
  Tensor y = dropout_impl("dropout2d", input, feature_noise_like("dropout2d", input), p, false, generator);
  return maybe_inplace(input, y, inplace);
}

Tensor dropout3d(const Tensor& input, double p, bool training, bool inplace, Generator* generator) {
  check_p(p);
  if (!input.defined()) fail("dropout3d: input is an undefined tensor");
  if (!training || p == 0.0) return input;
  bool batched = input.dim() == 5;
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor y = dropout_impl("dropout3d", x, feature_noise_like("dropout3d", x), p, false, generator);
  if (!batched) y = y.squeeze(0);
  return maybe_inplace(input, y, inplace);
}

Tensor alpha_dropout(const Tensor& input, double p, bool training, bool inplace, Generator* generator) {
  check_p(p);
  if (!input.defined()) fail("alpha_dropout: input is an undefined tensor");
  if (!training || p == 0.0) return input;
  return maybe_inplace(input, dropout_impl("alpha_dropout", input, input, p, true, generator), inplace);
}

Tensor feature_alpha_dropout(const Tensor& input, double p, bool training, bool inplace, Generator* generator) {
  check_p(p);
  if (!input.defined()) fail("feature_alpha_dropout: input is an undefined tensor");
  if (!training || p == 0.0) return input;
  Tensor noise_like = feature_noise_like("feature_alpha_dropout", input);
  return maybe_inplace(input, dropout_impl("feature_alpha_dropout", input, noise_like, p, true, generator), inplace);
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  const std::string fn = "cosine_similarity";
  require_float(fn, x1);
  require_float(fn, x2);
  if (x1.dtype() != x2.dtype()) fail(fn + ": expected x1 and x2 of the same dtype, got " + x1.type_str() + " and " + x2.type_str());
  ir::Shape shape = broadcast_shape(fn, x1, x2);
  if (shape.rank() == 0) fail(fn + ": expected inputs with at least 1 dim, got " + x1.type_str() + " and " + x2.type_str());
  int64_t d = check_dim(fn, dim, shape.rank());
  const ir::Dim& along = shape.dim(static_cast<int>(d));
  Tensor a = expand_dim(fn, unsqueeze_to(x1, shape.rank()), d, along);
  Tensor b = expand_dim(fn, unsqueeze_to(x2, shape.rank()), d, along);
  // torch 1.13: each vector is divided by its norm clamped to eps, then the products summed.
  Tensor na = (a * a).sum({d}, true).sqrt().clamp(eps, std::nullopt);
  Tensor nb = (b * b).sum({d}, true).sqrt().clamp(eps, std::nullopt);
  return ((a / na) * (b / nb)).sum({d});
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  const std::string fn = "pairwise_distance";
  require_float(fn, x1);
  require_float(fn, x2);
  if (x1.dtype() != x2.dtype()) fail(fn + ": expected x1 and x2 of the same dtype, got " + x1.type_str() + " and " + x2.type_str());
  broadcast_shape(fn, x1, x2);
  Tensor diff = x1 - x2 + eps;
  if (diff.dim() == 0) return p == 0 ? (diff != scalar_like(diff, 0.0)).to(diff.dtype()) : diff.abs();
  std::vector<int64_t> dims = {diff.dim() - 1};
  if (p == 0) return (diff != scalar_like(diff, 0.0)).to(diff.dtype()).sum(dims, keepdim);
  if (std::isinf(p)) return p > 0 ? diff.abs().amax(dims, keepdim) : diff.abs().amin(dims, keepdim);
  if (p == 1) return diff.abs().sum(dims, keepdim);
  if (p == 2) return (diff * diff).sum(dims, keepdim).sqrt();
  return diff.abs().pow(p).sum(dims, keepdim).pow(1.0 / p);
}

}  // namespace kiln::nn::functional
