// Channels-last (NHWC) kernels besides the direct convolution (conv_direct.cc has
// conv_nhwc_f32_vVW_MRxNV): the zero-padded copy, the depthwise convolution and the max pool.
// All vectorize over the contiguous channels, so they run at full vector width whatever the
// spatial size (a 7x7 MobileNet stage is as efficient as a 112x112 one).
//
//   pad_nhwc_f32 [IH, IW, C, ph, pw]   b = [x, xp]   range: N * (IH + 2 ph) padded rows
//     xp[n][h][w][c] = x[n][h - ph][w - pw][c] inside, 0 in the border.
//   conv_dw_nhwc_f32 [C, IH, IW, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, has_bias, act,
//                     lo_bits, hi_bits, has_res]   b = [x, w, y, bias, residual]
//     range: N * OH output rows. w is packed at compile time as [KH*KW][C];
//     y[n][oh][ow][c] = act(sum_taps x[n][oh*sh - ph + kh*dh][ow*sw - pw + kw*dw][c] * w[tap][c]
//     + bias[c] + residual[n][oh][ow][c]), taps in the padding skipped: blocks of output
//     columns whose taps are all inside the row take a path without tests.
//   max_pool_nhwc_f32 [C, IH, IW, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw]   b = [x, y]
//     range: N * OH output rows; taps in the padding are skipped (count as -inf); NaN propagates.
#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vec_tile.h"

namespace kk {
namespace {

constexpr int VW = 16;
typedef VecT<VW>::type V;
// Output columns computed together by the depthwise kernel (they share each weight load).
constexpr int kDwCols = 4;

void PadNhwc(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t IH = p[0], IW = p[1], C = p[2], ph = p[3], pw = p[4];
  int64_t Hs = IH + 2 * ph, Ws = IW + 2 * pw;
  const float* x = Buf<const float>(b, 0);
  float* xp = Buf<float>(b, 1);
  for (int64_t row = begin; row < end; ++row) {
    int64_t n = row / Hs, h = row % Hs - ph;
    float* d = xp + row * Ws * C;
    if (h < 0 || h >= IH) {
      for (int64_t i = 0; i < Ws * C; ++i) d[i] = 0.0f;
      continue;
    }
    for (int64_t i = 0; i < pw * C; ++i) d[i] = 0.0f;
    memcpy(d + pw * C, x + (n * IH + h) * IW * C, IW * C * sizeof(float));
    for (int64_t i = (pw + IW) * C; i < Ws * C; ++i) d[i] = 0.0f;
  }
}

void ConvDwNhwc(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t C = p[0], IH = p[1], IW = p[2], OH = p[3], OW = p[4], KH = p[5], KW = p[6];
  int64_t sh = p[7], sw = p[8], ph = p[9], pw = p[10], dh = p[11], dw = p[12];
  Epilogue e = DecodeEpilogue(p, 13, b, 3, 4);
  const float* x = Buf<const float>(b, 0);
  const float* w = Buf<const float>(b, 1);
  float* y = Buf<float>(b, 2);
  int64_t cv = C / VW * VW;
  // Output columns whose taps all lie inside the input row: [ow_lo, ow_hi).
  int64_t ow_lo = (pw + sw - 1) / sw, ow_hi = (IW - 1 - (KW - 1) * dw + pw) / sw + 1;
  if (IW - 1 - (KW - 1) * dw + pw < 0) ow_hi = 0;
  for (int64_t row = begin; row < end; ++row) {
    int64_t n = row / OH, oh = row % OH;
    const float* xn = x + n * IH * IW * C;
    float* yr = y + row * OW * C;
    const float* rr = e.res ? e.res + row * OW * C : nullptr;
    for (int64_t ow0 = 0; ow0 < OW; ow0 += kDwCols) {
      int64_t cols = Min(int64_t(kDwCols), OW - ow0);
      bool inner = ow0 >= ow_lo && ow0 + kDwCols <= ow_hi;
      for (int64_t c = 0; c < cv; c += VW) {
        V acc[kDwCols] = {};
        for (int64_t kh = 0; kh < KH; ++kh) {
          int64_t ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= IH) continue;  // a padding row
          const float* xrow = xn + ih * IW * C + c;
          for (int64_t kw = 0; kw < KW; ++kw) {
            V wv = LoadV<VW>(w + (kh * KW + kw) * C + c);
            if (inner) {
              for (int j = 0; j < kDwCols; ++j)
                acc[j] = acc[j] + LoadV<VW>(xrow + ((ow0 + j) * sw - pw + kw * dw) * C) * wv;
            } else {
              for (int j = 0; j < kDwCols; ++j) {
                int64_t iw = (ow0 + j) * sw - pw + kw * dw;
                if (j < cols && iw >= 0 && iw < IW) acc[j] = acc[j] + LoadV<VW>(xrow + iw * C) * wv;
              }
            }
          }
        }
        V bv = e.bias ? LoadV<VW>(e.bias + c) : (V){};
        for (int j = 0; j < cols; ++j) {
          V s = acc[j] + bv;
          int64_t off = (ow0 + j) * C + c;
          if (rr) s = s + LoadV<VW>(rr + off);
          StoreV<VW>(yr + off, ActV<VW>(s, e.act, e.lo, e.hi));
        }
      }
      for (int64_t c = cv; c < C; ++c) {  // channel tail
        for (int64_t j = 0; j < cols; ++j) {
          int64_t ow = ow0 + j;
          float s = 0.0f;
          for (int64_t kh = 0; kh < KH; ++kh) {
            int64_t ih = oh * sh - ph + kh * dh;
            if (ih < 0 || ih >= IH) continue;
            for (int64_t kw = 0; kw < KW; ++kw) {
              int64_t iw = ow * sw - pw + kw * dw;
              if (iw >= 0 && iw < IW) s += xn[(ih * IW + iw) * C + c] * w[(kh * KW + kw) * C + c];
            }
          }
          s += e.bias ? e.bias[c] : 0.0f;
          if (rr) s += rr[ow * C + c];
          yr[ow * C + c] = Act(s, e.act, e.lo, e.hi);
        }
      }
    }
  }
}

void MaxPoolNhwc(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t C = p[0], IH = p[1], IW = p[2], OH = p[3], OW = p[4], KH = p[5], KW = p[6];
  int64_t sh = p[7], sw = p[8], ph = p[9], pw = p[10], dh = p[11], dw = p[12];
  const float* x = Buf<const float>(b, 0);
  float* y = Buf<float>(b, 1);
  int64_t cv = C / VW * VW;
  const float kNegInf = -__builtin_inff();
  for (int64_t row = begin; row < end; ++row) {
    int64_t n = row / OH, oh = row % OH;
    const float* xn = x + n * IH * IW * C;
    for (int64_t ow = 0; ow < OW; ++ow) {
      float* yo = y + (row * OW + ow) * C;
      for (int64_t c = 0; c < cv; c += VW) {
        V m = kNegInf - (V){};
        for (int64_t kh = 0; kh < KH; ++kh) {
          int64_t ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= IH) continue;
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t iw = ow * sw - pw + kw * dw;
            if (iw < 0 || iw >= IW) continue;
            V v = LoadV<VW>(xn + (ih * IW + iw) * C + c);
            m = ((v > m) | (v != v)) ? v : m;  // NaN propagates
          }
        }
        StoreV<VW>(yo + c, m);
      }
      for (int64_t c = cv; c < C; ++c) {
        float m = kNegInf;
        for (int64_t kh = 0; kh < KH; ++kh) {
          int64_t ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= IH) continue;
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t iw = ow * sw - pw + kw * dw;
            if (iw < 0 || iw >= IW) continue;
            float v = xn[(ih * IW + iw) * C + c];
            m = (v > m || v != v) ? v : m;
          }
        }
        yo[c] = m;
      }
    }
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(pad_nhwc_f32) { kk::PadNhwc(p, b, begin, end); }
KILN_KERNEL(conv_dw_nhwc_f32) { kk::ConvDwNhwc(p, b, begin, end); }
KILN_KERNEL(max_pool_nhwc_f32) { kk::MaxPoolNhwc(p, b, begin, end); }
