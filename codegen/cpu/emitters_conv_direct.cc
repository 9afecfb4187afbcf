// Direct convolutions (kernels/conv_direct.cc, kernels/nhwc.cc): the direct route of `conv`
// — which 2-d f32 convs take it (the cost model below, or CompileOptions::conv_algorithm); EmitConv
// (emitters_linalg_conv.cc) asks TryEmitConvDirect first and falls back to the implicit GEMM —
// and the emitters of the channels-last ops the layout pass introduces (conv_nhwc: direct,
// or depthwise; max_pool_nhwc). Here: tiles, task splits, the compile-time packing of the
// weights and the padded-input copies.
#include <algorithm>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {
namespace {

// A register tile of conv_direct_f32: MR output positions x NV vectors of VW output channels.
struct DirectTile {
  int vw, mr, nv;
  double eff;  // relative speed of the micro-kernel
  int nr() const { return vw * nv; }
  std::string suffix() const {
    return "v" + std::to_string(vw) + "_" + std::to_string(mr) + "x" + std::to_string(nv);
  }
};

std::vector<DirectTile> DirectTilesFor(int vw) {
  // One-vector tiles (few output channels) issue a load per multiply-add: half speed.
  if (vw == 16) return {{16, 6, 4, 1.0}, {16, 8, 3, 1.0}, {16, 12, 2, 0.95}, {16, 8, 1, 0.5}};
  return {{8, 6, 2, 1.0}, {8, 4, 3, 0.95}, {8, 8, 1, 0.5}};
}

double Fill(int64_t n, int64_t block) { return double(n) / double((n + block - 1) / block * block); }

// The share of the micro-kernel's speed a direct conv keeps: tile fill, and the transposed
// scalar epilogue (one pass over the outputs, worth ~kEpilogueTaps multiply-adds each;
// measured: with K = 96 or less the implicit GEMM is 1.5-3x faster, with K >= 192 the direct
// conv up to 2x faster).
constexpr double kEpilogueTaps = 64;
// A padded copy smaller than this (floats) is made on the calling thread: waking the pool
// would cost more than the copy.
constexpr int64_t kInlinePadFloats = 65536;
// Below this many multiply-adds a conv runs on the calling thread (as the implicit GEMM's
// kInlineWork).
constexpr int64_t kInlineConvWork = 524288;

DirectTile PickDirectTile(int vw, int64_t P, int64_t O, double* score) {
  DirectTile best{};
  double best_score = -1;
  for (const DirectTile& t : DirectTilesFor(vw)) {
    double s = Fill(P, t.mr) * Fill(O, t.nr()) * t.eff;
    if (s > best_score + 1e-9) {
      best_score = s;
      best = t;
    }
  }
  *score = best_score;
  return best;
}

// w [O, K] -> Bp[panel][k][j] = w[panel*nr + j][k], zero past O.
ir::HostTensor PackDirectWeights(const ir::HostTensor& w, int64_t nr) {
  int64_t O = w.sizes()[0], K = w.num_elements() / O, panels = (O + nr - 1) / nr;
  ir::HostTensor p(ir::DType::kF32, {panels * K * nr});
  const float* src = static_cast<const float*>(w.raw_data());
  float* dst = static_cast<float*>(p.raw_data());
  for (int64_t q = 0; q < panels; ++q)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t j = 0; j < nr; ++j) {
        int64_t o = q * nr + j;
        dst[(q * K + k) * nr + j] = o < O ? src[o * K + k] : 0.0f;
      }
  return p;
}

// [O, C, KH, KW] -> Bp[panel][k][j] with k = (kh*KW + kw)*C + c (channels-last tap order),
// zero past O.
ir::HostTensor PackNhwcWeights(const ir::HostTensor& w, int64_t nr) {
  int64_t O = w.sizes()[0], C = w.sizes()[1], taps = w.sizes()[2] * w.sizes()[3], K = C * taps;
  int64_t panels = (O + nr - 1) / nr;
  ir::HostTensor p(ir::DType::kF32, {panels * K * nr});
  const float* src = static_cast<const float*>(w.raw_data());
  float* dst = static_cast<float*>(p.raw_data());
  for (int64_t q = 0; q < panels; ++q)
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t j = 0; j < nr; ++j) {
          int64_t o = q * nr + j;
          dst[(q * K + t * C + c) * nr + j] = o < O ? src[(o * C + c) * taps + t] : 0.0f;
        }
  return p;
}

// Depthwise [C, 1, KH, KW] -> [KH*KW][C].
ir::HostTensor PackDwNhwcWeights(const ir::HostTensor& w) {
  int64_t C = w.sizes()[0], taps = w.sizes()[2] * w.sizes()[3];
  ir::HostTensor p(ir::DType::kF32, {taps * C});
  const float* src = static_cast<const float*>(w.raw_data());
  float* dst = static_cast<float*>(p.raw_data());
  for (int64_t t = 0; t < taps; ++t)
    for (int64_t c = 0; c < C; ++c) dst[t * C + c] = src[c * taps + t];
  return p;
}

// The conv's task split: by channel panels when the weights outweigh the input (each core
// streams its share of the weights once), else by position tiles.
void SplitTasks(int64_t K, int64_t O, int64_t input_floats, int64_t p_tiles, int64_t o_panels, int64_t* p_tasks,
                int64_t* o_tasks) {
  *p_tasks = 1;
  *o_tasks = 1;
  if (K * O > input_floats && o_panels >= 2) {
    *o_tasks = std::min<int64_t>(o_panels, 8);
  } else {
    *p_tasks = std::max<int64_t>(1, std::min<int64_t>(p_tiles / 8, 16));
  }
}

int64_t DirectKc(int64_t K, int nr) {
  int64_t kmax = std::min<int64_t>(kc::kDirectMaxKc, std::max<int64_t>(16, 8192 / nr));
  int64_t kblocks = (K + kmax - 1) / kmax;
  return (K + kblocks - 1) / kblocks;
}

// The input of a padded direct conv: a copy with ph / pw zero rows / columns around each
// image plane (channels-first: pad_planes_f32) or image (channels-last: pad_nhwc_f32) in
// node-lifetime scratch, so every tap is an in-bounds load; `c.x` itself without padding.
// Small copies run on the calling thread.
BufferRef PaddedInput(EmitContext& ctx, const DirectConv& c, bool nhwc) {
  if (c.ph == 0 && c.pw == 0) return c.x;
  int64_t Hs = c.IH + 2 * c.ph, Ws = c.IW + 2 * c.pw;
  BufferRef xp = ctx.Scratch(static_cast<uint64_t>(c.n.Eval(ctx.max_sizes()) * c.C * Hs * Ws) * sizeof(float));
  KernelCall pad;
  bool small = c.C * Hs * Ws <= kInlinePadFloats;
  if (nhwc) {
    pad.kernel = "pad_nhwc_f32";
    pad.params = {Expr(c.IH), Expr(c.IW), Expr(c.C), Expr(c.ph), Expr(c.pw)};
    pad.count = c.n * Expr(Hs);
    pad.grain = small ? Hs : GrainFor(Expr(Ws * c.C), ctx.max_sizes());
  } else {
    pad.kernel = "pad_planes_f32";
    pad.params = {Expr(c.IH), Expr(c.IW), Expr(c.ph), Expr(c.pw)};
    pad.count = c.n * Expr(c.C);
    pad.grain = small ? c.C : GrainFor(Expr(Hs * Ws), ctx.max_sizes());
  }
  pad.buffers = {c.x, xp};
  ctx.Call(std::move(pad));
  return xp;
}

// The direct conv (conv_direct_f32 / conv_nhwc_f32) with tile `t`: padded input, task split,
// weights packed in the layout's tap order.
void EmitDirect(EmitContext& ctx, const DirectConv& c, const DirectTile& t, bool nhwc) {
  int64_t P = c.OH * c.OW, K = c.C * c.KH * c.KW, Hs = c.IH + 2 * c.ph, Ws = c.IW + 2 * c.pw;
  BufferRef src = PaddedInput(ctx, c, nhwc);
  int64_t p_tiles = (P + t.mr - 1) / t.mr, o_panels = (c.O + t.nr() - 1) / t.nr(), p_tasks, o_tasks;
  SplitTasks(K, c.O, c.C * Hs * Ws, p_tiles, o_panels, &p_tasks, &o_tasks);
  KernelCall call;
  call.kernel = std::string(nhwc ? "conv_nhwc_f32_" : "conv_direct_f32_") + t.suffix();
  call.params = {c.n,        Expr(c.C),  Expr(c.O),  Expr(Hs),   Expr(Ws),   Expr(c.OH), Expr(c.OW),
                 Expr(c.KH), Expr(c.KW), Expr(c.sh), Expr(c.sw), Expr(c.dh), Expr(c.dw)};
  call.params.insert(call.params.end(), c.epilogue.begin(), c.epilogue.end());
  call.params.push_back(Expr(DirectKc(K, t.nr())));
  call.params.push_back(Expr(p_tasks));
  call.params.push_back(Expr(o_tasks));
  const std::string key = std::string(nhwc ? "conv_nhwc:" : "conv_direct:") + std::to_string(t.nr()) + ":" + c.weight_key;
  BufferRef bp = ctx.AddWeights(key, nhwc ? PackNhwcWeights(*c.w, t.nr()) : PackDirectWeights(*c.w, t.nr()));
  call.buffers = {src, bp, c.y, c.bias, c.res};
  call.count = c.n * Expr(p_tasks * o_tasks);
  call.grain = c.run_inline ? p_tasks * o_tasks : 1;
  ctx.Call(std::move(call));
}

Status RequireStaticF32(const ir::Node& n, const std::vector<Expr>& dims, const ir::Value* v) {
  if (v->type().dtype != ir::DType::kF32)
    return Unimplemented(n.Describe() + ": " + n.op_name() + " on " + ir::dtype_name(v->type().dtype) +
                         " is not supported by the CPU backend (f32 only)");
  for (size_t i = 1; i < dims.size(); ++i)
    if (!dims[i].is_const())
      return Unimplemented(n.Describe() + ": " + n.op_name() + " needs static dims but the batch, got " +
                           v->type().str());
  return Status::Ok();
}

}  // namespace

Status EmitConvNhwc(const ir::Node& node, EmitContext& ctx) {
  const ir::Value *x = node.operand(0), *w = node.operand(1), *out = node.result();
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  KILN_RETURN_IF_ERROR(RequireStaticF32(node, xd, x));
  const ir::HostTensor* wdata = ctx.ConstantData(w);
  if (wdata == nullptr) return Unimplemented(node.Describe() + ": conv_nhwc needs a constant weight on the CPU backend");
  auto stride = node.attrs().ints("stride"), pad = node.attrs().ints("padding"), dil = node.attrs().ints("dilation");
  int64_t groups = node.attrs().i("groups");
  int64_t IH = xd[1].value(), IW = xd[2].value(), C = xd[3].value(), OH = od[1].value(), OW = od[2].value(),
          O = od[3].value(), KH = wdata->sizes()[2], KW = wdata->sizes()[3];
  const FusedEpilogue* epi = ctx.Epilogue(node);
  bool has_bias = BiasOperand(node) != nullptr;
  BufferRef bias = has_bias ? ctx.Ref(BiasOperand(node)) : BufferRef{};
  BufferRef y = ctx.Ref(epi ? epi->result : out);
  BufferRef res = epi && epi->residual ? ctx.Ref(epi->residual) : BufferRef{};
  std::vector<Expr> epilogue = {Expr(has_bias ? 1 : 0), Expr(epi ? epi->act : 0), Expr(DoubleBits(epi ? epi->lo : 0.0)),
                                Expr(DoubleBits(epi ? epi->hi : 0.0)), Expr(epi && epi->residual ? 1 : 0)};
  const std::string key = w->name() + ":" + std::to_string(w->id());
  int64_t P = OH * OW;
  if (groups == 1) {
    DirectConv dc{xd[0], C, O, IH, IW, OH, OW, KH, KW, stride[0], stride[1], pad[0], pad[1], dil[0], dil[1], wdata, key,
                  ctx.Ref(x), y, bias, res, epilogue, 0.0, P * C * KH * KW * O <= kInlineConvWork};
    KILN_ASSIGN_OR_RETURN(bool winograd, TryEmitConvWinogradNhwc(ctx, dc));
    if (winograd) return Status::Ok();
    double score;
    EmitDirect(ctx, dc, PickDirectTile(ctx.vector_floats(), P, O, &score), /*nhwc=*/true);
    return Status::Ok();
  }
  if (groups != C || O != C || wdata->sizes()[1] != 1) {
    return Unimplemented(node.Describe() + ": conv_nhwc with groups " + std::to_string(groups) +
                         " (neither 1 nor depthwise) is not supported by the CPU backend");
  }
  KernelCall call;
  call.kernel = "conv_dw_nhwc_f32";
  call.params = {Expr(C),  Expr(IH), Expr(IW),        Expr(OH),        Expr(OW),     Expr(KH),    Expr(KW),
                 Expr(stride[0]), Expr(stride[1]), Expr(pad[0]), Expr(pad[1]), Expr(dil[0]), Expr(dil[1])};
  call.params.insert(call.params.end(), epilogue.begin(), epilogue.end());
  call.buffers = {ctx.Ref(x), ctx.AddWeights("conv_dw_nhwc:" + key, PackDwNhwcWeights(*wdata)), y, bias, res};
  call.count = xd[0] * Expr(OH);
  call.grain = GrainFor(Expr(OW * C * KH * KW), ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

namespace {

Status EmitMaxPoolNhwc(const ir::Node& node, EmitContext& ctx) {
  const ir::Value *x = node.operand(0), *out = node.result();
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  KILN_RETURN_IF_ERROR(RequireStaticF32(node, xd, x));
  auto k = node.attrs().ints("kernel_size"), s = node.attrs().ints("stride"), p = node.attrs().ints("padding"),
       d = node.attrs().ints("dilation");
  KernelCall call;
  call.kernel = "max_pool_nhwc_f32";
  call.params = {xd[3], xd[1], xd[2], od[1], od[2], Expr(k[0]), Expr(k[1]), Expr(s[0]),
                 Expr(s[1]), Expr(p[0]),  Expr(p[1]),  Expr(d[0]), Expr(d[1])};
  call.buffers = {ctx.Ref(x), ctx.Ref(out)};
  call.count = xd[0] * od[1];
  call.grain = GrainFor(od[2] * xd[3] * Expr(k[0] * k[1]), ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

}  // namespace

void AddConvDirectEmitters(EmitterTable& t) {
  t.Add(ir::OpKind::ConvNhwc, EmitConvNhwc);
  t.Add(ir::OpKind::MaxPoolNhwc, EmitMaxPoolNhwc);
}

StatusOr<bool> TryEmitConvDirect(EmitContext& ctx, const DirectConv& c) {
  const std::string& algo = ctx.conv_algorithm();
  if (algo == "gemm") return false;
  int64_t P = c.OH * c.OW, K = c.C * c.KH * c.KW;
  double score = 0;
  DirectTile t = PickDirectTile(ctx.vector_floats(), P, c.O, &score);
  score *= double(K) / double(K + kEpilogueTaps);
  if (algo != "direct" && score <= c.gemm_score) return false;
  EmitDirect(ctx, c, t, /*nhwc=*/false);
  return true;
}

}  // namespace kiln::cpu
