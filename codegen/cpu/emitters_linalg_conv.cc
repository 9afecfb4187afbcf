// Emitters of matmul, linear, conv and the pooling ops (kiln_k_matmul_DT, conv_DT, pool_DT,
// fractional_max_pool_DT, max_unpool_wS).
//
// linear's weight is a compile-time constant in every traced model: the emitter stores it
// transposed ([in, out]) in the weights blob so the GEMM reads B row-major and its inner loop
// runs over contiguous output columns. A weight computed at run time uses the kernel's
// transposed-B path instead.
#include <algorithm>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {
namespace {

using ir::OpKind;

bool IsFloat(ir::DType d) { return d == ir::DType::kF32 || d == ir::DType::kF64; }

Status RequireFloat(const ir::Node& n, ir::DType d) {
  if (IsFloat(d)) return Status::Ok();
  return Unimplemented(n.Describe() + ": " + n.op_name() + " on " + ir::dtype_name(d) +
                       " is not supported by the CPU backend");
}

// Emits C[batch, M, N] = A @ B (+ bias) with the batch dims of `space` (strides in elements
// for A, B and C, in that order).
void EmitGemm(EmitContext& ctx, const std::string& dt, const BufferRef& a, const BufferRef& b, const BufferRef& c,
              const BufferRef* bias, const Expr& M, const Expr& N, const Expr& K, StridedSpace batch, bool b_trans) {
  KernelCall call;
  call.kernel = "matmul_" + dt;
  call.params = {M, N, K, Expr(static_cast<int64_t>(batch.sizes.size()))};
  AppendPadded(call.params, batch.sizes, 6);
  AppendPadded(call.params, batch.strides[0], 6);
  AppendPadded(call.params, batch.strides[1], 6);
  call.params.push_back(Expr(b_trans ? 1 : 0));
  call.params.push_back(Expr(bias ? 1 : 0));
  call.buffers = {a, b, c, bias ? *bias : BufferRef{}};
  call.count = Product(batch.sizes, 0, batch.sizes.size()) * Expr::CeilDiv(M, kc::kGemmRows) *
               Expr::CeilDiv(N, kc::kGemmCols);
  call.grain = 1;
  ctx.Call(std::move(call));
}

// A register tile of the packed conv / GEMM kernels (kernels/conv_gemm.cc): MR rows (output
// channels / rows of A) x NV vectors of VW floats (output positions / columns).
struct Tile {
  int vw, mr, nv;
  double eff;  // relative speed of the micro-kernel
  int nr() const { return vw * nv; }
  std::string suffix() const {
    return "v" + std::to_string(vw) + "_" + std::to_string(mr) + "x" + std::to_string(nv);
  }
};

std::vector<Tile> TilesFor(int vw) {
  if (vw == 16) return {{16, 8, 3, 1.0}, {16, 12, 2, 1.0}, {16, 24, 1, 0.85}};
  return {{8, 6, 2, 1.0}, {8, 4, 3, 0.95}, {8, 12, 1, 0.85}};
}

double Utilization(int64_t n, int64_t block) { return double(n) / double((n + block - 1) / block * block); }

// The tile with the least padded work for rows x cols.
Tile PickTile(int vw, int64_t rows, int64_t cols) {
  Tile best{};
  double best_score = -1;
  for (const Tile& t : TilesFor(vw)) {
    double score = Utilization(rows, t.mr) * Utilization(cols, t.nr()) * t.eff;
    if (score > best_score + 1e-9) {
      best_score = score;
      best = t;
    }
  }
  return best;
}

// The implicit GEMM's share of the micro-kernel's speed: tile fill, and packing X_col (each
// packed column costs about kPackRows rows of micro-kernel work and serves opg rows).
constexpr double kPackRows = 16;
double GemmScore(const Tile& t, int64_t opg, int64_t P) {
  double rows = double((opg + t.mr - 1) / t.mr * t.mr);
  return Utilization(opg, t.mr) * Utilization(P, t.nr()) * t.eff * rows / (rows + kPackRows);
}

// K block so the stack-packed block (kc x nr floats) stays in L1; equal blocks.
int64_t PickKc(int64_t K, int64_t width, int64_t budget_floats) {
  int64_t kmax = std::max<int64_t>(16, budget_floats / width);
  int64_t blocks = (K + kmax - 1) / kmax;
  return std::max<int64_t>(1, (K + blocks - 1) / blocks);
}

constexpr int64_t kConvPackBudget = 8192;  // floats: 32 KiB of L1

// B [K, N] (b_kn) or [N, K] -> Bp[panel][k][j] = B[k][panel*nr + j], zero past N.
ir::HostTensor PackB(const ir::HostTensor& b, bool b_kn, int64_t nr) {
  int64_t K = b_kn ? b.sizes()[0] : b.sizes()[1], N = b_kn ? b.sizes()[1] : b.sizes()[0];
  int64_t panels = (N + nr - 1) / nr;
  ir::HostTensor p(ir::DType::kF32, {panels * K * nr});
  const float* src = static_cast<const float*>(b.raw_data());
  float* dst = static_cast<float*>(p.raw_data());
  for (int64_t q = 0; q < panels; ++q)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < nr; ++j) {
        int64_t col = q * nr + j;
        dst[(q * K + k) * nr + j] = col >= N ? 0.0f : b_kn ? src[k * N + col] : src[col * K + k];
      }
  return p;
}

constexpr int64_t kGemmPackBudget = 12288;  // floats per packed B panel block (kc x nr)
// Below this many multiply-adds a kernel call is not worth splitting across threads.
constexpr int64_t kInlineWork = 524288;

constexpr int64_t kInlineGemmWeights = 65536;

// C[M, N] = act(A[M, K] @ B + bias) with B a compile-time constant packed into panels.
void EmitPackedGemm(EmitContext& ctx, const std::string& key, const ir::HostTensor& bdata, bool b_kn,
                    const BufferRef& a, const BufferRef& c, const BufferRef* bias, const Expr& M, int64_t N,
                    int64_t K, const FusedEpilogue* epi) {
  int64_t m_est = std::max<int64_t>(1, M.Eval(ctx.max_sizes()));
  Tile t = PickTile(ctx.vector_floats(), std::max<int64_t>(m_est, 24), N);
  int64_t n_panels = (N + t.nr() - 1) / t.nr();
  // Tasks: every task covers all K; N split in up to 4 parts, M in blocks of 4 panels.
  int64_t n_tasks = std::min<int64_t>(n_panels, m_est >= 4 * t.mr ? 2 : 4);
  Expr m_tasks = Expr::CeilDiv(M, 4 * t.mr);
  // K block: the B block (kc x NR) within its budget, and the packed A block (kc x MR) within
  // the kernel's stack buffer.
  int64_t kcb = PickKc(K, t.nr(), kGemmPackBudget);
  if (kcb * t.mr > kc::kPackFloats) kcb = PickKc(K, t.mr, kc::kPackFloats);
  KernelCall call;
  call.kernel = "gemm_packed_f32_" + t.suffix();
  call.params = {M, Expr(N), Expr(K), Expr(bias ? 1 : 0), Expr(epi ? epi->act : 0),
                 Expr(DoubleBits(epi ? epi->lo : 0.0)), Expr(DoubleBits(epi ? epi->hi : 0.0)),
                 Expr(kcb), m_tasks, Expr(n_tasks)};
  BufferRef bp = ctx.AddWeights("gemm_packed:" + t.suffix() + ":" + key, PackB(bdata, b_kn, t.nr()));
  call.buffers = {a, bp, c, bias ? *bias : BufferRef{}};
  call.count = m_tasks * Expr(n_tasks);
  // A small B (<= kInlineGemmWeights multiply-adds per row block): one M block per chunk, so a
  // batch-1 call runs inline instead of waking the pool (the wake-up costs more than the
  // work). A larger B is shared out even at batch 1: the call streams the weights, and two
  // cores stream them from L3 about twice as fast as one.
  call.grain = N * K <= kInlineGemmWeights ? n_tasks : 1;
  ctx.Call(std::move(call));
}

Status EmitMatMul(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *a = n.operand(0), *b = n.operand(1), *out = n.result();
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(out->type().dtype, n));
  if (dt == "b8") return Unimplemented(n.Describe() + ": matmul on bool is not supported by the CPU backend");
  std::vector<Expr> ad = ctx.Dims(a), bd = ctx.Dims(b), od = ctx.Dims(out);
  size_t r = od.size();
  Expr M = od[r - 2], N = od[r - 1], K = ad[ad.size() - 1];
  std::vector<Expr> batch(od.begin(), od.end() - 2);
  std::vector<Expr> a_batch(ad.begin(), ad.end() - 2), b_batch(bd.begin(), bd.end() - 2);
  if (batch.size() > 6) return Unimplemented(n.Describe() + ": more than 6 batch dims are not supported by the CPU backend");
  const ir::HostTensor* bdata = ctx.ConstantData(b);
  if (dt == "f32" && bdata != nullptr && bd.size() == 2 && N.is_const() && K.is_const()) {
    // B constant [K, N]: every batch dim of A folds into M.
    EmitPackedGemm(ctx, b->name() + ":" + std::to_string(b->id()), *bdata, true, ctx.Ref(a), ctx.Ref(out), nullptr,
                   Product(od, 0, r - 1), N.value(), K.value(), nullptr);
    return Status::Ok();
  }
  StridedSpace space;
  space.sizes = batch;
  std::vector<Expr> as = BroadcastStrides(a_batch, batch), bs = BroadcastStrides(b_batch, batch),
                    cs = ContiguousStrides(batch);
  for (auto& s : as) s = s * M * K;
  for (auto& s : bs) s = s * K * N;
  for (auto& s : cs) s = s * M * N;
  space.strides = {as, bs, cs};
  space = Collapse(space);
  EmitGemm(ctx, dt, ctx.Ref(a), ctx.Ref(b), ctx.Ref(out), nullptr, M, N, K, space, false);
  return Status::Ok();
}

// [rows, cols] -> [cols, rows] for a weight known at compile time.
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

Status EmitLinear(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *w = n.operand(1), *out = n.result();
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(out->type().dtype, n));
  KILN_RETURN_IF_ERROR(RequireFloat(n, out->type().dtype));
  std::vector<Expr> xd = ctx.Dims(x), wd = ctx.Dims(w);
  Expr K = wd[1], N = wd[0];
  Expr M = Product(xd, 0, xd.size() - 1);
  StridedSpace one;
  one.sizes = {Expr(1)};
  one.strides = {{Expr(0)}, {Expr(0)}, {Expr(0)}};
  BufferRef bias;
  const ir::Value* bias_value = BiasOperand(n);
  if (bias_value != nullptr) bias = ctx.Ref(bias_value);
  const ir::HostTensor* data = ctx.ConstantData(w);
  const FusedEpilogue* epi = ctx.Epilogue(n);
  if (dt == "f32" && data != nullptr && N.is_const() && K.is_const()) {
    EmitPackedGemm(ctx, w->name() + ":" + std::to_string(w->id()), *data, false, ctx.Ref(x),
                   ctx.Ref(epi ? epi->result : out), bias_value ? &bias : nullptr, M, N.value(), K.value(),
                   epi);
    return Status::Ok();
  }
  if (epi != nullptr) return Internal(n.Describe() + ": a fused epilogue needs the packed f32 GEMM");
  BufferRef b_ref;
  bool b_trans = true;
  if (data != nullptr) {
    b_ref = ctx.AddWeights("transposed:" + w->name() + ":" + std::to_string(w->id()), Transposed(*data));
    b_trans = false;
  } else {
    b_ref = ctx.Ref(w);
  }
  EmitGemm(ctx, dt, ctx.Ref(x), b_ref, ctx.Ref(out), bias_value ? &bias : nullptr, M, N, K, one, b_trans);
  return Status::Ok();
}

// Spatial values of a 1-3 d op, padded at the front to 3 with `fill`.
std::vector<Expr> Pad3(const std::vector<Expr>& v, int64_t fill) {
  std::vector<Expr> r(3 - v.size(), Expr(fill));
  r.insert(r.end(), v.begin(), v.end());
  return r;
}
std::vector<Expr> Pad3(const std::vector<int64_t>& v, int64_t fill) {
  std::vector<Expr> e(v.begin(), v.end());
  return Pad3(e, fill);
}
void Append(std::vector<Expr>& p, const std::vector<Expr>& v) { p.insert(p.end(), v.begin(), v.end()); }

// w [O, cpg, KD, KH, KW] -> A[g][kb][panel][k][r] (K blocks of kc, the last one shorter;
// zero rows past opg): what one K block of a task reads is contiguous.
ir::HostTensor PackConvWeights(const ir::HostTensor& w, int64_t groups, int64_t mr, int64_t kc) {
  int64_t O = w.sizes()[0], K = w.num_elements() / O, opg = O / groups;
  int64_t panels = (opg + mr - 1) / mr;
  ir::HostTensor a(ir::DType::kF32, {groups * panels * K * mr});
  const float* src = static_cast<const float*>(w.raw_data());
  float* dst = static_cast<float*>(a.raw_data());
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t k0 = 0; k0 < K; k0 += kc) {
      int64_t kl = std::min(kc, K - k0);
      for (int64_t p = 0; p < panels; ++p)
        for (int64_t k = 0; k < kl; ++k)
          for (int64_t r = 0; r < mr; ++r) {
            int64_t o = p * mr + r;
            dst[g * panels * K * mr + k0 * panels * mr + (p * kl + k) * mr + r] =
                o < opg ? src[(g * opg + o) * K + k0 + k] : 0.0f;
          }
    }
  return a;
}

Status EmitConv(const ir::Node& n, EmitContext& ctx);

// fused_conv: the conv's or conv_nhwc's emitter, which reads the epilogue from the context.
Status EmitFusedConv(const ir::Node& n, EmitContext& ctx) {
  return n.attrs().s("layout") == "NHWC" ? EmitConvNhwc(n, ctx) : EmitConv(n, ctx);
}

Status EmitConv(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *w = n.operand(1), *out = n.result();
  KILN_RETURN_IF_ERROR(RequireFloat(n, out->type().dtype));
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(out->type().dtype, n));
  std::vector<Expr> xd = ctx.Dims(x), wd = ctx.Dims(w), od = ctx.Dims(out);
  size_t nd = xd.size() - 2;
  if (nd < 1 || nd > 3) return Unimplemented(n.Describe() + ": conv over " + std::to_string(nd) + " spatial dims is not supported by the CPU backend");
  const FusedEpilogue* epi = ctx.Epilogue(n);
  const ir::HostTensor* wdata = ctx.ConstantData(w);
  int64_t groups = n.attrs().i("groups");
  std::vector<Expr> in3 = Pad3(std::vector<Expr>(xd.begin() + 2, xd.end()), 1);
  std::vector<Expr> out3 = Pad3(std::vector<Expr>(od.begin() + 2, od.end()), 1);
  std::vector<Expr> k3 = Pad3(std::vector<Expr>(wd.begin() + 2, wd.end()), 1);
  std::vector<Expr> s3 = Pad3(n.attrs().ints("stride"), 1), p3 = Pad3(n.attrs().ints("padding"), 0),
                    d3 = Pad3(n.attrs().ints("dilation"), 1);
  bool has_bias = BiasOperand(n) != nullptr;
  BufferRef bias = has_bias ? ctx.Ref(BiasOperand(n)) : BufferRef{};
  BufferRef y = ctx.Ref(epi ? epi->result : out);
  BufferRef res = epi && epi->residual ? ctx.Ref(epi->residual) : BufferRef{};
  auto append_epilogue = [&](std::vector<Expr>& params) {
    params.push_back(Expr(has_bias ? 1 : 0));
    params.push_back(Expr(epi ? epi->act : 0));
    params.push_back(Expr(DoubleBits(epi ? epi->lo : 0.0)));
    params.push_back(Expr(DoubleBits(epi ? epi->hi : 0.0)));
    params.push_back(Expr(epi && epi->residual ? 1 : 0));
  };
  bool all_static = true;
  for (size_t i = 1; i < xd.size(); ++i) all_static = all_static && xd[i].is_const() && od[i].is_const();
  for (const Expr& e : wd) all_static = all_static && e.is_const();
  if (dt == "f32" && wdata != nullptr && all_static) {
    int64_t C = xd[1].value(), O = wd[0].value(), cpg = C / groups, opg = O / groups;
    bool dw = groups > 1 && cpg == 1 && in3[0].value() == 1 && k3[0].value() == 1 && out3[2].value() <= kc::kDwMaxRow;
    if (dw) {
      KernelCall call;
      call.kernel = "conv_dw_f32";
      call.params = {xd[0], xd[1], wd[0], in3[1], in3[2], out3[1], out3[2], k3[1], k3[2],
                     s3[1], s3[2], p3[1], p3[2], d3[1], d3[2]};
      append_epilogue(call.params);
      call.buffers = {ctx.Ref(x), ctx.Ref(w), y, bias, res};
      call.count = xd[0] * wd[0];
      call.grain = GrainFor(Product(od, 2, od.size()) * Product(wd, 2, wd.size()), ctx.max_sizes());
      ctx.Call(std::move(call));
      return Status::Ok();
    }
    int64_t P = out3[0].value() * out3[1].value() * out3[2].value();
    int64_t K = cpg * k3[0].value() * k3[1].value() * k3[2].value();
    Tile t = PickTile(ctx.vector_floats(), opg, P);
    if (groups == 1 && in3[0].value() == 1 && k3[0].value() == 1) {
      DirectConv dc{xd[0], C, O, in3[1].value(), in3[2].value(), out3[1].value(), out3[2].value(),
                    k3[1].value(), k3[2].value(), s3[1].value(), s3[2].value(), p3[1].value(), p3[2].value(),
                    d3[1].value(), d3[2].value(), wdata, w->name() + ":" + std::to_string(w->id()), ctx.Ref(x), y,
                    bias, res, {}, GemmScore(t, opg, P), P * K * O <= kInlineWork};
      append_epilogue(dc.epilogue);
      KILN_ASSIGN_OR_RETURN(bool winograd, TryEmitConvWinograd(ctx, dc));
      if (winograd) return Status::Ok();
      KILN_ASSIGN_OR_RETURN(bool direct, TryEmitConvDirect(ctx, dc));
      if (direct) return Status::Ok();
    }
    int64_t p_panels = (P + t.nr() - 1) / t.nr(), o_panels = (opg + t.mr - 1) / t.mr;
    int64_t p_tasks = p_panels, o_tasks = 1;
    if (p_panels * groups < 8) {
      // Few output panels: every task packs all of them and takes a share of the output
      // channels. Each share re-packs X_col, so only two (one per core of the target machine).
      p_tasks = 1;
      o_tasks = groups >= 2 ? 1 : std::min<int64_t>(o_panels, 2);
    }
    KernelCall call;
    call.kernel = "conv_gemm_f32_" + t.suffix();
    call.params = {xd[0], xd[1], wd[0], Expr(groups)};
    Append(call.params, in3);
    Append(call.params, out3);
    Append(call.params, k3);
    Append(call.params, s3);
    Append(call.params, p3);
    Append(call.params, d3);
    append_epilogue(call.params);
    int64_t kcb = PickKc(K, t.nr(), kConvPackBudget);
    call.params.push_back(Expr(kcb));
    call.params.push_back(Expr(p_tasks));
    call.params.push_back(Expr(o_tasks));
    BufferRef a = ctx.AddWeights("conv_packed:" + t.suffix() + ":" + std::to_string(kcb) + ":" + w->name() + ":" +
                                     std::to_string(w->id()),
                                 PackConvWeights(*wdata, groups, t.mr, kcb));
    call.buffers = {ctx.Ref(x), a, y, bias, res};
    call.count = xd[0] * Expr(groups * p_tasks * o_tasks);
    // A small conv: one image per chunk (a batch-1 call runs inline).
    call.grain = P * K * O <= kInlineWork ? groups * p_tasks * o_tasks : 1;
    ctx.Call(std::move(call));
    return Status::Ok();
  }
  if (epi != nullptr) return Internal(n.Describe() + ": a fused epilogue needs the packed f32 conv");
  KernelCall call;
  call.kernel = "conv_" + dt;
  call.params = {xd[0], xd[1], wd[0], Expr(groups)};
  Append(call.params, in3);
  Append(call.params, out3);
  Append(call.params, k3);
  Append(call.params, s3);
  Append(call.params, p3);
  Append(call.params, d3);
  call.params.push_back(Expr(has_bias ? 1 : 0));
  call.buffers = {ctx.Ref(x), ctx.Ref(w), ctx.Ref(out), bias};
  call.count = xd[0] * wd[0];
  Expr work = Product(od, 2, od.size()) * xd[1] * Product(wd, 2, wd.size());
  call.grain = GrainFor(work, ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

// mode 0 max, 1 avg, 2 max with indices.
Status EmitPoolGeneric(const ir::Node& n, EmitContext& ctx, int64_t mode, bool adaptive) {
  const ir::Value *x = n.operand(0), *out = n.result(0);
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(x->type().dtype, n));
  if (dt == "b8") return Unimplemented(n.Describe() + ": pooling bool is not supported by the CPU backend");
  std::vector<int64_t> ks = adaptive ? n.attrs().ints("output_size") : n.attrs().ints("kernel_size");
  size_t nd = ks.size();
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  if (nd < 1 || nd > 3) return Unimplemented(n.Describe() + ": pooling over " + std::to_string(nd) + " dims is not supported by the CPU backend");
  size_t lead = xd.size() - nd;
  KernelCall call;
  call.kernel = "pool_" + dt;
  Expr planes = Product(xd, 0, lead);
  call.params = {Expr(mode), Expr(adaptive ? 1 : 0), planes};
  Append(call.params, Pad3(std::vector<Expr>(xd.begin() + lead, xd.end()), 1));
  Append(call.params, Pad3(std::vector<Expr>(od.begin() + lead, od.end()), 1));
  if (adaptive) {
    Append(call.params, Pad3(std::vector<int64_t>(nd, 1), 1));
    Append(call.params, Pad3(std::vector<int64_t>(nd, 1), 1));
    Append(call.params, Pad3(std::vector<int64_t>(nd, 0), 0));
    Append(call.params, Pad3(std::vector<int64_t>(nd, 1), 1));
    call.params.push_back(Expr(0));
    call.params.push_back(Expr(0));
  } else {
    Append(call.params, Pad3(ks, 1));
    Append(call.params, Pad3(n.attrs().ints("stride"), 1));
    Append(call.params, Pad3(n.attrs().ints("padding"), 0));
    Append(call.params, Pad3(mode == 1 ? std::vector<int64_t>(nd, 1) : n.attrs().ints("dilation"), 1));
    call.params.push_back(Expr(mode == 1 && n.attrs().b("count_include_pad") ? 1 : 0));
    call.params.push_back(Expr(mode == 1 ? n.attrs().i("divisor_override") : 0));
  }
  call.buffers = {ctx.Ref(x), ctx.Ref(out), mode == 2 ? ctx.Ref(n.result(1)) : BufferRef{}};
  call.count = planes;
  call.grain = GrainFor(Product(od, lead, od.size()) * Expr(16), ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

Status EmitMaxPool(const ir::Node& n, EmitContext& ctx) { return EmitPoolGeneric(n, ctx, 0, false); }
Status EmitAvgPool(const ir::Node& n, EmitContext& ctx) { return EmitPoolGeneric(n, ctx, 1, false); }
Status EmitMaxPoolWithIndices(const ir::Node& n, EmitContext& ctx) { return EmitPoolGeneric(n, ctx, 2, false); }
Status EmitAdaptiveAvgPool(const ir::Node& n, EmitContext& ctx) {
  KILN_RETURN_IF_ERROR(RequireFloat(n, n.operand(0)->type().dtype));
  return EmitPoolGeneric(n, ctx, 1, true);
}
Status EmitAdaptiveMaxPool(const ir::Node& n, EmitContext& ctx) { return EmitPoolGeneric(n, ctx, 2, true); }

Status EmitFractionalMaxPool(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result(0);
  KILN_RETURN_IF_ERROR(RequireFloat(n, x->type().dtype));
  if (n.operand(1)->type().dtype != x->type().dtype) {
    return Unimplemented(n.Describe() + ": fractional_max_pool with samples of another dtype is not supported by the CPU backend");
  }
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(x->type().dtype, n));
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  auto ks = n.attrs().ints("kernel_size");
  KernelCall call;
  call.kernel = "fractional_max_pool_" + dt;
  Expr planes = xd[0] * xd[1];
  call.params = {planes, xd[2], xd[3], od[2], od[3], Expr(ks[0]), Expr(ks[1])};
  call.buffers = {ctx.Ref(x), ctx.Ref(n.operand(1)), ctx.Ref(out), ctx.Ref(n.result(1))};
  call.count = planes;
  call.grain = 1;
  ctx.Call(std::move(call));
  return Status::Ok();
}

Status EmitMaxUnpool(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  size_t es = ir::dtype_size(x->type().dtype);
  if (es != 4 && es != 8) return Unimplemented(n.Describe() + ": max_unpool of " + ir::dtype_name(x->type().dtype) + " is not supported by the CPU backend");
  size_t nd = n.attrs().ints("output_size").size();
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  size_t lead = xd.size() - nd;
  KernelCall call;
  call.kernel = "max_unpool_" + WidthSuffix(x->type().dtype);
  Expr planes = Product(xd, 0, lead);
  call.params = {planes, Product(xd, lead, xd.size()), Product(od, lead, od.size())};
  call.buffers = {ctx.Ref(x), ctx.Ref(n.operand(1)), ctx.Ref(out), ctx.ErrorSlot()};
  call.error_message = n.Describe() + ": an index is out of range for the output plane";
  call.count = planes;
  call.grain = 1;
  ctx.Call(std::move(call));
  return Status::Ok();
}

}  // namespace

void AddLinalgConvEmitters(EmitterTable& t) {
  t.Add(OpKind::MatMul, EmitMatMul);
  t.Add(OpKind::Linear, EmitLinear);
  t.Add(OpKind::Conv, EmitConv);
  t.Add(OpKind::FusedLinear, EmitLinear);
  t.Add(OpKind::FusedConv, EmitFusedConv);
  t.Add(OpKind::MaxPool, EmitMaxPool);
  t.Add(OpKind::AvgPool, EmitAvgPool);
  t.Add(OpKind::MaxPoolWithIndices, EmitMaxPoolWithIndices);
  t.Add(OpKind::AdaptiveAvgPool, EmitAdaptiveAvgPool);
  t.Add(OpKind::AdaptiveMaxPool, EmitAdaptiveMaxPool);
  t.Add(OpKind::FractionalMaxPool, EmitFractionalMaxPool);
  t.Add(OpKind::MaxUnpool, EmitMaxUnpool);
}

}  // namespace kiln::cpu
