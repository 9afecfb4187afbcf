// Reductions (sum, mean, max, min, prod over a set of dims), argmax/argmin along one dim, and
// softmax/log_softmax along one dim. Floating values accumulate in double; integers in int64
// with wrap-around. Elements are visited in row-major order, so "first occurrence" is the
// smallest index along the reduced dims.
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

int NormalizeDim(int64_t dim, int rank) { return static_cast<int>(dim < 0 ? dim + rank : dim); }

// For each input dim, the stride of the (keepdim-free) output, 0 on reduced dims: walking the
// input with these strides yields the output element each input element folds into.
std::vector<int64_t> ReduceOutputStrides(const HostTensor& x, const std::vector<int64_t>& dims) {
  int rank = x.rank();
  std::set<int> reduced;
  for (int64_t d : dims) reduced.insert(NormalizeDim(d, rank));
  if (dims.empty()) {
    for (int d = 0; d < rank; ++d) reduced.insert(d);
  }
  std::vector<int64_t> kept_sizes;
  for (int d = 0; d < rank; ++d) {
    if (!reduced.count(d)) kept_sizes.push_back(x.sizes()[static_cast<size_t>(d)]);
  }
  std::vector<int64_t> kept_strides = ContiguousStrides(kept_sizes), strides(static_cast<size_t>(rank), 0);
  size_t k = 0;
  for (int d = 0; d < rank; ++d) {
    if (!reduced.count(d)) strides[static_cast<size_t>(d)] = kept_strides[k++];
  }
  return strides;
}

// Folds every input element into its output element with `combine`, starting from `init`.
template <typename T, typename Combine>
std::vector<T> FoldDims(const std::vector<T>& in, const KernelContext& c, const HostTensor& out, T init,
                        Combine combine) {
  const HostTensor& x = c.operands[0];
  std::vector<T> acc(static_cast<size_t>(out.num_elements()), init);
  StridedWalker(x.sizes(), {ReduceOutputStrides(x, c.attrs.ints("dims"))}).ForEach([&](int64_t i, const int64_t* o) {
    acc[static_cast<size_t>(o[0])] = combine(acc[static_cast<size_t>(o[0])], in[static_cast<size_t>(i)]);
  });
  return acc;
}

// A reduction with one combine for floating dtypes (double) and one for integers (int64).
template <typename F, typename G>
StatusOr<Tensors> Reduce(const KernelContext& c, double finit, F f, int64_t iinit, G g) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  if (ir::is_floating(x.dtype())) {
    StoreDoubles(out, FoldDims(ToDoubles(x), c, out, finit, f));
  } else {
    StoreInts(out, FoldDims(ToInts(x), c, out, iinit, g));
  }
  return Tensors{out};
}

// max/min have no identity: reducing an empty set of elements is an error, as in torch.
Status RequireNonEmpty(const KernelContext& c, const char* op) {
  const HostTensor& x = c.operands[0];
  int64_t out_n = c.result_types[0].shape.num_elements();
  if (x.num_elements() == 0 && out_n > 0) {
    return InvalidArgument(std::string(op) + ": cannot reduce " + SizesStr(x.sizes()) +
                           " over an empty set of elements (no identity)");
  }
  return Status::Ok();
}

int64_t WrapAdd(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }
int64_t WrapMul(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); }
double NanMax(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (b > a ? b : a); }
double NanMin(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (b < a ? b : a); }
constexpr double kInf = std::numeric_limits<double>::infinity();

StatusOr<Tensors> ReduceMeanKernel(const KernelContext& c) {
  const HostTensor& x = c.operands[0];
  if (!ir::is_floating(x.dtype())) {
    return InvalidArgument(std::string("reduce_mean: needs a floating dtype, got ") + ir::dtype_name(x.dtype()));
  }
  HostTensor out = NewResult(c);
  std::vector<double> sums = FoldDims(ToDoubles(x), c, out, 0.0, [](double a, double b) { return a + b; });
  // Elements per output; an empty reduction is 0 / 0 = NaN, as in torch.
  double count = out.num_elements() == 0 ? 0.0 : static_cast<double>(x.num_elements() / out.num_elements());
  for (double& s : sums) s /= count;
  StoreDoubles(out, sums);
  return Tensors{out};
}

// The [outer, n, inner] view of a tensor around `dim` (a scalar is [1, 1, 1]).
struct DimView {
  int64_t outer = 1, n = 1, inner = 1;
};

DimView ViewAround(const HostTensor& x, int64_t dim) {
  DimView v;
  if (x.rank() == 0) return v;
  size_t d = static_cast<size_t>(NormalizeDim(dim, x.rank()));
  v.outer = Product(x.sizes(), 0, d);
  v.n = x.sizes()[d];
  v.inner = Product(x.sizes(), d + 1, x.sizes().size());
  return v;
}

// argmax (want_max) or argmin: the first extreme index; a NaN counts as the extreme (torch).
StatusOr<Tensors> ArgReduce(const KernelContext& c, bool want_max) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  DimView v = ViewAround(x, c.attrs.i("dim"));
  const char* name = want_max ? "argmax" : "argmin";
  if (v.n == 0 && out.num_elements() > 0) {
    return InvalidArgument(std::string(name) + ": cannot reduce an empty dim of " + SizesStr(x.sizes()));
  }
  bool floating = ir::is_floating(x.dtype());
  std::vector<double> xd = floating ? ToDoubles(x) : std::vector<double>();
  std::vector<int64_t> xi = floating ? std::vector<int64_t>() : ToInts(x);
  int64_t* po = out.data<int64_t>();
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t i = 0; i < v.inner; ++i) {
      auto at = [&](int64_t j) { return static_cast<size_t>((o * v.n + j) * v.inner + i); };
      int64_t best = 0;
      for (int64_t j = 1; j < v.n; ++j) {
        if (floating) {
          double cur = xd[at(best)], val = xd[at(j)];
          if (std::isnan(cur)) break;
          if (std::isnan(val) || (want_max ? val > cur : val < cur)) best = j;
        } else {
          int64_t cur = xi[at(best)], val = xi[at(j)];
          if (want_max ? val > cur : val < cur) best = j;
        }
      }
      po[o * v.inner + i] = best;
    }
  }
  return Tensors{out};
}

// softmax or log_softmax along `dim`, stabilized by subtracting the maximum.
StatusOr<Tensors> SoftmaxFamily(const KernelContext& c, bool log) {
  const HostTensor& x = c.operands[0];
  HostTensor out = NewResult(c);
  DimView v = ViewAround(x, c.attrs.i("dim"));
  std::vector<double> xd = ToDoubles(x), result(xd.size());
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t i = 0; i < v.inner; ++i) {
      auto at = [&](int64_t j) { return static_cast<size_t>((o * v.n + j) * v.inner + i); };
      double m = -kInf;
      for (int64_t j = 0; j < v.n; ++j) m = NanMax(m, xd[at(j)]);
      double sum = 0.0;
      for (int64_t j = 0; j < v.n; ++j) sum += std::exp(xd[at(j)] - m);
      for (int64_t j = 0; j < v.n; ++j) {
        double shifted = xd[at(j)] - m;
        result[at(j)] = log ? shifted - std::log(sum) : std::exp(shifted) / sum;
      }
    }
  }
  StoreDoubles(out, result);
  return Tensors{out};
}

}  // namespace

void AddReduceKernels(KernelTable& t) {
  t.Add(OpKind::ReduceSum, [](const KernelContext& c) {
    return Reduce(c, 0.0, [](double a, double b) { return a + b; }, 0, WrapAdd);
  });
  t.Add(OpKind::ReduceProd, [](const KernelContext& c) {
    return Reduce(c, 1.0, [](double a, double b) { return a * b; }, 1, WrapMul);
  });
  t.Add(OpKind::ReduceMean, ReduceMeanKernel);
  t.Add(OpKind::ReduceMax, [](const KernelContext& c) -> StatusOr<Tensors> {
    KILN_RETURN_IF_ERROR(RequireNonEmpty(c, "reduce_max"));
    return Reduce(c, -kInf, NanMax, std::numeric_limits<int64_t>::min(),
                  [](int64_t a, int64_t b) { return std::max(a, b); });
  });
  t.Add(OpKind::ReduceMin, [](const KernelContext& c) -> StatusOr<Tensors> {
    KILN_RETURN_IF_ERROR(RequireNonEmpty(c, "reduce_min"));
    return Reduce(c, kInf, NanMin, std::numeric_limits<int64_t>::max(),
                  [](int64_t a, int64_t b) { return std::min(a, b); });
  });
  t.Add(OpKind::ArgMax, [](const KernelContext& c) { return ArgReduce(c, true); });
  t.Add(OpKind::ArgMin, [](const KernelContext& c) { return ArgReduce(c, false); });
  t.Add(OpKind::Softmax, [](const KernelContext& c) { return SoftmaxFamily(c, false); });
  t.Add(OpKind::LogSoftmax, [](const KernelContext& c) { return SoftmaxFamily(c, true); });
}

}  // namespace kiln::reference
