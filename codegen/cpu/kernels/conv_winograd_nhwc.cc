// f32 3x3 stride-1 channels-last convolution (`conv_nhwc`, x[N, IH, IW, C] -> y[N, OH, OW, O])
// by Winograd's minimal filtering F(MxM, 3x3), M = 2 or 4, A = M + 2: the channels-last
// twin of conv_winograd.cc, with which it shares the transforms, the GEMM of a block of tiles
// and the output transform (winograd.h). Channels are contiguous, so both transforms work on
// whole vectors of VW channels with no shuffle, and the epilogue stores contiguous vectors.
//
// Per image the output is cut into TH x TW tiles of M x M (T = TH*TW, t = ty*TW + tx); tile t
// reads the A x A input patch at (ty*M - ph, tx*M - pw), zero outside the input (no padded
// copy is made: edge tiles test their taps).
//
//   winograd_in_nhwc_f32_vVW_mM   [N, C, IH, IW, ph, pw, TH, TW, Tr, Cs]   b = [x, V]
//     range: N * TH (tile rows). V[n][xi][t][c]: Tr >= T rows (a multiple of the GEMM's MR)
//     of Cs >= C floats (C rounded up to VW) per (n, xi); rows T..Tr are zeroed by the task of
//     the image's last tile row. Per tile and vector of VW channels: B^T along each input row
//     (A row transforms), then B down the columns, A*A contiguous vector stores.
//
//   winograd_gemm_nhwc_f32_vVW_MRxNV_mM
//     [N, C, O, OH, OW, TH, TW, Tr, Cs, has_bias, act, lo_bits, hi_bits, has_res, kc, p_tasks,
//      o_tasks, bg]
//     b = [V, Up (packed transformed weights, as conv_winograd.cc's), y, bias, residual, stage]
//     range: p_tasks * o_tasks; task t covers tile groups (of MR tiles) [pt*GB, ...) and
//     channel panels [ot*OB, ...) of every image; stage + t * A*A*bg*MR*NR floats is its own.
//   Per task, block of bg tile groups and channel panel: WinoBlockGemm into the stage, then
//   per tile and vector of VW channels WinoOutTile (+ bias) and the epilogue (+ residual,
//   laid out as y; activation) stores each of the tile's M x M outputs (clipped at the bottom /
//   right edges) as one vector; a channel tail (O not a multiple of VW) goes lane by lane.
//
// Numerics: as conv_winograd.cc (the same transforms in the same order of operations).
#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vec_tile.h"
#include "codegen/cpu/kernels/winograd.h"

namespace kk {
namespace {

// VW channels of x at p, or the first `lanes` of them (zeros after) for a channel tail.
template <int VW>
__attribute__((always_inline)) inline typename VecT<VW>::type LoadLanes(const float* p, int64_t lanes) {
  if (lanes >= VW) return LoadV<VW>(p);
  alignas(64) float tmp[VW] = {};
  for (int64_t l = 0; l < lanes; ++l) tmp[l] = p[l];
  return LoadV<VW>(tmp);
}

template <int VW, int M>
void WinoInNhwc(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  typedef typename VecT<VW>::type V;
  constexpr int A = Wino<M>::A, AA = A * A;
  int64_t C = p[1], IH = p[2], IW = p[3], ph = p[4], pw = p[5], TH = p[6], TW = p[7], Tr = p[8], Cs = p[9];
  const float* x = Buf<const float>(b, 0);
  float* vs = Buf<float>(b, 1);
  const V zero = {};
  for (int64_t row = begin; row < end; ++row) {
    int64_t n = row / TH, ty = row % TH;
    const float* xn = x + n * IH * IW * C;
    float* vn = vs + n * AA * Tr * Cs;  // + xi * Tr * Cs
    int64_t iy0 = ty * M - ph;
    bool rows_in = iy0 >= 0 && iy0 + A <= IH;
    for (int64_t tx = 0; tx < TW; ++tx) {
      int64_t ix0 = tx * M - pw;
      bool inner = rows_in && ix0 >= 0 && ix0 + A <= IW;
      const float* xt = xn + (iy0 * IW + ix0) * C;
      float* vt = vn + (ty * TW + tx) * Cs;
      for (int64_t c = 0; c < C; c += VW) {
        int64_t lanes = C - c;
        // u[i][j]: B^T along row i of the patch (j is the transformed column).
        V u[A][A];
        for (int i = 0; i < A; ++i) {
          V d[A];
          if (inner && lanes >= VW) {
            for (int j = 0; j < A; ++j) d[j] = LoadV<VW>(xt + (i * IW + j) * C + c);
          } else {
            bool row_ok = iy0 + i >= 0 && iy0 + i < IH;
            for (int j = 0; j < A; ++j)
              d[j] = row_ok && ix0 + j >= 0 && ix0 + j < IW ? LoadLanes<VW>(xt + (i * IW + j) * C + c, lanes) : zero;
          }
          Wino<M>::template In<VW>(d, u[i]);
        }
        for (int j = 0; j < A; ++j) {
          V col[A], t[A];
          for (int i = 0; i < A; ++i) col[i] = u[i][j];
          Wino<M>::template In<VW>(col, t);
          for (int i = 0; i < A; ++i) StoreV<VW>(vt + int64_t(i * A + j) * Tr * Cs + c, t[i]);
        }
      }
    }
    if (ty == TH - 1) {
      // The GEMM's last tile group reads rows T..Tr: zeros.
      for (int xi = 0; xi < AA; ++xi)
        for (int64_t i = TH * TW * Cs; i < Tr * Cs; ++i) vn[xi * Tr * Cs + i] = 0.0f;
    }
  }
}

template <int VW, int MR, int NV, int M>
void WinoGemmNhwc(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  typedef typename VecT<VW>::type V;
  constexpr int A = Wino<M>::A, AA = A * A, NR = VW * NV;
  int64_t N = p[0], C = p[1], O = p[2], OH = p[3], OW = p[4], TH = p[5], TW = p[6], Tr = p[7], Cs = p[8];
  Epilogue e = DecodeEpilogue(p, 9, b, 3, 4);
  int64_t kcb = p[14], p_tasks = p[15], o_tasks = p[16], bg = p[17];
  const float* vs = Buf<const float>(b, 0);
  const float* up = Buf<const float>(b, 1);
  float* y = Buf<float>(b, 2);
  int64_t T = TH * TW, groups = (T + MR - 1) / MR, o_panels = (O + NR - 1) / NR;
  int64_t GB = (groups + p_tasks - 1) / p_tasks, OB = (o_panels + o_tasks - 1) / o_tasks;
  int64_t xi_stride = bg * MR * NR;  // stage floats between transform positions
  for (int64_t t = begin; t < end; ++t) {
    int64_t pt = t / o_tasks, ot = t % o_tasks;
    float* st = Buf<float>(b, 5) + t * AA * xi_stride;
    int64_t g0 = pt * GB, g1 = Min(g0 + GB, groups), op0 = ot * OB, op1 = Min(op0 + OB, o_panels);
    for (int64_t n = 0; n < N; ++n) {
      float* yn = y + n * OH * OW * O;
      const float* rn = e.res ? e.res + n * OH * OW * O : nullptr;
      for (int64_t op = op0; op < op1; ++op) {
        // The panel's bias as whole vectors (zero past O).
        alignas(64) float bias[NR];
        for (int j = 0; j < NR; ++j) bias[j] = e.bias && op * NR + j < O ? e.bias[op * NR + j] : 0.0f;
        for (int64_t gb0 = g0; gb0 < g1; gb0 += bg) {
          int64_t gb1 = Min(gb0 + bg, g1);
          WinoBlockGemm<VW, MR, NV, AA>(vs + n * AA * Tr * Cs, Tr * Cs, Cs, 1, up, op, o_panels, C, kcb, gb0, gb1, st,
                                        xi_stride);
          // Output transform + epilogue of the block's tiles.
          for (int64_t g = gb0; g < gb1; ++g)
            for (int r = 0; r < MR; ++r) {
              int64_t tile = g * MR + r;
              if (tile >= T) break;
              int64_t oy0 = tile / TW * M, ox0 = tile % TW * M;
              int64_t rows = Min(int64_t(M), OH - oy0), cols = Min(int64_t(M), OW - ox0);
              const float* sp = st + ((g - gb0) * MR + r) * NR;
              for (int v = 0; v < NV; ++v) {
                int64_t o0 = op * NR + v * VW;
                if (o0 >= O) break;
                V out[M * M];
                WinoOutTile<VW, M>(sp + v * VW, xi_stride, LoadV<VW>(bias + v * VW), out);
                int64_t lanes = Min(int64_t(VW), O - o0);
                for (int64_t ii = 0; ii < rows; ++ii)
                  for (int64_t jj = 0; jj < cols; ++jj) {
                    int64_t off = ((oy0 + ii) * OW + ox0 + jj) * O + o0;
                    V s = out[ii * M + jj];
                    if (lanes == VW) {
                      if (rn) s = s + LoadV<VW>(rn + off);
                      StoreV<VW>(yn + off, ActV<VW>(s, e.act, e.lo, e.hi));
                    } else {
                      alignas(64) float ob[VW];
                      StoreV<VW>(ob, s);
                      for (int64_t l = 0; l < lanes; ++l) {
                        float sum = ob[l] + (rn ? rn[off + l] : 0.0f);
                        yn[off + l] = Act(sum, e.act, e.lo, e.hi);
                      }
                    }
                  }
              }
            }
        }
      }
    }
  }
}

}  // namespace
}  // namespace kk

#define KILN_WINO_IN_NHWC(VW, M) \
  KILN_KERNEL(winograd_in_nhwc_f32_v##VW##_m##M) { kk::WinoInNhwc<VW, M>(p, b, begin, end); }
#define KILN_WINO_GEMM_NHWC(VW, MR, NV, M)                              \
  KILN_KERNEL(winograd_gemm_nhwc_f32_v##VW##_##MR##x##NV##_m##M) {      \
    kk::WinoGemmNhwc<VW, MR, NV, M>(p, b, begin, end);                  \
  }

KILN_WINO_IN_SIZES(KILN_WINO_IN_NHWC)

KILN_WINO_GEMM_TILES(KILN_WINO_GEMM_NHWC)
