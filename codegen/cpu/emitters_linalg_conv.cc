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
  if (n.num_operands() == 3) bias = ctx.Ref(n.operand(2));
  const ir::HostTensor* data = ctx.ConstantData(w);
  BufferRef b_ref;
  bool b_trans = true;
  if (data != nullptr) {
    b_ref = ctx.AddWeights("transposed:" + w->name() + ":" + std::to_string(w->id()), Transposed(*data));
    b_trans = false;
  } else {
    b_ref = ctx.Ref(w);
  }
  EmitGemm(ctx, dt, ctx.Ref(x), b_ref, ctx.Ref(out), n.num_operands() == 3 ? &bias : nullptr, M, N, K, one, b_trans);
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

Status EmitConv(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *w = n.operand(1), *out = n.result();
  KILN_RETURN_IF_ERROR(RequireFloat(n, out->type().dtype));
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(out->type().dtype, n));
  std::vector<Expr> xd = ctx.Dims(x), wd = ctx.Dims(w), od = ctx.Dims(out);
  size_t nd = xd.size() - 2;
  if (nd < 1 || nd > 3) return Unimplemented(n.Describe() + ": conv over " + std::to_string(nd) + " spatial dims is not supported by the CPU backend");
  KernelCall call;
  call.kernel = "conv_" + dt;
  call.params = {xd[0], xd[1], wd[0], Expr(n.attrs().i("groups"))};
  Append(call.params, Pad3(std::vector<Expr>(xd.begin() + 2, xd.end()), 1));
  Append(call.params, Pad3(std::vector<Expr>(od.begin() + 2, od.end()), 1));
  Append(call.params, Pad3(std::vector<Expr>(wd.begin() + 2, wd.end()), 1));
  Append(call.params, Pad3(n.attrs().ints("stride"), 1));
  Append(call.params, Pad3(n.attrs().ints("padding"), 0));
  Append(call.params, Pad3(n.attrs().ints("dilation"), 1));
  call.params.push_back(Expr(n.num_operands() == 3 ? 1 : 0));
  call.buffers = {ctx.Ref(x), ctx.Ref(w), ctx.Ref(out), n.num_operands() == 3 ? ctx.Ref(n.operand(2)) : BufferRef{}};
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
  t.Add(OpKind::MaxPool, EmitMaxPool);
  t.Add(OpKind::AvgPool, EmitAvgPool);
  t.Add(OpKind::MaxPoolWithIndices, EmitMaxPoolWithIndices);
  t.Add(OpKind::AdaptiveAvgPool, EmitAdaptiveAvgPool);
  t.Add(OpKind::AdaptiveMaxPool, EmitAdaptiveMaxPool);
  t.Add(OpKind::FractionalMaxPool, EmitFractionalMaxPool);
  t.Add(OpKind::MaxUnpool, EmitMaxUnpool);
}

}  // namespace kiln::cpu
