// f32 2-d convolution computed directly from the (zero-padded) input: no im2col packing.
//
// Per image, Y^T[P, O] = X_col^T[P, K] @ W^T[K, O] with P = OH*OW output positions and
// K = C*KH*KW taps. The roles are those of the implicit GEMM in conv_gemm.cc swapped: a
// register tile is MR output positions x NV vectors of VW output channels, the weights (packed
// at compile time, Bp[panel][k][j] = w[panel*NR + j][k], zero past O) are the vector operand
// and each input element is broadcast straight from the input plane, so nothing is packed at
// run time. That suits the layers the implicit GEMM handles worst: few output positions and
// many channels (ResNet's 7x7 and 14x14 stages, where P = 49 fills 49 of 64 columns of an
// implicit-GEMM tile but 49 of 54 rows here) and few output channels (O = 64, where each
// packed X_col block would be reused by only a few panels).
//
// Padding: a convolution with padding first copies its input into a zero-padded scratch
// (pad_planes_f32), so every tap is an in-bounds load without a test.
//
//   conv_direct_f32_vVW_MRxNV
//     [N, C, O, Hs, Ws, OH, OW, KH, KW, sh, sw, dh, dw, has_bias, act, lo_bits, hi_bits,
//      has_res, kc, p_tasks, o_tasks]
//     b = [src (x, or its padded copy: planes Hs x Ws), Bp (packed weights), y, bias, residual]
//     range: N * p_tasks * o_tasks; task t covers position tiles [pt*PB, ...) and channel
//     panels [ot*OB, ...) of image t / (p_tasks*o_tasks), PB = ceil(P tiles / p_tasks),
//     OB = ceil(O panels / o_tasks).
//   Per task: for each channel panel, positions in blocks of kTileBlock tiles; per block the
//   K loop runs in blocks of kc taps (so the kc x NR weight block stays in L1 across the
//   block's tiles), partial sums in a stack buffer; the last K block applies the epilogue
//   (+ bias[o], + residual, activation) and stores the tile transposed into Y[o][p].
//
//   pad_planes_f32 [IH, IW, ph, pw]   b = [x, xp]   range: planes (N * C)
//     xp plane = x plane surrounded by ph rows / pw columns of zeros.
#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vec_tile.h"

namespace kk {
namespace {

// Position tiles per block (the partial-sum buffer holds kTileBlock * MR * NR floats).
constexpr int64_t kTileBlock = 16;

template <int VW, int MR, int NV, bool kNhwc>
void ConvDirect(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  typedef typename VecT<VW>::type V;
  constexpr int NR = VW * NV;
  int64_t C = p[1], O = p[2], Hs = p[3], Ws = p[4], OH = p[5], OW = p[6], KH = p[7], KW = p[8];
  int64_t sh = p[9], sw = p[10], dh = p[11], dw = p[12];
  Epilogue e = DecodeEpilogue(p, 13, b, 3, 4);
  int64_t kcb = p[18], p_tasks = p[19], o_tasks = p[20];
  const float* src = Buf<const float>(b, 0);
  const float* Bp = Buf<const float>(b, 1);
  float* y = Buf<float>(b, 2);
  int64_t P = OH * OW, taps = KH * KW, K = C * taps, plane = Hs * Ws;
  int64_t p_tiles = (P + MR - 1) / MR, o_panels = (O + NR - 1) / NR;
  int64_t PB = (p_tiles + p_tasks - 1) / p_tasks, OB = (o_panels + o_tasks - 1) / o_tasks;
  alignas(64) float part[kTileBlock * MR * NR];
  int32_t koff[kiln::cpu::kc::kDirectMaxKc];
  for (int64_t t = begin; t < end; ++t) {
    int64_t n = t / (p_tasks * o_tasks), rest = t % (p_tasks * o_tasks);
    int64_t pt = rest / o_tasks, ot = rest % o_tasks;
    int64_t tile0 = pt * PB, tile1 = Min(tile0 + PB, p_tiles), op0 = ot * OB, op1 = Min(op0 + OB, o_panels);
    const float* xs = src + n * C * plane;
    float* yn = y + n * O * P;
    const float* rn = e.res ? e.res + n * O * P : nullptr;
    for (int64_t op = op0; op < op1; ++op) {
      const float* wp = Bp + op * K * NR;
      for (int64_t tb0 = tile0; tb0 < tile1; tb0 += kTileBlock) {
        int64_t tb1 = Min(tb0 + kTileBlock, tile1);
        for (int64_t k0 = 0; k0 < K; k0 += kcb) {
          int64_t k1 = Min(k0 + kcb, K);
          bool first = k0 == 0, last = k1 == K;
          // Each tap's offset from a position's top-left input element: K runs over (c, kh,
          // kw) channels-first, over (kh, kw, c) channels-last (as the packed weights do).
          if (kNhwc) {
            int64_t c = k0 % C, tap = k0 / C;
            for (int64_t k = k0; k < k1; ++k) {
              koff[k - k0] = static_cast<int32_t>(((tap / KW) * dh * Ws + (tap % KW) * dw) * C + c);
              if (++c == C) {
                c = 0;
                ++tap;
              }
            }
          } else {
            int64_t c = k0 / taps, tap = k0 % taps;
            for (int64_t k = k0; k < k1; ++k) {
              koff[k - k0] = static_cast<int32_t>(c * plane + (tap / KW) * dh * Ws + (tap % KW) * dw);
              if (++tap == taps) {
                tap = 0;
                ++c;
              }
            }
          }
          const float* wk = wp + k0 * NR;
          for (int64_t tile = tb0; tile < tb1; ++tile) {
            const float* base[MR];
            for (int r = 0; r < MR; ++r) {
              int64_t q = Min(tile * MR + r, P - 1);  // rows past P repeat the last position
              int64_t pix = (q / OW) * sh * Ws + (q % OW) * sw;
              base[r] = xs + (kNhwc ? pix * C : pix);
            }
            float* pp = part + (tile - tb0) * MR * NR;
            V acc[MR][NV];
            for (int r = 0; r < MR; ++r)
              for (int v = 0; v < NV; ++v) acc[r][v] = first ? (V){} : LoadV<VW>(pp + r * NR + v * VW);
            for (int64_t k = 0; k < k1 - k0; ++k) {
              int32_t o = koff[k];
              V wv[NV];
              for (int v = 0; v < NV; ++v) wv[v] = LoadV<VW>(wk + k * NR + v * VW);
              for (int r = 0; r < MR; ++r) {
                V av = base[r][o] - (V){};
                for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + av * wv[v];
              }
            }
            int64_t q0 = tile * MR, rows = Min(int64_t(MR), P - q0);
            int64_t cols = Min(int64_t(NR), O - op * NR);
            if (kNhwc && last && cols == NR) {
              // Channels-last: row r of the tile is output position q0 + r, contiguous channels.
              for (int v = 0; v < NV; ++v) {
                V bv = e.bias ? LoadV<VW>(e.bias + op * NR + v * VW) : (V){};
                for (int r = 0; r < rows; ++r) {
                  int64_t off = (q0 + r) * O + op * NR + v * VW;
                  V s = acc[r][v] + bv;
                  if (rn) s = s + LoadV<VW>(rn + off);
                  StoreV<VW>(yn + off, ActV<VW>(s, e.act, e.lo, e.hi));
                }
              }
              continue;
            }
            for (int r = 0; r < MR; ++r)
              for (int v = 0; v < NV; ++v) StoreV<VW>(pp + r * NR + v * VW, acc[r][v]);
            if (!last) continue;
            if (kNhwc) {
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t j = 0; j < cols; ++j) {
                  int64_t o = op * NR + j, off = (q0 + r) * O + o;
                  float s = pp[r * NR + j] + (e.bias ? e.bias[o] : 0.0f);
                  if (rn) s += rn[off];
                  yn[off] = Act(s, e.act, e.lo, e.hi);
                }
              continue;
            }
            // Epilogue, transposed: column j of the tile is output channel op*NR + j.
            for (int64_t j = 0; j < cols; ++j) {
              int64_t o = op * NR + j;
              float bo = e.bias ? e.bias[o] : 0.0f;
              float* yo = yn + o * P + q0;
              const float* ro = rn ? rn + o * P + q0 : nullptr;
              for (int64_t r = 0; r < rows; ++r) {
                float s = pp[r * NR + j] + bo;
                if (ro) s += ro[r];
                yo[r] = Act(s, e.act, e.lo, e.hi);
              }
            }
          }
        }
      }
    }
  }
}

void PadPlanes(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t IH = p[0], IW = p[1], ph = p[2], pw = p[3];
  int64_t Hs = IH + 2 * ph, Ws = IW + 2 * pw;
  const float* x = Buf<const float>(b, 0);
  float* xp = Buf<float>(b, 1);
  for (int64_t pl = begin; pl < end; ++pl) {
    const float* s = x + pl * IH * IW;
    float* d = xp + pl * Hs * Ws;
    for (int64_t i = 0; i < ph * Ws; ++i) d[i] = 0.0f;
    for (int64_t h = 0; h < IH; ++h) {
      float* row = d + (ph + h) * Ws;
      for (int64_t i = 0; i < pw; ++i) row[i] = 0.0f;
      memcpy(row + pw, s + h * IW, IW * sizeof(float));
      for (int64_t i = pw + IW; i < Ws; ++i) row[i] = 0.0f;
    }
    for (int64_t i = (ph + IH) * Ws; i < Hs * Ws; ++i) d[i] = 0.0f;
  }
}

}  // namespace
}  // namespace kk

#define KILN_CONV_DIRECT(VW, MR, NV)                                                                 \
  KILN_KERNEL(conv_direct_f32_v##VW##_##MR##x##NV) { kk::ConvDirect<VW, MR, NV, false>(p, b, begin, end); } \
  KILN_KERNEL(conv_nhwc_f32_v##VW##_##MR##x##NV) { kk::ConvDirect<VW, MR, NV, true>(p, b, begin, end); }

// The tiles the compiler may pick (emitters_conv_direct.cc lists them too).
KILN_CONV_DIRECT(16, 6, 4)
KILN_CONV_DIRECT(16, 8, 3)
KILN_CONV_DIRECT(16, 12, 2)
KILN_CONV_DIRECT(16, 8, 1)
KILN_CONV_DIRECT(8, 6, 2)
KILN_CONV_DIRECT(8, 4, 3)
KILN_CONV_DIRECT(8, 8, 1)

KILN_KERNEL(pad_planes_f32) { kk::PadPlanes(p, b, begin, end); }
