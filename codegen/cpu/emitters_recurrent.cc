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
#include <algorithm>

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

// C[M, N] = A[M, K] @ W^T (+ bias), W [N, K].
void EmitProjection(EmitContext& ctx, const std::string& dt, const BufferRef& a, const ir::Value* w, const BufferRef& c,
                    const BufferRef* bias, const Expr& M, int64_t N, int64_t K) {
  KernelCall call;
  call.kernel = "matmul_" + dt;
  BufferRef b_ref;
  bool b_trans = true;
  if (const ir::HostTensor* data = ctx.ConstantData(w)) {
    b_ref = ctx.AddWeights("transposed:" + w->name() + ":" + std::to_string(w->id()), Transposed(*data));
    b_trans = false;
  } else {
    b_ref = ctx.Ref(w);
  }
  call.params = {M, Expr(N), Expr(K), Expr(0)};
  AppendPadded(call.params, {}, 18);
  call.params.push_back(Expr(b_trans ? 1 : 0));
  call.params.push_back(Expr(bias ? 1 : 0));
  call.buffers = {a, b_ref, c, bias ? *bias : BufferRef{}};
  call.count = Expr::CeilDiv(M, kc::kGemmRows) * Expr::CeilDiv(Expr(N), kc::kGemmCols);
  call.grain = 1;
  ctx.Call(std::move(call));
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
