// Tensor shape operations: reshape/view/flatten, permute/transpose, (un)squeeze, expand,
// slice/narrow/select, cat/stack.
//
// Symbolic dims. A traced input may carry a symbolic dim (the batch N). The IR reshape
// expresses a symbolic dim only as its single -1 entry, and the IR slice can only keep a
// symbolic dim whole. So: reshape/flatten/unsqueeze/squeeze/select keep the one symbolic dim
// as a dim of its own (flatten(1) on [N,16,5,5] records reshape [-1,400]); a reshape that
// would merge N with other dims, slicing or indexing into N, or concatenating along N throw a
// kiln::Error that says so. squeeze() never removes a symbolic dim (its size is unknown, so
// it is not known to be 1), unlike torch at a batch size of 1.
#include <algorithm>
#include <limits>
#include <set>

#include "frontend/dispatch.h"
#include "frontend/tensor.h"
#include "frontend/tensor_ops_util.h"

namespace kiln {

using detail::fail;
using ir::OpKind;

namespace {

constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();

std::string dim_str(int64_t d) { return std::to_string(d); }

}  // namespace

Tensor Tensor::reshape(const std::vector<int64_t>& target) const {
  ir::Shape s = shape();
  std::string what = "reshape: shape " + detail::ints_str(target) + " is invalid for input " + type_str();
  int inferred = 0;
  int64_t known = 1;
  for (int64_t t : target) {
    if (t == -1) ++inferred;
    else if (t < 0) fail("reshape: invalid size " + dim_str(t) + " in shape " + detail::ints_str(target));
    else known *= t;
  }
  if (inferred > 1) fail("reshape: only one dimension can be inferred, got shape " + detail::ints_str(target));
  if (s.is_static()) {
    int64_t n = s.num_elements();
    if (inferred ? (known == 0 || n % known != 0) : known != n) fail(what);
  } else {
    std::vector<ir::Dim> symbols;
    int64_t static_elems = 1;
    for (const ir::Dim& d : s.dims()) {
      if (d.is_symbolic()) symbols.push_back(d);
      else static_elems *= d.size();
    }
    if (symbols.size() > 1) fail(what + ": the IR can reshape a tensor with one symbolic dim only");
    if (!inferred || known != static_elems) {
      fail(what + ": the symbolic dim " + symbols[0].str() + " must stay a dim of its own, given as -1 (its size is " +
           "unknown at trace time); e.g. flatten(1) or reshape({-1, " + std::to_string(static_elems) + "})");
    }
  }
  return detail::apply1(OpKind::Reshape, {*this}, ir::Attrs{{"shape", target}});
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  int64_t start = detail::wrap_dim("flatten", "start_dim", start_dim, *this);
  int64_t end = detail::wrap_dim("flatten", "end_dim", end_dim, *this);
  if (dim() == 0) return reshape({1});
  if (start > end) fail("flatten: start_dim " + dim_str(start_dim) + " cannot come after end_dim " + dim_str(end_dim));
  if (start == end) return *this;
  ir::Shape s = shape();
  std::vector<ir::Dim> target(s.dims().begin(), s.dims().begin() + start);
  int64_t product = 1;
  std::vector<ir::Dim> symbols;
  for (int64_t i = start; i <= end; ++i) {
    const ir::Dim& d = s.dim(static_cast<int>(i));
    if (d.is_symbolic()) symbols.push_back(d);
    else product *= d.size();
  }
  if (symbols.empty()) {
    target.emplace_back(product);
  } else if (symbols.size() == 1 && product == 1) {
    target.push_back(symbols[0]);
  } else {
    fail("flatten: cannot flatten dims " + dim_str(start) + ".." + dim_str(end) + " of " + type_str() +
         ": the symbolic dim " + symbols[0].str() + " would merge with other dims, which the IR cannot express " +
         "(keep the batch dim out of the range, e.g. flatten(1))");
  }
  target.insert(target.end(), s.dims().begin() + end + 1, s.dims().end());
  return detail::reshape_to("flatten", *this, target);
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  if (static_cast<int64_t>(dims.size()) != dim()) {
    fail("permute: dims " + detail::ints_str(dims) + " must list all " + std::to_string(dim()) + " dims of " + type_str());
  }
  std::vector<int64_t> perm;
  std::set<int64_t> seen;
  for (int64_t d : dims) {
    int64_t n = detail::wrap_dim("permute", "dim", d, *this);
    if (!seen.insert(n).second) fail("permute: dim " + dim_str(n) + " repeats in " + detail::ints_str(dims));
    perm.push_back(n);
  }
  return detail::apply1(OpKind::Permute, {*this}, ir::Attrs{{"dims", perm}});
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  int64_t a = detail::wrap_dim("transpose", "dim0", dim0, *this);
  int64_t b = detail::wrap_dim("transpose", "dim1", dim1, *this);
  if (a == b) return *this;
  std::vector<int64_t> perm(static_cast<size_t>(dim()));
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(i);
  std::swap(perm[static_cast<size_t>(a)], perm[static_cast<size_t>(b)]);
  return permute(perm);
}

Tensor Tensor::unsqueeze(int64_t dim) const {
  int64_t d = detail::wrap_dim("unsqueeze", "dim", dim, *this, this->dim() + 1);
  std::vector<ir::Dim> target = shape().dims();
  target.insert(target.begin() + d, ir::Dim(1));
  return detail::reshape_to("unsqueeze", *this, target);
}

Tensor Tensor::squeeze() const {
  std::vector<ir::Dim> target;
  ir::Shape s = shape();
  for (const ir::Dim& d : s.dims()) {
    if (d != ir::Dim(1)) target.push_back(d);
  }
  return detail::reshape_to("squeeze", *this, target);
}

Tensor Tensor::squeeze(int64_t dim) const {
  int64_t d = detail::wrap_dim("squeeze", "dim", dim, *this);
  if (this->dim() == 0) return *this;
  std::vector<ir::Dim> target = shape().dims();
  if (target[static_cast<size_t>(d)] != ir::Dim(1)) return *this;  // torch: not size 1 -> no-op
  target.erase(target.begin() + d);
  return detail::reshape_to("squeeze", *this, target);
}

Tensor Tensor::expand(const std::vector<int64_t>& sizes) const {
  ir::Shape s = shape();
  int64_t rank = s.rank(), n = static_cast<int64_t>(sizes.size());
  if (n < rank) {
    fail("expand: the number of sizes " + detail::ints_str(sizes) + " must be at least the number of dims of " + type_str());
  }
  for (int64_t i = 0; i < n; ++i) {
    int64_t t = sizes[static_cast<size_t>(i)];
    if (i < n - rank) {
      if (t < 0) fail("expand: size " + dim_str(t) + " is not allowed in a new leading dim (sizes " + detail::ints_str(sizes) + ")");
      continue;
    }
    const ir::Dim& d = s.dim(static_cast<int>(i - (n - rank)));
    if (t == -1 || ir::Dim(t) == d || (d == ir::Dim(1) && t >= 0)) continue;
    fail("expand: cannot expand " + type_str() + " to " + detail::ints_str(sizes) + ": the size " + dim_str(t) +
         " must match the existing size " + d.str() + " at non-singleton dim " + dim_str(i));
  }
  return detail::apply1(OpKind::Expand, {*this}, ir::Attrs{{"shape", sizes}});
}

Tensor Tensor::expand_as(const Tensor& other) const {
  ir::Shape s = shape(), o = other.shape();
  if (s.rank() > o.rank()) fail("expand_as: cannot expand " + type_str() + " to fewer dims " + other.type_str());
  std::vector<int64_t> sizes;
  bool to_symbolic = false;  // a 1 (or a new dim) becomes a symbolic dim
  int lead = o.rank() - s.rank();
  for (int i = 0; i < o.rank(); ++i) {
    const ir::Dim& t = o.dim(i);
    bool existing = i >= lead;
    const ir::Dim d = existing ? s.dim(i - lead) : ir::Dim(1);
    if (existing && d != t && d != ir::Dim(1)) {
      fail("expand_as: cannot expand " + type_str() + " to " + other.type_str() + " (dim " + dim_str(i) + ": " + d.str() +
           " vs " + t.str() + ")");
    }
    if (t.is_static()) sizes.push_back(t.size());
    else if (existing && d == t) sizes.push_back(-1);
    else to_symbolic = true;
  }
  if (!to_symbolic) return expand(sizes);
  // The IR expand cannot name a symbolic size; broadcasting can: where(all-true mask shaped like
  // `other`, x, x) has other's shape and x's values.
  Tensor all_true = detail::apply1(OpKind::LogicalOr, {other.eq(other), other.ne(other)});
  return where(all_true, *this, *this);
}

Tensor Tensor::slice(int64_t dim, int64_t start, std::optional<int64_t> end, int64_t step) const {
  if (this->dim() == 0) fail("slice: cannot slice a 0-d tensor " + type_str());
  int64_t d = detail::wrap_dim("slice", "dim", dim, *this);
  if (step <= 0) fail("slice: step must be positive, got " + dim_str(step));
  int64_t e = end.value_or(kEnd);
  const ir::Dim size = shape().dim(static_cast<int>(d));
  if (size.is_symbolic()) {
    if (start == 0 && e == kEnd && step == 1) return *this;
    fail("slice: cannot slice the symbolic dim " + size.str() + " of " + type_str() +
         " (only the whole dim, [0:], can be taken)");
  }
  return detail::apply1(OpKind::Slice, {*this}, ir::Attrs{{"dim", d}, {"start", start}, {"end", e}, {"step", step}});
}

Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  if (this->dim() == 0) fail("narrow: cannot narrow a 0-d tensor " + type_str());
  int64_t d = detail::wrap_dim("narrow", "dim", dim, *this);
  const ir::Dim size = shape().dim(static_cast<int>(d));
  if (size.is_symbolic()) fail("narrow: cannot narrow the symbolic dim " + size.str() + " of " + type_str());
  int64_t n = size.size();
  if (start < -n || start > n) {
    fail("narrow: start " + dim_str(start) + " is out of range for dim " + dim_str(d) + " of " + type_str());
  }
  if (start < 0) start += n;
  if (length < 0) fail("narrow: length must be non-negative, got " + dim_str(length));
  if (start + length > n) {
    fail("narrow: start " + dim_str(start) + " + length " + dim_str(length) + " exceeds the size " + dim_str(n) +
         " of dim " + dim_str(d) + " of " + type_str());
  }
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  if (this->dim() == 0) fail("select: cannot be applied to a 0-d tensor " + type_str());
  int64_t d = detail::wrap_dim("select", "dim", dim, *this);
  std::vector<ir::Dim> target = shape().dims();
  const ir::Dim size = target[static_cast<size_t>(d)];
  if (size.is_symbolic()) fail("select: cannot index the symbolic dim " + size.str() + " of " + type_str());
  int64_t n = size.size();
  if (index < -n || index >= n) {
    fail("select: index " + dim_str(index) + " is out of range for dim " + dim_str(d) + " of " + type_str() + " (size " +
         dim_str(n) + ")");
  }
  if (index < 0) index += n;
  target.erase(target.begin() + d);
  return detail::reshape_to("select", slice(d, index, index + 1), target);
}

// ---- joining ----
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) fail("cat: expected a non-empty list of tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) fail("cat: tensor " + std::to_string(i) + " is undefined");
    if (tensors[i].dim() == 0) fail("cat: tensor " + std::to_string(i) + " is 0-d (" + tensors[i].type_str() + ") and cannot be concatenated");
  }
  const Tensor& first = tensors[0];
  int64_t d = detail::wrap_dim("cat", "dim", dim, first);
  ir::Shape s0 = first.shape();
  for (size_t i = 1; i < tensors.size(); ++i) {
    ir::Shape s = tensors[i].shape();
    bool ok = s.rank() == s0.rank();
    for (int j = 0; ok && j < s.rank(); ++j) ok = j == d || s.dim(j) == s0.dim(j);
    if (!ok) {
      fail("cat: sizes of tensors must match except in dim " + dim_str(d) + ": tensor 0 is " + first.type_str() +
           ", tensor " + std::to_string(i) + " is " + tensors[i].type_str());
    }
  }
  if (tensors.size() == 1) return first;
  for (const Tensor& t : tensors) {
    const ir::Dim c = t.shape().dim(static_cast<int>(d));
    if (c.is_symbolic()) fail("cat: cannot concatenate along the symbolic dim " + c.str() + " of " + t.type_str());
  }
  DType dt = detail::result_type(tensors);
  std::vector<Tensor> operands;
  for (const Tensor& t : tensors) operands.push_back(t.to(dt));
  return detail::apply1(OpKind::Concat, operands, ir::Attrs{{"dim", d}});
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) fail("stack: expected a non-empty list of tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) fail("stack: tensor " + std::to_string(i) + " is undefined");
    if (tensors[i].shape() != tensors[0].shape()) {
      fail("stack: expects each tensor to be equal size, but got " + tensors[0].type_str() + " at entry 0 and " +
           tensors[i].type_str() + " at entry " + std::to_string(i));
    }
  }
  int64_t d = detail::wrap_dim("stack", "dim", dim, tensors[0], tensors[0].dim() + 1);
  std::vector<Tensor> parts;
  for (const Tensor& t : tensors) parts.push_back(t.unsqueeze(d));
  return cat(parts, d);
}

}  // namespace kiln
