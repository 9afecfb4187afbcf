// Emitters of the recurrent ops rnn (rnn_tanh, rnn_relu, gru) and lstm (kiln_k_matmul_DT +
// kiln_k_rnn_seq_DT, kernels/recurrent.cc).
//
// Per layer, per direction: the input projection of all time steps at once with the blocked
// GEMM, GI[T*N, G*H] = X[T*N, I] @ W_ih^T + b_ih (W_ih stored transposed in the weights blob
// when it is a compile-time constant), into arena scratch; then the time loop (rnn_seq),
// parallel over batch rows, which runs the per-step recurrent GEMV and the gate update. The
// sequence length and the batch are the run's symbols (T and N of the input), so one artifact
// serves every (T, N) up to their bounds. Layers before the last write their output to one
// scratch buffer [T*N, D*H] that the next layer projects before overwriting it; the last layer
// writes the op's output. Both directions of a layer are projected before either loop runs.
//
// f32 with every weight known at compile time takes the team path instead: gate columns
// reordered so that each block of VW hidden units owns all its gates, the projection as the
// packed GEMM (gemm_packed_f32), and the time loop as rnn_team_init_f32 + rnn_team_f32_vVW,
// which splits every step's recurrent GEMM and gate update across all threads of the pool
// (kernels/recurrent.cc documents the layouts and the per-step ticket barrier).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {
namespace {

using ir::OpKind;

ir::HostTensor Transposed(const ir::HostTensor& w) {
  int64_t rows = w.sizes()[0], cols = w.sizes()[1];
  ir::HostTensor t(w.dtype(), {cols, rows});
  size_t e = ir::dtype_size(w.dtype());
  const uint8_t* src = static_cast<const uint8_t*>(w.raw_data());
  uint8_t* dst = static_cast<uint8_t*>(t.raw_data());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) std::copy_n(src + (i * cols + j) * e, e, dst + (j * rows + i) * e);
  return t;
}

// C[M, N] = A[M, K] @ B (+ bias), B [K, N] (or [N, K] with b_trans).
void EmitMatmul(EmitContext& ctx, const std::string& dt, const BufferRef& a, const BufferRef& b_ref, bool b_trans,
                const BufferRef& c, const BufferRef* bias, const Expr& M, int64_t N, int64_t K) {
  KernelCall call;
  call.kernel = "matmul_" + dt;
  call.params = {M, Expr(N), Expr(K), Expr(0)};
  AppendPadded(call.params, {}, 18);
  call.params.push_back(Expr(b_trans ? 1 : 0));
  call.params.push_back(Expr(bias ? 1 : 0));
  call.buffers = {a, b_ref, c, bias ? *bias : BufferRef{}};
  call.count = Expr::CeilDiv(M, kc::kGemmRows) * Expr::CeilDiv(Expr(N), kc::kGemmCols);
  call.grain = 1;
  ctx.Call(std::move(call));
}

// C[M, N] = A[M, K] @ W^T (+ bias), W [N, K].
void EmitProjection(EmitContext& ctx, const std::string& dt, const BufferRef& a, const ir::Value* w, const BufferRef& c,
                    const BufferRef* bias, const Expr& M, int64_t N, int64_t K) {
  if (const ir::HostTensor* data = ctx.ConstantData(w)) {
    BufferRef b_ref = ctx.AddWeights("transposed:" + w->name() + ":" + std::to_string(w->id()), Transposed(*data));
    EmitMatmul(ctx, dt, a, b_ref, false, c, bias, M, N, K);
  } else {
    EmitMatmul(ctx, dt, a, ctx.Ref(w), true, c, bias, M, N, K);
  }
}

// The team path's gate-interleaved column order (kernels/recurrent.cc): column
// (ub*G + g)*vw + u is gate g of unit ub*vw + u, i.e. row g*H + unit of W_ih / W_hh / the
// biases; -1 past H (zero padding).
std::vector<int64_t> TeamColumns(int64_t G, int64_t H, int64_t vw) {
  const int64_t UB = (H + vw - 1) / vw;
  std::vector<int64_t> cols(static_cast<size_t>(UB * G * vw));
  for (size_t c = 0; c < cols.size(); ++c) {
    const int64_t i = static_cast<int64_t>(c), ub = i / (G * vw), g = i % (G * vw) / vw, u = i % vw;
    const int64_t unit = ub * vw + u;
    cols[c] = unit < H ? g * H + unit : -1;
  }
  return cols;
}

// W [G*H, K] (f32) -> B [K, cols] with B[k][c] = W[cols[c]][k].
ir::HostTensor TeamInputWeights(const ir::HostTensor& w, const std::vector<int64_t>& cols) {
  const int64_t K = w.sizes()[1], C = static_cast<int64_t>(cols.size());
  ir::HostTensor t(ir::DType::kF32, {K, C});
  const float* src = static_cast<const float*>(w.raw_data());
  float* dst = static_cast<float*>(t.raw_data());
  for (int64_t k = 0; k < K; ++k)
    for (int64_t c = 0; c < C; ++c) dst[k * C + c] = cols[c] < 0 ? 0.0f : src[cols[c] * K + k];
  return t;
}

// W_hh [G*H, H] -> Wp[ub][k][q] = W_hh[cols[ub*G*vw + q]][k].
ir::HostTensor TeamRecurrentWeights(const ir::HostTensor& w, const std::vector<int64_t>& cols, int64_t G, int64_t H,
                                    int64_t vw) {
  const int64_t GW = G * vw, UB = static_cast<int64_t>(cols.size()) / GW;
  ir::HostTensor t(ir::DType::kF32, {UB * H * GW});
  const float* src = static_cast<const float*>(w.raw_data());
  float* dst = static_cast<float*>(t.raw_data());
  for (int64_t ub = 0; ub < UB; ++ub)
    for (int64_t k = 0; k < H; ++k)
      for (int64_t q = 0; q < GW; ++q) {
        const int64_t r = cols[ub * GW + q];
        dst[(ub * H + k) * GW + q] = r < 0 ? 0.0f : src[r * H + k];
      }
  return t;
}

// The team path's input projection GI[M, N] = A[M, K] @ B + bias with the packed GEMM of
// kernels/conv_gemm.cc (gemm_packed_f32_vVW_MRxNV, B [K, N] packed at compile time into
// panels of NR columns: Bp[panel][k][j] = B[k][panel*NR + j], zero past N).
void EmitPackedProjection(EmitContext& ctx, const std::string& key, const ir::HostTensor& b, const BufferRef& a,
                          const BufferRef& c, const BufferRef* bias, const Expr& M, int64_t vw) {
  const int64_t K = b.sizes()[0], N = b.sizes()[1];
  const int64_t mr = vw == 16 ? 8 : 6, nv = vw == 16 ? 3 : 2, nr = vw * nv;
  const int64_t panels = (N + nr - 1) / nr;
  ir::HostTensor packed(ir::DType::kF32, {panels * K * nr});
  const float* src = static_cast<const float*>(b.raw_data());
  float* dst = static_cast<float*>(packed.raw_data());
  for (int64_t q = 0; q < panels; ++q)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < nr; ++j) dst[(q * K + k) * nr + j] = q * nr + j < N ? src[k * N + q * nr + j] : 0.0f;
  // K blocks so that a packed B block (kc x nr) stays within ~48 KiB; equal blocks.
  const int64_t kmax = std::max<int64_t>(16, 12288 / nr), blocks = (K + kmax - 1) / kmax;
  const int64_t kcb = std::max<int64_t>(1, (K + blocks - 1) / blocks);
  const int64_t n_tasks = std::min<int64_t>(panels, 2);
  const Expr m_tasks = Expr::CeilDiv(M, 4 * mr);
  KernelCall call;
  const std::string suffix = "v" + std::to_string(vw) + "_" + std::to_string(mr) + "x" + std::to_string(nv);
  call.kernel = "gemm_packed_f32_" + suffix;
  call.params = {M, Expr(N), Expr(K), Expr(bias ? 1 : 0), Expr(0), Expr(0), Expr(0), Expr(kcb), m_tasks, Expr(n_tasks)};
  call.buffers = {a, ctx.AddWeights(key + ":" + suffix, packed), c, bias ? *bias : BufferRef{}};
  call.count = m_tasks * Expr(n_tasks);
  call.grain = 1;
  ctx.Call(std::move(call));
}

// bias [G*H] (or none: zeros) -> [cols] in the team order.
ir::HostTensor TeamBias(const ir::HostTensor* b, const std::vector<int64_t>& cols) {
  ir::HostTensor t(ir::DType::kF32, {static_cast<int64_t>(cols.size())});
  float* dst = static_cast<float*>(t.raw_data());
  const float* src = b ? static_cast<const float*>(b->raw_data()) : nullptr;
  for (size_t c = 0; c < cols.size(); ++c) dst[c] = cols[c] < 0 || !src ? 0.0f : src[cols[c]];
  return t;
}

Status EmitRecurrent(const ir::Node& n, EmitContext& ctx) {
  const bool lstm = n.op() == OpKind::Lstm;
  const ir::Attrs& a = n.attrs();
  const std::string mode_name = lstm ? "lstm" : a.s("mode");
  const int64_t mode = mode_name == "rnn_tanh" ? 0 : mode_name == "rnn_relu" ? 1 : mode_name == "gru" ? 2 : 3;
  const int64_t G = mode == 3 ? 4 : mode == 2 ? 3 : 1;
  const int64_t H = a.i("hidden_size"), layers = a.i("num_layers"), dirs = a.b("bidirectional") ? 2 : 1;
  const bool batch_first = a.b("batch_first"), biases = a.b("has_biases");
  const bool has_state = a.b("has_initial_state"), has_lengths = a.b("has_lengths");
  const ir::Value* x = n.operand(0);
  const ir::DType dtype = x->type().dtype;
  if (dtype != ir::DType::kF32 && dtype != ir::DType::kF64) {
    return Unimplemented(n.Describe() + ": " + n.op_name() + " on " + ir::dtype_name(dtype) +
                         " is not supported by the CPU backend");
  }
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(dtype, n));
  const size_t elem = ir::dtype_size(dtype);
  std::vector<Expr> xd = ctx.Dims(x);
  const Expr T = xd[batch_first ? 1 : 0], N = xd[batch_first ? 0 : 1];
  const int64_t features = xd[2].value();
  const Expr rows = T * N;
  const std::vector<int64_t>& max = ctx.max_sizes();
  auto bytes = [&](const Expr& elems) { return static_cast<uint64_t>(elems.Eval(max)) * elem; };

  size_t w = 1;
  BufferRef h0, c0;
  if (has_state) {
    h0 = ctx.Ref(n.operand(w++));
    if (lstm) c0 = ctx.Ref(n.operand(w++));
  }
  BufferRef lengths;
  bool lengths_i32 = false;
  if (has_lengths) {
    const ir::Value* len = n.operands().back();
    lengths = ctx.Ref(len);
    lengths_i32 = len->type().dtype == ir::DType::kI32;
  }
  BufferRef out = ctx.Ref(n.result(0)), h_n = ctx.Ref(n.result(1));
  BufferRef c_n = lstm ? ctx.Ref(n.result(2)) : BufferRef{};

  // f32 with every weight known at compile time: the team path (whole-step GEMM split by
  // hidden units across the threads; kernels/recurrent.cc).
  bool team = dtype == ir::DType::kF32;
  for (size_t i = w; team && i < w + static_cast<size_t>(layers * dirs * (biases ? 4 : 2)); ++i)
    team = ctx.ConstantData(n.operand(i)) != nullptr;
  if (team) {
    const int64_t vw = ctx.vector_floats() >= 16 ? 16 : 8;
    const std::vector<int64_t> cols = TeamColumns(G, H, vw);
    const int64_t GHp = static_cast<int64_t>(cols.size()), UB = GHp / (G * vw);
    std::vector<BufferRef> gi;
    for (int64_t d = 0; d < dirs; ++d) gi.push_back(ctx.Scratch(bytes(rows * Expr(GHp))));
    BufferRef h_buf = ctx.Scratch(bytes(Expr(2) * N * Expr(H)));
    BufferRef c_buf = ctx.Scratch(bytes(N * Expr(H)));
    BufferRef sync = ctx.Scratch(static_cast<uint64_t>(24 + N.Eval(max)) * 8);
    BufferRef inner = layers > 1 ? ctx.Scratch(bytes(rows * Expr(dirs * H))) : BufferRef{};
    BufferRef layer_in = ctx.Ref(x);
    const std::string tag = ":" + std::to_string(vw);
    for (int64_t l = 0; l < layers; ++l) {
      const BufferRef layer_out = l + 1 == layers ? out : inner;
      std::vector<std::pair<BufferRef, BufferRef>> rec;  // packed W_hh, b_hh per direction
      for (int64_t d = 0; d < dirs; ++d) {
        const ir::Value* w_ih = n.operand(w++);
        const ir::Value* w_hh = n.operand(w++);
        const ir::Value* b_ih = biases ? n.operand(w++) : nullptr;
        const ir::Value* b_hh = biases ? n.operand(w++) : nullptr;
        auto key = [&](const char* what, const ir::Value* v) {
          return std::string("rnn_team:") + what + ":" + v->name() + ":" + std::to_string(v->id()) + tag;
        };
        BufferRef bias_ih = b_ih ? ctx.AddWeights(key("b", b_ih), TeamBias(ctx.ConstantData(b_ih), cols)) : BufferRef{};
        EmitPackedProjection(ctx, key("ih", w_ih), TeamInputWeights(*ctx.ConstantData(w_ih), cols), layer_in,
                             gi[static_cast<size_t>(d)], b_ih ? &bias_ih : nullptr, rows, vw);
        BufferRef wp = ctx.AddWeights(key("hh", w_hh), TeamRecurrentWeights(*ctx.ConstantData(w_hh), cols, G, H, vw));
        BufferRef bp = b_hh ? ctx.AddWeights(key("b", b_hh), TeamBias(ctx.ConstantData(b_hh), cols))
                            : ctx.AddWeights("rnn_team:zeros:" + std::to_string(GHp), TeamBias(nullptr, cols));
        rec.emplace_back(wp, bp);
      }
      for (int64_t d = 0; d < dirs; ++d) {
        const Expr slot(l * dirs + d);
        KernelCall init;
        init.kernel = "rnn_team_init_f32";
        init.params = {Expr(mode), T, N, Expr(H), slot, Expr(has_state ? 1 : 0), Expr(has_lengths ? 1 : 0),
                       Expr(lengths_i32 ? 1 : 0), Expr(batch_first ? 1 : 0), Expr(dirs * H), Expr(d * H)};
        init.buffers = {h0, c0, lengths, layer_out, h_n, c_n, h_buf, c_buf, sync, ctx.ErrorSlot()};
        init.count = Expr(1);
        init.grain = 1;
        if (has_lengths) init.error_message = n.Describe() + ": a sequence length (lengths) is outside [0, T]";
        ctx.Call(std::move(init));

        KernelCall call;
        call.kernel = "rnn_team_f32_v" + std::to_string(vw);
        call.params = {Expr(mode),     T,           N,           Expr(H), Expr(batch_first ? 1 : 0), Expr(d == 1 ? 1 : 0),
                       Expr(dirs * H), Expr(d * H), slot,        Expr(std::max<int64_t>(1, UB / 8))};
        call.buffers = {gi[static_cast<size_t>(d)], rec[static_cast<size_t>(d)].first, rec[static_cast<size_t>(d)].second,
                        layer_out, h_n, c_n, h_buf, c_buf, sync};
        // Every task joins the one team; tasks that find no ticket left return at once.
        call.count = Expr(16);
        call.grain = 1;
        ctx.Call(std::move(call));
      }
      layer_in = inner;
    }
    return Status::Ok();
  }

  // Scratch: one GI per direction, the states, GH, and the inner layers' output.
  std::vector<BufferRef> gi;
  for (int64_t d = 0; d < dirs; ++d) gi.push_back(ctx.Scratch(bytes(rows * Expr(G * H))));
  BufferRef h_state = ctx.Scratch(bytes(N * Expr(H)));
  BufferRef c_state = ctx.Scratch(bytes(N * Expr(H)));
  BufferRef gh = ctx.Scratch(bytes(N * Expr(G * H)));
  BufferRef inner = layers > 1 ? ctx.Scratch(bytes(rows * Expr(dirs * H))) : BufferRef{};

  BufferRef layer_in = ctx.Ref(x);
  int64_t in_features = features;
  for (int64_t l = 0; l < layers; ++l) {
    const BufferRef layer_out = l + 1 == layers ? out : inner;
    struct Dir {
      const ir::Value* w_hh;
      BufferRef b_hh;
    };
    std::vector<Dir> dir_weights;
    for (int64_t d = 0; d < dirs; ++d) {
      const ir::Value* w_ih = n.operand(w++);
      const ir::Value* w_hh = n.operand(w++);
      BufferRef b_ih, b_hh;
      if (biases) {
        b_ih = ctx.Ref(n.operand(w++));
        b_hh = ctx.Ref(n.operand(w++));
      }
      EmitProjection(ctx, dt, layer_in, w_ih, gi[static_cast<size_t>(d)], biases ? &b_ih : nullptr, rows, G * H,
                     in_features);
      dir_weights.push_back({w_hh, b_hh});
    }
    for (int64_t d = 0; d < dirs; ++d) {
      KernelCall call;
      call.kernel = "rnn_seq_" + dt;
      call.params = {Expr(mode),
                     T,
                     N,
                     Expr(H),
                     Expr(batch_first ? 1 : 0),
                     Expr(d == 1 ? 1 : 0),
                     Expr(dirs * H),
                     Expr(d * H),
                     Expr(l * dirs + d),
                     Expr(has_state ? 1 : 0),
                     Expr(has_lengths ? 1 : 0),
                     Expr(biases ? 1 : 0),
                     Expr(lengths_i32 ? 1 : 0)};
      call.buffers = {gi[static_cast<size_t>(d)],
                      ctx.Ref(dir_weights[static_cast<size_t>(d)].w_hh),
                      dir_weights[static_cast<size_t>(d)].b_hh,
                      h0,
                      c0,
                      lengths,
                      layer_out,
                      h_n,
                      c_n,
                      h_state,
                      c_state,
                      gh,
                      ctx.ErrorSlot()};
      call.count = N;
      call.grain = GrainFor(T * Expr(G * H * (H + 8)), max);
      if (has_lengths) {
        call.error_message = n.Describe() + ": a sequence length (lengths) is outside [0, T]";
      }
      ctx.Call(std::move(call));
    }
    layer_in = inner;
    in_features = dirs * H;
  }
  return Status::Ok();
}

}  // namespace

void AddRecurrentEmitters(EmitterTable& table) {
  table.Add(OpKind::Rnn, EmitRecurrent);
  table.Add(OpKind::Lstm, EmitRecurrent);
}

}  // namespace kiln::cpu
