// Layers I spatial ops: pad, conv_transpose, unfold (im2col), fold (col2im), upsample.
// conv_transpose, unfold, fold and upsample map 1-3 trailing spatial dims onto 3-d geometry
// (D, H, W), missing leading spatial dims having size 1 (and stride/dilation 1, padding 0).
// Every index table (pad's source indices, upsample's source taps and lambdas) is computed by
// the compiler, exactly as the reference computes it, and passed as a weights buffer.
//
//   pad_wS [nd, inner, out[8], in[8], lo, hi, left, fill]  b = [x, tables, y]
//     range: outer * prod(out[0, nd-1))  (one output row each)
//     The padded region is nd dims (the first to the last padded dim); the dims before it
//     are `outer` independent blocks, those after it `inner` contiguous elements moved as
//     one unit. tables: for each of the nd dims, out[d] i64 entries, the source index of each
//     output position or -1 (the constant fill). Along the last dim, positions [lo, hi) read
//     source position j - left (the contiguous middle, a plain copy); the others go through
//     the table. fill: the fill value's bits (zero-extended).
//   conv_transpose_DT [N, C, O, groups, ID, IH, IW, OD, OH, OW, KD, KH, KW, sd, sh, sw,
//                      pd, ph, pw, dd, dh, dw, has_bias]   b = [x, w, y, bias]  range: N * O
//     For each (image, output channel) the plane starts at the bias and every (input
//     channel of the group, tap) scatters a scaled input row into an output row with the
//     stride; the row loop runs over the input columns that land in the output only.
//   unfold_wS [planes, ID, IH, IW, BD, BH, BW, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw]
//     b = [x, y]  range: planes * taps  (one output row [BD*BH*BW] each; zeros in the padding)
//   fold_DT   [planes, ID, IH, IW, BD, BH, BW, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw,
//              has_bias, channels]
//     b = [x, y, bias]  range: planes  (I* is the output image; overlapping taps are summed in
//     the reference's order: tap, then block; a plane starts at bias[plane % channels], or 0)
//   upsample_nearest_wS [planes, ID, IH, IW, OD, OH, OW]  b = [x, index (i64, OD+OH+OW), y]
//     range: planes * OD * OH  (one output row each)
//   upsample_linear_DT  [planes, ID, IH, IW, OD, OH, OW, lin_d, lin_h]
//     b = [x, index (i64), lambda (DT), y]  range: planes * OD * OH
//     Per dim of output size S (d, h, w in order): i0[S], i1[S] in index and l0[S], l1[S] in
//     lambda. lin_d / lin_h: 0 for a padding dim (one tap), 1 for a resized dim (two taps);
//     the W dim is always resized.
#include "codegen/cpu/kernels/kernel_abi.h"

namespace kk {
namespace {

inline int64_t SpFloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Positions o in [lo, hi) (of `count`) whose target o*s + shift lies in [0, size).
inline void SpanInRange(int64_t count, int64_t size, int64_t s, int64_t shift, int64_t* lo, int64_t* hi) {
  int64_t l = shift >= 0 ? 0 : (-shift + s - 1) / s;
  int64_t h = SpFloorDiv(size - 1 - shift, s) + 1;
  *lo = Min(Max(l, int64_t(0)), count);
  *hi = Max(Min(h, count), *lo);
}

// ---- pad ----

template <typename W>
void Pad(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t nd = p[0], inner = p[1];
  const int64_t* out = p + 2;
  const int64_t* in = p + 10;
  int64_t lo = p[18], hi = p[19], left = p[20];
  W fill = static_cast<W>(static_cast<uint64_t>(p[21]));
  const W* x = Buf<const W>(b, 0);
  const int64_t* tab = Buf<const int64_t>(b, 1);
  W* y = Buf<W>(b, 2);
  int64_t rows = 1, in_rows = 1, last_tab = 0;
  for (int64_t d = 0; d + 1 < nd; ++d) {
    rows *= out[d];
    in_rows *= in[d];
    last_tab += out[d];
  }
  if (rows == 0) return;
  int64_t OL = out[nd - 1], IL = in[nd - 1];
  int64_t row_out = OL * inner, row_in = IL * inner;
  const int64_t* tl = tab + last_tab;
  for (int64_t t = begin; t < end; ++t) {
    int64_t blk = t / rows, rem = t % rows;
    int64_t src = 0, stride = 1, tb = last_tab;
    bool valid = true;
    for (int64_t d = nd - 2; d >= 0; --d) {
      int64_t idx = rem % out[d];
      rem /= out[d];
      tb -= out[d];
      int64_t s = tab[tb + idx];
      valid = valid && s >= 0;
      src += s * stride;
      stride *= in[d];
    }
    W* yr = y + t * row_out;
    if (!valid) {
      for (int64_t i = 0; i < row_out; ++i) yr[i] = fill;
      continue;
    }
    const W* xr = x + (blk * in_rows + src) * row_in;
    // The contiguous middle.
    const W* xm = xr - left * inner;
    for (int64_t i = lo * inner; i < hi * inner; ++i) yr[i] = xm[i];
    // The edges, through the last dim's table.
    for (int64_t j = 0; j < OL; ++j) {
      if (j == lo) j = hi;
      if (j >= OL) break;
      int64_t s = tl[j];
      W* ye = yr + j * inner;
      if (s < 0) {
        for (int64_t i = 0; i < inner; ++i) ye[i] = fill;
      } else {
        const W* xe = xr + s * inner;
        for (int64_t i = 0; i < inner; ++i) ye[i] = xe[i];
      }
    }
  }
}

// ---- conv_transpose ----

template <typename T>
void ConvTranspose(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t C = p[1], O = p[2], groups = p[3];
  int64_t ID = p[4], IH = p[5], IW = p[6], OD = p[7], OH = p[8], OW = p[9], KD = p[10], KH = p[11], KW = p[12];
  int64_t sd = p[13], sh = p[14], sw = p[15], pd = p[16], ph = p[17], pw = p[18], dd = p[19], dh = p[20], dw = p[21];
  bool has_bias = p[22] != 0;
  const T* x = Buf<const T>(b, 0);
  const T* w = Buf<const T>(b, 1);
  T* y = Buf<T>(b, 2);
  const T* bias = has_bias ? Buf<const T>(b, 3) : nullptr;
  int64_t cpg = C / groups, opg = O / groups;
  int64_t in_plane = ID * IH * IW, out_plane = OD * OH * OW, k_plane = KD * KH * KW;
  for (int64_t t = begin; t < end; ++t) {
    int64_t n = t / O, o = t % O, g = o / opg, ol = o % opg;
    T* yp = y + t * out_plane;
    T init = bias ? bias[o] : T(0);
    for (int64_t i = 0; i < out_plane; ++i) yp[i] = init;
    for (int64_t icl = 0; icl < cpg; ++icl) {
      int64_t ic = g * cpg + icl;
      const T* xp = x + (n * C + ic) * in_plane;
      const T* wk = w + (ic * opg + ol) * k_plane;
      for (int64_t kd = 0; kd < KD; ++kd) {
        for (int64_t kh = 0; kh < KH; ++kh) {
          for (int64_t kw = 0; kw < KW; ++kw) {
            T wv = wk[(kd * KH + kh) * KW + kw];
            int64_t shift = kw * dw - pw;  // output column = iw * sw + shift
            int64_t lo, hi;
            SpanInRange(IW, OW, sw, shift, &lo, &hi);
            if (lo >= hi) continue;
            for (int64_t id = 0; id < ID; ++id) {
              int64_t od = id * sd - pd + kd * dd;
              if (od < 0 || od >= OD) continue;
              for (int64_t ih = 0; ih < IH; ++ih) {
                int64_t oh = ih * sh - ph + kh * dh;
                if (oh < 0 || oh >= OH) continue;
                T* yr = yp + (od * OH + oh) * OW + shift;
                const T* xr = xp + (id * IH + ih) * IW;
                if (sw == 1) {
                  for (int64_t iw = lo; iw < hi; ++iw) yr[iw] += wv * xr[iw];
                } else {
                  for (int64_t iw = lo; iw < hi; ++iw) yr[iw * sw] += wv * xr[iw];
                }
              }
            }
          }
        }
      }
    }
  }
}

// ---- unfold / fold ----

struct Im2ColGeom {
  int64_t ID, IH, IW, BD, BH, BW, KD, KH, KW, sd, sh, sw, pd, ph, pw, dd, dh, dw;
};

inline Im2ColGeom ReadGeom(const int64_t* p) {
  return Im2ColGeom{p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9],
                    p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17], p[18]};
}

template <typename W>
void Unfold(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  Im2ColGeom g = ReadGeom(p);
  const W* x = Buf<const W>(b, 0);
  W* y = Buf<W>(b, 1);
  int64_t taps = g.KD * g.KH * g.KW, blocks = g.BD * g.BH * g.BW, in_plane = g.ID * g.IH * g.IW;
  for (int64_t t = begin; t < end; ++t) {
    int64_t plane = t / taps, k = t % taps;
    int64_t kd = k / (g.KH * g.KW), kh = (k / g.KW) % g.KH, kw = k % g.KW;
    const W* xp = x + plane * in_plane;
    W* yr = y + t * blocks;
    int64_t shift = kw * g.dw - g.pw;  // input column = bw * sw + shift
    int64_t lo, hi;
    SpanInRange(g.BW, g.IW, g.sw, shift, &lo, &hi);
    for (int64_t bd = 0; bd < g.BD; ++bd) {
      int64_t id = bd * g.sd - g.pd + kd * g.dd;
      for (int64_t bh = 0; bh < g.BH; ++bh) {
        int64_t ih = bh * g.sh - g.ph + kh * g.dh;
        W* row = yr + (bd * g.BH + bh) * g.BW;
        if (id < 0 || id >= g.ID || ih < 0 || ih >= g.IH) {
          for (int64_t bw = 0; bw < g.BW; ++bw) row[bw] = W(0);
          continue;
        }
        const W* xr = xp + (id * g.IH + ih) * g.IW + shift;
        for (int64_t bw = 0; bw < lo; ++bw) row[bw] = W(0);
        if (g.sw == 1) {
          for (int64_t bw = lo; bw < hi; ++bw) row[bw] = xr[bw];
        } else {
          for (int64_t bw = lo; bw < hi; ++bw) row[bw] = xr[bw * g.sw];
        }
        for (int64_t bw = hi; bw < g.BW; ++bw) row[bw] = W(0);
      }
    }
  }
}

template <typename T>
void Fold(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  Im2ColGeom g = ReadGeom(p);
  const T* x = Buf<const T>(b, 0);
  T* y = Buf<T>(b, 1);
  const T* bias = p[19] != 0 ? Buf<const T>(b, 2) : nullptr;
  const int64_t channels = p[20];
  int64_t taps = g.KD * g.KH * g.KW, blocks = g.BD * g.BH * g.BW, image = g.ID * g.IH * g.IW;
  for (int64_t plane = begin; plane < end; ++plane) {
    T* yp = y + plane * image;
    const T* xp = x + plane * taps * blocks;
    const T init = bias ? bias[plane % channels] : T(0);
    for (int64_t i = 0; i < image; ++i) yp[i] = init;
    for (int64_t kd = 0; kd < g.KD; ++kd) {
      for (int64_t kh = 0; kh < g.KH; ++kh) {
        for (int64_t kw = 0; kw < g.KW; ++kw) {
          const T* xk = xp + ((kd * g.KH + kh) * g.KW + kw) * blocks;
          int64_t shift = kw * g.dw - g.pw;  // image column = bw * sw + shift
          int64_t lo, hi;
          SpanInRange(g.BW, g.IW, g.sw, shift, &lo, &hi);
          if (lo >= hi) continue;
          for (int64_t bd = 0; bd < g.BD; ++bd) {
            int64_t id = bd * g.sd - g.pd + kd * g.dd;
            if (id < 0 || id >= g.ID) continue;
            for (int64_t bh = 0; bh < g.BH; ++bh) {
              int64_t ih = bh * g.sh - g.ph + kh * g.dh;
              if (ih < 0 || ih >= g.IH) continue;
              T* yr = yp + (id * g.IH + ih) * g.IW + shift;
              const T* xr = xk + (bd * g.BH + bh) * g.BW;
              if (g.sw == 1) {
                for (int64_t bw = lo; bw < hi; ++bw) yr[bw] += xr[bw];
              } else {
                for (int64_t bw = lo; bw < hi; ++bw) yr[bw * g.sw] += xr[bw];
              }
            }
          }
        }
      }
    }
  }
}

// ---- upsample ----

// The row loops take restrict pointers so that the gathers vectorize (the index tables and
// the input never alias the output).
template <typename W>
inline void GatherRow(W* __restrict__ y, const W* __restrict__ x, const int64_t* __restrict__ index, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[index[i]];
}

template <typename T>
inline void LerpRowAdd(T* __restrict__ y, const T* __restrict__ x, const int64_t* __restrict__ i0,
                       const int64_t* __restrict__ i1, const T* __restrict__ l0, const T* __restrict__ l1, T weight,
                       int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += weight * (l0[i] * x[i0[i]] + l1[i] * x[i1[i]]);
}

template <typename W>
void UpsampleNearest(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t ID = p[1], IH = p[2], IW = p[3], OD = p[4], OH = p[5], OW = p[6];
  const W* x = Buf<const W>(b, 0);
  const int64_t* td = Buf<const int64_t>(b, 1);
  const int64_t* th = td + OD;
  const int64_t* tw = th + OH;
  W* y = Buf<W>(b, 2);
  int64_t in_plane = ID * IH * IW, rows = OD * OH;
  for (int64_t t = begin; t < end; ++t) {
    int64_t plane = t / rows, od = (t / OH) % OD, oh = t % OH;
    const W* xr = x + plane * in_plane + (td[od] * IH + th[oh]) * IW;
    W* yr = y + t * OW;
    GatherRow(yr, xr, tw, OW);
  }
}

template <typename T>
void UpsampleLinear(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t ID = p[1], IH = p[2], IW = p[3], OD = p[4], OH = p[5], OW = p[6];
  int64_t taps_d = p[7] ? 2 : 1, taps_h = p[8] ? 2 : 1;
  const T* x = Buf<const T>(b, 0);
  const int64_t* id_tab = Buf<const int64_t>(b, 1);
  const T* l_tab = Buf<const T>(b, 2);
  T* y = Buf<T>(b, 3);
  const int64_t* ih_tab = id_tab + 2 * OD;
  const int64_t* iw0 = ih_tab + 2 * OH;
  const int64_t* iw1 = iw0 + OW;
  const T* lh_tab = l_tab + 2 * OD;
  const T* lw0 = lh_tab + 2 * OH;
  const T* lw1 = lw0 + OW;
  int64_t in_plane = ID * IH * IW, rows = OD * OH;
  for (int64_t t = begin; t < end; ++t) {
    int64_t plane = t / rows, od = (t / OH) % OD, oh = t % OH;
    const T* xp = x + plane * in_plane;
    T* yr = y + t * OW;
    for (int64_t ow = 0; ow < OW; ++ow) yr[ow] = T(0);
    for (int64_t a = 0; a < taps_d; ++a) {
      int64_t sd = id_tab[a * OD + od];
      T wd = l_tab[a * OD + od];
      for (int64_t c = 0; c < taps_h; ++c) {
        int64_t sh = ih_tab[c * OH + oh];
        T wr = wd * lh_tab[c * OH + oh];
        const T* xr = xp + (sd * IH + sh) * IW;
        LerpRowAdd(yr, xr, iw0, iw1, lw0, lw1, wr, OW);
      }
    }
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(pad_w1) { kk::Pad<uint8_t>(p, b, begin, end); }
KILN_KERNEL(pad_w2) { kk::Pad<uint16_t>(p, b, begin, end); }
KILN_KERNEL(pad_w4) { kk::Pad<uint32_t>(p, b, begin, end); }
KILN_KERNEL(pad_w8) { kk::Pad<uint64_t>(p, b, begin, end); }
KILN_KERNEL(conv_transpose_f32) { kk::ConvTranspose<float>(p, b, begin, end); }
KILN_KERNEL(conv_transpose_f64) { kk::ConvTranspose<double>(p, b, begin, end); }
KILN_KERNEL(unfold_w2) { kk::Unfold<uint16_t>(p, b, begin, end); }
KILN_KERNEL(unfold_w4) { kk::Unfold<uint32_t>(p, b, begin, end); }
KILN_KERNEL(unfold_w8) { kk::Unfold<uint64_t>(p, b, begin, end); }
KILN_KERNEL(fold_f32) { kk::Fold<float>(p, b, begin, end); }
KILN_KERNEL(fold_f64) { kk::Fold<double>(p, b, begin, end); }
KILN_KERNEL(upsample_nearest_w1) { kk::UpsampleNearest<uint8_t>(p, b, begin, end); }
KILN_KERNEL(upsample_nearest_w2) { kk::UpsampleNearest<uint16_t>(p, b, begin, end); }
KILN_KERNEL(upsample_nearest_w4) { kk::UpsampleNearest<uint32_t>(p, b, begin, end); }
KILN_KERNEL(upsample_nearest_w8) { kk::UpsampleNearest<uint64_t>(p, b, begin, end); }
KILN_KERNEL(upsample_linear_f32) { kk::UpsampleLinear<float>(p, b, begin, end); }
KILN_KERNEL(upsample_linear_f64) { kk::UpsampleLinear<double>(p, b, begin, end); }
