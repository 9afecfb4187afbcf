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
//
// f32 with compile-time weights takes the team path instead (the emitter prepares it):
//
//   rnn_team_init_f32 [mode, T, N, H, slot, has_state, has_lengths, lengths_i32, batch_first,
//                      out_cols, out_col_offset]
//     b = [h0, c0, lengths, out, h_n, c_n, hbuf, cbuf, sync, error]   range: 1
//   Validates the lengths (into sync), loads the initial states into hbuf[0] / cbuf, zeroes
//   the output rows past each length, writes h_n / c_n when no step runs, and resets the
//   sync counters.
//
//   rnn_team_f32_vVW [mode, T, N, H, batch_first, reverse, out_cols, out_col_offset, slot,
//                     blocks_per_ticket]
//     b = [GI, Wp, bp, out, h_n, c_n, hbuf, cbuf, sync]   range: any (each task joins the team)
//   Hidden units are cut into blocks of VW; block ub owns the G gates of units
//   [ub*VW, ub*VW + VW), so its cell update needs nothing from other blocks. Wp holds W_hh
//   packed per block, Wp[ub][k][g*VW + u] = W_hh[g*H + ub*VW + u][k] (zero past H); GI's
//   columns and bp (b_hh) are in the same order: column (ub*G + g)*VW + u. Every step is
//   cut into tickets of blocks_per_ticket blocks, numbered step-major; a task takes the next
//   ticket with an atomic increment and, before working on step s, waits until every ticket
//   of step s-1 is done (a spin on the done counter through kiln_rt_spin_wait). A task only
//   ever waits for tickets that running tasks took, so the loop needs no set number of
//   threads: one task alone runs every step (threads = 1, nested loops, an app's pool that
//   runs tasks one after the other). h is double-buffered by step parity ([2][N][H]); c is
//   [N][H]. sync: int64 words, [0] next ticket, [8] tickets done, [16] steps (max length),
//   [24 + n] the length of row n.
#include "codegen/cpu/kernels/kernel_abi.h"
#include "codegen/cpu/kernels/vmath.h"

extern "C" void kiln_rt_spin_wait(uint32_t iteration);

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

// dst[u] = src[u] for u < units <= VW. Predicated on purpose: LLVM turns a plain copy loop
// into a memcpy call, which ThreadSanitizer intercepts in instrumented test binaries while it
// cannot see the uninstrumented pool's synchronization (false reports).
template <int VW>
__attribute__((always_inline)) inline void CopyUnits(float* dst, const float* src, int64_t units) {
  for (int u = 0; u < VW; ++u)
    if (u < units) dst[u] = src[u];
}

template <int VW>
struct TeamVec {
  typedef float type __attribute__((vector_size(VW * 4), aligned(4)));
  typedef int32_t itype __attribute__((vector_size(VW * 4), aligned(4)));
};

// vmath.h's ExpF / TanhF / SigmoidF on whole vectors. The kernels' bitcode is vectorized for a
// generic target (128-bit), so a scalar loop over VW units would stay at 4 lanes on every
// target; vector types keep the gate update at the full width the artifact is compiled for.
template <int VW>
__attribute__((always_inline)) inline typename TeamVec<VW>::type ExpV(typename TeamVec<VW>::type x) {
  typedef typename TeamVec<VW>::type V;
  typedef typename TeamVec<VW>::itype VI;
  const V z = {};
  const V hi = z + 88.7228393555f, lo = z - 104.0f;
  V xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;  // NaN passes both selects unchanged
  V fx = __builtin_elementwise_floor(xc * 1.44269504088896341f + 0.5f);
  V r = xc - fx * 0.693359375f + fx * 2.12194440e-4f;
  V y = z + 1.9875691500E-4f;
  y = y * r + 1.3981999507E-3f;
  y = y * r + 8.3334519073E-3f;
  y = y * r + 4.1665795894E-2f;
  y = y * r + 1.6666665459E-1f;
  y = y * r + 5.0000001201E-1f;
  y = y * r * r + r + 1.0f;
  V n1 = __builtin_elementwise_trunc(fx * 0.5f);
  V n2 = fx - n1;
  VI e1 = (__builtin_convertvector(n1, VI) + 127) << 23;
  VI e2 = (__builtin_convertvector(n2, VI) + 127) << 23;
  y = y * __builtin_bit_cast(V, e1) * __builtin_bit_cast(V, e2);
  y = x > hi ? z + __builtin_inff() : y;
  return x != x ? x : y;
}

template <int VW>
__attribute__((always_inline)) inline typename TeamVec<VW>::type TanhV(typename TeamVec<VW>::type x) {
  typedef typename TeamVec<VW>::type V;
  const V zero = {};
  V ax = __builtin_elementwise_abs(x);
  V z = x * x;
  V p = zero - 5.70498872745E-3f;
  p = p * z + 2.06390887954E-2f;
  p = p * z - 5.37397155531E-2f;
  p = p * z + 1.33314422036E-1f;
  p = p * z - 3.33332819422E-1f;
  V small = p * z * x + x;
  V e = ExpV<VW>(ax * 2.0f);
  V big = 1.0f - 2.0f / (e + 1.0f);
  big = x < zero ? -big : big;
  return ax < 0.625f ? small : big;
}

template <int VW>
__attribute__((always_inline)) inline typename TeamVec<VW>::type SigmoidV(typename TeamVec<VW>::type x) {
  return 1.0f / (1.0f + ExpV<VW>(-x));
}

template <int VW>
__attribute__((always_inline)) inline typename TeamVec<VW>::type LoadV(const float* p) {
  typename TeamVec<VW>::type v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// dst[u] = v[u] for u < units <= VW (a full vector store when units == VW).
template <int VW>
__attribute__((always_inline)) inline void StoreUnits(float* dst, typename TeamVec<VW>::type v, int64_t units) {
  if (units == VW) {
    __builtin_memcpy(dst, &v, sizeof v);
    return;
  }
  float s[VW];
  __builtin_memcpy(s, &v, sizeof v);
  CopyUnits<VW>(dst, s, units);
}

// The cell update of one row and VW units from the gates' pre-activations: a + ab (G*VW,
// W_hh @ h and b_hh in the column order above) and x (the input projection, same order).
// b_hh is added here, in vectors: a scalar add loop over the tile would store it in pieces
// that the vector loads below could not forward from.
template <int VW>
__attribute__((always_inline)) inline void CellUpdate(int64_t mode, const float* a, const float* ab, const float* x,
                                                      const float* hp, float* c, float* hn, float* o, int64_t units) {
  typedef typename TeamVec<VW>::type V;
  const V zero = {};
  auto ga = [&](int g) { return LoadV<VW>(a + g * VW) + LoadV<VW>(ab + g * VW); };
  auto gx = [&](int g) { return LoadV<VW>(x + g * VW); };
  auto partial = [&](const float* p) {  // p[u] for u < units, 0 past
    if (units == VW) return LoadV<VW>(p);
    float s[VW];
    for (int u = 0; u < VW; ++u) s[u] = u < units ? p[u] : 0.0f;
    return LoadV<VW>(s);
  };
  V v;
  if (mode == 0) {
    v = TanhV<VW>(gx(0) + ga(0));
  } else if (mode == 1) {
    V t = gx(0) + ga(0);
    v = t > zero || t != t ? t : zero;
  } else if (mode == 2) {
    V hv = partial(hp);
    V r = SigmoidV<VW>(gx(0) + ga(0));
    V zg = SigmoidV<VW>(gx(1) + ga(1));
    V nn = TanhV<VW>(gx(2) + r * ga(2));
    v = (1.0f - zg) * nn + zg * hv;
  } else {
    V cv = partial(c);
    V i = SigmoidV<VW>(gx(0) + ga(0));
    V f = SigmoidV<VW>(gx(1) + ga(1));
    V g = TanhV<VW>(gx(2) + ga(2));
    V og = SigmoidV<VW>(gx(3) + ga(3));
    cv = f * cv + i * g;
    v = og * TanhV<VW>(cv);
    StoreUnits<VW>(c, cv, units);
  }
  StoreUnits<VW>(hn, v, units);
  StoreUnits<VW>(o, v, units);
}

// tile[r][v*VW + j] = sum_k h[r][k] * panel[k][v*VW + j] for vectors v in [v0, v0 + NV);
// ld = G*VW (the panel's width), h rows through pointers (tail rows repeat a valid row).
template <int VW, int MR, int NV>
__attribute__((always_inline)) inline void TeamMicro(const float* const* hr, const float* panel, int64_t ld,
                                                     int64_t K, int v0, float* tile) {
  typedef typename TeamVec<VW>::type V;
  V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = (V){};
  for (int64_t k = 0; k < K; ++k) {
    V bv[NV];
    for (int v = 0; v < NV; ++v) memcpy(&bv[v], panel + k * ld + (v0 + v) * VW, sizeof(V));
    for (int r = 0; r < MR; ++r) {
      V av = hr[r][k] - (V){};
      for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + av * bv[v];
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) memcpy(tile + r * 4 * VW + (v0 + v) * VW, &acc[r][v], sizeof(V));
}

void RnnTeamInit(const int64_t* p, void* const* b) {
  const int64_t mode = p[0], steps = p[1], N = p[2], H = p[3], slot = p[4];
  const bool has_state = p[5] != 0, has_lengths = p[6] != 0, len_i32 = p[7] != 0, batch_first = p[8] != 0;
  const int64_t out_cols = p[9], out_off = p[10];
  const float* h0 = has_state ? Buf<const float>(b, 0) + slot * N * H : nullptr;
  const float* c0 = has_state && mode == 3 ? Buf<const float>(b, 1) + slot * N * H : nullptr;
  float* out = Buf<float>(b, 3);
  float* hn = Buf<float>(b, 4) + slot * N * H;
  float* cn = mode == 3 ? Buf<float>(b, 5) + slot * N * H : nullptr;
  float* hs = Buf<float>(b, 6);
  float* cs = Buf<float>(b, 7);
  int64_t* sync = Buf<int64_t>(b, 8);
  int64_t* err = Buf<int64_t>(b, 9);
  sync[0] = 0;
  sync[8] = 0;
  sync[16] = 0;
  int64_t max_len = 0;
  for (int64_t n = 0; n < N; ++n) {
    const int64_t len = !has_lengths ? steps : len_i32 ? Buf<const int32_t>(b, 2)[n] : Buf<const int64_t>(b, 2)[n];
    if (len < 0 || len > steps) {
      *err = kiln::cpu::kc::kIndexOutOfRange;
      return;  // steps stays 0: the team does nothing
    }
    sync[24 + n] = len;
    max_len = Max(max_len, len);
    for (int64_t t = len; t < steps; ++t) {  // packed: rows past the length are 0
      float* o = out + (batch_first ? n * steps + t : t * N + n) * out_cols + out_off;
      for (int64_t j = 0; j < H; ++j) o[j] = 0.0f;
    }
  }
  for (int64_t i = 0; i < N * H; ++i) {
    hs[i] = h0 ? h0[i] : 0.0f;
    cs[i] = c0 ? c0[i] : 0.0f;
  }
  if (max_len == 0) {
    for (int64_t i = 0; i < N * H; ++i) {
      hn[i] = hs[i];
      if (cn) cn[i] = cs[i];
    }
  }
  sync[16] = max_len;
}

template <int VW>
void RnnTeam(const int64_t* p, void* const* b) {
  constexpr int MR = VW == 16 ? 8 : 4;
  const int64_t mode = p[0], steps = p[1], N = p[2], H = p[3];
  const bool batch_first = p[4] != 0, reverse = p[5] != 0;
  const int64_t out_cols = p[6], out_off = p[7], slot = p[8], bpt = p[9];
  const int G = mode == 3 ? 4 : mode == 2 ? 3 : 1;
  const int64_t UB = (H + VW - 1) / VW, GW = G * VW, GHp = UB * GW;
  const float* gi = Buf<const float>(b, 0);
  const float* wp = Buf<const float>(b, 1);
  const float* bp = Buf<const float>(b, 2);
  float* out = Buf<float>(b, 3);
  float* hn_out = Buf<float>(b, 4) + slot * N * H;
  float* cn_out = mode == 3 ? Buf<float>(b, 5) + slot * N * H : nullptr;
  float* hbuf = Buf<float>(b, 6);
  float* cs = Buf<float>(b, 7);
  int64_t* sync = Buf<int64_t>(b, 8);
  const int64_t* len = sync + 24;
  const int64_t max_len = sync[16];
  const int64_t tps = (UB + bpt - 1) / bpt, total = max_len * tps;
  alignas(64) float tile[MR * 4 * VW];
  for (;;) {
    const int64_t ticket = __atomic_fetch_add(&sync[0], 1, __ATOMIC_RELAXED);
    if (ticket >= total) return;
    const int64_t s = ticket / tps, j = ticket % tps;
    for (uint32_t i = 0; __atomic_load_n(&sync[8], __ATOMIC_ACQUIRE) < s * tps; ++i) kiln_rt_spin_wait(i);
    const float* hp = hbuf + (s & 1) * N * H;
    float* hx = hbuf + ((s + 1) & 1) * N * H;
    const bool last = s + 1 == max_len;
    for (int64_t ub = j * bpt; ub < Min(UB, (j + 1) * bpt); ++ub) {
      const float* panel = wp + ub * H * GW;
      const int64_t u0 = ub * VW, units = Min<int64_t>(VW, H - u0);
      for (int64_t r0 = 0; r0 < N; r0 += MR) {
        const int64_t rows = Min<int64_t>(MR, N - r0);
        const float* hr[MR];
        for (int r = 0; r < MR; ++r) hr[r] = hp + (r0 + Min<int64_t>(r, rows - 1)) * H;
        int v = 0;
        for (; v + 2 <= G; v += 2) TeamMicro<VW, MR, 2>(hr, panel, GW, H, v, tile);
        if (v < G) TeamMicro<VW, MR, 1>(hr, panel, GW, H, v, tile);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t n = r0 + r;
          float* a = tile + r * 4 * VW;
          const float* hprev = hp + n * H + u0;
          float* hnext = hx + n * H + u0;
          if (s >= len[n]) {  // this row's sequence ended: carry its state
            CopyUnits<VW>(hnext, hprev, units);
            continue;
          }
          const int64_t t = reverse ? len[n] - 1 - s : s;
          const int64_t row = batch_first ? n * steps + t : t * N + n;
          CellUpdate<VW>(mode, a, bp + ub * GW, gi + row * GHp + ub * GW, hprev, cs + n * H + u0, hnext,
                         out + row * out_cols + out_off + u0, units);
        }
        if (last) {
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t n = r0 + r;
            CopyUnits<VW>(hn_out + n * H + u0, hx + n * H + u0, units);
            if (cn_out) CopyUnits<VW>(cn_out + n * H + u0, cs + n * H + u0, units);
          }
        }
      }
    }
    __atomic_fetch_add(&sync[8], 1, __ATOMIC_RELEASE);
  }
}

}  // namespace
}  // namespace kk

KILN_KERNEL(rnn_team_init_f32) { kk::RnnTeamInit(p, b); }
KILN_KERNEL(rnn_team_f32_v16) { kk::RnnTeam<16>(p, b); }
KILN_KERNEL(rnn_team_f32_v8) { kk::RnnTeam<8>(p, b); }
KILN_KERNEL(rnn_seq_f32) { kk::RnnSeq<float>(p, b, begin, end); }
KILN_KERNEL(rnn_seq_f64) { kk::RnnSeq<double>(p, b, begin, end); }
