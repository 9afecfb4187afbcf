#include "frontend/rnn_utils.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "frontend/dispatch.h"

namespace kiln::nn::utils::rnn {

namespace {

using detail::fail;

std::string ints(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

Tensor index_tensor(const std::vector<int64_t>& v) { return kiln::tensor(v, {static_cast<int64_t>(v.size())}); }

std::vector<int64_t> concrete_ints(const Tensor& t, const std::string& what) {
  if (!t.defined() || t.is_symbolic() || t.dim() != 1 || ir::is_floating(t.dtype())) {
    fail(what + " must be a concrete 1-d integer tensor, got " + (t.defined() ? t.type_str() : std::string("undefined")));
  }
  return t.to_vector<int64_t>();
}

// x reordered along dim `dim` by `order` (row i of the result = row order[i] of x).
Tensor reorder(const Tensor& x, const std::vector<int64_t>& order, int64_t dim) {
  bool identity = true;
  for (size_t i = 0; i < order.size(); ++i) identity = identity && order[i] == static_cast<int64_t>(i);
  if (identity) return x;
  std::vector<Tensor> rows;
  for (int64_t i : order) rows.push_back(x.select(dim, i));
  return stack(rows, dim);
}

std::vector<int64_t> dims_after(const Tensor& t, int64_t first) {
  std::vector<int64_t> s;
  for (int64_t d = first; d < t.dim(); ++d) s.push_back(t.size(d));
  return s;
}

// Packs x [T, B, *] whose batch is already in sorted (decreasing length) order.
Tensor pack_sorted(const Tensor& x, const std::vector<int64_t>& batch_sizes) {
  std::vector<Tensor> steps;
  for (size_t t = 0; t < batch_sizes.size(); ++t) {
    steps.push_back(x.select(0, static_cast<int64_t>(t)).slice(0, 0, batch_sizes[t]));
  }
  return cat(steps, 0);
}

}  // namespace

PackedSequence::PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices, Tensor unsorted_indices)
    : data_(std::move(data)),
      batch_sizes_(std::move(batch_sizes)),
      sorted_indices_(std::move(sorted_indices)),
      unsorted_indices_(std::move(unsorted_indices)) {
  if (sorted_indices_.defined() && !unsorted_indices_.defined()) {
    std::vector<int64_t> sorted = concrete_ints(sorted_indices_, "sorted_indices"), inverse(sorted.size());
    for (size_t i = 0; i < sorted.size(); ++i) inverse[static_cast<size_t>(sorted[i])] = static_cast<int64_t>(i);
    unsorted_indices_ = index_tensor(inverse);
  }
}

std::vector<int64_t> PackedSequence::batch_sizes_vector() const { return concrete_ints(batch_sizes_, "batch_sizes"); }

std::vector<int64_t> PackedSequence::sorted_order() const {
  if (sorted_indices_.defined()) return concrete_ints(sorted_indices_, "sorted_indices");
  std::vector<int64_t> bs = batch_sizes_vector();
  std::vector<int64_t> order(static_cast<size_t>(bs.empty() ? 0 : bs[0]));
  std::iota(order.begin(), order.end(), 0);
  return order;
}

std::vector<int64_t> PackedSequence::lengths() const {
  std::vector<int64_t> bs = batch_sizes_vector(), order = sorted_order();
  std::vector<int64_t> lengths(order.size(), 0);
  for (int64_t b : bs) {
    for (int64_t i = 0; i < b; ++i) ++lengths[static_cast<size_t>(order[static_cast<size_t>(i)])];
  }
  return lengths;
}

PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first, bool enforce_sorted) {
  return pack_padded_sequence(input, concrete_ints(lengths, "pack_padded_sequence: lengths"), batch_first,
                              enforce_sorted);
}

PackedSequence pack_padded_sequence(const Tensor& input, const std::vector<int64_t>& lengths, bool batch_first,
                                    bool enforce_sorted) {
  if (!input.defined() || input.dim() < 2) {
    fail("pack_padded_sequence: input must have at least 2 dims ([T, B, *] or [B, T, *]), got " +
         (input.defined() ? input.type_str() : std::string("undefined")));
  }
  Tensor x = batch_first ? input.transpose(0, 1) : input;
  const ir::Shape s = x.shape();
  if (!s.dim(0).is_static() || !s.dim(1).is_static()) {
    fail("pack_padded_sequence: the time and batch dims of input " + input.type_str() + " must be static");
  }
  const int64_t steps = s.dim(0).size(), batch = s.dim(1).size();
  if (static_cast<int64_t>(lengths.size()) != batch) {
    fail("pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, but got " +
         std::to_string(lengths.size()) + " (batch_size=" + std::to_string(batch) + ")");
  }
  for (int64_t l : lengths) {
    if (l <= 0) {
      fail("pack_padded_sequence: Length of all samples has to be greater than 0, but found an element in 'lengths' "
           "that is <= 0 (lengths " + ints(lengths) + ")");
    }
    if (l > steps) {
      fail("pack_padded_sequence: a length " + std::to_string(l) + " exceeds the sequence length " +
           std::to_string(steps) + " of input " + input.type_str());
    }
  }
  std::vector<int64_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  Tensor sorted_indices;
  if (enforce_sorted) {
    for (size_t i = 1; i < lengths.size(); ++i) {
      if (lengths[i] > lengths[i - 1]) {
        fail("pack_padded_sequence: `lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
             "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
             "requirement if you do not need ONNX exportability. (lengths " + ints(lengths) + ")");
      }
    }
  } else {
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return lengths[static_cast<size_t>(a)] > lengths[static_cast<size_t>(b)];
    });
    sorted_indices = index_tensor(order);
  }
  const int64_t longest = lengths.empty() ? 0 : lengths[static_cast<size_t>(order[0])];
  std::vector<int64_t> batch_sizes;
  for (int64_t t = 0; t < longest; ++t) {
    int64_t n = 0;
    for (int64_t l : lengths) n += l > t ? 1 : 0;
    batch_sizes.push_back(n);
  }
  Tensor data = pack_sorted(reorder(x.slice(0, 0, longest), order, 1), batch_sizes);
  return PackedSequence(data, index_tensor(batch_sizes), sorted_indices);
}

std::tuple<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first, double padding_value,
                                               std::optional<int64_t> total_length) {
  if (!sequence.defined()) fail("pad_packed_sequence: the PackedSequence is empty (no data)");
  std::vector<int64_t> bs = sequence.batch_sizes_vector();
  const Tensor& data = sequence.data();
  const int64_t longest = static_cast<int64_t>(bs.size());
  int64_t steps = longest;
  if (total_length) {
    if (*total_length < longest) {
      fail("pad_packed_sequence: Expected total_length to be at least the length of the longest sequence in input, "
           "but got total_length=" + std::to_string(*total_length) + " and max sequence length being " +
           std::to_string(longest));
    }
    steps = *total_length;
  }
  if (bs.empty()) fail("pad_packed_sequence: batch_sizes is empty");
  const int64_t batch = bs[0];
  std::vector<int64_t> rest = dims_after(data, 1);
  auto padding = [&](int64_t rows) {
    std::vector<int64_t> sizes{rows};
    sizes.insert(sizes.end(), rest.begin(), rest.end());
    return full(sizes, padding_value, data.dtype());
  };
  std::vector<Tensor> frames;
  int64_t offset = 0;
  for (int64_t t = 0; t < steps; ++t) {
    int64_t b = t < longest ? bs[static_cast<size_t>(t)] : 0;
    Tensor rows = b > 0 ? data.slice(0, offset, offset + b) : Tensor();
    offset += b;
    if (b == batch) frames.push_back(rows);
    else if (b == 0) frames.push_back(padding(batch));
    else frames.push_back(cat({rows, padding(batch - b)}, 0));
  }
  Tensor padded = stack(frames, 0);  // [T', B, *] in sorted order
  if (sequence.unsorted_indices().defined()) {
    padded = reorder(padded, concrete_ints(sequence.unsorted_indices(), "unsorted_indices"), 1);
  }
  if (batch_first) padded = padded.transpose(0, 1);
  return {padded, index_tensor(sequence.lengths())};
}

Tensor pad_sequence(const std::vector<Tensor>& sequences, bool batch_first, double padding_value) {
  if (sequences.empty()) fail("pad_sequence: received an empty list of sequences");
  int64_t longest = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const Tensor& s = sequences[i];
    if (!s.defined() || s.dim() < 1 || !s.shape().dim(0).is_static()) {
      fail("pad_sequence: sequence " + std::to_string(i) + " must have a static leading (time) dim, got " +
           (s.defined() ? s.type_str() : std::string("undefined")));
    }
    if (s.shape().dims().size() != sequences[0].shape().dims().size() ||
        dims_after(s, 1) != dims_after(sequences[0], 1)) {
      fail("pad_sequence: sequences must agree in all dims but the first: " + sequences[0].type_str() + " and " +
           s.type_str());
    }
    longest = std::max(longest, s.size(0));
  }
  std::vector<Tensor> padded;
  for (const Tensor& s : sequences) {
    if (s.size(0) == longest) {
      padded.push_back(s);
      continue;
    }
    std::vector<int64_t> sizes{longest - s.size(0)};
    std::vector<int64_t> rest = dims_after(s, 1);
    sizes.insert(sizes.end(), rest.begin(), rest.end());
    padded.push_back(s.size(0) == 0 ? full(sizes, padding_value, s.dtype())
                                    : cat({s, full(sizes, padding_value, s.dtype())}, 0));
  }
  return stack(padded, batch_first ? 0 : 1);
}

PackedSequence pack_sequence(const std::vector<Tensor>& sequences, bool enforce_sorted) {
  std::vector<int64_t> lengths;
  for (const Tensor& s : sequences) lengths.push_back(s.defined() && s.dim() >= 1 ? s.size(0) : 0);
  return pack_padded_sequence(pad_sequence(sequences), lengths, false, enforce_sorted);
}

PackedSequence pack_like(const Tensor& padded, const PackedSequence& like) {
  std::vector<int64_t> bs = like.batch_sizes_vector();
  Tensor data = pack_sorted(reorder(padded, like.sorted_order(), 1), bs);
  return PackedSequence(data, like.batch_sizes(), like.sorted_indices(), like.unsorted_indices());
}

}  // namespace kiln::nn::utils::rnn
