// Pieces shared by the two Winograd F(MxM, 3x3) convolutions, channels-first
// (conv_winograd.cc) and channels-last (conv_winograd_nhwc.cc): the 1-d transforms, the
// batched GEMM of a block of tiles into the stage, and the output transform of one tile.
//
// Contract. Both kernels compute, per image and transform position xi (A*A of them, A = M + 2),
// M_xi[T, O] = V_xi[T, C] @ U_xi[C, O], where V is the transformed input (B^T d B per tile)
// and U the transformed weights (G g G^T, packed at compile time as
// Up[xi][panel][c][j] = U_xi[c][panel*NR + j], zero past O). They differ only in the layout of
// V (the element of tile t and channel c at t*ts + c*ks: ts = 1, ks = Tpad channels-first;
// ts = Cs, ks = 1 channels-last) and in how the outputs are written, so WinoBlockGemm takes
// the two strides (constants after the task function is specialized) and WinoOutTile returns
// the M*M output vectors of VW channels of one tile (bias added), leaving the stores to the
// caller. V rows past T must hold finite values (the kernels zero them): the GEMM computes
// whole groups of MR tiles.
#pragma once

#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vec_tile.h"

namespace kk {

/// The 1-d transforms of F(M, 3): In is B^T d (A -> A), Out is A^T m (A -> M). The
/// coefficients are written out so that no multiplication by 0 or 1 remains (without
/// fast-math LLVM may not drop x*0).
template <int M>
struct Wino;

template <>
struct Wino<2> {
  static constexpr int A = 4;
  template <int VW>
  __attribute__((always_inline)) static void In(const typename VecT<VW>::type* d, typename VecT<VW>::type* t) {
    t[0] = d[0] - d[2];
    t[1] = d[1] + d[2];
    t[2] = d[2] - d[1];
    t[3] = d[1] - d[3];
  }
  template <int VW>
  __attribute__((always_inline)) static void Out(const typename VecT<VW>::type* m, typename VecT<VW>::type* o) {
    o[0] = m[0] + m[1] + m[2];
    o[1] = m[1] - m[2] - m[3];
  }
};

template <>
struct Wino<4> {
  static constexpr int A = 6;
  template <int VW>
  __attribute__((always_inline)) static void In(const typename VecT<VW>::type* d, typename VecT<VW>::type* t) {
    auto p = d[4] - 4.0f * d[2]; auto q = d[3] - 4.0f * d[1];  // shared by t1, t2
    auto r = d[4] - d[2]; auto s = 2.0f * (d[3] - d[1]);       // shared by t3, t4
    t[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
    t[1] = p + q;
    t[2] = p - q;
    t[3] = r + s;
    t[4] = r - s;
    t[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
  }
  template <int VW>
  __attribute__((always_inline)) static void Out(const typename VecT<VW>::type* m, typename VecT<VW>::type* o) {
    auto a = m[1] + m[2], b = m[1] - m[2], c = m[3] + m[4], d = m[3] - m[4];
    o[0] = m[0] + a + c;
    o[1] = b + 2.0f * d;
    o[2] = a + 4.0f * c;
    o[3] = b + 8.0f * d + m[5];
  }
};

/// For the tile groups [gb0, gb1) (MR tiles each) of one image and channel panel `op`:
/// stage[xi * xi_stride + (g - gb0) * MR * NR + r * NR + j] = sum_c V_xi[g*MR + r][c] *
/// Up[xi][op][c][j], for every xi. v: the image's V, xi_vstride floats per xi; V_xi[t][c] at
/// t * ts + c * ks. The K loop runs in blocks of kcb channels so that a kcb x NR weight block
/// stays in L1 across the block's groups; partial sums live in the stage.
template <int VW, int MR, int NV, int AA>
__attribute__((always_inline)) inline void WinoBlockGemm(const float* v, int64_t xi_vstride, int64_t ts, int64_t ks,
                                                         const float* up, int64_t op, int64_t o_panels, int64_t C,
                                                         int64_t kcb, int64_t gb0, int64_t gb1, float* st,
                                                         int64_t xi_stride) {
  typedef typename VecT<VW>::type V;
  constexpr int NR = VW * NV;
  for (int xi = 0; xi < AA; ++xi) {
    const float* vx = v + xi * xi_vstride;
    const float* ux = up + (xi * o_panels + op) * C * NR;
    for (int64_t k0 = 0; k0 < C; k0 += kcb) {
      int64_t k1 = Min(k0 + kcb, C);
      bool first = k0 == 0;
      for (int64_t g = gb0; g < gb1; ++g) {
        float* pp = st + xi * xi_stride + (g - gb0) * MR * NR;
        V acc[MR][NV];
        for (int r = 0; r < MR; ++r)
          for (int v = 0; v < NV; ++v) acc[r][v] = first ? (V){} : LoadV<VW>(pp + r * NR + v * VW);
        const float* vp = vx + k0 * ks + g * MR * ts;
        const float* wk = ux + k0 * NR;
        for (int64_t k = 0; k < k1 - k0; ++k, vp += ks, wk += NR) {
          V wv[NV];
          for (int v = 0; v < NV; ++v) wv[v] = LoadV<VW>(wk + v * VW);
          for (int r = 0; r < MR; ++r) {
            V av = vp[r * ts] - (V){};
            for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + av * wv[v];
          }
        }
        for (int r = 0; r < MR; ++r)
          for (int v = 0; v < NV; ++v) StoreV<VW>(pp + r * NR + v * VW, acc[r][v]);
      }
    }
  }
}

/// The output transform of one tile for VW channels: sp points at the tile's vector in the
/// stage of xi = 0 (xi_stride floats between positions); out[ii * M + jj] = (A^T m A)[ii][jj]
/// + bias.
template <int VW, int M>
__attribute__((always_inline)) inline void WinoOutTile(const float* sp, int64_t xi_stride,
                                                       typename VecT<VW>::type bias,
                                                       typename VecT<VW>::type* out) {
  typedef typename VecT<VW>::type V;
  constexpr int A = Wino<M>::A, AA = A * A;
  V m[AA], s[A][M];
  for (int xi = 0; xi < AA; ++xi) m[xi] = LoadV<VW>(sp + xi * xi_stride);
  for (int i = 0; i < A; ++i) Wino<M>::template Out<VW>(&m[i * A], s[i]);
  for (int jj = 0; jj < M; ++jj) {
    V col[A], o[M];
    for (int i = 0; i < A; ++i) col[i] = s[i][jj];
    Wino<M>::template Out<VW>(col, o);
    for (int ii = 0; ii < M; ++ii) out[ii * M + jj] = o[ii] + bias;
  }
}

}  // namespace kk

// The input-transform kernels, as X(VW, M): both vector widths, F(2x2, 3x3) and F(4x4, 3x3);
// both layouts instantiate every one.
#define KILN_WINO_IN_SIZES(X) X(16, 2) X(16, 4) X(8, 2) X(8, 4)

// The Winograd GEMM tiles the compiler may pick, as X(VW, MR, NV, M) (emitters_conv_winograd.cc,
// WinoTilesFor, lists them too); both layouts instantiate every one.
#define KILN_WINO_GEMM_TILES(X) \
  X(16, 6, 4, 2) X(16, 8, 3, 2) X(16, 12, 2, 2) X(8, 6, 2, 2) X(8, 4, 3, 2) \
  X(16, 6, 4, 4) X(16, 8, 3, 4) X(16, 12, 2, 4) X(8, 6, 2, 4) X(8, 4, 3, 4)
