// kiln::nn::init: torch.nn.init's initializers on concrete tensors (see init.h).
#include "frontend/init.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "frontend/dispatch.h"
#include "frontend/expanding_array.h"

namespace kiln::nn::init {

namespace {

using detail::fail;

Generator& gen_or_default(Generator* g) { return g ? *g : default_generator(); }

ir::HostTensor& concrete(Tensor& t, const char* fn) {
  if (!t.defined()) fail(std::string("init.") + fn + ": the tensor is undefined");
  if (t.is_symbolic()) fail(std::string("init.") + fn + ": expected a concrete tensor, got a traced " + t.type_str());
  return t.mutable_data();
}

template <typename F>
Tensor fill_each(Tensor tensor, const char* fn, F&& value) {
  ir::HostTensor& d = concrete(tensor, fn);
  for (int64_t i = 0; i < d.num_elements(); ++i) d.SetDouble(i, value());
  return tensor;
}

// Inverse of erf on (-1, 1): Giles' approximation refined by Newton steps on std::erf.
double erfinv(double y) {
  if (y <= -1) return -INFINITY;
  if (y >= 1) return INFINITY;
  double w = -std::log((1.0 - y) * (1.0 + y)), x;
  if (w < 5.0) {
    w -= 2.5;
    x = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
                     0.246640727, 1.50140941}) {
      x = c + x * w;
    }
  } else {
    w = std::sqrt(w) - 3.0;
    x = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                     1.00167406, 2.83297682}) {
      x = c + x * w;
    }
  }
  x *= y;
  for (int i = 0; i < 3; ++i) {
    double err = std::erf(x) - y;
    x -= err / (2.0 / std::sqrt(M_PI) * std::exp(-x * x));
  }
  return x;
}

}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  static const char* kLinear[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                                  "conv_transpose3d"};
  for (const char* name : kLinear) {
    if (nonlinearity == name) return 1.0;
  }
  if (nonlinearity == "sigmoid") return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  fail("Unsupported nonlinearity " + nonlinearity);
}

std::pair<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor) {
  if (tensor.dim() < 2) {
    fail("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got " + tensor.type_str() +
         ")");
  }
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

int64_t _calculate_correct_fan(const Tensor& tensor, const std::string& mode) {
  if (mode != "fan_in" && mode != "fan_out") fail("Mode " + mode + " not supported, please use one of fan_in, fan_out");
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  return mode == "fan_in" ? fan_in : fan_out;
}

Tensor uniform_(Tensor tensor, double a, double b, Generator* generator) {
  Generator& g = gen_or_default(generator);
  return fill_each(tensor, "uniform_", [&] { return a + (b - a) * g.uniform(); });
}

Tensor normal_(Tensor tensor, double mean, double std, Generator* generator) {
  if (std < 0) fail("init.normal_: std must be non-negative, got " + py_float(std));
  Generator& g = gen_or_default(generator);
  return fill_each(tensor, "normal_", [&] { return mean + std * g.normal(); });
}

Tensor trunc_normal_(Tensor tensor, double mean, double std, double a, double b, Generator* generator) {
  if (!(a < b)) fail("init.trunc_normal_: expected a < b, got a=" + py_float(a) + ", b=" + py_float(b));
  auto cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
  double l = cdf((a - mean) / std), u = cdf((b - mean) / std);
  Generator& g = gen_or_default(generator);
  return fill_each(tensor, "trunc_normal_", [&] {
    double y = (2 * l - 1) + (2 * u - 2 * l) * g.uniform();
    double x = erfinv(y) * std * std::sqrt(2.0) + mean;
    return std::min(std::max(x, a), b);
  });
}

Tensor constant_(Tensor tensor, double value) {
  return fill_each(tensor, "constant_", [&] { return value; });
}

Tensor ones_(Tensor tensor) { return constant_(tensor, 1.0); }

Tensor zeros_(Tensor tensor) { return constant_(tensor, 0.0); }

Tensor eye_(Tensor tensor) {
  ir::HostTensor& d = concrete(tensor, "eye_");
  if (d.rank() != 2) fail("Only tensors with 2 dimensions are supported (got " + tensor.type_str() + ")");
  int64_t cols = d.sizes()[1];
  for (int64_t i = 0; i < d.num_elements(); ++i) d.SetDouble(i, i / cols == i % cols ? 1.0 : 0.0);
  return tensor;
}

Tensor dirac_(Tensor tensor, int64_t groups) {
  ir::HostTensor& d = concrete(tensor, "dirac_");
  int rank = d.rank();
  if (rank < 3 || rank > 5) fail("Only tensors with 3, 4, or 5 dimensions are supported (got " + tensor.type_str() + ")");
  const std::vector<int64_t>& s = d.sizes();
  if (groups < 1 || s[0] % groups != 0) {
    fail("dim 0 must be divisible by groups (got " + tensor.type_str() + ", groups " + std::to_string(groups) + ")");
  }
  int64_t out_per_group = s[0] / groups;
  int64_t min_dim = std::min(out_per_group, s[1]);
  for (int64_t i = 0; i < d.num_elements(); ++i) d.SetDouble(i, 0.0);
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t k = 0; k < min_dim; ++k) {
      int64_t index = g * out_per_group + k;  // [out, in, center...] row-major
      index = index * s[1] + k;
      for (int i = 2; i < rank; ++i) index = index * s[static_cast<size_t>(i)] + s[static_cast<size_t>(i)] / 2;
      d.SetDouble(index, 1.0);
    }
  }
  return tensor;
}

Tensor xavier_uniform_(Tensor tensor, double gain, Generator* generator) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  double a = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(tensor, -a, a, generator);
}

Tensor xavier_normal_(Tensor tensor, double gain, Generator* generator) {
  auto [fan_in, fan_out] = _calculate_fan_in_and_fan_out(tensor);
  return normal_(tensor, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), generator);
}

Tensor kaiming_uniform_(Tensor tensor, double a, const std::string& mode, const std::string& nonlinearity,
                        Generator* generator) {
  if (concrete(tensor, "kaiming_uniform_").num_elements() == 0) return tensor;
  double fan = static_cast<double>(_calculate_correct_fan(tensor, mode));
  double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(fan);
  return uniform_(tensor, -bound, bound, generator);
}

Tensor kaiming_normal_(Tensor tensor, double a, const std::string& mode, const std::string& nonlinearity,
                       Generator* generator) {
  if (concrete(tensor, "kaiming_normal_").num_elements() == 0) return tensor;
  double fan = static_cast<double>(_calculate_correct_fan(tensor, mode));
  return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(fan), generator);
}

Tensor orthogonal_(Tensor tensor, double gain, Generator* generator) {
  ir::HostTensor& d = concrete(tensor, "orthogonal_");
  if (d.rank() < 2) fail("Only tensors with 2 or more dimensions are supported (got " + tensor.type_str() + ")");
  if (d.num_elements() == 0) return tensor;
  int64_t rows = d.sizes()[0], cols = d.num_elements() / rows;
  // A is m x n with m >= n (the transpose when rows < cols), column-major in `a`.
  bool transposed = rows < cols;
  int64_t m = transposed ? cols : rows, n = transposed ? rows : cols;
  Generator& g = gen_or_default(generator);
  std::vector<double> a(static_cast<size_t>(m * n));
  for (double& x : a) x = g.normal();
  auto col = [&](int64_t j) { return a.data() + j * m; };
  // Modified Gram-Schmidt with a second pass: Q's columns orthonormal and R's diagonal
  // positive, which is torch's QR after its sign correction q *= sign(diag(r)).
  for (int64_t j = 0; j < n; ++j) {
    double* v = col(j);
    for (int pass = 0; pass < 2; ++pass) {
      for (int64_t k = 0; k < j; ++k) {
        const double* q = col(k);
        double dot = 0;
        for (int64_t i = 0; i < m; ++i) dot += q[i] * v[i];
        for (int64_t i = 0; i < m; ++i) v[i] -= dot * q[i];
      }
    }
    double norm = 0;
    for (int64_t i = 0; i < m; ++i) norm += v[i] * v[i];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < m; ++i) v[i] /= norm;
  }
  // Q is m x n; the tensor (rows x cols, row-major) is Q, or Q^T when transposed.
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      double q = transposed ? col(r)[c] : col(c)[r];
      d.SetDouble(r * cols + c, gain * q);
    }
  }
  return tensor;
}

}  // namespace kiln::nn::init
