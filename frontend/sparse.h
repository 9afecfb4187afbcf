// nn::Embedding and nn::EmbeddingBag, as torch.nn's (torch 1.13): constructor arguments,
// defaults, state_dict key `weight`, init N(0, 1) with the padding_idx row zeroed, repr and
// from_pretrained.
//
// Contract.
// - Indices are i64 (or i32) tensors; an index outside [0, num_embeddings) is a kiln::Error in
//   eager mode and an InvalidArgument from the reference kernel of a traced graph.
// - padding_idx may be negative and is normalized (padding_idx + num_embeddings) as torch;
//   options.padding_idx() keeps what was given, `padding_idx` the normalized value.
// - max_norm: eager forwards renormalize the looked-up rows of weight in place, as torch;
//   traced graphs renormalize the gathered rows (Embedding) or the whole table (EmbeddingBag)
//   inside the graph and leave weight unchanged (outputs are the same as torch's).
// - scale_grad_by_freq and sparse only change gradients: stored, printed, checked as torch
//   (EmbeddingBag mode "max" rejects both).
// - EmbeddingBag's mode is checked when the module is built (torch checks it in forward).
// - EmbeddingBag bags are indices[offsets[i]:offsets[i+1]] (the last one runs to the end
//   without include_last_offset); offsets must start at 0, not decrease and not pass the end
//   (errors, as torch). With include_last_offset and a last offset short of the end, torch's
//   "mean" divides the last bag by (end - its start) and its "max" may crash; kiln reduces
//   exactly the bag [offsets[B-1], offsets[B]) in every mode.
// - Padding entries (index == padding_idx) are left out of their bag; a bag with nothing left
//   is zeros (all modes), as torch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of Embedding: num_embeddings, embedding_dim, padding_idx, max_norm, norm_type (2),
/// scale_grad_by_freq, sparse, _weight (an initial [num_embeddings, embedding_dim] weight).
struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  KILN_ARG(int64_t, num_embeddings);
  KILN_ARG(int64_t, embedding_dim);
  KILN_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  KILN_ARG(std::optional<double>, max_norm) = std::nullopt;
  KILN_ARG(double, norm_type) = 2.0;
  KILN_ARG(bool, scale_grad_by_freq) = false;
  KILN_ARG(bool, sparse) = false;
  KILN_ARG(Tensor, _weight);
};

/// Options of Embedding::from_pretrained (freeze defaults to true).
struct EmbeddingFromPretrainedOptions {
  KILN_ARG(bool, freeze) = true;
  KILN_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  KILN_ARG(std::optional<double>, max_norm) = std::nullopt;
  KILN_ARG(double, norm_type) = 2.0;
  KILN_ARG(bool, scale_grad_by_freq) = false;
  KILN_ARG(bool, sparse) = false;
};

class EmbeddingImpl : public Module {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions& options);
  /// weight ~ N(0, 1), then the padding_idx row zeroed.
  void reset_parameters();
  /// indices [*] -> [*, embedding_dim].
  Tensor forward(const Tensor& input) override;
  /// "10, 3, padding_idx=8, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True".
  std::string extra_repr() const override;

  EmbeddingOptions options;
  /// The normalized padding_idx (in [0, num_embeddings)), or nullopt.
  std::optional<int64_t> padding_idx;
  Tensor weight;
};

class Embedding : public ModuleHolder<EmbeddingImpl> {
 public:
  using ModuleHolder<EmbeddingImpl>::ModuleHolder;
  /// An Embedding whose weight is `embeddings` (2-d; shares its data, as torch's Parameter
  /// does; the padding row is not zeroed); weight.requires_grad = !freeze.
  static Embedding from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options = {});
  /// Python's positional form: from_pretrained(embeddings, freeze, padding_idx, max_norm, ...).
  static Embedding from_pretrained(const Tensor& embeddings, bool freeze,
                                   std::optional<int64_t> padding_idx = std::nullopt,
                                   std::optional<double> max_norm = std::nullopt, double norm_type = 2.0,
                                   bool scale_grad_by_freq = false, bool sparse = false);
};

/// Options of EmbeddingBag: num_embeddings, embedding_dim, max_norm, norm_type (2),
/// scale_grad_by_freq, mode ("mean"), sparse, _weight, include_last_offset, padding_idx.
struct EmbeddingBagOptions {
  EmbeddingBagOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  KILN_ARG(int64_t, num_embeddings);
  KILN_ARG(int64_t, embedding_dim);
  KILN_ARG(std::optional<double>, max_norm) = std::nullopt;
  KILN_ARG(double, norm_type) = 2.0;
  KILN_ARG(bool, scale_grad_by_freq) = false;
  KILN_ARG(std::string, mode) = "mean";
  KILN_ARG(bool, sparse) = false;
  KILN_ARG(Tensor, _weight);
  KILN_ARG(bool, include_last_offset) = false;
  KILN_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

/// Options of EmbeddingBag::from_pretrained (freeze true, mode "mean").
struct EmbeddingBagFromPretrainedOptions {
  KILN_ARG(bool, freeze) = true;
  KILN_ARG(std::optional<double>, max_norm) = std::nullopt;
  KILN_ARG(double, norm_type) = 2.0;
  KILN_ARG(bool, scale_grad_by_freq) = false;
  KILN_ARG(std::string, mode) = "mean";
  KILN_ARG(bool, sparse) = false;
  KILN_ARG(bool, include_last_offset) = false;
  KILN_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

class EmbeddingBagImpl : public Module {
 public:
  EmbeddingBagImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingBagImpl(EmbeddingBagOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingBagImpl(const EmbeddingBagOptions& options);
  void reset_parameters();
  /// 2-d input [B, L] -> [B, embedding_dim].
  Tensor forward(const Tensor& input) override;
  /// 1-d input with offsets (or 2-d input with undefined offsets), optional per_sample_weights.
  Tensor forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights = {});
  /// inputs: input, then optionally offsets and per_sample_weights (undefined = None).
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  /// "10, 3, max_norm=2.0, mode=max, padding_idx=2".
  std::string extra_repr() const override;

  EmbeddingBagOptions options;
  std::optional<int64_t> padding_idx;
  Tensor weight;
};

class EmbeddingBag : public ModuleHolder<EmbeddingBagImpl> {
 public:
  using ModuleHolder<EmbeddingBagImpl>::ModuleHolder;
  using ModuleHolder<EmbeddingBagImpl>::operator();
  /// bag(input, offsets[, per_sample_weights]): runs hooks and forward like any module call.
  Tensor operator()(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights = {}) const {
    return (*this)->call({input, offsets, per_sample_weights}).at(0);
  }
  static EmbeddingBag from_pretrained(const Tensor& embeddings, const EmbeddingBagFromPretrainedOptions& options = {});
};

}  // namespace kiln::nn
