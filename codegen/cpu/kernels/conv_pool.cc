// Convolution and pooling over 1-3 trailing spatial dims. The compiler maps every case onto
// 3-d geometry (D, H, W) by padding missing leading spatial dims with size 1.
//
//   conv_DT   [N, C, O, groups, ID, IH, IW, OD, OH, OW, KD, KH, KW, sd, sh, sw, pd, ph, pw,
//              dd, dh, dw, has_bias]                       b = [x, w, y, bias]  range: N * O
//     Direct convolution: for each (image, output channel) the output plane starts at the
//     bias and every (input channel, tap) adds a scaled, shifted input row to each output
//     row; the row loop runs over the valid output columns only (no padding branches) and
//     vectorizes for stride 1.
//   pool_DT   [mode, adaptive, planes, ID, IH, IW, OD, OH, OW, KD, KH, KW, sd, sh, sw,
//              pd, ph, pw, dd, dh, dw, count_include_pad, divisor_override]
//             b = [x, y, indices]  range: planes
//     mode 0 max (padding is -inf, the first NaN sticks), 1 avg (torch's windows and
//     divisors), 2 max with i64 indices (torch's CPU rule: greater or NaN replaces, so ties
//     keep the first index and the last NaN wins). adaptive: windows
//     [floor(i*in/out), ceil((i+1)*in/out)) instead of kernel/stride/padding.
//   fractional_max_pool_DT [planes, H, W, OH, OW, KH, KW]  b = [x, samples, y, indices]
//   max_unpool_wS [planes, in_plane, out_plane]  b = [x, indices, y, err]  range: planes
#include "codegen/cpu/kernels/kernel_abi.h"

namespace kk {
namespace {

namespace kc = kiln::cpu::kc;

inline int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Output columns o in [lo, hi) whose input column o*s - p + k*d lies in [0, in).
inline void ValidRange(int64_t out, int64_t in, int64_t s, int64_t p, int64_t kd, int64_t* lo, int64_t* hi) {
  int64_t shift = kd - p;  // input column = o*s + shift
  int64_t l = shift >= 0 ? 0 : (-shift + s - 1) / s;
  int64_t h = FloorDiv(in - 1 - shift, s) + 1;
  *lo = Min(Max(l, int64_t(0)), out);
  *hi = Max(Min(h, out), *lo);
}

template <typename T>
void Conv(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
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
    int64_t n = t / O, o = t % O, g = o / opg;
    T* yp = y + t * out_plane;
    T init = bias ? bias[o] : T(0);
    for (int64_t i = 0; i < out_plane; ++i) yp[i] = init;
    for (int64_t ic = 0; ic < cpg; ++ic) {
      const T* xp = x + (n * C + g * cpg + ic) * in_plane;
      const T* wk = w + (o * cpg + ic) * k_plane;
      for (int64_t kd = 0; kd < KD; ++kd) {
        for (int64_t kh = 0; kh < KH; ++kh) {
          for (int64_t kw = 0; kw < KW; ++kw) {
            T wv = wk[(kd * KH + kh) * KW + kw];
            int64_t lo, hi;
            ValidRange(OW, IW, sw, pw, kw * dw, &lo, &hi);
            int64_t shift = kw * dw - pw;
            for (int64_t od = 0; od < OD; ++od) {
              int64_t id = od * sd - pd + kd * dd;
              if (id < 0 || id >= ID) continue;
              for (int64_t oh = 0; oh < OH; ++oh) {
                int64_t ih = oh * sh - ph + kh * dh;
                if (ih < 0 || ih >= IH) continue;
                T* yr = yp + (od * OH + oh) * OW;
                const T* xr = xp + (id * IH + ih) * IW + shift;
                if (sw == 1) {
                  for (int64_t ow = lo; ow < hi; ++ow) yr[ow] += wv * xr[ow];
                } else {
                  for (int64_t ow = lo; ow < hi; ++ow) yr[ow] += wv * xr[ow * sw];
                }
              }
            }
          }
        }
      }
    }
  }
}

// One dim of a pooling window: taps start + j*step for j in [0, count) are all in bounds;
// `first` is torch's initial index tap; `padded` the count_include_pad divisor part.
struct Window {
  int64_t start, step, count, first, padded;
};

inline Window MakeWindow(const int64_t* p, int d, int64_t pos, bool avg) {
  int64_t in = p[3 + d], out = p[6 + d], k = p[9 + d], s = p[12 + d], pad = p[15 + d], dil = p[18 + d];
  Window w;
  if (p[1]) {  // adaptive
    int64_t start = (pos * in) / out, stop = ((pos + 1) * in + out - 1) / out;
    w = {start, 1, stop - start, start, stop - start};
    return w;
  }
  int64_t start = pos * s - pad;
  if (avg) {
    int64_t stop = Min(start + k, in + pad);
    int64_t b0 = Max(start, int64_t(0)), e0 = Min(stop, in);
    w = {b0, 1, Max(e0 - b0, int64_t(0)), b0, stop - start};
    return w;
  }
  int64_t first = start;
  while (first < 0) first += dil;
  int64_t j0 = start >= 0 ? 0 : (-start + dil - 1) / dil;  // first in-bound tap
  int64_t j1 = k;
  while (j1 > j0 && start + (j1 - 1) * dil >= in) --j1;
  w = {start + j0 * dil, dil, Max(j1 - j0, int64_t(0)), first, k};
  return w;
}

// f32 max pool (mode 0), 2-d, 3x3 window, stride 2, no dilation: the three input rows of
// an output row sit in a ring of -inf padded rows; 8 output columns at a time take the max
// over the 9 taps (even lanes of two loads), in the scan order of the generic path (the
// first NaN sticks).
typedef float PoolV __attribute__((vector_size(32), aligned(4)));
constexpr int64_t kPoolPadRow = 1024;

inline bool MaxPool3s2Fits(const int64_t* p) {
  return p[0] == 0 && p[1] == 0 && p[3] == 1 && p[6] == 1 && p[9] == 1 && p[10] == 3 && p[11] == 3 &&
         p[13] == 2 && p[14] == 2 && p[19] == 1 && p[20] == 1 && p[16] < 3 && p[17] < 3 &&
         ((p[8] + 7) / 8 * 8) * 2 + 3 + 16 <= kPoolPadRow;
}

void MaxPool3s2(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t IH = p[4], IW = p[5], OH = p[7], OW = p[8], ph = p[16], pw = p[17];
  const float* x = Buf<const float>(b, 0);
  float* y = Buf<float>(b, 1);
  int64_t OWv = (OW + 7) / 8 * 8, L = OWv * 2 + 3 + 16, ncopy = Min(IW, L - pw);
  const float ninf = -__builtin_inff();
  alignas(64) float ring[3][kPoolPadRow];
  for (int r = 0; r < 3; ++r)
    for (int64_t j = 0; j < L; ++j) ring[r][j] = ninf;
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* xp = x + plane * IH * IW;
    float* yp = y + plane * OH * OW;
    int64_t next = -ph;
    for (int64_t oh = 0; oh < OH; ++oh) {
      int64_t ih0 = oh * 2 - ph;
      for (int64_t ih = Max(next, ih0); ih < ih0 + 3; ++ih) {
        float* d = ring[(ih + ph) % 3] + pw;
        if (ih >= 0 && ih < IH) {
          memcpy(d, xp + ih * IW, ncopy * sizeof(float));
        } else {
          for (int64_t j = 0; j < ncopy; ++j) d[j] = ninf;
        }
      }
      next = Max(next, ih0 + 3);
      const float* rows[3] = {ring[(ih0 + ph) % 3], ring[(ih0 + 1 + ph) % 3], ring[(ih0 + 2 + ph) % 3]};
      float* yr = yp + oh * OW;
      for (int64_t ow0 = 0; ow0 < OW; ow0 += 8) {
        PoolV m = ninf - (PoolV){};
        for (int kh = 0; kh < 3; ++kh) {
          const float* r = rows[kh] + ow0 * 2;
          for (int kw = 0; kw < 3; ++kw) {
            PoolV a, c;
            memcpy(&a, r + kw, sizeof a);
            memcpy(&c, r + kw + 8, sizeof c);
            PoolV v = __builtin_shufflevector(a, c, 0, 2, 4, 6, 8, 10, 12, 14);
            m = (m == m) & ((v > m) | (v != v)) ? v : m;
          }
        }
        if (ow0 + 8 <= OW) {
          memcpy(yr + ow0, &m, sizeof m);
        } else {
          float tmp[8];
          memcpy(tmp, &m, sizeof m);
          for (int64_t j = 0; j < OW - ow0; ++j) yr[ow0 + j] = tmp[j];
        }
      }
    }
  }
}

template <typename T>
void Pool(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t mode = p[0];
  int64_t ID = p[3], IH = p[4], IW = p[5], OD = p[6], OH = p[7], OW = p[8];
  bool include_pad = p[21] != 0;
  int64_t divisor_override = p[22];
  const T* x = Buf<const T>(b, 0);
  T* y = Buf<T>(b, 1);
  int64_t* indices = mode == 2 ? Buf<int64_t>(b, 2) : nullptr;
  int64_t in_plane = ID * IH * IW, out_plane = OD * OH * OW;
  bool floating = T(0.5) != T(0);
  for (int64_t plane = begin; plane < end; ++plane) {
    const T* xp = x + plane * in_plane;
    T* yp = y + plane * out_plane;
    for (int64_t od = 0; od < OD; ++od) {
      Window wd = MakeWindow(p, 0, od, mode == 1);
      for (int64_t oh = 0; oh < OH; ++oh) {
        Window wh = MakeWindow(p, 1, oh, mode == 1);
        for (int64_t ow = 0; ow < OW; ++ow) {
          Window ww = MakeWindow(p, 2, ow, mode == 1);
          int64_t o = (od * OH + oh) * OW + ow;
          if (mode == 1) {
            int64_t count = wd.count * wh.count * ww.count;
            if (count == 0) {
              yp[o] = T(0);
              continue;
            }
            T sum = T(0);
            for (int64_t a = 0; a < wd.count; ++a)
              for (int64_t c = 0; c < wh.count; ++c) {
                const T* row = xp + ((wd.start + a * wd.step) * IH + wh.start + c * wh.step) * IW;
                for (int64_t e = 0; e < ww.count; ++e) sum += row[ww.start + e * ww.step];
              }
            int64_t divisor = p[1] ? count
                              : divisor_override > 0 ? divisor_override
                              : include_pad ? wd.padded * wh.padded * ww.padded
                                            : count;
            yp[o] = sum / static_cast<T>(divisor);
            continue;
          }
          int64_t arg = (wd.first * IH + wh.first) * IW + ww.first;
          T m;
          bool any = false;
          if (floating) m = -__builtin_inf();
          else m = static_cast<T>(sizeof(T) == 4 ? -2147483647LL - 1 : -9223372036854775807LL - 1);
          for (int64_t a = 0; a < wd.count; ++a)
            for (int64_t c = 0; c < wh.count; ++c) {
              int64_t rbase = ((wd.start + a * wd.step) * IH + wh.start + c * wh.step) * IW;
              for (int64_t e = 0; e < ww.count; ++e) {
                int64_t off = rbase + ww.start + e * ww.step;
                T v = xp[off];
                bool take;
                if (mode == 2) {
                  take = floating ? (v > m || IsNan(v)) : (!any || v > m);
                } else {
                  take = floating ? (!IsNan(m) && (IsNan(v) || v > m)) : v > m;
                }
                if (take) {
                  m = v;
                  arg = off;
                  any = true;
                }
              }
            }
          yp[o] = m;
          if (indices) indices[plane * out_plane + o] = arg;
        }
      }
    }
  }
}

// torch's generate_intervals in the input's precision.
template <typename T>
inline int64_t FractionalStart(T sample, int64_t in, int64_t out, int64_t k, int64_t i) {
  if (i == out - 1) return in - k;
  T alpha = static_cast<T>(in - k) / static_cast<T>(out - 1);
  return static_cast<int>((static_cast<T>(i) + sample) * alpha) - static_cast<int>(sample * alpha);
}

template <typename T>
void FractionalMaxPool(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t H = p[1], W = p[2], OH = p[3], OW = p[4], KH = p[5], KW = p[6];
  const T* x = Buf<const T>(b, 0);
  const T* samples = Buf<const T>(b, 1);
  T* y = Buf<T>(b, 2);
  int64_t* indices = Buf<int64_t>(b, 3);
  for (int64_t plane = begin; plane < end; ++plane) {
    T sw = samples[plane * 2], sh = samples[plane * 2 + 1];
    const T* xp = x + plane * H * W;
    for (int64_t oh = 0; oh < OH; ++oh) {
      int64_t h0 = FractionalStart(sh, H, OH, KH, oh);
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t w0 = FractionalStart(sw, W, OW, KW, ow);
        T m = -__builtin_inf();
        int64_t arg = h0 * W + w0;
        for (int64_t a = 0; a < KH; ++a)
          for (int64_t c = 0; c < KW; ++c) {
            int64_t off = (h0 + a) * W + w0 + c;
            T v = xp[off];
            if (v > m || IsNan(v)) {
              m = v;
              arg = off;
            }
          }
        y[(plane * OH + oh) * OW + ow] = m;
        indices[(plane * OH + oh) * OW + ow] = arg;
      }
    }
  }
}

template <typename W>
void MaxUnpool(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  int64_t in_plane = p[1], out_plane = p[2];
  const W* x = Buf<const W>(b, 0);
  const int64_t* idx = Buf<const int64_t>(b, 1);
  W* y = Buf<W>(b, 2);
  int64_t* err = Buf<int64_t>(b, 3);
  for (int64_t plane = begin; plane < end; ++plane) {
    W* yp = y + plane * out_plane;
    for (int64_t i = 0; i < out_plane; ++i) yp[i] = W(0);
    for (int64_t i = 0; i < in_plane; ++i) {
      int64_t t = idx[plane * in_plane + i];
      if (t < 0 || t >= out_plane) {
        __atomic_store_n(err, static_cast<int64_t>(kc::kIndexOutOfRange), __ATOMIC_RELAXED);
        continue;
      }
      yp[t] = x[plane * in_plane + i];
    }
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(conv_f32) { kk::Conv<float>(p, b, begin, end); }
KILN_KERNEL(conv_f64) { kk::Conv<double>(p, b, begin, end); }
KILN_KERNEL(pool_f32) {
  if (kk::MaxPool3s2Fits(p)) return kk::MaxPool3s2(p, b, begin, end);
  kk::Pool<float>(p, b, begin, end);
}
KILN_KERNEL(pool_f64) { kk::Pool<double>(p, b, begin, end); }
KILN_KERNEL(pool_i64) { kk::Pool<int64_t>(p, b, begin, end); }
KILN_KERNEL(pool_i32) { kk::Pool<int32_t>(p, b, begin, end); }
KILN_KERNEL(fractional_max_pool_f32) { kk::FractionalMaxPool<float>(p, b, begin, end); }
KILN_KERNEL(fractional_max_pool_f64) { kk::FractionalMaxPool<double>(p, b, begin, end); }
KILN_KERNEL(max_unpool_w4) { kk::MaxUnpool<uint32_t>(p, b, begin, end); }
KILN_KERNEL(max_unpool_w8) { kk::MaxUnpool<uint64_t>(p, b, begin, end); }
