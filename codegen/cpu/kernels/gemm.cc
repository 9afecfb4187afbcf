// Matrix products: batched matmul (broadcast batch dims) and linear (x @ W^T + bias).
//
//   matmul_DT [M, N, K, brank, bsizes[6], a_bstrides[6], b_bstrides[6], b_trans, has_bias]
//             b = [A, B, C, bias]   range: tiles (see below)
// C[batch, M, N] = A[batch_a, M, K] @ B[batch_b, K, N] (+ bias[N]). With b_trans, B is stored
// as [N, K] (linear's weight when the compiler could not pre-transpose it). Batch strides
// are in elements, 0 for broadcast batch dims. C is contiguous.
//
// Work is split into tiles of kGemmRows x kGemmCols of C per batch: tile t covers batch
// t / (row_blocks * col_blocks). Inside a tile, f32 uses a register-blocked micro-kernel:
// 6 rows x 16 columns of C held in vector registers across the whole K loop, one FMA per
// (row, B vector) — LLVM maps the 16-float vectors to AVX2 / AVX-512 at model compile time.
#include "codegen/cpu/kernels/kernel_abi.h"

namespace kk {
namespace {

using kiln::cpu::kc::kGemmCols;
using kiln::cpu::kc::kGemmRows;

typedef float v16 __attribute__((vector_size(64), aligned(4)));

__attribute__((always_inline)) inline v16 Load16(const float* p) {
  v16 v;
  memcpy(&v, p, sizeof v);
  return v;
}
__attribute__((always_inline)) inline void Store16(float* p, v16 v) { memcpy(p, &v, sizeof v); }

// C[MR x 16] = A[MR x K] @ B[K x 16] (+ bias[16]).
template <int MR>
__attribute__((always_inline)) inline void MicroF32(const float* a, int64_t lda, const float* bm, int64_t ldb, float* c,
                                                    int64_t ldc, int64_t K, const float* bias) {
  v16 acc[MR];
  v16 init = bias ? Load16(bias) : (v16){};
  for (int r = 0; r < MR; ++r) acc[r] = init;
  for (int64_t k = 0; k < K; ++k) {
    v16 bv = Load16(bm + k * ldb);
    for (int r = 0; r < MR; ++r) acc[r] = acc[r] + a[r * lda + k] * bv;
  }
  for (int r = 0; r < MR; ++r) Store16(c + r * ldc, acc[r]);
}

// Rows [i, i + MR) of a tile, columns [j0, j1).
template <int MR>
inline void RowsF32(const float* a, int64_t lda, const float* bm, int64_t ldb, float* c, int64_t ldc, int64_t K,
                    const float* bias, int64_t j0, int64_t j1) {
  int64_t j = j0;
  for (; j + 16 <= j1; j += 16) MicroF32<MR>(a, lda, bm + j, ldb, c + j, ldc, K, bias ? bias + j : nullptr);
  for (; j < j1; ++j) {
    for (int r = 0; r < MR; ++r) {
      float s = bias ? bias[j] : 0.0f;
      for (int64_t k = 0; k < K; ++k) s += a[r * lda + k] * bm[k * ldb + j];
      c[r * ldc + j] = s;
    }
  }
}

// Generic (any dtype, B as [K, N]): i-k-j order, the j loop vectorizes.
template <typename T>
inline void TileGeneric(const T* a, const T* bm, T* c, int64_t N, int64_t K, const T* bias, int64_t i0, int64_t i1,
                        int64_t j0, int64_t j1) {
  for (int64_t i = i0; i < i1; ++i) {
    T* cr = c + i * N;
    for (int64_t j = j0; j < j1; ++j) cr[j] = bias ? bias[j] : T(0);
    for (int64_t k = 0; k < K; ++k) {
      T av = a[i * K + k];
      const T* br = bm + k * N;
      for (int64_t j = j0; j < j1; ++j) cr[j] = WrapMulAdd(cr[j], av, br[j]);
    }
  }
}

// B stored as [N, K]: dot products, 8 partial sums so the k loop vectorizes.
template <typename T>
inline void TileTransposed(const T* a, const T* bm, T* c, int64_t N, int64_t K, const T* bias, int64_t i0, int64_t i1,
                           int64_t j0, int64_t j1) {
  for (int64_t i = i0; i < i1; ++i) {
    const T* ar = a + i * K;
    for (int64_t j = j0; j < j1; ++j) {
      const T* br = bm + j * K;
      T part[8] = {};
      int64_t k = 0;
      for (; k + 8 <= K; k += 8) {
        for (int l = 0; l < 8; ++l) part[l] = WrapMulAdd(part[l], ar[k + l], br[k + l]);
      }
      T s = T(0);
      for (; k < K; ++k) s = WrapMulAdd(s, ar[k], br[k]);
      for (int l = 0; l < 8; ++l) s = WrapAddAny(s, part[l]);
      c[i * N + j] = WrapAddAny(s, bias ? bias[j] : T(0));
    }
  }
}

template <typename T>
void MatMul(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t M = p[0], N = p[1], K = p[2], brank = p[3];
  const int64_t* bsizes = p + 4;
  const int64_t* a_bs = p + 10;
  const int64_t* b_bs = p + 16;
  bool b_trans = p[22] != 0, has_bias = p[23] != 0;
  const T* A = Buf<const T>(b, 0);
  const T* B = Buf<const T>(b, 1);
  T* C = Buf<T>(b, 2);
  const T* bias = has_bias ? Buf<const T>(b, 3) : nullptr;
  int64_t row_blocks = (M + kGemmRows - 1) / kGemmRows, col_blocks = (N + kGemmCols - 1) / kGemmCols;
  int64_t per_batch = row_blocks * col_blocks;
  for (int64_t t = begin; t < end; ++t) {
    int64_t batch = t / per_batch, rest = t % per_batch;
    int64_t i0 = (rest / col_blocks) * kGemmRows, j0 = (rest % col_blocks) * kGemmCols;
    int64_t i1 = Min(i0 + kGemmRows, M), j1 = Min(j0 + kGemmCols, N);
    // Decode the batch index into A's and B's batch offsets.
    int64_t a_off = 0, b_off = 0, rem = batch;
    for (int64_t d = brank - 1; d >= 0; --d) {
      int64_t idx = rem % bsizes[d];
      rem /= bsizes[d];
      a_off += idx * a_bs[d];
      b_off += idx * b_bs[d];
    }
    const T* a = A + a_off;
    const T* bm = B + b_off;
    T* c = C + batch * M * N;
    if (b_trans) {
      TileTransposed<T>(a, bm, c, N, K, bias, i0, i1, j0, j1);
      continue;
    }
    if constexpr (sizeof(T) == 4 && T(0.5) != T(0)) {  // f32: the register-blocked path
      int64_t i = i0;
      for (; i + 6 <= i1; i += 6) RowsF32<6>(a + i * K, K, bm, N, c + i * N, N, K, bias, j0, j1);
      switch (i1 - i) {
        case 5: RowsF32<5>(a + i * K, K, bm, N, c + i * N, N, K, bias, j0, j1); break;
        case 4: RowsF32<4>(a + i * K, K, bm, N, c + i * N, N, K, bias, j0, j1); break;
        case 3: RowsF32<3>(a + i * K, K, bm, N, c + i * N, N, K, bias, j0, j1); break;
        case 2: RowsF32<2>(a + i * K, K, bm, N, c + i * N, N, K, bias, j0, j1); break;
        case 1: RowsF32<1>(a + i * K, K, bm, N, c + i * N, N, K, bias, j0, j1); break;
        default: break;
      }
    } else {
      TileGeneric<T>(a, bm, c, N, K, bias, i0, i1, j0, j1);
    }
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(matmul_f32) { kk::MatMul<float>(p, b, begin, end); }
KILN_KERNEL(matmul_f64) { kk::MatMul<double>(p, b, begin, end); }
KILN_KERNEL(matmul_i64) { kk::MatMul<int64_t>(p, b, begin, end); }
KILN_KERNEL(matmul_i32) { kk::MatMul<int32_t>(p, b, begin, end); }
