// Normalization and embedding kernels.
//
//   norm_DT  [rows, len, per_channel, plane, channels, eps_bits, has_w, has_b]
//            b = [x, w, bias, y]   range: rows
//     Each row of `len` contiguous elements is normalized with its mean and biased variance
//     (accumulated in double). layer_norm: per_channel 0, w/bias indexed by the element of
//     the row. group_norm: rows = N * groups, per_channel 1, w/bias indexed by channel
//     ((row % groups) * len + j) / plane.
//   embedding_wS  [n, V, D, idx_i32]  b = [w, idx, y, err]  range: indices
//   embedding_bag_DT [bags, D, V, total, mode, padding_idx, has_psw, idx_i32, fixed_len,
//                     n_offsets]  b = [w, idx, offsets, psw, y, err]  range: bags
//     mode 0 sum, 1 mean, 2 max; fixed_len > 0: bag i = indices[i*len, (i+1)*len), else the
//     offsets (i64 or same width as idx) delimit the bags.
// Bad indices or offsets set the error slot and leave the row zero (never read out of bounds).
#include <math.h>

#include "codegen/cpu/kernels/kernel_abi.h"

namespace kk {
namespace {

namespace kc = kiln::cpu::kc;

template <typename T>
void Norm(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t len = p[1], plane = p[3], channels = p[4];
  bool per_channel = p[2] != 0, has_w = p[6] != 0, has_b = p[7] != 0;
  double eps = F64(p[5]);
  const T* x = Buf<const T>(b, 0);
  const T* w = Buf<const T>(b, 1);
  const T* bias = Buf<const T>(b, 2);
  T* y = Buf<T>(b, 3);
  int64_t groups = per_channel ? channels * plane / len : 1;
  for (int64_t r = begin; r < end; ++r) {
    const T* xr = x + r * len;
    T* yr = y + r * len;
    double part[8] = {};
    int64_t j = 0;
    for (; j + 8 <= len; j += 8)
      for (int l = 0; l < 8; ++l) part[l] += static_cast<double>(xr[j + l]);
    double sum = 0;
    for (; j < len; ++j) sum += static_cast<double>(xr[j]);
    for (int l = 0; l < 8; ++l) sum += part[l];
    double mean = sum / static_cast<double>(len);
    double sq[8] = {};
    j = 0;
    for (; j + 8 <= len; j += 8)
      for (int l = 0; l < 8; ++l) {
        double d = static_cast<double>(xr[j + l]) - mean;
        sq[l] += d * d;
      }
    double var = 0;
    for (; j < len; ++j) {
      double d = static_cast<double>(xr[j]) - mean;
      var += d * d;
    }
    for (int l = 0; l < 8; ++l) var += sq[l];
    double inv = 1.0 / sqrt(var / static_cast<double>(len) + eps);
    T tm = static_cast<T>(mean), ti = static_cast<T>(inv);
    if (!per_channel) {
      for (int64_t k = 0; k < len; ++k) {
        T v = (xr[k] - tm) * ti;
        if (has_w) v *= w[k];
        if (has_b) v += bias[k];
        yr[k] = v;
      }
    } else {
      int64_t c0 = (r % groups) * (len / plane);
      for (int64_t c = 0; c < len / plane; ++c) {
        T sc = has_w ? w[c0 + c] : T(1), sh = has_b ? bias[c0 + c] : T(0);
        for (int64_t k = c * plane; k < (c + 1) * plane; ++k) yr[k] = (xr[k] - tm) * ti * sc + sh;
      }
    }
  }
}

inline int64_t Index(const void* idx, bool i32, int64_t i) {
  return i32 ? static_cast<const int32_t*>(idx)[i] : static_cast<const int64_t*>(idx)[i];
}

template <typename W>
void Embedding(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t V = p[1], D = p[2];
  bool i32 = p[3] != 0;
  const W* w = Buf<const W>(b, 0);
  const void* idx = b[1];
  W* y = Buf<W>(b, 2);
  int64_t* err = Buf<int64_t>(b, 3);
  for (int64_t i = begin; i < end; ++i) {
    int64_t row = Index(idx, i32, i);
    W* yr = y + i * D;
    if (row < 0 || row >= V) {
      __atomic_store_n(err, static_cast<int64_t>(kc::kIndexOutOfRange), __ATOMIC_RELAXED);
      for (int64_t d = 0; d < D; ++d) yr[d] = W(0);
      continue;
    }
    const W* wr = w + row * D;
    for (int64_t d = 0; d < D; ++d) yr[d] = wr[d];
  }
}

template <typename T>
void EmbeddingBag(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t D = p[1], V = p[2], total = p[3], mode = p[4], padding_idx = p[5];
  bool has_psw = p[6] != 0, i32 = p[7] != 0;
  int64_t fixed_len = p[8], n_offsets = p[9];
  const T* w = Buf<const T>(b, 0);
  const void* idx = b[1];
  const void* offsets = b[2];
  const T* psw = Buf<const T>(b, 3);
  T* y = Buf<T>(b, 4);
  int64_t* err = Buf<int64_t>(b, 5);
  for (int64_t bag = begin; bag < end; ++bag) {
    T* acc = y + bag * D;
    for (int64_t d = 0; d < D; ++d) acc[d] = T(0);
    int64_t lo, hi;
    if (fixed_len > 0) {
      lo = bag * fixed_len;
      hi = lo + fixed_len;
    } else {
      lo = Index(offsets, i32, bag);
      hi = bag + 1 < n_offsets ? Index(offsets, i32, bag + 1) : total;
      if (lo < 0 || hi > total || hi < lo || (bag == 0 && lo != 0)) {
        __atomic_store_n(err, static_cast<int64_t>(kc::kIndexOutOfRange), __ATOMIC_RELAXED);
        continue;
      }
    }
    int64_t count = 0;
    for (int64_t i = lo; i < hi; ++i) {
      int64_t row = Index(idx, i32, i);
      if (row < 0 || row >= V) {
        __atomic_store_n(err, static_cast<int64_t>(kc::kIndexOutOfRange), __ATOMIC_RELAXED);
        continue;
      }
      if (row == padding_idx) continue;
      const T* wr = w + row * D;
      if (mode == 2) {
        for (int64_t d = 0; d < D; ++d) {
          T a = acc[d], v = wr[d];
          if (count == 0 || (!IsNan(a) && (IsNan(v) || v > a))) acc[d] = v;
        }
      } else {
        T s = has_psw ? psw[i] : T(1);
        for (int64_t d = 0; d < D; ++d) acc[d] += s * wr[d];
      }
      ++count;
    }
    if (mode == 1 && count > 0)
      for (int64_t d = 0; d < D; ++d) acc[d] /= static_cast<T>(count);
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(norm_f32) { kk::Norm<float>(p, b, begin, end); }
KILN_KERNEL(norm_f64) { kk::Norm<double>(p, b, begin, end); }
KILN_KERNEL(embedding_w1) { kk::Embedding<uint8_t>(p, b, begin, end); }
KILN_KERNEL(embedding_w4) { kk::Embedding<uint32_t>(p, b, begin, end); }
KILN_KERNEL(embedding_w8) { kk::Embedding<uint64_t>(p, b, begin, end); }
KILN_KERNEL(embedding_bag_f32) { kk::EmbeddingBag<float>(p, b, begin, end); }
KILN_KERNEL(embedding_bag_f64) { kk::EmbeddingBag<double>(p, b, begin, end); }
