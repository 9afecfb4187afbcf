// Linear algebra kernels: batched matmul with broadcast batch dims, and linear (x @ W^T + b).
// Floating products accumulate in double and round once per result element; integer matmul
// accumulates in int64 with wrap-around.
#include <cstdint>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::HostTensor;
using ir::OpKind;

// One multiply-accumulate step in the accumulation type.
double Mac(double acc, double x, double y) { return acc + x * y; }
int64_t Mac(int64_t acc, int64_t x, int64_t y) {
  return static_cast<int64_t>(static_cast<uint64_t>(acc) + static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
}

// out[b] = a[batch_a(b)] @ b[batch_b(b)] for every batch index b of the broadcast batch shape.
// T is the accumulation type (double or int64_t).
template <typename T>
std::vector<T> BatchedMatMul(const std::vector<T>& a, const std::vector<int64_t>& a_sizes, const std::vector<T>& b,
                             const std::vector<int64_t>& b_sizes, const std::vector<int64_t>& out_sizes) {
  size_t r = out_sizes.size();
  int64_t m = out_sizes[r - 2], n = out_sizes[r - 1], k = a_sizes[a_sizes.size() - 1];
  std::vector<int64_t> batch(out_sizes.begin(), out_sizes.end() - 2);
  std::vector<int64_t> a_batch(a_sizes.begin(), a_sizes.end() - 2), b_batch(b_sizes.begin(), b_sizes.end() - 2);
  // Batch strides in units of whole matrices.
  std::vector<int64_t> a_strides = BroadcastStrides(a_batch, batch), b_strides = BroadcastStrides(b_batch, batch);
  for (auto& s : a_strides) s *= m * k;
  for (auto& s : b_strides) s *= k * n;

  std::vector<T> out(static_cast<size_t>(Product(out_sizes, 0, r)), T{0});
  std::vector<T> row(static_cast<size_t>(n));
  StridedWalker(batch, {a_strides, b_strides}).ForEach([&](int64_t bi, const int64_t* off) {
    const T* pa = a.data() + off[0];
    const T* pb = b.data() + off[1];
    T* po = out.data() + bi * m * n;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) row[static_cast<size_t>(j)] = T{0};
      // Each out[i][j] still sums over p in increasing order.
      for (int64_t p = 0; p < k; ++p) {
        T x = pa[i * k + p];
        const T* pb_row = pb + p * n;
        for (int64_t j = 0; j < n; ++j) row[static_cast<size_t>(j)] = Mac(row[static_cast<size_t>(j)], x, pb_row[j]);
      }
      for (int64_t j = 0; j < n; ++j) po[i * n + j] = row[static_cast<size_t>(j)];
    }
  });
  return out;
}

StatusOr<Tensors> MatMulKernel(const KernelContext& c) {
  const HostTensor &a = c.operands[0], &b = c.operands[1];
  HostTensor out = NewResult(c);
  if (ir::is_floating(a.dtype())) {
    StoreDoubles(out, BatchedMatMul(ToDoubles(a), a.sizes(), ToDoubles(b), b.sizes(), out.sizes()));
  } else {
    StoreInts(out, BatchedMatMul(ToInts(a), a.sizes(), ToInts(b), b.sizes(), out.sizes()));
  }
  return Tensors{out};
}

StatusOr<Tensors> LinearKernel(const KernelContext& c) {
  const HostTensor &x = c.operands[0], &w = c.operands[1];
  HostTensor out = NewResult(c);
  int64_t in_features = w.sizes()[1], out_features = w.sizes()[0];
  int64_t rows = Product(x.sizes(), 0, x.sizes().size() - 1);
  std::vector<double> xd = ToDoubles(x), wd = ToDoubles(w);
  std::vector<double> bias(static_cast<size_t>(out_features), 0.0);
  if (c.operands.size() == 3) bias = ToDoubles(c.operands[2]);
  std::vector<double> result(static_cast<size_t>(out.num_elements()));
  for (int64_t r = 0; r < rows; ++r) {
    const double* px = xd.data() + r * in_features;
    for (int64_t o = 0; o < out_features; ++o) {
      const double* pw = wd.data() + o * in_features;
      double acc = 0.0;
      for (int64_t i = 0; i < in_features; ++i) acc += px[i] * pw[i];
      result[static_cast<size_t>(r * out_features + o)] = acc + bias[static_cast<size_t>(o)];
    }
  }
  StoreDoubles(out, result);
  return Tensors{out};
}

}  // namespace

void AddLinalgKernels(KernelTable& t) {
  t.Add(OpKind::MatMul, MatMulKernel);
  t.Add(OpKind::Linear, LinearKernel);
}

}  // namespace kiln::reference
