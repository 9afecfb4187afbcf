// Recurrent sequence kernel: the time loop of one (layer, direction) of rnn / gru / lstm.
//
// The compiler computes the input projection of every time step at once with the GEMM
// (GI = X @ W_ih^T + b_ih, kiln_k_matmul_DT) and then calls this kernel, which runs the
// recurrence: per step, GH = W_hh @ h + b_hh (blocks of up to 4 batch rows share each W_hh
// row load) and the gate update with the vectorized sigmoid / tanh of vmath.h. Batch rows are
// independent, so the parallel range is over them: each task carries its rows through all
// time steps.
//
//   rnn_seq_DT [mode, T, N, H, batch_first, reverse, out_cols, out_col_offset, slot,
//               has_state, has_lengths, has_bias_hh, lengths_i32]
//     b = [GI, W_hh, b_hh, h0, c0, lengths, out, h_n, c_n, h_state, c_state, gh, error]
//     range: batch rows n
// mode: 0 rnn_tanh, 1 rnn_relu, 2 gru (gates r,z,n), 3 lstm (i,f,g,o); G = 1, 1, 3, 4.
// GI: [T*N, G*H] rows in the input's order (row t*N+n, or n*T+t with batch_first); W_hh
// [G*H, H] row-major; b_hh [G*H]; h0/c0/h_n/c_n [L*D, N, H] at `slot`; lengths [N] (i64 or
// i32): row n runs lengths[n] steps (reverse: from lengths[n]-1 down to 0), its output rows
// past that are 0 (a length outside [0, T] writes kIndexOutOfRange to the error slot);
// out rows have out_cols elements, this direction writes [out_col_offset, +H).
// h_state/c_state [N, H] and gh [N, G*H] are scratch.
#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vmath.h"

namespace kk {
namespace {

constexpr int kRowBlock = 4;

// acc[r][j] = W[j, :] . h[r, :] (+ bias[j]) for r < R, j < rows.
template <typename T, int R>
__attribute__((always_inline)) inline void GemvBlock(const T* w, const T* bias, const T* h, int64_t rows, int64_t H,
                                                     T* acc, int64_t ld) {
  for (int64_t j = 0; j < rows; ++j) {
    const T* wr = w + j * H;
    T part[R][8];
    for (int r = 0; r < R; ++r)
      for (int l = 0; l < 8; ++l) part[r][l] = T(0);
    int64_t k = 0;
    for (; k + 8 <= H; k += 8) {
      for (int r = 0; r < R; ++r)
        for (int l = 0; l < 8; ++l) part[r][l] += wr[k + l] * h[r * H + k + l];
    }
    for (int r = 0; r < R; ++r) {
      T s = T(0);
      for (int64_t kk = k; kk < H; ++kk) s += wr[kk] * h[r * H + kk];
      for (int l = 0; l < 8; ++l) s += part[r][l];
      acc[r * ld + j] = bias ? s + bias[j] : s;
    }
  }
}

template <typename T>
inline void Gemv(int nb, const T* w, const T* bias, const T* h, int64_t rows, int64_t H, T* acc, int64_t ld) {
  switch (nb) {
    case 4: GemvBlock<T, 4>(w, bias, h, rows, H, acc, ld); break;
    case 3: GemvBlock<T, 3>(w, bias, h, rows, H, acc, ld); break;
    case 2: GemvBlock<T, 2>(w, bias, h, rows, H, acc, ld); break;
    default: GemvBlock<T, 1>(w, bias, h, rows, H, acc, ld); break;
  }
}

template <typename T>
void RnnSeq(const int64_t* p, void* const* b, int64_t begin, int64_t end) {
  const int64_t mode = p[0], steps = p[1], N = p[2], H = p[3];
  const bool batch_first = p[4] != 0, reverse = p[5] != 0;
  const int64_t out_cols = p[6], out_off = p[7], slot = p[8];
  const bool has_state = p[9] != 0, has_lengths = p[10] != 0, has_bias_hh = p[11] != 0, len_i32 = p[12] != 0;
  const int64_t G = mode == 3 ? 4 : mode == 2 ? 3 : 1, GH = G * H;
  const T* gi = Buf<const T>(b, 0);
  const T* whh = Buf<const T>(b, 1);
  const T* bhh = has_bias_hh ? Buf<const T>(b, 2) : nullptr;
  const T* h0 = has_state ? Buf<const T>(b, 3) + slot * N * H : nullptr;
  const T* c0 = has_state && mode == 3 ? Buf<const T>(b, 4) + slot * N * H : nullptr;
  T* out = Buf<T>(b, 6);
  T* hn = Buf<T>(b, 7) + slot * N * H;
  T* cn = mode == 3 ? Buf<T>(b, 8) + slot * N * H : nullptr;
  T* hs = Buf<T>(b, 9);
  T* cs = Buf<T>(b, 10);
  T* gh = Buf<T>(b, 11);
  int64_t* err = Buf<int64_t>(b, 12);

  for (int64_t n0 = begin; n0 < end; n0 += kRowBlock) {
    const int nb = static_cast<int>(Min<int64_t>(kRowBlock, end - n0));
    int64_t len[kRowBlock];
    int64_t max_len = 0;
    for (int r = 0; r < nb; ++r) {
      const int64_t n = n0 + r;
      len[r] = !has_lengths ? steps : len_i32 ? Buf<const int32_t>(b, 5)[n] : Buf<const int64_t>(b, 5)[n];
      if (len[r] < 0 || len[r] > steps) {
        *err = kiln::cpu::kc::kIndexOutOfRange;
        return;
      }
      max_len = Max(max_len, len[r]);
      T* h = hs + n * H;
      T* c = cs + n * H;
      for (int64_t j = 0; j < H; ++j) {
        h[j] = h0 ? h0[n * H + j] : T(0);
        c[j] = c0 ? c0[n * H + j] : T(0);
      }
      for (int64_t t = len[r]; t < steps; ++t) {  // packed: rows past the length are 0
        T* o = out + (batch_first ? n * steps + t : t * N + n) * out_cols + out_off;
        for (int64_t j = 0; j < H; ++j) o[j] = T(0);
      }
    }
    for (int64_t s = 0; s < max_len; ++s) {
      Gemv<T>(nb, whh, bhh, hs + n0 * H, GH, H, gh + n0 * GH, GH);
      for (int r = 0; r < nb; ++r) {
        if (s >= len[r]) continue;
        const int64_t n = n0 + r;
        const int64_t t = reverse ? len[r] - 1 - s : s;
        const int64_t row = batch_first ? n * steps + t : t * N + n;
        const T* x = gi + row * GH;
        const T* g = gh + n * GH;
        T* h = hs + n * H;
        T* c = cs + n * H;
        T* o = out + row * out_cols + out_off;
        if (mode == 0) {
          for (int64_t j = 0; j < H; ++j) {
            T v = Tanh(x[j] + g[j]);
            h[j] = v;
            o[j] = v;
          }
        } else if (mode == 1) {
          for (int64_t j = 0; j < H; ++j) {
            T v = x[j] + g[j];
            v = v > T(0) || IsNan(v) ? v : T(0);
            h[j] = v;
            o[j] = v;
          }
        } else if (mode == 2) {
          for (int64_t j = 0; j < H; ++j) {
            T rg = Sigmoid(x[j] + g[j]);
            T z = Sigmoid(x[H + j] + g[H + j]);
            T nn = Tanh(x[2 * H + j] + rg * g[2 * H + j]);
            T v = (T(1) - z) * nn + z * h[j];
            h[j] = v;
            o[j] = v;
          }
        } else {
          for (int64_t j = 0; j < H; ++j) {
            T i = Sigmoid(x[j] + g[j]);
            T f = Sigmoid(x[H + j] + g[H + j]);
            T gg = Tanh(x[2 * H + j] + g[2 * H + j]);
            T og = Sigmoid(x[3 * H + j] + g[3 * H + j]);
            T cv = f * c[j] + i * gg;
            T v = og * Tanh(cv);
            c[j] = cv;
            h[j] = v;
            o[j] = v;
          }
        }
      }
    }
    for (int r = 0; r < nb; ++r) {
      const int64_t n = n0 + r;
      for (int64_t j = 0; j < H; ++j) {
        hn[n * H + j] = hs[n * H + j];
        if (cn) cn[n * H + j] = cs[n * H + j];
      }
    }
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(rnn_seq_f32) { kk::RnnSeq<float>(p, b, begin, end); }
KILN_KERNEL(rnn_seq_f64) { kk::RnnSeq<double>(p, b, begin, end); }
