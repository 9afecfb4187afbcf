// Normalization and embedding kernels (issue 5, "Layers II").
//
// layer_norm / group_norm: per normalized group, the mean and the biased variance accumulate
// in double; y = (x - mean) / sqrt(var + eps), then the optional per-element (layer_norm) or
// per-channel (group_norm) weight and bias.
// embedding / embedding_bag: rows of weight[V, D] picked by i64/i32 indices. Every index is
// checked against [0, V) before any row is read: an out-of-range index is InvalidArgument
// naming the index, its position and the table size, never a read out of bounds.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

// Normalizes xd[base + i * stride] ... for the `n` elements listed by `offsets` in place.
void Normalize(std::vector<double>& xd, const std::vector<int64_t>& offsets, double eps) {
  if (offsets.empty()) return;
  double n = static_cast<double>(offsets.size()), sum = 0.0;
  for (int64_t o : offsets) sum += xd[static_cast<size_t>(o)];
  double mean = sum / n, sq = 0.0;
  for (int64_t o : offsets) {
    double d = xd[static_cast<size_t>(o)] - mean;
    sq += d * d;
  }
  double inv_std = 1.0 / std::sqrt(sq / n + eps);
  for (int64_t o : offsets) xd[static_cast<size_t>(o)] = (xd[static_cast<size_t>(o)] - mean) * inv_std;
}

StatusOr<Tensors> LayerNormKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  size_t k = static_cast<size_t>(c.attrs.i("normalized_ndim"));
  double eps = c.attrs.f("eps");
  int64_t inner = Product(x.sizes(), x.sizes().size() - k, x.sizes().size());
  int64_t outer = Product(x.sizes(), 0, x.sizes().size() - k);
  std::vector<double> xd = ToDoubles(x);
  std::vector<double> w = c.operands.size() > 1 ? ToDoubles(c.operands[1]) : std::vector<double>();
  std::vector<double> b = c.operands.size() > 2 ? ToDoubles(c.operands[2]) : std::vector<double>();
  std::vector<int64_t> offsets(static_cast<size_t>(inner));
  for (int64_t r = 0; r < outer; ++r) {
    for (int64_t j = 0; j < inner; ++j) offsets[static_cast<size_t>(j)] = r * inner + j;
    Normalize(xd, offsets, eps);
    for (int64_t j = 0; j < inner; ++j) {
      double& v = xd[static_cast<size_t>(r * inner + j)];
      if (!w.empty()) v *= w[static_cast<size_t>(j)];
      if (!b.empty()) v += b[static_cast<size_t>(j)];
    }
  }
  StoreDoubles(out, xd);
  return Tensors{out};
}

StatusOr<Tensors> GroupNormKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  int64_t groups = c.attrs.i("num_groups");
  double eps = c.attrs.f("eps");
  int64_t batch = x.sizes()[0], channels = x.sizes()[1];
  int64_t plane = Product(x.sizes(), 2, x.sizes().size());
  int64_t per_group = channels / groups;
  std::vector<double> xd = ToDoubles(x);
  std::vector<double> w = c.operands.size() > 1 ? ToDoubles(c.operands[1]) : std::vector<double>();
  std::vector<double> b = c.operands.size() > 2 ? ToDoubles(c.operands[2]) : std::vector<double>();
  std::vector<int64_t> offsets;
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t g = 0; g < groups; ++g) {
      // A group's channels are contiguous in [N, C, *]: one run of per_group * plane elements.
      int64_t base = (n * channels + g * per_group) * plane;
      offsets.assign(static_cast<size_t>(per_group * plane), 0);
      for (int64_t i = 0; i < per_group * plane; ++i) offsets[static_cast<size_t>(i)] = base + i;
      Normalize(xd, offsets, eps);
    }
    for (int64_t ch = 0; ch < channels; ++ch) {
      for (int64_t p = 0; p < plane; ++p) {
        double& v = xd[static_cast<size_t>((n * channels + ch) * plane + p)];
        if (!w.empty()) v *= w[static_cast<size_t>(ch)];
        if (!b.empty()) v += b[static_cast<size_t>(ch)];
      }
    }
  }
  StoreDoubles(out, xd);
  return Tensors{out};
}

// Every index checked against the table before any row is read.
Status CheckIndices(const std::string& op, const std::vector<int64_t>& idx, int64_t rows) {
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= rows) {
      return InvalidArgument(op + ": index " + std::to_string(idx[i]) + " (indices element " + std::to_string(i) +
                             ") is out of range for a table of " + std::to_string(rows) + " rows");
    }
  }
  return Status::Ok();
}

StatusOr<Tensors> EmbeddingKernel(const KernelContext& c) {
  const HostTensor& w = c.operands[0];
  HostTensor out = NewResult(c);
  int64_t rows = w.sizes()[0], dim = w.sizes()[1];
  std::vector<int64_t> idx = ToInts(c.operands[1]);
  KILN_RETURN_IF_ERROR(CheckIndices("embedding", idx, rows));
  for (size_t i = 0; i < idx.size(); ++i) {
    for (int64_t d = 0; d < dim; ++d) CopyElement(w, idx[i] * dim + d, out, static_cast<int64_t>(i) * dim + d);
  }
  return Tensors{out};
}

// The [begin, end) ranges of indices that make up each bag.
StatusOr<std::vector<std::pair<int64_t, int64_t>>> Bags(const KernelContext& c, int64_t total) {
  std::vector<std::pair<int64_t, int64_t>> bags;
  const HostTensor& idx = c.operands[1];
  if (idx.rank() == 2) {
    int64_t length = idx.sizes()[1];
    for (int64_t b = 0; b < idx.sizes()[0]; ++b) bags.emplace_back(b * length, (b + 1) * length);
    return bags;
  }
  std::vector<int64_t> offsets = ToInts(c.operands[2]);
  bool last = c.attrs.b("include_last_offset");
  for (size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] < 0 || offsets[i] > total || (i > 0 && offsets[i] < offsets[i - 1]) || (i == 0 && offsets[i] != 0)) {
      return InvalidArgument("embedding_bag: offsets must start at 0 and be non-decreasing up to the " +
                             std::to_string(total) + " indices; offsets[" + std::to_string(i) +
                             "] = " + std::to_string(offsets[i]));
    }
  }
  size_t count = last ? offsets.size() - 1 : offsets.size();
  for (size_t i = 0; i < count; ++i) {
    bags.emplace_back(offsets[i], i + 1 < offsets.size() ? offsets[i + 1] : total);
  }
  return bags;
}

StatusOr<Tensors> EmbeddingBagKernel(const KernelContext& c) {
  const HostTensor& w = c.operands[0];
  HostTensor out = NewResult(c);
  int64_t rows = w.sizes()[0], dim = w.sizes()[1];
  std::vector<int64_t> idx = ToInts(c.operands[1]);
  KILN_RETURN_IF_ERROR(CheckIndices("embedding_bag", idx, rows));
  KILN_ASSIGN_OR_RETURN(auto bags, Bags(c, static_cast<int64_t>(idx.size())));
  bool has_psw = (c.operands[1].rank() == 2 && c.operands.size() == 3) || c.operands.size() == 4;
  std::vector<double> psw = has_psw ? ToDoubles(c.operands.back()) : std::vector<double>();
  std::string mode = c.attrs.s("mode");
  int64_t padding_idx = c.attrs.i("padding_idx");
  std::vector<double> wd = ToDoubles(w);
  std::vector<double> result(static_cast<size_t>(out.num_elements()), 0.0);
  for (size_t b = 0; b < bags.size(); ++b) {
    double* acc = result.data() + b * static_cast<size_t>(dim);
    int64_t count = 0;
    for (int64_t i = bags[b].first; i < bags[b].second; ++i) {
      int64_t row = idx[static_cast<size_t>(i)];
      if (row == padding_idx) continue;  // padding entries are left out of the bag
      const double* r = wd.data() + row * dim;
      double scale = has_psw ? psw[static_cast<size_t>(i)] : 1.0;
      for (int64_t d = 0; d < dim; ++d) {
        if (mode == "max") {
          // The first entry starts the max; after that a NaN wins and then sticks.
          if (count == 0 || (!std::isnan(acc[d]) && (std::isnan(r[d]) || r[d] > acc[d]))) acc[d] = r[d];
        } else {
          acc[d] += scale * r[d];
        }
      }
      ++count;
    }
    if (mode == "mean" && count > 0) {
      for (int64_t d = 0; d < dim; ++d) acc[d] /= static_cast<double>(count);
    }
  }
  StoreDoubles(out, result);
  return Tensors{out};
}

}  // namespace

void AddNormEmbeddingKernels(KernelTable& t) {
  t.Add(OpKind::LayerNorm, LayerNormKernel);
  t.Add(OpKind::GroupNorm, GroupNormKernel);
  t.Add(OpKind::Embedding, EmbeddingKernel);
  t.Add(OpKind::EmbeddingBag, EmbeddingBagKernel);
}

}  // namespace kiln::reference
