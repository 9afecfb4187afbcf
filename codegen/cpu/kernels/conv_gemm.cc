// f32 convolution as an implicit GEMM with packed operands and fused epilogues, the f32
// depthwise convolution, and the packed-B matmul used by `linear` / constant-B `matmul`.
//
// Per image and group, a convolution is Y[O, P] = W[O, K] @ X_col[K, P] with P = OD*OH*OW
// output positions and K = cpg*KD*KH*KW taps. W is packed at compile time (emitters) into
// panels of MR output channels, K-block major so that a task streams contiguous weights:
// A[g][kb][panel][k][r] = w[g*opg + panel*MR + r][kb*kc + k] (zero rows past opg; the last K
// block may be shorter). X_col is never materialized: a task packs one kc x NR block of it at a time (NR =
// NV*VW output positions, zero past P and in the padding) into a 64-byte aligned stack buffer
// that stays in L1 while every output-channel panel of the task runs the register-blocked
// MR x NR micro-kernel over it (MR*NV accumulators of VW floats; VW is 8 for AVX2 and 16 for
// AVX-512, picked by the compiler from --cpu). With K split into blocks, partial sums go
// through Y. The last block applies the epilogue: + bias[o], + residual (same layout as Y),
// then the activation (kc::Activation: none, relu, clamp [lo, hi]), and stores Y once.
//
//   conv_gemm_f32_vVW_MRxNV
//     [N, C, O, groups, ID, IH, IW, OD, OH, OW, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw,
//      has_bias, act, lo_bits, hi_bits, has_res, kc, p_tasks, o_tasks]
//     b = [x, A (packed weights), y, bias, residual]
//     range: N * groups * p_tasks * o_tasks; task t covers P panels [pt*PB, ...) and O panels
//     [ot*OB, ...) of image/group t / (p_tasks*o_tasks), where PB = ceil(P panels / p_tasks),
//     OB = ceil(O panels / o_tasks).
//
//   conv_dw_f32 (cpg == 1: depthwise, any channel multiplier; 2-d; 3x3 / 5x5 stride 1 / 2
//   without dilation take the register-blocked ConvDwFast path)
//     [N, C, O, IH, IW, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, has_bias, act, lo_bits,
//      hi_bits, has_res]   b = [x, w, y, bias, residual]   range: N * O (planes)
//     Per output row the taps accumulate into a stack row (registers / L1), then the epilogue
//     writes the row once.
//
//   gemm_packed_f32_vVW_MRxNV [M, N, K, has_bias, act, lo_bits, hi_bits, kc, m_tasks, n_tasks]
//     b = [A (row-major [M, K]), Bp (packed at compile time), C, bias]   range: m_tasks * n_tasks
//     (task t: N part t / m_tasks, M part t % m_tasks). Per K block, a task packs MR rows of A
//     at a time into a stack block and runs them against each of its B panels; a tile with
//     one valid row (batch 1) or at most MR/2 uses a shorter micro-kernel.
//     Bp[panel][k][j] = B[k][panel*NR + j] (zero past N); C = act(A @ B + bias).
#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vec_tile.h"

namespace kk {
namespace {

namespace kc = kiln::cpu::kc;

inline int64_t FloorDivI(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Output columns o in [lo, hi) of a segment [o0, o0 + len) whose input column o*s + shift
// lies in [0, in).
inline void SegRange(int64_t o0, int64_t len, int64_t in, int64_t s, int64_t shift, int64_t* lo, int64_t* hi) {
  int64_t l = shift >= 0 ? 0 : (-shift + s - 1) / s;
  int64_t h = FloorDivI(in - 1 - shift, s) + 1;
  l = Max(l, o0);
  h = Min(h, o0 + len);
  *lo = l;
  *hi = Max(h, l);
}

using kc::kPackFloats;

struct ConvGeom {
  int64_t C, O, groups, ID, IH, IW, OD, OH, OW, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw;
};

// Packs X_col rows [k0, k1) x columns [p0, p0 + NR) of one image/group into buf ([k][NR]).
template <int NR>
__attribute__((always_inline)) inline void PackCols(const ConvGeom& g, const float* xg, int64_t P, int64_t p0,
                                                    int64_t k0, int64_t k1, float* buf) {
  int64_t kplane = g.KD * g.KH * g.KW, in_plane = g.ID * g.IH * g.IW;
  int64_t c = k0 / kplane, r = k0 % kplane;
  int64_t kd = r / (g.KH * g.KW), kh = (r / g.KW) % g.KH, kw = r % g.KW;
  // Start position of the column block.
  int64_t ow0 = p0 % g.OW, oh0 = (p0 / g.OW) % g.OH, od0 = p0 / (g.OW * g.OH);
  for (int64_t k = k0; k < k1; ++k) {
    float* dst = buf + (k - k0) * NR;
    const float* xc = xg + c * in_plane;
    int64_t j = 0, ow = ow0, oh = oh0, od = od0;
    int64_t shift = kw * g.dw - g.pw;
    while (j < NR) {
      if (p0 + j >= P) {
        for (; j < NR; ++j) dst[j] = 0.0f;
        break;
      }
      int64_t seg = Min(int64_t(NR) - j, g.OW - ow);
      int64_t id = od * g.sd - g.pd + kd * g.dd, ih = oh * g.sh - g.ph + kh * g.dh;
      float* d = dst + j - ow;  // d[o] for output column o
      if (id < 0 || id >= g.ID || ih < 0 || ih >= g.IH) {
        for (int64_t o = ow; o < ow + seg; ++o) d[o] = 0.0f;
      } else {
        const float* src = xc + (id * g.IH + ih) * g.IW + shift;  // src[o * sw] = input column
        int64_t lo, hi;
        SegRange(ow, seg, g.IW, g.sw, shift, &lo, &hi);
        for (int64_t o = ow; o < lo; ++o) d[o] = 0.0f;
        if (g.sw == 1) {
          for (int64_t o = lo; o < hi; ++o) d[o] = src[o];
        } else {
          for (int64_t o = lo; o < hi; ++o) d[o] = src[o * g.sw];
        }
        for (int64_t o = hi; o < ow + seg; ++o) d[o] = 0.0f;
      }
      j += seg;
      ow += seg;
      if (ow == g.OW) {
        ow = 0;
        if (++oh == g.OH) {
          oh = 0;
          ++od;
        }
      }
    }
    if (++kw == g.KW) {
      kw = 0;
      if (++kh == g.KH) {
        kh = 0;
        if (++kd == g.KD) {
          kd = 0;
          ++c;
        }
      }
    }
  }
}

// The most ints of a PackColsTable offset table (taps * NR).
constexpr int64_t kTableInts = 4096;

// For output columns [p0, p0 + NR) and every tap (kd, kh, kw): the input element's offset in
// its channel plane, or -1 (padding / past P). Taps do not depend on the channel, so one
// table serves every row of X_col.
template <int NR>
__attribute__((always_inline)) inline void BuildTable(const ConvGeom& g, int64_t P, int64_t p0, int32_t* tab) {
  int64_t ow0 = p0 % g.OW, oh0 = (p0 / g.OW) % g.OH, od0 = p0 / (g.OW * g.OH);
  int64_t tap = 0;
  for (int64_t kd = 0; kd < g.KD; ++kd)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw, ++tap) {
        int64_t ow = ow0, oh = oh0, od = od0;
        for (int64_t j = 0; j < NR; ++j) {
          int32_t off = -1;
          if (p0 + j < P) {
            int64_t id = od * g.sd - g.pd + kd * g.dd, ih = oh * g.sh - g.ph + kh * g.dh, iw = ow * g.sw - g.pw + kw * g.dw;
            if (id >= 0 && id < g.ID && ih >= 0 && ih < g.IH && iw >= 0 && iw < g.IW)
              off = static_cast<int32_t>((id * g.IH + ih) * g.IW + iw);
          }
          tab[tap * NR + j] = off;
          if (++ow == g.OW) {
            ow = 0;
            if (++oh == g.OH) {
              oh = 0;
              ++od;
            }
          }
        }
      }
}

// PackCols through the table: one (unconditional, in-bounds) load and a select per element.
template <int NR>
__attribute__((always_inline)) inline void PackColsTable(const ConvGeom& g, const float* xg, const int32_t* tab,
                                                         int64_t k0, int64_t k1, float* buf) {
  int64_t kplane = g.KD * g.KH * g.KW, in_plane = g.ID * g.IH * g.IW;
  int64_t c = k0 / kplane, tap = k0 % kplane;
  for (int64_t k = k0; k < k1; ++k) {
    const float* xc = xg + c * in_plane;
    const int32_t* o = tab + tap * NR;
    float* dst = buf + (k - k0) * NR;
    for (int j = 0; j < NR; ++j) {
      int32_t off = o[j];
      float v = xc[off < 0 ? 0 : off];
      dst[j] = off < 0 ? 0.0f : v;
    }
    if (++tap == kplane) {
      tap = 0;
      ++c;
    }
  }
}

// acc[MR][NV] += A panel [kc][MR] @ B block [kc][NR].
// LDA: the panel's row count (>= MR; a short tile uses the first MR rows of a wider panel).
template <int VW, int MR, int NV, int LDA = MR>
__attribute__((always_inline)) inline void MicroKernel(const float* a, const float* bp, int64_t kc,
                                                       typename VecT<VW>::type (&acc)[MR][NV]) {
  typedef typename VecT<VW>::type V;
  constexpr int NR = VW * NV;
  for (int64_t k = 0; k < kc; ++k) {
    V bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = LoadV<VW>(bp + k * NR + v * VW);
    for (int r = 0; r < MR; ++r) {
      V av = a[k * LDA + r] - (V){};
      for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + av * bv[v];
    }
  }
}


// Loads (first == false) / stores an MR x NR tile of a row-major output with leading
// dimension ld; rows >= rows_valid and columns >= cols_valid are not touched.
template <int VW, int MR, int NV>
__attribute__((always_inline)) inline void LoadTile(typename VecT<VW>::type (&acc)[MR][NV], const float* c, int64_t ld,
                                                    int64_t rows_valid, int64_t cols_valid) {
  constexpr int NR = VW * NV;
  if (rows_valid == MR && cols_valid == NR) {
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = LoadV<VW>(c + r * ld + v * VW);
    return;
  }
  alignas(64) float tmp[MR * NR];
  for (int64_t i = 0; i < MR * NR; ++i) tmp[i] = 0.0f;
  for (int64_t r = 0; r < rows_valid; ++r)
    for (int64_t j = 0; j < cols_valid; ++j) tmp[r * NR + j] = c[r * ld + j];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = LoadV<VW>(tmp + r * NR + v * VW);
}

template <int VW, int MR, int NV>
__attribute__((always_inline)) inline void StoreTile(typename VecT<VW>::type (&acc)[MR][NV], float* c, int64_t ld,
                                                     int64_t rows_valid, int64_t cols_valid, bool last,
                                                     const Epilogue& e, int64_t row0, int64_t res_off) {
  typedef typename VecT<VW>::type V;
  constexpr int NR = VW * NV;
  if (last) {
    if (e.bias) {
      for (int r = 0; r < MR; ++r) {
        V bv = (r < rows_valid ? e.bias[row0 + r] : 0.0f) - (V){};
        for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + bv;
      }
    }
  }
  if (rows_valid == MR && cols_valid == NR) {
    if (last && e.res) {
      const float* rp = e.res + res_off;
      for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + LoadV<VW>(rp + r * ld + v * VW);
    }
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) StoreV<VW>(c + r * ld + v * VW, last ? ActV<VW>(acc[r][v], e.act, e.lo, e.hi) : acc[r][v]);
    return;
  }
  alignas(64) float tmp[MR * NR];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) StoreV<VW>(tmp + r * NR + v * VW, acc[r][v]);
  for (int64_t r = 0; r < rows_valid; ++r) {
    for (int64_t j = 0; j < cols_valid; ++j) {
      float s = tmp[r * NR + j];
      if (last) {
        if (e.res) s += e.res[res_off + r * ld + j];
        s = Act(s, e.act, e.lo, e.hi);
      }
      c[r * ld + j] = s;
    }
  }
}

template <int VW, int MR, int NV>
void ConvGemm(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  typedef typename VecT<VW>::type V;
  constexpr int NR = VW * NV;
  ConvGeom g{p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12],
             p[13], p[14], p[15], p[16], p[17], p[18], p[19], p[20], p[21]};
  Epilogue e = DecodeEpilogue(p, 22, b, 3, 4);
  int64_t kcb = p[27], p_tasks = p[28], o_tasks = p[29];
  const float* x = Buf<const float>(b, 0);
  const float* A = Buf<const float>(b, 1);
  float* y = Buf<float>(b, 2);
  int64_t cpg = g.C / g.groups, opg = g.O / g.groups;
  int64_t K = cpg * g.KD * g.KH * g.KW;
  int64_t P = g.OD * g.OH * g.OW, in_plane = g.ID * g.IH * g.IW;
  int64_t p_panels = (P + NR - 1) / NR, o_panels = (opg + MR - 1) / MR;
  int64_t PB = (p_panels + p_tasks - 1) / p_tasks, OB = (o_panels + o_tasks - 1) / o_tasks;
  alignas(64) float buf[kPackFloats];
  // Narrow outputs (many row segments per panel) pack through an offset table.
  bool use_table = g.OW * 2 < NR && g.KD * g.KH * g.KW * NR <= kTableInts;
  int32_t tab[kTableInts];
  for (int64_t t = begin; t < end; ++t) {
    int64_t ng = t / (p_tasks * o_tasks), rest = t % (p_tasks * o_tasks);
    int64_t pt = rest / o_tasks, ot = rest % o_tasks;
    int64_t n = ng / g.groups, grp = ng % g.groups;
    int64_t pp0 = pt * PB, pp1 = Min(pp0 + PB, p_panels), op0 = ot * OB, op1 = Min(op0 + OB, o_panels);
    const float* xg = x + (n * g.C + grp * cpg) * in_plane;
    const float* Ag = A + grp * o_panels * K * MR;
    int64_t ybase = (n * g.O + grp * opg) * P;
    float* yg = y + ybase;
    for (int64_t k0 = 0; k0 < K; k0 += kcb) {
      int64_t k1 = Min(k0 + kcb, K);
      bool first = k0 == 0, last = k1 == K;
      for (int64_t pp = pp0; pp < pp1; ++pp) {
        int64_t pcol = pp * NR;
        if (use_table) {
          BuildTable<NR>(g, P, pcol, tab);
          PackColsTable<NR>(g, xg, tab, k0, k1, buf);
        } else {
          PackCols<NR>(g, xg, P, pcol, k0, k1, buf);
        }
        int64_t cols = Min(int64_t(NR), P - pcol);
        for (int64_t op = op0; op < op1; ++op) {
          int64_t row0 = op * MR, rows = Min(int64_t(MR), opg - row0);
          V acc[MR][NV];
          float* c = yg + row0 * P + pcol;
          if (first) {
            for (int r = 0; r < MR; ++r)
              for (int v = 0; v < NV; ++v) acc[r][v] = (V){};
          } else {
            LoadTile<VW, MR, NV>(acc, c, P, rows, cols);
          }
          MicroKernel<VW, MR, NV>(Ag + k0 * o_panels * MR + op * (k1 - k0) * MR, buf, k1 - k0, acc);
          StoreTile<VW, MR, NV>(acc, c, P, rows, cols, last, e, grp * opg + row0, ybase + row0 * P + pcol);
        }
      }
    }
  }
}

// Depthwise fast path: square K x K kernel, stride S in both dims, no dilation. The input
// rows a plane's output row needs live in a ring of K zero-padded rows on the stack (each
// input row is copied once per plane for S == 1; for S == 2 a ring row holds the even padded
// columns, then the odd ones, so every tap is a contiguous load); an output row is computed in
// blocks of NV vectors of 8 columns that stay in registers over all K*K taps, then bias /
// residual / activation and one store.
constexpr int kDwVW = 8;
constexpr int64_t kDwPadRow = 1024;  // floats per padded ring row

template <int K, int S, int NV>
__attribute__((always_inline)) inline void DwBlock(const float* const* rows, int64_t E, const float* wk, int64_t ow0,
                                                   float init, const float* rr, float* yr, int64_t OW,
                                                   const Epilogue& e) {
  typedef VecT<kDwVW>::type V;
  // Narrow blocks (NV <= 2) keep one accumulator chain per kernel row so the FMAs overlap.
  constexpr int CH = NV <= 2 ? K : 1;
  V acc[NV], part[CH][NV];
  for (int q = 0; q < CH; ++q)
    for (int v = 0; v < NV; ++v) part[q][v] = (q == 0 ? init : 0.0f) - (V){};
  for (int kh = 0; kh < K; ++kh) {
    V* acc = part[CH == 1 ? 0 : kh];
    const float* r = rows[kh] + ow0;
    for (int kw = 0; kw < K; ++kw) {
      V wv = wk[kh * K + kw] - (V){};
      for (int v = 0; v < NV; ++v) {
        V xv;
        if (S == 1) {
          xv = LoadV<kDwVW>(r + kw + v * kDwVW);
        } else {  // padded column 2*ow + kw: the even / odd half
          xv = LoadV<kDwVW>(r + (kw & 1) * E + (kw >> 1) + v * kDwVW);
        }
        acc[v] = acc[v] + wv * xv;
      }
    }
  }
  for (int v = 0; v < NV; ++v) {
    acc[v] = part[0][v];
    for (int q = 1; q < CH; ++q) acc[v] = acc[v] + part[q][v];
  }
  for (int v = 0; v < NV; ++v) {
    int64_t c0 = ow0 + v * kDwVW;
    if (c0 >= OW) break;
    if (c0 + kDwVW <= OW) {
      V a = acc[v];
      if (rr) a = a + LoadV<kDwVW>(rr + c0);
      StoreV<kDwVW>(yr + c0, ActV<kDwVW>(a, e.act, e.lo, e.hi));
    } else {
      alignas(32) float tmp[kDwVW];
      StoreV<kDwVW>(tmp, acc[v]);
      for (int64_t j = 0; j < OW - c0; ++j) yr[c0 + j] = Act(tmp[j] + (rr ? rr[c0 + j] : 0.0f), e.act, e.lo, e.hi);
    }
  }
}

template <int K, int S>
void ConvDwFast(const float* x, const float* w, float* y, int64_t C, int64_t O, int64_t IH, int64_t IW, int64_t OH,
                int64_t OW, int64_t ph, int64_t pw, const Epilogue& e, int64_t begin, int64_t end) {
  int64_t mult = O / C;
  int64_t OWv = (OW + kDwVW - 1) / kDwVW * kDwVW;
  int64_t L = OWv * S + 2 * K + 2 * kDwVW;  // even: [0, E) and odd: [E, 2E) halves for S == 2
  int64_t E = L / 2;
  int64_t ncopy = Min(IW, (S == 1 ? L : 2 * E) - pw);
  alignas(64) float ring[K][kDwPadRow];
  for (int r = 0; r < K; ++r)
    for (int64_t j = 0; j < L; ++j) ring[r][j] = 0.0f;
  const float* rows[K];
  for (int64_t t = begin; t < end; ++t) {
    int64_t n = t / O, o = t % O, c = o / mult;
    const float* xp = x + (n * C + c) * IH * IW;
    const float* wk = w + o * K * K;
    float* yp = y + t * OH * OW;
    const float* rp = e.res ? e.res + t * OH * OW : nullptr;
    float init = e.bias ? e.bias[o] : 0.0f;
    int64_t next = -ph;  // the next input row to put in the ring
    for (int64_t oh = 0; oh < OH; ++oh) {
      int64_t ih0 = oh * S - ph;
      for (int64_t ih = Max(next, ih0); ih < ih0 + K; ++ih) {
        bool in = ih >= 0 && ih < IH;
        if (S == 1) {
          float* d = ring[(ih + ph) % K] + pw;
          if (in) {
            memcpy(d, xp + ih * IW, ncopy * sizeof(float));
          } else {
            for (int64_t j = 0; j < ncopy; ++j) d[j] = 0.0f;
          }
        } else {  // de-interleave: padded column q goes to (q odd ? E : 0) + q / 2
          float* d = ring[(ih + ph) % K];
          const float* src = xp + ih * IW;
          if (in) {
            for (int64_t j = 0; j < ncopy; ++j) d[((pw + j) & 1) * E + ((pw + j) >> 1)] = src[j];
          } else {
            for (int64_t j = 0; j < ncopy; ++j) d[((pw + j) & 1) * E + ((pw + j) >> 1)] = 0.0f;
          }
        }
      }
      next = Max(next, ih0 + K);
      for (int kh = 0; kh < K; ++kh) rows[kh] = ring[(ih0 + kh + ph) % K];
      float* yr = yp + oh * OW;
      const float* rr = rp ? rp + oh * OW : nullptr;
      int64_t ow0 = 0;
      for (; ow0 + 4 * kDwVW <= OWv; ow0 += 4 * kDwVW) DwBlock<K, S, 4>(rows, E, wk, ow0, init, rr, yr, OW, e);
      if (ow0 + 2 * kDwVW <= OWv) {
        DwBlock<K, S, 2>(rows, E, wk, ow0, init, rr, yr, OW, e);
        ow0 += 2 * kDwVW;
      }
      if (ow0 < OWv) DwBlock<K, S, 1>(rows, E, wk, ow0, init, rr, yr, OW, e);
    }
  }
}

// Depthwise (cpg == 1) 2-d convolution.
void ConvDw(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t C = p[1], O = p[2], IH = p[3], IW = p[4], OH = p[5], OW = p[6], KH = p[7], KW = p[8];
  int64_t sh = p[9], sw = p[10], ph = p[11], pw = p[12], dh = p[13], dw = p[14];
  Epilogue e = DecodeEpilogue(p, 15, b, 3, 4);
  const float* x = Buf<const float>(b, 0);
  const float* w = Buf<const float>(b, 1);
  float* y = Buf<float>(b, 2);
  if (KH == KW && sh == sw && dh == 1 && dw == 1 && ph < KH && pw < KW &&
      ((OW + kDwVW - 1) / kDwVW * kDwVW) * sw + 2 * KW + 2 * kDwVW <= kDwPadRow) {
    if (KH == 3 && sh == 1) return ConvDwFast<3, 1>(x, w, y, C, O, IH, IW, OH, OW, ph, pw, e, begin, end);
    if (KH == 3 && sh == 2) return ConvDwFast<3, 2>(x, w, y, C, O, IH, IW, OH, OW, ph, pw, e, begin, end);
    if (KH == 5 && sh == 1) return ConvDwFast<5, 1>(x, w, y, C, O, IH, IW, OH, OW, ph, pw, e, begin, end);
    if (KH == 5 && sh == 2) return ConvDwFast<5, 2>(x, w, y, C, O, IH, IW, OH, OW, ph, pw, e, begin, end);
  }
  int64_t mult = O / C;
  float row[kc::kDwMaxRow];
  for (int64_t t = begin; t < end; ++t) {
    int64_t n = t / O, o = t % O, c = o / mult;
    const float* xp = x + (n * C + c) * IH * IW;
    const float* wk = w + o * KH * KW;
    float* yp = y + t * OH * OW;
    const float* rp = e.res ? e.res + t * OH * OW : nullptr;
    float init = e.bias ? e.bias[o] : 0.0f;
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) row[ow] = init;
      for (int64_t kh = 0; kh < KH; ++kh) {
        int64_t ih = oh * sh - ph + kh * dh;
        if (ih < 0 || ih >= IH) continue;
        const float* xr = xp + ih * IW;
        for (int64_t kw = 0; kw < KW; ++kw) {
          float wv = wk[kh * KW + kw];
          int64_t shift = kw * dw - pw, lo, hi;
          SegRange(0, OW, IW, sw, shift, &lo, &hi);
          const float* src = xr + shift;
          if (sw == 1) {
            for (int64_t ow = lo; ow < hi; ++ow) row[ow] += wv * src[ow];
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) row[ow] += wv * src[ow * sw];
          }
        }
      }
      float* yr = yp + oh * OW;
      if (rp) {
        const float* rr = rp + oh * OW;
        for (int64_t ow = 0; ow < OW; ++ow) yr[ow] = Act(row[ow] + rr[ow], e.act, e.lo, e.hi);
      } else {
        for (int64_t ow = 0; ow < OW; ++ow) yr[ow] = Act(row[ow], e.act, e.lo, e.hi);
      }
    }
  }
}

// One MR x NR tile of C: accumulate over a K block, the column bias and the activation on the
// last block.
template <int VW, int MR, int NV, int LDA>
__attribute__((always_inline)) inline void GemmTile(const float* apack, const float* bp, int64_t kl, float* c,
                                                    int64_t ldc, int64_t rows, int64_t cols, bool first, bool last,
                                                    const float* bias, int64_t col0, int64_t act, float lo, float hi) {
  typedef typename VecT<VW>::type V;
  constexpr int NR = VW * NV;
  V acc[MR][NV];
  if (first) {
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = (V){};
  } else {
    LoadTile<VW, MR, NV>(acc, c, ldc, Min(rows, int64_t(MR)), cols);
  }
  MicroKernel<VW, MR, NV, LDA>(apack, bp, kl, acc);
  if (last && bias) {
    V bv[NV];
    if (cols == NR) {
      for (int v = 0; v < NV; ++v) bv[v] = LoadV<VW>(bias + col0 + v * VW);
    } else {
      alignas(64) float bt[NR];
      for (int j = 0; j < NR; ++j) bt[j] = j < cols ? bias[col0 + j] : 0.0f;
      for (int v = 0; v < NV; ++v) bv[v] = LoadV<VW>(bt + v * VW);
    }
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + bv[v];
  }
  Epilogue e{nullptr, nullptr, act, lo, hi};
  StoreTile<VW, MR, NV>(acc, c, ldc, Min(rows, int64_t(MR)), cols, last, e, 0, 0);
}

// C[M, N] = act(A[M, K] @ B + bias) with B packed in panels of NR columns. Here the rows of
// the micro-tile are rows of A (broadcast) and its columns are output columns (vectors).
template <int VW, int MR, int NV>
void GemmPacked(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  constexpr int NR = VW * NV;
  int64_t M = p[0], N = p[1], K = p[2];
  bool has_bias = p[3] != 0;
  int64_t act = p[4];
  float lo = static_cast<float>(F64(p[5])), hi = static_cast<float>(F64(p[6]));
  int64_t kcb = p[7], m_tasks = p[8], n_tasks = p[9];
  const float* A = Buf<const float>(b, 0);
  const float* Bp = Buf<const float>(b, 1);
  float* C = Buf<float>(b, 2);
  const float* bias = has_bias ? Buf<const float>(b, 3) : nullptr;
  int64_t m_panels = (M + MR - 1) / MR, n_panels = (N + NR - 1) / NR;
  int64_t MB = (m_panels + m_tasks - 1) / m_tasks, NB = (n_panels + n_tasks - 1) / n_tasks;
  alignas(64) float apack[kPackFloats];
  for (int64_t t = begin; t < end; ++t) {
    int64_t nt = t / m_tasks, mt = t % m_tasks;  // consecutive tasks share B panels
    int64_t mp0 = mt * MB, mp1 = Min(mp0 + MB, m_panels), np0 = nt * NB, np1 = Min(np0 + NB, n_panels);
    for (int64_t k0 = 0; k0 < K; k0 += kcb) {
      int64_t k1 = Min(k0 + kcb, K), kl = k1 - k0;
      bool first = k0 == 0, last = k1 == K;
      for (int64_t mp = mp0; mp < mp1; ++mp) {
        int64_t row0 = mp * MR, rows = Min(int64_t(MR), M - row0);
        // A block [kc][MR] (transposed rows of A), zero rows past M.
        for (int64_t r = 0; r < MR; ++r) {
          if (r < rows) {
            const float* ar = A + (row0 + r) * K + k0;
            for (int64_t k = 0; k < kl; ++k) apack[k * MR + r] = ar[k];
          } else {
            for (int64_t k = 0; k < kl; ++k) apack[k * MR + r] = 0.0f;
          }
        }
        for (int64_t np = np0; np < np1; ++np) {
          int64_t col0 = np * NR, cols = Min(int64_t(NR), N - col0);
          float* c = C + row0 * N + col0;
          const float* bp = Bp + np * K * NR + k0 * NR;
          if (rows == 1) {  // a single row (batch 1): no wasted rows
            GemmTile<VW, 1, NV, MR>(apack, bp, kl, c, N, rows, cols, first, last, bias, col0, act, lo, hi);
          } else if (rows <= MR / 2) {
            GemmTile<VW, MR / 2, NV, MR>(apack, bp, kl, c, N, rows, cols, first, last, bias, col0, act, lo, hi);
          } else {
            GemmTile<VW, MR, NV, MR>(apack, bp, kl, c, N, rows, cols, first, last, bias, col0, act, lo, hi);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace kk

#define KILN_CONV_GEMM(VW, MR, NV)                                            \
  KILN_KERNEL(conv_gemm_f32_v##VW##_##MR##x##NV) { kk::ConvGemm<VW, MR, NV>(p, b, begin, end); } \
  KILN_KERNEL(gemm_packed_f32_v##VW##_##MR##x##NV) { kk::GemmPacked<VW, MR, NV>(p, b, begin, end); }

// The micro-tiles the compiler may pick (kernel_codes.h lists them too).
KILN_CONV_GEMM(16, 8, 3)
KILN_CONV_GEMM(16, 12, 2)
KILN_CONV_GEMM(16, 24, 1)
KILN_CONV_GEMM(8, 6, 2)
KILN_CONV_GEMM(8, 4, 3)
KILN_CONV_GEMM(8, 12, 1)

KILN_KERNEL(conv_dw_f32) { kk::ConvDw(p, b, begin, end); }
