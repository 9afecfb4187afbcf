// kiln::nn::utils::rnn: torch.nn.utils.rnn's packed sequences (torch 1.13), in libtorch's C++
// spelling (torch::nn::utils::rnn).
//
// Contract.
// - A PackedSequence holds `data` [sum(lengths), *] (time step after time step; within a step
//   the still-running sequences in decreasing length order), `batch_sizes` (i64 [T], concrete:
//   the number of sequences running at each step), and `sorted_indices` / `unsorted_indices`
//   (i64 [B], undefined when the batch was already sorted, as torch's None).
// - Lengths are concrete (a Tensor of integers or a std::vector); they fix the structure of the
//   pack. `data` may be symbolic: every utility is built from slice / select / cat / stack, so
//   packing and padding trace (with the lengths baked into the graph). A graph whose lengths
//   are a run-time input uses the RNN modules' padded form instead: forward_tensors({input,
//   h0, (c0,) lengths}) (frontend/recurrent.h).
// - Sorting is stable (ties keep their batch order), as torch.sort on CPU.
// - Errors throw kiln::Error with torch's wording: lengths not sorted with enforce_sorted, a
//   length <= 0, lengths longer than the input, total_length below the longest sequence.
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "frontend/tensor.h"

namespace kiln::nn::utils::rnn {

/// A batch of variable-length sequences, packed (see the file comment).
class PackedSequence {
 public:
  PackedSequence() = default;
  /// As torch's PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices); when
  /// unsorted_indices is undefined it is computed as the inverse of sorted_indices.
  PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices = {}, Tensor unsorted_indices = {});

  const Tensor& data() const { return data_; }
  const Tensor& batch_sizes() const { return batch_sizes_; }
  const Tensor& sorted_indices() const { return sorted_indices_; }
  const Tensor& unsorted_indices() const { return unsorted_indices_; }
  bool defined() const { return data_.defined(); }

  /// batch_sizes as integers.
  std::vector<int64_t> batch_sizes_vector() const;
  /// The permutation sorted position -> batch row (identity when sorted_indices is undefined).
  std::vector<int64_t> sorted_order() const;
  /// Each sequence's length, in the original batch order.
  std::vector<int64_t> lengths() const;

 private:
  Tensor data_, batch_sizes_, sorted_indices_, unsorted_indices_;
};

/// Packs a padded batch [T, B, *] ([B, T, *] with batch_first) of sequences of `lengths`
/// (concrete integers, each in [1, T]).
PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first = false,
                                    bool enforce_sorted = true);
PackedSequence pack_padded_sequence(const Tensor& input, const std::vector<int64_t>& lengths, bool batch_first = false,
                                    bool enforce_sorted = true);

/// Pads a packed batch back: ([T', B, *] or [B, T', *], lengths i64 [B]) in the original batch
/// order; T' = total_length (when given, at least the longest length) or the longest length.
std::tuple<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first = false,
                                               double padding_value = 0.0,
                                               std::optional<int64_t> total_length = std::nullopt);

/// Stacks sequences [L_i, *] into [max L, B, *] ([B, max L, *]), padding with padding_value.
Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first = false, double padding_value = 0.0);

/// pack_padded_sequence(pad_sequence(sequences), lengths, false, enforce_sorted).
PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted = true);

/// Internal (recurrent.cc): packs a padded [T, B, *] tensor (original batch order) with the
/// structure (batch_sizes, indices) of `like`.
PackedSequence pack_like(const Tensor& padded, const PackedSequence& like);

}  // namespace kiln::nn::utils::rnn
