// The Winograd route of `conv` (kernels/conv_winograd.cc): which 3x3 stride-1 f32 convs take
// it (a cost model against the direct conv and the implicit GEMM, or
// CompileOptions::conv_algorithm "winograd" / "winograd-f2" / "winograd-f4"), F(2x2, 3x3) or
// F(4x4, 3x3), the register tile, the task split, and the weights transformed at compile time
// (G g G^T in double, rounded once, packed per transform position into channel panels).
// EmitConv (emitters_linalg_conv.cc) asks TryEmitConvWinograd before TryEmitConvDirect; it
// handles groups == 1, 2-d, 3x3, stride 1, dilation 1, any padding, and declines (false, nothing
// emitted) everything else, so the other routes keep those convs. EmitConvNhwc
// (emitters_conv_direct.cc) asks TryEmitConvWinogradNhwc the same for `conv_nhwc` with groups 1
// (kernels/conv_winograd_nhwc.cc): same plan, tiles, split and weights, V laid out [tile][c].
#include <algorithm>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {
namespace {

// Floats per stack row of winograd_in_f32 (kernels/conv_winograd.cc, kWinoMaxRow).
constexpr int64_t kMaxRow = 512;
// Floats of stage per task (A*A*bg*MR*NR): ~128 KiB, stays in L2 while the block's output
// transform reads it back.
constexpr int64_t kStageFloats = 32768;

// A register tile of winograd_gemm_f32: MR tiles x NV vectors of VW output channels.
struct WinoTile {
  int vw, mr, nv;
  double eff;  // relative speed of the micro-kernel
  int nr() const { return vw * nv; }
  std::string suffix() const {
    return "v" + std::to_string(vw) + "_" + std::to_string(mr) + "x" + std::to_string(nv);
  }
};

std::vector<WinoTile> WinoTilesFor(int vw) {
  if (vw == 16) return {{16, 6, 4, 1.0}, {16, 8, 3, 1.0}, {16, 12, 2, 0.95}};
  return {{8, 6, 2, 1.0}, {8, 4, 3, 0.95}};
}

double Fill(int64_t n, int64_t block) { return double(n) / double((n + block - 1) / block * block); }
int64_t RoundUp(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// The best micro-kernel fill over the tiles: what the direct conv (emitters_conv_direct.cc,
// PickDirectTile and kEpilogueTaps there) and this route (per transform position) keep.
double BestFill(int vw, int64_t rows, int64_t O, WinoTile* pick) {
  double best = -1;
  for (const WinoTile& t : WinoTilesFor(vw)) {
    double s = Fill(rows, t.mr) * Fill(O, t.nr()) * t.eff;
    if (s > best + 1e-9) {
      best = s;
      if (pick) *pick = t;
    }
  }
  return best;
}

// Cost model, in multiply-adds of the micro-kernel at full speed (a score is the share of
// that speed the useful 9*P*C*O multiply-adds get; the other routes' scores mean the same):
// - the scalar, transposed epilogue costs ~kEpilogueTaps per output (as the direct conv's);
// - the transforms cost ~kTransformCost per element of V (input) or M (output): a handful of
//   vector adds, a store and a reload;
// - weights stream from memory once per run at batch 1 (resnet18's 45 MB do not stay in
//   cache): each byte costs ~kStreamCost, and the transformed weights are A*A/9 times larger.
//   Measured (Zen 5, 2 threads): even 512 channels at 4x4 (16 MB of F(2x2) weights for 16
//   tiles) runs ~0.30 ms against the direct conv's ~0.41, so the term is small; what loses
//   are outputs of a tile or two (a 1x1 output pays 16 products for 9).
constexpr double kEpilogueTaps = 64;
// Channels-last "auto" considers F(4x4, 3x3) for outputs of at least this many positions
// (resnet18's 56x56 and 28x28 stages).
constexpr int64_t kF4MinPositions = 784;
// Channels-last epilogues (this route's and conv_nhwc_f32's) store whole vectors of channels.
constexpr double kEpilogueNhwc = 4;
constexpr double kTransformCost = 3;
constexpr double kStreamCost = 1;

struct WinoPlan {
  int m = 0;
  WinoTile tile{};
  double score = 0;
};

WinoPlan Plan(int vw, int m, const DirectConv& c, int64_t batch, double epilogue_taps) {
  int a = m + 2;
  int64_t OH = c.OH, OW = c.OW, T = ((OH + m - 1) / m) * ((OW + m - 1) / m);
  WinoPlan p;
  p.m = m;
  double fill = BestFill(vw, T, c.O, &p.tile);
  double useful = 9.0 * double(c.OH * c.OW) * double(c.C) * double(c.O) * double(batch);
  double gemm = double(a * a) * double(T) * double(c.C) * double(c.O) * double(batch) / fill;
  double transforms = kTransformCost * double(a * a) * double(T) * double(c.C + c.O) * double(batch);
  double epilogue = epilogue_taps * double(c.OH * c.OW) * double(c.O) * double(batch);
  double stream = kStreamCost * 4.0 * double(a * a) * double(c.C) * double(c.O);
  p.score = useful / (gemm + transforms + epilogue + stream);
  return p;
}

// The direct conv's score in the same units (its micro-kernel fill and epilogue, plus the
// weights it streams), to beat.
double DirectScore(int vw, const DirectConv& c, int64_t batch) {
  int64_t P = c.OH * c.OW, K = c.C * 9;
  double useful = double(P) * double(K) * double(c.O) * double(batch);
  double fill = BestFill(vw, P, c.O, nullptr);
  double cost = useful / fill + kEpilogueTaps * double(P) * double(c.O) * double(batch) +
                kStreamCost * 4.0 * double(K) * double(c.O);
  return useful / cost;
}

// w [O, C, 3, 3] -> Up[xi][panel][c][j] = (G w[o][c] G^T)[xi], o = panel*nr + j (zero past O).
ir::HostTensor TransformWeights(const ir::HostTensor& w, int m, int64_t nr) {
  static const double kG2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double kG4[6][3] = {{0.25, 0, 0},
                                   {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                   {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                   {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                   {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                   {0, 0, 1}};
  int a = m + 2;
  auto G = [&](int i, int k) { return m == 2 ? kG2[i][k] : kG4[i][k]; };
  int64_t O = w.sizes()[0], C = w.sizes()[1], panels = (O + nr - 1) / nr;
  ir::HostTensor up(ir::DType::kF32, {a * a * panels * C * nr});
  const float* src = static_cast<const float*>(w.raw_data());
  float* dst = static_cast<float*>(up.raw_data());
  std::fill(dst, dst + up.num_elements(), 0.0f);
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < C; ++c) {
      const float* g = src + (o * C + c) * 9;
      double gt[6][3];  // G g
      for (int i = 0; i < a; ++i)
        for (int k = 0; k < 3; ++k) gt[i][k] = G(i, 0) * g[k] + G(i, 1) * g[3 + k] + G(i, 2) * g[6 + k];
      for (int i = 0; i < a; ++i)
        for (int j = 0; j < a; ++j) {
          double u = G(j, 0) * gt[i][0] + G(j, 1) * gt[i][1] + G(j, 2) * gt[i][2];
          int64_t xi = i * a + j, panel = o / nr, jj = o % nr;
          dst[((xi * panels + panel) * C + c) * nr + jj] = static_cast<float>(u);
        }
    }
  return up;
}


// The channels-last direct conv's score (conv_nhwc_f32: its epilogue stores whole vectors).
double DirectNhwcScore(int vw, const DirectConv& c, int64_t batch) {
  int64_t P = c.OH * c.OW, K = c.C * 9;
  double useful = double(P) * double(K) * double(c.O) * double(batch);
  double fill = BestFill(vw, P, c.O, nullptr);
  double cost = useful / fill + kEpilogueNhwc * double(P) * double(c.O) * double(batch) +
                kStreamCost * 4.0 * double(K) * double(c.O);
  return useful / cost;
}

// Which F(M, 3) the route takes for `c` (plan.m == 0: none): with "auto", only when its score
// beats the other routes' (channels-first: direct and implicit GEMM; channels-last: direct).
WinoPlan ChoosePlan(EmitContext& ctx, const DirectConv& c, bool nhwc) {
  const std::string& algo = ctx.conv_algorithm();
  bool forced = algo == "winograd" || algo == "winograd-f2" || algo == "winograd-f4";
  WinoPlan best;
  if (algo != "auto" && !forced) return best;
  if (c.KH != 3 || c.KW != 3 || c.sh != 1 || c.sw != 1 || c.dh != 1 || c.dw != 1) return best;
  int vw = ctx.vector_floats();
  int64_t batch = std::max<int64_t>(1, c.n.Eval(ctx.max_sizes()));
  for (int m : {2, 4}) {
    // F(4x4, 3x3) rounds ~15x worse than F(2x2, 3x3) (~1e-5 of the output's magnitude against
    // ~7e-7 on random data): channels-first it is opt-in; channels-last "auto" takes it on large
    // outputs only (kF4MinPositions), where it measured faster (docs/codegen.md).
    bool f4_auto = nhwc && algo == "auto" && c.OH * c.OW >= kF4MinPositions;
    if (m == 4 && algo != "winograd-f4" && !f4_auto) continue;
    if (m == 2 && algo == "winograd-f4") continue;
    int64_t TW = (c.OW + m - 1) / m;
    // Channels-first: the stack rows hold the padded input row and the taps of whole vectors
    // of tiles. Channels-last has no such limit.
    if (!nhwc && std::max(RoundUp(TW, vw) * m + m, c.pw + c.IW) > kMaxRow) continue;
    WinoPlan p = Plan(vw, m, c, batch, nhwc ? kEpilogueNhwc : kEpilogueTaps);
    if (p.score > best.score) best = p;
  }
  if (best.m == 0 || forced) return best;
  double other = nhwc ? DirectNhwcScore(vw, c, batch) : std::max(c.gemm_score, DirectScore(vw, c, batch));
  if (best.score <= other) best.m = 0;
  return best;
}

// The GEMM kernel's task split, stage and K blocks, for T tiles (v_rows rows of V) per image.
struct WinoSplit {
  int64_t p_tasks = 1, o_tasks = 1, bg = 1, kcb = 1;
  int64_t tasks() const { return p_tasks * o_tasks; }
};

WinoSplit Split(const WinoPlan& plan, const DirectConv& c, int64_t T, int64_t v_rows) {
  const WinoTile& t = plan.tile;
  int a = plan.m + 2;
  WinoSplit s;
  int64_t groups = (T + t.mr - 1) / t.mr, o_panels = (c.O + t.nr() - 1) / t.nr();
  if (c.O > v_rows && o_panels >= 2) {
    // The transformed weights outweigh V: tasks split the channel panels, so each core
    // streams its own share of the weights once.
    s.o_tasks = std::min<int64_t>(o_panels, 8);
  } else {
    s.p_tasks = std::max<int64_t>(1, std::min<int64_t>(groups / 4, 16));
  }
  s.bg = std::max<int64_t>(1, kStageFloats / (a * a * t.mr * t.nr()));
  int64_t kmax = std::max<int64_t>(16, 8192 / t.nr());
  int64_t kblocks = (c.C + kmax - 1) / kmax;
  s.kcb = (c.C + kblocks - 1) / kblocks;
  return s;
}

// Appends the GEMM call (winograd_gemm[_nhwc]_f32) reading V `v`: `shape` is its leading
// parameters (up to Tpad / Tr, Cs), then the epilogue and the split.
void EmitGemm(EmitContext& ctx, const DirectConv& c, const WinoPlan& plan, const WinoSplit& s, const char* kernel,
              std::vector<Expr> shape, BufferRef v) {
  const int m = plan.m, a = m + 2;
  const WinoTile& t = plan.tile;
  BufferRef stage = ctx.Scratch(static_cast<uint64_t>(s.tasks() * a * a * s.bg * t.mr * t.nr()) * sizeof(float));
  KernelCall call;
  call.kernel = std::string(kernel) + t.suffix() + "_m" + std::to_string(m);
  call.params = std::move(shape);
  call.params.insert(call.params.end(), c.epilogue.begin(), c.epilogue.end());
  call.params.push_back(Expr(s.kcb));
  call.params.push_back(Expr(s.p_tasks));
  call.params.push_back(Expr(s.o_tasks));
  call.params.push_back(Expr(s.bg));
  BufferRef up = ctx.AddWeights("conv_winograd:" + std::to_string(m) + ":" + std::to_string(t.nr()) + ":" + c.weight_key,
                                TransformWeights(*c.w, m, t.nr()));
  call.buffers = {v, up, c.y, c.bias, c.res, stage};
  call.count = Expr(s.tasks());
  call.grain = c.run_inline ? s.tasks() : 1;
  ctx.Call(std::move(call));
}

}  // namespace

StatusOr<bool> TryEmitConvWinograd(EmitContext& ctx, const DirectConv& c) {
  WinoPlan plan = ChoosePlan(ctx, c, /*nhwc=*/false);
  if (plan.m == 0) return false;
  const int m = plan.m, a = m + 2, vw = ctx.vector_floats();
  const WinoTile& t = plan.tile;
  int64_t TH = (c.OH + m - 1) / m, TW = (c.OW + m - 1) / m, T = TH * TW;
  int64_t TWv = RoundUp(TW, vw);
  int64_t Wb = RoundUp(std::max(TWv * m + m, c.pw + c.IW), vw);
  // Room for the GEMM's last tile group and for the last tile row's spill (conv_winograd.cc).
  int64_t Tpad = RoundUp(std::max(RoundUp(T, t.mr), (TH - 1) * TW + TWv), 16);
  int64_t planes_max = c.n.Eval(ctx.max_sizes()) * c.C;
  BufferRef v = ctx.Scratch(static_cast<uint64_t>(planes_max * a * a * Tpad) * sizeof(float));

  KernelCall in;
  in.kernel = "winograd_in_f32_v" + std::to_string(vw) + "_m" + std::to_string(m);
  in.params = {c.n, Expr(c.C), Expr(c.IH), Expr(c.IW), Expr(c.ph), Expr(c.pw),
               Expr(TH), Expr(TW), Expr(Tpad), Expr(Wb)};
  in.buffers = {c.x, v};
  in.count = c.n * Expr(c.C);
  in.grain = c.run_inline ? c.C : GrainFor(Expr(a * a * Tpad), ctx.max_sizes());
  ctx.Call(std::move(in));

  WinoSplit s = Split(plan, c, T, Tpad);
  EmitGemm(ctx, c, plan, s, "winograd_gemm_f32_",
           {c.n, Expr(c.C), Expr(c.O), Expr(c.OH), Expr(c.OW), Expr(TH), Expr(TW), Expr(Tpad)}, v);
  return true;
}

StatusOr<bool> TryEmitConvWinogradNhwc(EmitContext& ctx, const DirectConv& c) {
  WinoPlan plan = ChoosePlan(ctx, c, /*nhwc=*/true);
  if (plan.m == 0) return false;
  const int m = plan.m, a = m + 2, vw = ctx.vector_floats();
  int64_t TH = (c.OH + m - 1) / m, TW = (c.OW + m - 1) / m, T = TH * TW;
  int64_t Tr = RoundUp(T, plan.tile.mr), Cs = RoundUp(c.C, vw);
  int64_t batch_max = c.n.Eval(ctx.max_sizes());
  BufferRef v = ctx.Scratch(static_cast<uint64_t>(batch_max * a * a * Tr * Cs) * sizeof(float));

  KernelCall in;
  in.kernel = "winograd_in_nhwc_f32_v" + std::to_string(vw) + "_m" + std::to_string(m);
  in.params = {c.n, Expr(c.C), Expr(c.IH), Expr(c.IW), Expr(c.ph), Expr(c.pw),
               Expr(TH), Expr(TW), Expr(Tr), Expr(Cs)};
  in.buffers = {c.x, v};
  in.count = c.n * Expr(TH);
  in.grain = c.run_inline ? TH : GrainFor(Expr(a * a * TW * Cs), ctx.max_sizes());
  ctx.Call(std::move(in));

  WinoSplit s = Split(plan, c, T, Tr);
  EmitGemm(ctx, c, plan, s, "winograd_gemm_nhwc_f32_",
           {c.n, Expr(c.C), Expr(c.O), Expr(c.OH), Expr(c.OW), Expr(TH), Expr(TW), Expr(Tr), Expr(Cs)}, v);
  return true;
}

}  // namespace kiln::cpu
