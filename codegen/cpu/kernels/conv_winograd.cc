// f32 3x3 stride-1 convolution by Winograd's minimal filtering, F(MxM, 3x3) with M = 2
// (4x4 input tiles) or M = 4 (6x6 input tiles), A = M + 2 points per dimension.
//
// Per image, the output is cut into TH x TW tiles of M x M (T = TH*TW, flattened row-major).
// Per tile, Y = A^T [ (G g G^T) (.) (B^T d B) ] A, where d is the A x A input patch at
// (ty*M - ph, tx*M - pw) (zero outside the input) and g a 3x3 filter. The weights are
// transformed at compile time (emitters_conv_winograd.cc); the elementwise products summed
// over input channels become, for each of the A*A transform positions xi, one GEMM
// M_xi[T, O] = V_xi[T, C] @ U_xi[C, O]: A*A*T*C*O multiply-adds instead of 9*M*M*T*C*O
// (1/2.25 of them for M = 2, 1/4 for M = 4).
//
//   winograd_in_f32_vVW_mM   [N, C, IH, IW, ph, pw, TH, TW, Tpad, Wb]   b = [x, V]
//     range: N * C (planes). V[n][xi][c][t] (Tpad floats per (n, xi, c); t = ty*TW + tx).
//     Per tile row: the A input rows go into zero-padded stack rows of Wb floats; B^T is
//     applied down the columns (contiguous vectors over x), then along x for VW tiles at a
//     time: the taps of VW consecutive tiles are lanes M apart, de-interleaved from contiguous
//     loads with shuffles, so every store is a contiguous vector of VW tiles. The last vector
//     of a tile row spills into the next row's slots, which that row then overwrites; the
//     slots past T are zeroed at the end (Tpad >= the spill and the GEMM's tile groups).
//
//   winograd_gemm_f32_vVW_MRxNV_mM
//     [N, C, O, OH, OW, TH, TW, Tpad, has_bias, act, lo_bits, hi_bits, has_res, kc, p_tasks,
//      o_tasks, bg]
//     b = [V, Up (packed transformed weights), y, bias, residual, stage]
//     Up[xi][panel][c][j] = U_xi[c][panel*NR + j] (zero past O), NR = NV*VW.
//     range: p_tasks * o_tasks; task t covers tile groups (of MR tiles) [pt*GB, ...) and
//     channel panels [ot*OB, ...) of every image (so the scratch is per task, not per image).
//   Per task, block of bg tile groups and channel panel: for each xi and K block of kc input
//   channels (a kc x NR weight block stays in L1 across the block's groups), the MR x NR
//   register tile (MR tiles broadcast from V, NV weight vectors) accumulates into the task's
//   stage (stage + t * A*A*bg*MR*NR floats, in the arena). Then per tile and vector of VW
//   channels the A*A stage vectors go through A^T . A (vectorized over channels), + bias, and
//   the epilogue (+ residual, activation) writes the M x M outputs of each channel to NCHW y
//   (clipped at the bottom / right edges) once.
//
// The transforms, the block GEMM and the output transform are shared with the channels-last
// twin (conv_winograd_nhwc.cc) in winograd.h.
//
// Numerics: the transforms add rounding (M = 2: a few ulp; M = 4: the 1/24..8 coefficients
// amplify it ~10-100x), see docs/codegen.md for the measured errors.
#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vec_tile.h"
#include "codegen/cpu/kernels/winograd.h"

namespace kk {
namespace {

// Floats per stack row of the input transform (the emitter refuses wider convs).
constexpr int64_t kWinoMaxRow = 512;

template <int... I>
struct Seq {};
template <int N, int... I>
struct MakeSeq : MakeSeq<N - 1, N - 1, I...> {};
template <int... I>
struct MakeSeq<0, I...> {
  typedef Seq<I...> type;
};

// Lanes K, K+2, ... of the 2*VW floats in (a, b).
template <int VW, int K, int... I>
__attribute__((always_inline)) inline typename VecT<VW>::type Every2(typename VecT<VW>::type a,
                                                                     typename VecT<VW>::type b, Seq<I...>) {
  return __builtin_shufflevector(a, b, (2 * I + K)...);
}
// Lanes K, K+4, ... of (a, b) in the low half (the high half repeats them).
template <int VW, int K, int... I>
__attribute__((always_inline)) inline typename VecT<VW>::type Every4(typename VecT<VW>::type a,
                                                                     typename VecT<VW>::type b, Seq<I...>) {
  return __builtin_shufflevector(a, b, ((I < VW / 2 ? 4 * I : 4 * (I - VW / 2)) + K)...);
}
// The low halves of a and b.
template <int VW, int... I>
__attribute__((always_inline)) inline typename VecT<VW>::type LowHalves(typename VecT<VW>::type a,
                                                                        typename VecT<VW>::type b, Seq<I...>) {
  return __builtin_shufflevector(a, b, (I < VW / 2 ? I : VW + I - VW / 2)...);
}

/// w[l] = p[l*M + K] for l < VW (reads p[M*(K/M) .. M*(K/M) + M*VW)).
template <int VW, int M, int K>
__attribute__((always_inline)) inline typename VecT<VW>::type LoadStrided(const float* p) {
  typedef typename MakeSeq<VW>::type S;
  const float* q = p + M * (K / M);
  if constexpr (M == 2) {
    return Every2<VW, K % 2>(LoadV<VW>(q), LoadV<VW>(q + VW), S());
  } else {
    auto a = Every4<VW, K % 4>(LoadV<VW>(q), LoadV<VW>(q + VW), S());
    auto b = Every4<VW, K % 4>(LoadV<VW>(q + 2 * VW), LoadV<VW>(q + 3 * VW), S());
    return LowHalves<VW>(a, b, S());
  }
}

// The A taps of VW consecutive tiles along x: d[k][l] = u[l*M + k].
template <int VW, int M>
__attribute__((always_inline)) inline void TileTaps(const float* u, typename VecT<VW>::type* d) {
  d[0] = LoadStrided<VW, M, 0>(u);
  d[1] = LoadStrided<VW, M, 1>(u);
  d[2] = LoadStrided<VW, M, 2>(u);
  d[3] = LoadStrided<VW, M, 3>(u);
  if constexpr (M == 4) {
    d[4] = LoadStrided<VW, M, 4>(u);
    d[5] = LoadStrided<VW, M, 5>(u);
  }
}

template <int VW, int M>
void WinoIn(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  typedef typename VecT<VW>::type V;
  constexpr int A = Wino<M>::A;
  int64_t C = p[1], IH = p[2], IW = p[3], ph = p[4], pw = p[5], TH = p[6], TW = p[7], Tpad = p[8], Wb = p[9];
  const float* x = Buf<const float>(b, 0);
  float* vs = Buf<float>(b, 1);
  alignas(64) float rows[A][kWinoMaxRow];
  alignas(64) float u[A][kWinoMaxRow];
  const V zero = {};
  for (int64_t pl = begin; pl < end; ++pl) {
    int64_t n = pl / C, c = pl % C;
    const float* xp = x + pl * IH * IW;
    float* vc = vs + (n * A * A * C + c) * Tpad;  // + xi * C * Tpad
    for (int64_t ty = 0; ty < TH; ++ty) {
      for (int k = 0; k < A; ++k) {
        int64_t iy = ty * M + k - ph;
        for (int64_t i = 0; i < Wb; i += VW) StoreV<VW>(rows[k] + i, zero);
        if (iy >= 0 && iy < IH) memcpy(rows[k] + pw, xp + iy * IW, IW * sizeof(float));
      }
      // B^T down the columns: u[i][x] = sum_k BT[i][k] rows[k][x].
      for (int64_t i = 0; i < Wb; i += VW) {
        V d[A], t[A];
        for (int k = 0; k < A; ++k) d[k] = LoadV<VW>(rows[k] + i);
        Wino<M>::template In<VW>(d, t);
        for (int k = 0; k < A; ++k) StoreV<VW>(u[k] + i, t[k]);
      }
      // B along x, VW tiles at a time.
      for (int i = 0; i < A; ++i)
        for (int64_t tx0 = 0; tx0 < TW; tx0 += VW) {
          V d[A], t[A];
          TileTaps<VW, M>(u[i] + tx0 * M, d);
          Wino<M>::template In<VW>(d, t);
          float* dst = vc + int64_t(i * A) * C * Tpad + ty * TW + tx0;
          for (int j = 0; j < A; ++j) StoreV<VW>(dst + int64_t(j) * C * Tpad, t[j]);
        }
    }
    // Slots past T (the last row's spill and the GEMM's padded group) become zeros.
    for (int xi = 0; xi < A * A; ++xi) {
      float* v = vc + int64_t(xi) * C * Tpad;
      for (int64_t t = TH * TW; t < Tpad; ++t) v[t] = 0.0f;
    }
  }
}

template <int VW, int MR, int NV, int M>
void WinoGemm(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  typedef typename VecT<VW>::type V;
  constexpr int A = Wino<M>::A, AA = A * A, NR = VW * NV;
  int64_t N = p[0], C = p[1], O = p[2], OH = p[3], OW = p[4], TH = p[5], TW = p[6], Tpad = p[7];
  Epilogue e = DecodeEpilogue(p, 8, b, 3, 4);
  int64_t kcb = p[13], p_tasks = p[14], o_tasks = p[15], bg = p[16];
  const float* vs = Buf<const float>(b, 0);
  const float* up = Buf<const float>(b, 1);
  float* y = Buf<float>(b, 2);
  int64_t T = TH * TW, P = OH * OW, groups = (T + MR - 1) / MR, o_panels = (O + NR - 1) / NR;
  int64_t GB = (groups + p_tasks - 1) / p_tasks, OB = (o_panels + o_tasks - 1) / o_tasks;
  int64_t xi_stride = bg * MR * NR;  // stage floats between transform positions
  for (int64_t t = begin; t < end; ++t) {
    int64_t pt = t / o_tasks, ot = t % o_tasks;
    float* st = Buf<float>(b, 5) + t * AA * xi_stride;
    int64_t g0 = pt * GB, g1 = Min(g0 + GB, groups), op0 = ot * OB, op1 = Min(op0 + OB, o_panels);
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t op = op0; op < op1; ++op) {
        // The panel's bias as whole vectors (zero past O).
        alignas(64) float bias[NR];
        for (int j = 0; j < NR; ++j) bias[j] = e.bias && op * NR + j < O ? e.bias[op * NR + j] : 0.0f;
        for (int64_t gb0 = g0; gb0 < g1; gb0 += bg) {
          int64_t gb1 = Min(gb0 + bg, g1);
          WinoBlockGemm<VW, MR, NV, AA>(vs + n * AA * C * Tpad, C * Tpad, 1, Tpad, up, op, o_panels, C, kcb, gb0, gb1,
                                        st, xi_stride);
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
                alignas(64) float ob[M * M][VW];
                for (int i = 0; i < M * M; ++i) StoreV<VW>(ob[i], out[i]);
                // The epilogue, transposed to NCHW: lane l is output channel o0 + l.
                int64_t lanes = Min(int64_t(VW), O - o0);
                for (int64_t l = 0; l < lanes; ++l) {
                  int64_t off = (n * O + o0 + l) * P + oy0 * OW + ox0;
                  float* yo = y + off;
                  const float* ro = e.res ? e.res + off : nullptr;
                  for (int64_t ii = 0; ii < rows; ++ii)
                    for (int64_t jj = 0; jj < cols; ++jj) {
                      float sum = ob[ii * M + jj][l];
                      if (ro) sum += ro[ii * OW + jj];
                      yo[ii * OW + jj] = Act(sum, e.act, e.lo, e.hi);
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

#define KILN_WINO_IN(VW, M) \
  KILN_KERNEL(winograd_in_f32_v##VW##_m##M) { kk::WinoIn<VW, M>(p, b, begin, end); }
#define KILN_WINO_GEMM(VW, MR, NV, M)                              \
  KILN_KERNEL(winograd_gemm_f32_v##VW##_##MR##x##NV##_m##M) {      \
    kk::WinoGemm<VW, MR, NV, M>(p, b, begin, end);                 \
  }

KILN_WINO_IN_SIZES(KILN_WINO_IN)

KILN_WINO_GEMM_TILES(KILN_WINO_GEMM)
