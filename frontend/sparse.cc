#include "frontend/sparse.h"

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/functional_norm_embedding.h"
#include "frontend/init.h"

namespace kiln::nn {

namespace {

// torch's padding_idx normalization and its assertion (an AssertionError there).
std::optional<int64_t> normalize_padding_idx(const std::string& type_name, std::optional<int64_t> padding_idx,
                                             int64_t rows) {
  if (!padding_idx) return std::nullopt;
  int64_t p = *padding_idx;
  if (p >= rows || p < -rows) {
    throw Error(type_name + ": padding_idx must be within num_embeddings (got padding_idx " + std::to_string(p) +
                " for " + std::to_string(rows) + " embeddings)");
  }
  return p < 0 ? p + rows : p;
}

// The weight: a new [rows, dim] f32 tensor, or the given _weight (shape checked; shares data).
Tensor make_weight(const std::string& type_name, int64_t rows, int64_t dim, const Tensor& given) {
  if (rows < 0 || dim < 0) {
    throw Error(type_name + ": num_embeddings and embedding_dim must be non-negative, got " + std::to_string(rows) +
                " and " + std::to_string(dim));
  }
  if (!given.defined()) return Tensor(ir::HostTensor(DType::kF32, {rows, dim}));
  if (given.is_symbolic() || given.dim() != 2 || given.size(0) != rows || given.size(1) != dim) {
    throw Error(type_name + ": Shape of weight does not match num_embeddings and embedding_dim (weight " +
                given.type_str() + ", expected [" + std::to_string(rows) + ", " + std::to_string(dim) + "])");
  }
  if (!ir::is_floating(given.dtype())) throw Error(type_name + ": weight must be floating point, got " + given.type_str());
  return given.detach();
}

void check_pretrained(const std::string& type_name, const Tensor& embeddings) {
  if (!embeddings.defined() || embeddings.is_symbolic() || embeddings.dim() != 2) {
    throw Error(type_name + ".from_pretrained: Embeddings parameter is expected to be 2-dimensional, got " +
                (embeddings.defined() ? embeddings.type_str() : std::string("an undefined tensor")));
  }
}

}  // namespace

// ---- Embedding ----

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options_) : Module("Embedding"), options(options_) {
  padding_idx = normalize_padding_idx("Embedding", options.padding_idx(), options.num_embeddings());
  bool given = options._weight().defined();
  weight = register_parameter(
      "weight", make_weight("Embedding", options.num_embeddings(), options.embedding_dim(), options._weight()));
  if (!given) reset_parameters();
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (padding_idx) {
    ir::HostTensor& w = weight.mutable_data();
    int64_t dim = options.embedding_dim();
    for (int64_t d = 0; d < dim; ++d) w.SetDouble(*padding_idx * dim + d, 0.0);
  }
}

Tensor EmbeddingImpl::forward(const Tensor& input) {
  return F::embedding(input, weight, padding_idx, options.max_norm(), options.norm_type(),
                      options.scale_grad_by_freq(), options.sparse());
}

std::string EmbeddingImpl::extra_repr() const {
  std::string s = std::to_string(options.num_embeddings()) + ", " + std::to_string(options.embedding_dim());
  if (padding_idx) s += ", padding_idx=" + std::to_string(*padding_idx);
  if (options.max_norm()) s += ", max_norm=" + py_float(*options.max_norm());
  if (options.norm_type() != 2) s += ", norm_type=" + py_float(options.norm_type());
  if (options.scale_grad_by_freq()) s += ", scale_grad_by_freq=True";
  if (options.sparse()) s += ", sparse=True";
  return s;
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& o) {
  check_pretrained("Embedding", embeddings);
  Embedding e(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                  ._weight(embeddings)
                  .padding_idx(o.padding_idx())
                  .max_norm(o.max_norm())
                  .norm_type(o.norm_type())
                  .scale_grad_by_freq(o.scale_grad_by_freq())
                  .sparse(o.sparse()));
  e->weight.set_requires_grad(!o.freeze());
  return e;
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, bool freeze, std::optional<int64_t> padding_idx,
                                     std::optional<double> max_norm, double norm_type, bool scale_grad_by_freq,
                                     bool sparse) {
  return from_pretrained(embeddings, EmbeddingFromPretrainedOptions()
                                         .freeze(freeze)
                                         .padding_idx(padding_idx)
                                         .max_norm(max_norm)
                                         .norm_type(norm_type)
                                         .scale_grad_by_freq(scale_grad_by_freq)
                                         .sparse(sparse));
}

// ---- EmbeddingBag ----

EmbeddingBagImpl::EmbeddingBagImpl(const EmbeddingBagOptions& options_) : Module("EmbeddingBag"), options(options_) {
  const std::string& mode = options.mode();
  if (mode != "sum" && mode != "mean" && mode != "max") {
    throw Error("EmbeddingBag: mode has to be one of sum, mean or max, got \"" + mode + "\"");
  }
  padding_idx = normalize_padding_idx("EmbeddingBag", options.padding_idx(), options.num_embeddings());
  bool given = options._weight().defined();
  weight = register_parameter(
      "weight", make_weight("EmbeddingBag", options.num_embeddings(), options.embedding_dim(), options._weight()));
  if (!given) reset_parameters();
}

void EmbeddingBagImpl::reset_parameters() {
  init::normal_(weight);
  if (padding_idx) {
    ir::HostTensor& w = weight.mutable_data();
    int64_t dim = options.embedding_dim();
    for (int64_t d = 0; d < dim; ++d) w.SetDouble(*padding_idx * dim + d, 0.0);
  }
}

Tensor EmbeddingBagImpl::forward(const Tensor& input) { return forward(input, Tensor(), Tensor()); }

Tensor EmbeddingBagImpl::forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights) {
  return F::embedding_bag(input, weight, offsets, options.max_norm(), options.norm_type(),
                          options.scale_grad_by_freq(), options.mode(), options.sparse(), per_sample_weights,
                          options.include_last_offset(), padding_idx);
}

std::vector<Tensor> EmbeddingBagImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.empty() || inputs.size() > 3) {
    detail::fail("expected 1 to 3 inputs (input, offsets, per_sample_weights), got " + std::to_string(inputs.size()));
  }
  Tensor offsets = inputs.size() > 1 ? inputs[1] : Tensor();
  Tensor weights = inputs.size() > 2 ? inputs[2] : Tensor();
  return {forward(inputs[0], offsets, weights)};
}

std::string EmbeddingBagImpl::extra_repr() const {
  std::string s = std::to_string(options.num_embeddings()) + ", " + std::to_string(options.embedding_dim());
  if (options.max_norm()) s += ", max_norm=" + py_float(*options.max_norm());
  if (options.norm_type() != 2) s += ", norm_type=" + py_float(options.norm_type());
  if (options.scale_grad_by_freq()) s += ", scale_grad_by_freq=True";
  s += ", mode=" + options.mode();
  if (padding_idx) s += ", padding_idx=" + std::to_string(*padding_idx);
  return s;
}

EmbeddingBag EmbeddingBag::from_pretrained(const Tensor& embeddings, const EmbeddingBagFromPretrainedOptions& o) {
  check_pretrained("EmbeddingBag", embeddings);
  EmbeddingBag e(EmbeddingBagOptions(embeddings.size(0), embeddings.size(1))
                     ._weight(embeddings)
                     .max_norm(o.max_norm())
                     .norm_type(o.norm_type())
                     .scale_grad_by_freq(o.scale_grad_by_freq())
                     .mode(o.mode())
                     .sparse(o.sparse())
                     .include_last_offset(o.include_last_offset())
                     .padding_idx(o.padding_idx()));
  e->weight.set_requires_grad(!o.freeze());
  return e;
}

}  // namespace kiln::nn
