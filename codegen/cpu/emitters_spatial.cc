// Emitters of the Layers I spatial ops: pad (kiln_k_pad_wS), conv_transpose
// (conv_transpose_DT), unfold (unfold_wS), fold (fold_DT) and upsample
// (upsample_nearest_wS, upsample_linear_DT); kernels/spatial.cc documents the kernels.
//
// Index tables that depend only on the shapes and attributes (pad's source index per output
// position, upsample's source taps and lambdas) are computed here with the reference's own
// arithmetic (upsample's coordinates in float for every dtype but f64, as torch 1.13 and the
// reference do) and stored in the weights blob, so the kernels do no coordinate math.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"
#include "codegen/reference/spatial_index.h"

namespace kiln::cpu {
namespace {

using ir::OpKind;

std::string Key(const char* what, const ir::Node& n) { return std::string(what) + ":" + std::to_string(n.result()->id()); }

ir::HostTensor I64Tensor(const std::vector<int64_t>& v) {
  ir::HostTensor t(ir::DType::kI64, {static_cast<int64_t>(v.size())});
  if (!v.empty()) std::memcpy(t.raw_data(), v.data(), v.size() * sizeof(int64_t));
  return t;
}

Status NotSupported(const ir::Node& n, const std::string& what) {
  return Unimplemented(n.Describe() + ": " + n.op_name() + " " + what + " is not supported by the CPU backend");
}

// Spatial values of a 1-3 d op, padded at the front to 3 with `fill`.
std::vector<Expr> Pad3(const std::vector<Expr>& v, int64_t fill) {
  std::vector<Expr> r(3 - v.size(), Expr(fill));
  r.insert(r.end(), v.begin(), v.end());
  return r;
}
std::vector<Expr> Pad3(const std::vector<int64_t>& v, int64_t fill) { return Pad3(std::vector<Expr>(v.begin(), v.end()), fill); }
void Append(std::vector<Expr>& p, const std::vector<Expr>& v) { p.insert(p.end(), v.begin(), v.end()); }

// ---- pad ----

// The fill value's bits in `dtype`, zero-extended, as the reference stores it.
int64_t FillBits(ir::DType dtype, double value) {
  ir::HostTensor t(dtype, {1});
  if (ir::is_floating(dtype)) {
    t.SetDouble(0, value);
  } else {
    int64_t v = static_cast<int64_t>(value);
    switch (dtype) {
      case ir::DType::kI64: t.data<int64_t>()[0] = v; break;
      case ir::DType::kI32: t.data<int32_t>()[0] = static_cast<int32_t>(static_cast<uint32_t>(v)); break;
      case ir::DType::kBool: t.data<bool>()[0] = v != 0; break;
      default: t.SetDouble(0, static_cast<double>(v)); break;
    }
  }
  uint64_t bits = 0;
  std::memcpy(&bits, t.raw_data(), ir::dtype_size(dtype));
  return static_cast<int64_t>(bits);
}

Status EmitPad(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  ir::DType dtype = x->type().dtype;
  size_t es = ir::dtype_size(dtype);
  if (es != 1 && es != 2 && es != 4 && es != 8) return NotSupported(n, std::string("of ") + ir::dtype_name(dtype));
  auto pads = n.attrs().ints("pads");
  std::string mode = n.attrs().s("mode");
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  int rank = static_cast<int>(xd.size());
  size_t k = pads.size() / 2;
  std::vector<int64_t> left(static_cast<size_t>(rank), 0), right(static_cast<size_t>(rank), 0);
  int first = -1, last = -1;
  for (int d = 0; d < rank; ++d) {
    size_t from_last = static_cast<size_t>(rank - 1 - d);
    if (from_last < k) {
      left[static_cast<size_t>(d)] = pads[2 * from_last];
      right[static_cast<size_t>(d)] = pads[2 * from_last + 1];
    }
    if (left[static_cast<size_t>(d)] != 0 || right[static_cast<size_t>(d)] != 0) {
      if (first < 0) first = d;
      last = d;
    }
  }
  BufferRef src = ctx.Ref(x), dst = ctx.Ref(out);
  if (first < 0) {  // nothing padded: a contiguous copy
    KernelCall call;
    call.kernel = "copy_" + WidthSuffix(dtype);
    call.params = {Expr(1), Product(xd, 0, xd.size())};
    AppendPadded(call.params, {}, kc::kMaxRank - 1);
    call.params.push_back(Expr(1));
    AppendPadded(call.params, {}, kc::kMaxRank - 1);
    call.params.push_back(Expr(1));
    AppendPadded(call.params, {}, kc::kMaxRank - 1);
    call.params.push_back(Expr(0));
    call.params.push_back(Expr(0));
    call.buffers = {src, dst};
    call.count = 1;
    call.parallel = false;
    ctx.Call(std::move(call));
    return Status::Ok();
  }
  std::vector<int64_t> in_sizes, out_sizes, table;
  for (int d = first; d <= last; ++d) {
    if (!xd[static_cast<size_t>(d)].is_const()) return NotSupported(n, "with a symbolic dim inside the padded dims");
    int64_t in_n = xd[static_cast<size_t>(d)].value(), out_n = od[static_cast<size_t>(d)].value();
    in_sizes.push_back(in_n);
    out_sizes.push_back(out_n);
    for (int64_t j = 0; j < out_n; ++j) {
      table.push_back(reference::PadSourceIndex(mode, j, in_n, left[static_cast<size_t>(d)], right[static_cast<size_t>(d)]));
    }
  }
  int64_t nl = in_sizes.back(), ol = out_sizes.back(), l = left[static_cast<size_t>(last)];
  int64_t lo = std::min(std::max<int64_t>(l, 0), ol);
  int64_t hi = std::max(std::min(ol, nl + l), lo);
  Expr outer = Product(xd, 0, static_cast<size_t>(first));
  Expr inner = Product(xd, static_cast<size_t>(last) + 1, xd.size());
  if (table.empty()) table.push_back(-1);  // an empty output: keep the buffer valid
  KernelCall call;
  call.kernel = "pad_" + WidthSuffix(dtype);
  call.params = {Expr(static_cast<int64_t>(in_sizes.size())), inner};
  AppendPadded(call.params, std::vector<Expr>(out_sizes.begin(), out_sizes.end()), kc::kMaxRank);
  AppendPadded(call.params, std::vector<Expr>(in_sizes.begin(), in_sizes.end()), kc::kMaxRank);
  call.params.push_back(Expr(lo));
  call.params.push_back(Expr(hi));
  call.params.push_back(Expr(l));
  call.params.push_back(Expr(FillBits(dtype, n.attrs().f("value"))));
  call.buffers = {src, ctx.AddWeights(Key("pad_table", n), I64Tensor(table)), dst};
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < out_sizes.size(); ++d) rows *= out_sizes[d];
  call.count = outer * Expr(rows);
  call.grain = GrainFor(Expr(ol) * inner, ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

// ---- conv_transpose ----

// A 2-d f32 transposed convolution with groups 1, a constant weight and static dims but the
// batch, as a GEMM and a col2im: cols[n][o*K + tap][p] = sum_c w[c][o][tap] * x[n][c][p] is
// a 1x1 convolution of x with O*K output channels (the direct conv, weights transposed at
// compile time), and y = fold(cols) + bias sums each tap into its output position (the
// fold kernel, which starts every plane at its bias). A DCGAN layer (256 -> 128 channels,
// 4x4 stride 2, 16x16 -> 32x32, batch 1, 2 threads) took 15.9 ms in the scatter kernel and
// takes 0.66 ms (~400 GFLOP/s) this way. Other transposed convs keep the scatter kernel.
StatusOr<bool> TryEmitConvTransposeGemm(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *w = n.operand(1), *out = n.result();
  const ir::HostTensor* wdata = ctx.ConstantData(w);
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  if (out->type().dtype != ir::DType::kF32 || wdata == nullptr || xd.size() != 4 || n.attrs().i("groups") != 1)
    return false;
  for (size_t d = 1; d < 4; ++d)
    if (!xd[d].is_const() || !od[d].is_const()) return false;
  int64_t C = xd[1].value(), IH = xd[2].value(), IW = xd[3].value(), O = od[1].value(), OH = od[2].value(),
          OW = od[3].value(), KH = wdata->sizes()[2], KW = wdata->sizes()[3], taps = KH * KW;
  // w [C, O, KH, KW] viewed as [C, O*K] -> wt [O*K, C, 1, 1].
  ir::HostTensor wt(ir::DType::kF32, {O * taps, C, 1, 1});
  const float* src = static_cast<const float*>(wdata->raw_data());
  float* dst = static_cast<float*>(wt.raw_data());
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ok = 0; ok < O * taps; ++ok) dst[ok * C + c] = src[c * O * taps + ok];
  int64_t max_n = xd[0].Eval(ctx.max_sizes());
  BufferRef cols = ctx.Scratch(static_cast<uint64_t>(max_n * O * taps * IH * IW) * sizeof(float));
  DirectConv dc{xd[0], C, O * taps, IH, IW, IH, IW, 1, 1, 1, 1, 0, 0, 1, 1, &wt,
                "conv_transpose:" + w->name() + ":" + std::to_string(w->id()), ctx.Ref(x), cols, BufferRef{},
                BufferRef{}, {Expr(0), Expr(0), Expr(0), Expr(0), Expr(0)},
                -1.0,  // the GEMM: this route has no implicit-GEMM alternative
                IH * IW * C * O * taps <= 524288};
  KILN_ASSIGN_OR_RETURN(bool emitted, TryEmitConvDirect(ctx, dc));
  if (!emitted) return false;  // --conv-algorithm=gemm: the scatter kernel
  auto stride = n.attrs().ints("stride"), padding = n.attrs().ints("padding"), dilation = n.attrs().ints("dilation");
  bool has_bias = n.num_operands() == 3;
  KernelCall fold;
  fold.kernel = "fold_f32";
  Expr planes = xd[0] * Expr(O);
  fold.params = {planes};
  Append(fold.params, Pad3(std::vector<int64_t>{OH, OW}, 1));
  Append(fold.params, Pad3(std::vector<int64_t>{IH, IW}, 1));
  Append(fold.params, Pad3(std::vector<int64_t>{KH, KW}, 1));
  Append(fold.params, Pad3(stride, 1));
  Append(fold.params, Pad3(padding, 0));
  Append(fold.params, Pad3(dilation, 1));
  fold.params.push_back(Expr(has_bias ? 1 : 0));
  fold.params.push_back(Expr(O));
  fold.buffers = {cols, ctx.Ref(out), has_bias ? ctx.Ref(n.operand(2)) : BufferRef{}};
  fold.count = planes;
  fold.grain = GrainFor(Expr(taps * IH * IW * 2), ctx.max_sizes());
  ctx.Call(std::move(fold));
  return true;
}

Status EmitConvTranspose(const ir::Node& n, EmitContext& ctx) {
  KILN_ASSIGN_OR_RETURN(bool gemm, TryEmitConvTransposeGemm(n, ctx));
  if (gemm) return Status::Ok();
  const ir::Value *x = n.operand(0), *w = n.operand(1), *out = n.result();
  ir::DType dtype = out->type().dtype;
  if (dtype != ir::DType::kF32 && dtype != ir::DType::kF64) return NotSupported(n, std::string("on ") + ir::dtype_name(dtype));
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(dtype, n));
  std::vector<Expr> xd = ctx.Dims(x), wd = ctx.Dims(w), od = ctx.Dims(out);
  size_t nd = xd.size() - 2;
  if (nd < 1 || nd > 3) return NotSupported(n, "over " + std::to_string(nd) + " spatial dims");
  int64_t groups = n.attrs().i("groups");
  KernelCall call;
  call.kernel = "conv_transpose_" + dt;
  call.params = {xd[0], xd[1], od[1], Expr(groups)};
  Append(call.params, Pad3(std::vector<Expr>(xd.begin() + 2, xd.end()), 1));
  Append(call.params, Pad3(std::vector<Expr>(od.begin() + 2, od.end()), 1));
  Append(call.params, Pad3(std::vector<Expr>(wd.begin() + 2, wd.end()), 1));
  Append(call.params, Pad3(n.attrs().ints("stride"), 1));
  Append(call.params, Pad3(n.attrs().ints("padding"), 0));
  Append(call.params, Pad3(n.attrs().ints("dilation"), 1));
  bool has_bias = n.num_operands() == 3;
  call.params.push_back(Expr(has_bias ? 1 : 0));
  call.buffers = {ctx.Ref(x), ctx.Ref(w), ctx.Ref(out), has_bias ? ctx.Ref(n.operand(2)) : BufferRef{}};
  call.count = xd[0] * od[1];
  Expr work = Product(od, 2, od.size()) + Product(xd, 2, xd.size()) * Product(wd, 2, wd.size()) *
                                              Expr::CeilDiv(xd[1], std::max<int64_t>(groups, 1));
  call.grain = GrainFor(work, ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

// ---- unfold / fold ----

// [ID, IH, IW, BD, BH, BW, KD, KH, KW, s*3, p*3, d*3] for an image of `image` spatial sizes.
std::vector<Expr> Im2ColParams(const ir::Node& n, const std::vector<int64_t>& image) {
  auto kernel = n.attrs().ints("kernel_size"), dilation = n.attrs().ints("dilation"),
       padding = n.attrs().ints("padding"), stride = n.attrs().ints("stride");
  std::vector<int64_t> blocks;
  for (size_t d = 0; d < kernel.size(); ++d) {
    blocks.push_back((image[d] + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d] + 1);
  }
  std::vector<Expr> p;
  Append(p, Pad3(image, 1));
  Append(p, Pad3(blocks, 1));
  Append(p, Pad3(kernel, 1));
  Append(p, Pad3(stride, 1));
  Append(p, Pad3(padding, 0));
  Append(p, Pad3(dilation, 1));
  return p;
}

Status EmitUnfold(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  ir::DType dtype = x->type().dtype;
  size_t es = ir::dtype_size(dtype);
  if (es != 2 && es != 4 && es != 8) return NotSupported(n, std::string("of ") + ir::dtype_name(dtype));
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  size_t nd = xd.size() - 2;
  if (nd < 1 || nd > 3) return NotSupported(n, "over " + std::to_string(nd) + " spatial dims");
  std::vector<int64_t> image;
  for (size_t d = 2; d < xd.size(); ++d) image.push_back(xd[d].value());
  int64_t taps = 1;
  for (int64_t k : n.attrs().ints("kernel_size")) taps *= k;
  Expr planes = xd[0] * xd[1];
  KernelCall call;
  call.kernel = "unfold_" + WidthSuffix(dtype);
  call.params = {planes};
  Append(call.params, Im2ColParams(n, image));
  call.buffers = {ctx.Ref(x), ctx.Ref(out)};
  call.count = planes * Expr(taps);
  call.grain = GrainFor(od[2], ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

Status EmitFold(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  ir::DType dtype = x->type().dtype;
  if (dtype != ir::DType::kF32 && dtype != ir::DType::kF64) return NotSupported(n, std::string("on ") + ir::dtype_name(dtype));
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(dtype, n));
  std::vector<Expr> xd = ctx.Dims(x), od = ctx.Dims(out);
  auto image = n.attrs().ints("output_size");
  if (image.size() > 3) return NotSupported(n, "over " + std::to_string(image.size()) + " spatial dims");
  Expr planes = od[0] * od[1];
  KernelCall call;
  call.kernel = "fold_" + dt;
  call.params = {planes};
  Append(call.params, Im2ColParams(n, image));
  call.params.push_back(Expr(0));  // no bias
  call.params.push_back(Expr(1));
  call.buffers = {ctx.Ref(x), ctx.Ref(out)};
  call.count = planes;
  call.grain = GrainFor(Product(xd, 1, xd.size()) * Expr(2), ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

// ---- upsample: the reference's coordinate transforms ----

template <typename T>
ir::HostTensor LinearTables(const std::vector<int64_t>& in3, const std::vector<int64_t>& out3, size_t pad_dims,
                            bool align_corners, const std::vector<double>& scales, std::vector<int64_t>* index) {
  std::vector<T> lambdas;
  for (size_t d = 0; d < 3; ++d) {
    int64_t S = out3[d];
    std::vector<int64_t> i0(static_cast<size_t>(S)), i1(static_cast<size_t>(S));
    std::vector<T> l0(static_cast<size_t>(S)), l1(static_cast<size_t>(S));
    for (int64_t o = 0; o < S; ++o) {
      size_t u = static_cast<size_t>(o);
      if (d < pad_dims) {
        i0[u] = i1[u] = 0;
        l0[u] = T(1);
        l1[u] = T(0);
        continue;
      }
      double scale = scales.empty() ? 0.0 : scales[d - pad_dims];
      reference::LinearSource<T> src = reference::LinearSourceIndex<T>(o, in3[d], S, align_corners, scale);
      i0[u] = src.i0;
      i1[u] = src.i1;
      l0[u] = src.l0;
      l1[u] = src.l1;
    }
    index->insert(index->end(), i0.begin(), i0.end());
    index->insert(index->end(), i1.begin(), i1.end());
    lambdas.insert(lambdas.end(), l0.begin(), l0.end());
    lambdas.insert(lambdas.end(), l1.begin(), l1.end());
  }
  ir::HostTensor t(ir::DTypeOf<T>::value, {static_cast<int64_t>(lambdas.size())});
  std::memcpy(t.raw_data(), lambdas.data(), lambdas.size() * sizeof(T));
  return t;
}

Status EmitUpsample(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  ir::DType dtype = x->type().dtype;
  std::string mode = n.attrs().s("mode");
  auto sizes = n.attrs().ints("sizes");
  auto scales = n.attrs().floats("scales");
  bool align_corners = n.attrs().b("align_corners");
  size_t nd = sizes.size();
  if (nd < 1 || nd > 3) return NotSupported(n, "over " + std::to_string(nd) + " dims");
  std::vector<Expr> xd = ctx.Dims(x);
  size_t lead = xd.size() - nd;
  std::vector<int64_t> in3(3 - nd, 1), out3(3 - nd, 1);
  for (size_t d = 0; d < nd; ++d) {
    in3.push_back(xd[lead + d].value());
    out3.push_back(sizes[d]);
  }
  size_t pad_dims = 3 - nd;
  Expr planes = Product(xd, 0, lead);
  KernelCall call;
  call.params = {planes, Expr(in3[0]), Expr(in3[1]), Expr(in3[2]), Expr(out3[0]), Expr(out3[1]), Expr(out3[2])};
  call.count = planes * Expr(out3[0] * out3[1]);
  if (mode == "linear") {
    if (dtype != ir::DType::kF32 && dtype != ir::DType::kF64) return NotSupported(n, std::string("on ") + ir::dtype_name(dtype));
    KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(dtype, n));
    std::vector<int64_t> index;
    ir::HostTensor lambdas = dtype == ir::DType::kF64
                                 ? LinearTables<double>(in3, out3, pad_dims, align_corners, scales, &index)
                                 : LinearTables<float>(in3, out3, pad_dims, align_corners, scales, &index);
    call.kernel = "upsample_linear_" + dt;
    call.params.push_back(Expr(pad_dims < 1 ? 1 : 0));
    call.params.push_back(Expr(pad_dims < 2 ? 1 : 0));
    call.buffers = {ctx.Ref(x), ctx.AddWeights(Key("upsample_index", n), I64Tensor(index)),
                    ctx.AddWeights(Key("upsample_lambda", n), lambdas), ctx.Ref(out)};
    call.grain = GrainFor(Expr(out3[2] * 4 * (pad_dims < 1 ? 2 : 1) * (pad_dims < 2 ? 2 : 1)), ctx.max_sizes());
  } else {
    size_t es = ir::dtype_size(dtype);
    if (es != 1 && es != 2 && es != 4 && es != 8) return NotSupported(n, std::string("of ") + ir::dtype_name(dtype));
    std::vector<int64_t> index;
    for (size_t d = 0; d < 3; ++d) {
      for (int64_t o = 0; o < out3[d]; ++o) {
        if (d < pad_dims) {
          index.push_back(0);
          continue;
        }
        double scale = scales.empty() ? 0.0 : scales[d - pad_dims];
        index.push_back(reference::NearestSourceIndex(mode == "nearest_exact", o, in3[d], out3[d], scale));
      }
    }
    call.kernel = "upsample_nearest_" + WidthSuffix(dtype);
    call.buffers = {ctx.Ref(x), ctx.AddWeights(Key("upsample_index", n), I64Tensor(index)), ctx.Ref(out)};
    call.grain = GrainFor(Expr(out3[2]), ctx.max_sizes());
  }
  ctx.Call(std::move(call));
  return Status::Ok();
}

}  // namespace

void AddSpatialEmitters(EmitterTable& t) {
  t.Add(OpKind::Pad, EmitPad);
  t.Add(OpKind::ConvTranspose, EmitConvTranspose);
  t.Add(OpKind::Unfold, EmitUnfold);
  t.Add(OpKind::Fold, EmitFold);
  t.Add(OpKind::Upsample, EmitUpsample);
}

}  // namespace kiln::cpu
