// nn::F for issue 5's normalization, bilinear and embedding layers (see functional_norm_embedding.h).
#include "frontend/functional_norm_embedding.h"

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "frontend/dispatch.h"
#include "frontend/expanding_array.h"
#include "frontend/functional.h"
#include "frontend/trace.h"

namespace kiln::nn::functional {

namespace {

using detail::fail;

void require_floating(const std::string& fn, const char* what, const Tensor& t) {
  if (!t.defined()) fail(fn + ": " + what + " is an undefined tensor");
  if (!ir::is_floating(t.dtype())) fail(fn + ": expected a floating point " + what + ", got " + t.type_str());
}

int64_t static_dim(const Tensor& t, int i) { return t.shape().dim(i).size(); }

std::string shape_list(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// The dims of `t` as a reshape target: its one symbolic dim (if any) becomes -1.
std::vector<int64_t> reshape_target(const std::string& fn, const std::vector<ir::Dim>& dims) {
  std::vector<int64_t> out;
  bool symbolic = false;
  for (const ir::Dim& d : dims) {
    if (d.is_symbolic()) {
      if (symbolic) fail(fn + ": at most one symbolic dim is supported, got " + ir::Shape(dims).str());
      symbolic = true;
    }
    out.push_back(d.is_symbolic() ? -1 : d.size());
  }
  return out;
}

// "(2, 3, 1)", or the shape with its symbols.
std::string size_str(const Tensor& t) { return t.shape().is_static() ? py_tuple(t.sizes()) : t.shape().str(); }

bool eager(const Tensor& a, const Tensor& b) { return a.is_concrete() && b.is_concrete() && !is_tracing(); }

void check_indices(const std::string& fn, const Tensor& input) {
  if (!input.defined()) fail(fn + ": input is an undefined tensor");
  if (input.dtype() != DType::kI64 && input.dtype() != DType::kI32) {
    fail(fn + ": expected indices of dtype i64 or i32 (torch.long / torch.int), got " + input.type_str());
  }
}

void check_table(const std::string& fn, const Tensor& weight) {
  require_floating(fn, "weight", weight);
  if (weight.dim() != 2) fail(fn + ": expected a 2-d weight [num_embeddings, embedding_dim], got " + weight.type_str());
}

// torch's padding_idx normalization: negative counts from the end; must name a row.
std::optional<int64_t> normalize_padding_idx(const std::string& fn, std::optional<int64_t> padding_idx, int64_t rows) {
  if (!padding_idx) return std::nullopt;
  int64_t p = *padding_idx;
  if (p >= rows || p < -rows) {
    fail(fn + ": padding_idx " + std::to_string(p) + " must be within num_embeddings " + std::to_string(rows));
  }
  return p < 0 ? p + rows : p;
}

void check_norm_type(const std::string& fn, double p) {
  if (std::isnan(p) || p < 0) fail(fn + ": norm_type must be non-negative, got " + py_float(p));
}

// The p-norm of one row of a concrete [V, D] table, as torch's Tensor.norm(p).
double row_norm(const ir::HostTensor& w, int64_t row, int64_t dim, double p) {
  double acc = 0.0;
  for (int64_t d = 0; d < dim; ++d) {
    double a = std::fabs(w.GetDouble(row * dim + d));
    if (std::isinf(p)) acc = std::max(acc, a);
    else if (p == 0) acc += a != 0 ? 1.0 : 0.0;
    else acc += std::pow(a, p);
  }
  return std::isinf(p) || p == 0 ? acc : std::pow(acc, 1.0 / p);
}

// Eager: torch's embedding_renorm_: every distinct looked-up row whose norm exceeds max_norm
// is scaled in place by max_norm / (norm + 1e-7). Indices are checked first.
void renorm_in_place(const std::string& fn, const Tensor& input, Tensor weight, double max_norm, double p) {
  int64_t rows = weight.size(0), dim = weight.size(1);
  std::set<int64_t> seen;
  const ir::HostTensor& idx = input.data();
  for (int64_t i = 0; i < idx.num_elements(); ++i) {
    int64_t r = idx.GetInt(i);
    if (r < 0 || r >= rows) {
      fail(fn + ": index " + std::to_string(r) + " (indices element " + std::to_string(i) +
           ") is out of range for a table of " + std::to_string(rows) + " rows");
    }
    seen.insert(r);
  }
  ir::HostTensor& w = weight.mutable_data();
  for (int64_t r : seen) {
    double norm = row_norm(w, r, dim, p);
    if (norm > max_norm) {
      double scale = max_norm / (norm + 1e-7);
      for (int64_t d = 0; d < dim; ++d) w.SetDouble(r * dim + d, w.GetDouble(r * dim + d) * scale);
    }
  }
}

// Traced: the same scaling applied to rows [..., D] as graph ops (nothing is written back).
Tensor renorm_rows(const Tensor& rows, double max_norm, double p) {
  Tensor a = rows.abs(), norm;
  if (std::isinf(p)) {
    norm = a.amax({-1}, true);
  } else if (p == 0) {
    norm = (a > detail::scalar_like(a, 0.0)).to(rows.dtype()).sum({-1}, true);
  } else if (p == 1) {
    norm = a.sum({-1}, true);
  } else if (p == 2) {
    norm = (a * a).sum({-1}, true).sqrt();
  } else {
    norm = a.pow(p).sum({-1}, true).pow(1.0 / p);
  }
  Tensor scale = where(norm > detail::scalar_like(norm, max_norm), max_norm / (norm + 1e-7),
                       detail::scalar_like(norm, 1.0));
  return rows * scale;
}

}  // namespace

Tensor layer_norm(const Tensor& input, const std::vector<int64_t>& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const std::string fn = "layer_norm";
  require_floating(fn, "input", input);
  if (normalized_shape.empty()) fail(fn + ": expected normalized_shape to be at least 1-dimensional, got ()");
  int64_t k = static_cast<int64_t>(normalized_shape.size()), rank = input.dim();
  bool ok = rank >= k;
  for (int64_t i = 0; ok && i < k; ++i) {
    ok = input.shape().dim(static_cast<int>(rank - k + i)) == ir::Dim(normalized_shape[static_cast<size_t>(i)]);
  }
  if (!ok) {
    fail(fn + ": given normalized_shape=" + shape_list(normalized_shape) + ", expected input with shape [*, " +
         shape_list(normalized_shape).substr(1) + ", but got input " + input.type_str());
  }
  for (const auto& [name, t] : {std::pair<const char*, const Tensor*>{"weight", &weight}, {"bias", &bias}}) {
    if (!t->defined()) continue;
    if (t->dtype() != input.dtype() || t->shape() != ir::Shape::FromSizes(normalized_shape)) {
      fail(fn + ": expected " + name + " of shape " + shape_list(normalized_shape) + " and the input's dtype, got " +
           t->type_str() + " (input " + input.type_str() + ")");
    }
  }
  ir::Attrs attrs{{"normalized_ndim", k}, {"eps", eps}};
  if (!weight.defined()) {
    Tensor y = detail::apply1(ir::OpKind::LayerNorm, {input}, attrs);
    return bias.defined() ? y + bias : y;
  }
  if (!bias.defined()) return detail::apply1(ir::OpKind::LayerNorm, {input, weight}, attrs);
  return detail::apply1(ir::OpKind::LayerNorm, {input, weight, bias}, attrs);
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  const std::string fn = "group_norm";
  require_floating(fn, "input", input);
  if (input.dim() < 2) fail(fn + ": expected an input with at least 2 dims [N, C, *], got " + input.type_str());
  int64_t c = static_dim(input, 1);
  if (c < 0) fail(fn + ": the channel dim of input " + input.type_str() + " must be static");
  if (num_groups < 1 || c % num_groups != 0) {
    fail(fn + ": expected the number of channels " + std::to_string(c) + " of input " + input.type_str() +
         " to be divisible by num_groups " + std::to_string(num_groups));
  }
  // torch's _verify_batch_size on [N * C / G, G, *spatial]: more than one value per group.
  int64_t prod = static_dim(input, 0) * (c / num_groups);
  for (int64_t d = 2; d < input.dim() && prod >= 0; ++d) {
    int64_t s = static_dim(input, static_cast<int>(d));
    prod = s < 0 ? -1 : prod * s;
  }
  if (static_dim(input, 0) >= 0 && prod == 1) {
    fail("Expected more than 1 value per channel when training, got input size " + size_str(input));
  }
  for (const auto& [name, t] : {std::pair<const char*, const Tensor*>{"weight", &weight}, {"bias", &bias}}) {
    if (t->defined() && (t->dim() != 1 || t->size(0) != c || t->dtype() != input.dtype())) {
      fail(fn + ": expected " + name + " to be a vector of size equal to the number of channels in input, but got " +
           name + " " + t->type_str() + " and input " + input.type_str());
    }
  }
  ir::Attrs attrs{{"num_groups", num_groups}, {"eps", eps}};
  if (!weight.defined()) {
    Tensor y = detail::apply1(ir::OpKind::GroupNorm, {input}, attrs);
    if (!bias.defined()) return y;
    std::vector<int64_t> stat(static_cast<size_t>(input.dim()), 1);
    stat[1] = c;
    return y + bias.reshape(stat);
  }
  if (!bias.defined()) return detail::apply1(ir::OpKind::GroupNorm, {input, weight}, attrs);
  return detail::apply1(ir::OpKind::GroupNorm, {input, weight, bias}, attrs);
}

Tensor instance_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, bool use_input_stats, double momentum, double eps) {
  const std::string fn = "instance_norm";
  require_floating(fn, "input", input);
  if (input.dim() < 3) fail(fn + ": expected an input with at least 3 dims [N, C, *], got " + input.type_str());
  int64_t c = static_dim(input, 1);
  if (c < 0) fail(fn + ": the channel dim of input " + input.type_str() + " must be static");
  for (const auto& [name, t] : {std::pair<const char*, const Tensor*>{"weight", &weight},
                                {"bias", &bias},
                                {"running_mean", &running_mean},
                                {"running_var", &running_var}}) {
    if (t->defined() && (t->dim() != 1 || t->size(0) != c)) {
      fail(fn + ": " + name + " should contain " + std::to_string(c) + " elements, got " + t->type_str() +
           " (input " + input.type_str() + ")");
    }
  }
  if (running_mean.defined() != running_var.defined()) {
    fail(fn + ": running_mean and running_var must both be given or both be undefined");
  }
  if (!use_input_stats) {
    if (!running_mean.defined()) fail(fn + ": running_mean and running_var are needed when use_input_stats=false");
    return batch_norm(input, running_mean, running_var, weight, bias, /*training=*/false, momentum, eps);
  }
  int64_t plane = 1;
  for (int64_t d = 2; d < input.dim(); ++d) {
    int64_t s = static_dim(input, static_cast<int>(d));
    plane = plane < 0 || s < 0 ? -1 : plane * s;
  }
  if (plane == 1) {
    fail("Expected more than 1 spatial element when training, got input size " + size_str(input));
  }
  Tensor y = group_norm(input, c, weight, bias, eps);
  if (running_mean.defined() && eager(input, running_mean) && running_var.is_concrete()) {
    // torch normalizes [1, N*C, *] with the stats repeated N times, then averages them back:
    // running = (1 - momentum) * running + momentum * mean over n of the (n, c) statistics.
    const ir::HostTensor& x = input.data();
    int64_t n_batch = input.size(0);
    Tensor rm = running_mean, rv = running_var;
    ir::HostTensor& m = rm.mutable_data();
    ir::HostTensor& v = rv.mutable_data();
    for (int64_t ch = 0; ch < c; ++ch) {
      double mean_sum = 0.0, var_sum = 0.0;
      for (int64_t n = 0; n < n_batch; ++n) {
        int64_t base = (n * c + ch) * plane;
        double s = 0.0, sq = 0.0;
        for (int64_t i = 0; i < plane; ++i) s += x.GetDouble(base + i);
        double mean = s / static_cast<double>(plane);
        for (int64_t i = 0; i < plane; ++i) sq += (x.GetDouble(base + i) - mean) * (x.GetDouble(base + i) - mean);
        mean_sum += mean;
        var_sum += sq / static_cast<double>(plane - 1);
      }
      double nb = static_cast<double>(n_batch);
      m.SetDouble(ch, momentum * mean_sum / nb + (1 - momentum) * m.GetDouble(ch));
      v.SetDouble(ch, momentum * var_sum / nb + (1 - momentum) * v.GetDouble(ch));
    }
  }
  return y;
}

Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  const std::string fn = "local_response_norm";
  require_floating(fn, "input", input);
  if (input.dim() < 3) {
    fail(fn + ": expected 3D or higher dimensionality input (got " + std::to_string(input.dim()) + " dimensions)");
  }
  if (size < 1) fail(fn + ": size must be positive, got " + std::to_string(size));
  int64_t c = static_dim(input, 1);
  if (c < 0) fail(fn + ": the channel dim of input " + input.type_str() + " must be static");
  if (input.shape().is_static() && input.numel() == 0) return input;
  int64_t rest = 1;
  for (int64_t d = 2; d < input.dim(); ++d) {
    int64_t s = static_dim(input, static_cast<int>(d));
    if (s < 0) fail(fn + ": the spatial dims of input " + input.type_str() + " must be static");
    rest *= s;
  }
  std::vector<int64_t> lead = reshape_target(fn, {input.shape().dim(0)});
  Tensor sq = (input * input).reshape({lead[0], 1, c, rest});
  // Symmetric padding size/2 gives C (odd size) or C + 1 (even size) windows; the first C of
  // them are exactly torch's windows over zero padding (size/2 before, (size-1)/2 after).
  ir::Attrs pool{{"kernel_size", std::vector<int64_t>{size, 1}},
                 {"stride", std::vector<int64_t>{1, 1}},
                 {"padding", std::vector<int64_t>{size / 2, 0}},
                 {"count_include_pad", true}};
  Tensor avg = detail::apply1(ir::OpKind::AvgPool, {sq}, pool).slice(2, 0, c);
  Tensor div = (avg.reshape(reshape_target(fn, input.shape().dims())) * alpha + k).pow(beta);
  return input / div;
}

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias) {
  const std::string fn = "bilinear";
  require_floating(fn, "input1", input1);
  require_floating(fn, "input2", input2);
  require_floating(fn, "weight", weight);
  if (weight.dim() != 3) fail(fn + ": expected a 3-d weight [out, in1, in2], got " + weight.type_str());
  int64_t out = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  if (input1.dim() < 1 || input1.dim() != input2.dim()) {
    fail(fn + ": expected input1 and input2 of the same rank >= 1, got " + input1.type_str() + " and " +
         input2.type_str());
  }
  for (int64_t d = 0; d + 1 < input1.dim(); ++d) {
    ir::Dim a = input1.shape().dim(static_cast<int>(d)), b = input2.shape().dim(static_cast<int>(d));
    if (a != b) {
      fail(fn + ": input batch dimensions do not match at dim " + std::to_string(d) + ": got " + a.str() + " and " +
           b.str() + " (" + input1.type_str() + ", " + input2.type_str() + ")");
    }
  }
  if (static_dim(input1, static_cast<int>(input1.dim()) - 1) != in1 ||
      static_dim(input2, static_cast<int>(input2.dim()) - 1) != in2) {
    fail(fn + ": expected input1 [..., " + std::to_string(in1) + "] and input2 [..., " + std::to_string(in2) +
         "] for weight " + weight.type_str() + ", got " + input1.type_str() + " and " + input2.type_str());
  }
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != out)) {
    fail(fn + ": expected bias [" + std::to_string(out) + "], got " + bias.type_str());
  }
  if (input1.dtype() != weight.dtype() || input2.dtype() != weight.dtype()) {
    fail(fn + ": expected inputs of the weight's dtype, got " + input1.type_str() + ", " + input2.type_str() +
         " and weight " + weight.type_str());
  }
  // t[..., o * in2 + j] = sum_i x1[..., i] weight[o, i, j]
  Tensor t = linear(input1, weight.permute({0, 2, 1}).reshape({out * in2, in1}));
  std::vector<ir::Dim> lead = input1.shape().dims();
  lead.pop_back();
  std::vector<int64_t> target = reshape_target(fn, lead);
  target.push_back(out);
  target.push_back(in2);
  Tensor y = (t.reshape(target) * input2.unsqueeze(-2)).sum({-1});
  return bias.defined() ? y + bias : y;
}

Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx,
                 std::optional<double> max_norm, double norm_type, bool /*scale_grad_by_freq*/, bool /*sparse*/) {
  const std::string fn = "embedding";
  check_indices(fn, input);
  check_table(fn, weight);
  normalize_padding_idx(fn, padding_idx, weight.size(0));
  check_norm_type(fn, norm_type);
  if (max_norm && eager(input, weight)) renorm_in_place(fn, input, weight, *max_norm, norm_type);
  Tensor rows = detail::apply1(ir::OpKind::Embedding, {weight, input});
  if (max_norm && !eager(input, weight)) rows = renorm_rows(rows, *max_norm, norm_type);
  return rows;
}

Tensor embedding_bag(const Tensor& input, const Tensor& weight, const Tensor& offsets, std::optional<double> max_norm,
                     double norm_type, bool scale_grad_by_freq, const std::string& mode, bool sparse,
                     const Tensor& per_sample_weights, bool include_last_offset, std::optional<int64_t> padding_idx) {
  const std::string fn = "embedding_bag";
  check_indices(fn, input);
  check_table(fn, weight);
  check_norm_type(fn, norm_type);
  std::optional<int64_t> pad = normalize_padding_idx(fn, padding_idx, weight.size(0));
  if (per_sample_weights.defined() && per_sample_weights.shape() != input.shape()) {
    fail(fn + ": If per_sample_weights (" + per_sample_weights.type_str() +
         ") is not None, then it must have the same shape as the input (" + input.type_str() + ")");
  }
  if (input.dim() == 2) {
    if (offsets.defined()) {
      fail(fn + ": if input is 2D, then offsets has to be None, as input is treated as a mini-batch of fixed length "
                "sequences; got offsets " + offsets.type_str());
    }
  } else if (input.dim() == 1) {
    if (!offsets.defined()) fail(fn + ": offsets has to be a 1D Tensor but got None");
    if (offsets.dim() != 1) fail(fn + ": offsets has to be a 1D Tensor, got " + offsets.type_str());
    check_indices(fn + " offsets", offsets);
    if (include_last_offset && offsets.shape().dim(0).is_static() && offsets.size(0) < 1) {
      fail(fn + ": include_last_offset needs at least one offset, got " + offsets.type_str());
    }
  } else {
    fail(fn + ": input has to be 1D or 2D Tensor, but got " + input.type_str());
  }
  if (mode != "sum" && mode != "mean" && mode != "max") fail(fn + ": mode has to be one of sum, mean or max, got \"" + mode + "\"");
  if (mode == "max" && scale_grad_by_freq) fail(fn + ": max mode does not support scaling the gradient by the frequency");
  if (mode == "max" && sparse) fail(fn + ": max mode does not support sparse weights");
  if (per_sample_weights.defined()) {
    if (mode != "sum") {
      fail(fn + ": per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='" +
           mode + "')");
    }
    if (per_sample_weights.dtype() != weight.dtype()) {
      fail(fn + ": expected per_sample_weights of the weight's dtype, got " + per_sample_weights.type_str() +
           " (weight " + weight.type_str() + ")");
    }
  }
  Tensor table = weight;
  if (max_norm) {
    if (eager(input, weight)) renorm_in_place(fn, input, weight, *max_norm, norm_type);
    else table = renorm_rows(weight, *max_norm, norm_type);
  }
  std::vector<Tensor> operands{table, input};
  if (input.dim() == 1) operands.push_back(offsets.to(input.dtype()));
  if (per_sample_weights.defined()) operands.push_back(per_sample_weights);
  ir::Attrs attrs{{"mode", mode}, {"include_last_offset", include_last_offset}, {"padding_idx", pad.value_or(-1)}};
  return detail::apply1(ir::OpKind::EmbeddingBag, operands, attrs);
}

}  // namespace kiln::nn::functional
