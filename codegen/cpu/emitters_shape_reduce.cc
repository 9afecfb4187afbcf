// Emitters of the data-movement ops (reshape, permute, expand, concat, slice: all one strided
// copy kernel, kiln_k_copy_wS), reductions, arg reductions, softmax and constant.
#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {
namespace {

using ir::OpKind;

// dst[dst_base + i.dst_strides] = src[src_base + i.src_strides] over `sizes`.
Status EmitCopy(const ir::Node& n, EmitContext& ctx, ir::DType dtype, BufferRef src, BufferRef dst,
                std::vector<Expr> sizes, std::vector<Expr> src_strides, std::vector<Expr> dst_strides, Expr src_base,
                Expr dst_base) {
  StridedSpace space;
  space.sizes = std::move(sizes);
  space.strides = {std::move(src_strides), std::move(dst_strides)};
  space = Collapse(space);
  if (space.sizes.size() > static_cast<size_t>(kc::kMaxRank)) {
    return Unimplemented(n.Describe() + ": more than 8 dims are not supported by the CPU backend");
  }
  KernelCall call;
  call.kernel = "copy_" + WidthSuffix(dtype);
  call.params = {Expr(static_cast<int64_t>(space.sizes.size()))};
  AppendPadded(call.params, space.sizes, kc::kMaxRank);
  AppendPadded(call.params, space.strides[0], kc::kMaxRank);
  AppendPadded(call.params, space.strides[1], kc::kMaxRank);
  call.params.push_back(src_base);
  call.params.push_back(dst_base);
  call.buffers = {src, dst};
  call.count = Product(space.sizes, 0, space.sizes.size() - 1);
  call.grain = GrainFor(space.sizes.back(), ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

Status EmitReshape(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  Expr count = Product(ctx.Dims(x), 0, x->type().shape.rank());
  return EmitCopy(n, ctx, x->type().dtype, ctx.Ref(x), ctx.Ref(out), {count}, {Expr(1)}, {Expr(1)}, 0, 0);
}

Status EmitPermute(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  std::vector<Expr> xs = ContiguousStrides(ctx.Dims(x)), src;
  int rank = x->type().shape.rank();
  for (int64_t d : n.attrs().ints("dims")) src.push_back(xs[NormalizeDim(d, rank)]);
  std::vector<Expr> od = ctx.Dims(out);
  return EmitCopy(n, ctx, x->type().dtype, ctx.Ref(x), ctx.Ref(out), od, src, ContiguousStrides(od), 0, 0);
}

Status EmitExpand(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  std::vector<Expr> od = ctx.Dims(out);
  return EmitCopy(n, ctx, x->type().dtype, ctx.Ref(x), ctx.Ref(out), od, BroadcastStrides(ctx.Dims(x), od),
                  ContiguousStrides(od), 0, 0);
}

Status EmitConcat(const ir::Node& n, EmitContext& ctx) {
  const ir::Value* out = n.result();
  std::vector<Expr> od = ctx.Dims(out), os = ContiguousStrides(od);
  int d = NormalizeDim(n.attrs().i("dim"), out->type().shape.rank());
  Expr at = 0;
  for (const ir::Value* x : n.operands()) {
    std::vector<Expr> xd = ctx.Dims(x);
    KILN_RETURN_IF_ERROR(EmitCopy(n, ctx, x->type().dtype, ctx.Ref(x), ctx.Ref(out), xd, ContiguousStrides(xd), os, 0,
                                  at * os[d]));
    at = at + xd[d];
  }
  return Status::Ok();
}

Status EmitSlice(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  int rank = x->type().shape.rank();
  int d = NormalizeDim(n.attrs().i("dim"), rank);
  int64_t start = n.attrs().i("start"), step = n.attrs().i("step");
  const ir::Dim& dim = x->type().shape.dim(d);
  if (!dim.is_static()) {
    if (start < 0) {
      return Unimplemented(n.Describe() + ": slicing the symbolic dim " + dim.symbol() +
                           " from the end is not supported by the CPU backend");
    }
  } else {
    int64_t size = dim.size();
    if (start < 0) start += size;
    start = std::min(std::max<int64_t>(start, 0), size);
  }
  if (step < 1) return Unimplemented(n.Describe() + ": slice step < 1 is not supported by the CPU backend");
  std::vector<Expr> xs = ContiguousStrides(ctx.Dims(x)), od = ctx.Dims(out);
  Expr base = Expr(start) * xs[d];
  xs[d] = xs[d] * Expr(step);
  return EmitCopy(n, ctx, x->type().dtype, ctx.Ref(x), ctx.Ref(out), od, xs, ContiguousStrides(od), base, 0);
}

template <kc::Reduce kCode>
Status EmitReduce(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *x = n.operand(0), *out = n.result();
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(x->type().dtype, n));
  if (dt == "b8") return Unimplemented(n.Describe() + ": reducing bool is not supported by the CPU backend");
  int rank = x->type().shape.rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  auto dims = n.attrs().ints("dims");
  for (int64_t d : dims) reduced[static_cast<size_t>(NormalizeDim(d, rank))] = true;
  if (dims.empty()) reduced.assign(static_cast<size_t>(rank), true);
  std::vector<Expr> xd = ctx.Dims(x), xs = ContiguousStrides(xd);
  StridedSpace kept, red;
  kept.strides.resize(2);
  red.strides.resize(1);
  for (int d = 0; d < rank; ++d) {
    if (reduced[static_cast<size_t>(d)]) {
      red.sizes.push_back(xd[d]);
      red.strides[0].push_back(xs[d]);
    } else {
      kept.sizes.push_back(xd[d]);
      kept.strides[0].push_back(xs[d]);
    }
  }
  kept.strides[1] = ContiguousStrides(kept.sizes);
  kept = Collapse(kept);
  red = Collapse(red);
  KernelCall call;
  call.kernel = "reduce_" + dt;
  call.params = {Expr(kCode), Expr(static_cast<int64_t>(kept.sizes.size()))};
  AppendPadded(call.params, kept.sizes, kc::kMaxRank);
  AppendPadded(call.params, kept.strides[0], kc::kMaxRank);
  call.params.push_back(Expr(static_cast<int64_t>(red.sizes.size())));
  AppendPadded(call.params, red.sizes, kc::kMaxRank);
  AppendPadded(call.params, red.strides[0], kc::kMaxRank);
  Expr red_count = Product(red.sizes, 0, red.sizes.size());
  call.params.push_back(red_count);
  call.buffers = {ctx.Ref(x), ctx.Ref(out)};
  call.count = Product(kept.sizes, 0, kept.sizes.size());
  call.grain = GrainFor(red_count, ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

// [outer, n, inner] around one dim.
void ViewAround(const std::vector<Expr>& dims, int64_t dim, Expr* outer, Expr* n, Expr* inner) {
  int rank = static_cast<int>(dims.size());
  if (rank == 0) {
    *outer = *n = *inner = Expr(1);
    return;
  }
  size_t d = static_cast<size_t>(NormalizeDim(dim, rank));
  *outer = Product(dims, 0, d);
  *n = dims[d];
  *inner = Product(dims, d + 1, dims.size());
}

template <bool kMax>
Status EmitArgReduce(const ir::Node& n, EmitContext& ctx) {
  const ir::Value* x = n.operand(0);
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(x->type().dtype, n));
  if (dt == "b8") return Unimplemented(n.Describe() + ": argmax/argmin of bool is not supported by the CPU backend");
  Expr outer, len, inner;
  ViewAround(ctx.Dims(x), n.attrs().i("dim"), &outer, &len, &inner);
  KernelCall call;
  call.kernel = "argreduce_" + dt;
  call.params = {Expr(kMax ? 1 : 0), outer, len, inner};
  call.buffers = {ctx.Ref(x), ctx.Ref(n.result())};
  call.count = outer * inner;
  call.grain = GrainFor(len, ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

template <bool kLog>
Status EmitSoftmax(const ir::Node& n, EmitContext& ctx) {
  const ir::Value* x = n.operand(0);
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(x->type().dtype, n));
  if (dt != "f32" && dt != "f64") return Unimplemented(n.Describe() + ": softmax of " + dt + " is not supported by the CPU backend");
  Expr outer, len, inner;
  ViewAround(ctx.Dims(x), n.attrs().i("dim"), &outer, &len, &inner);
  KernelCall call;
  call.kernel = "softmax_" + dt;
  call.params = {Expr(kLog ? 1 : 0), outer, len, inner};
  call.buffers = {ctx.Ref(x), ctx.Ref(n.result())};
  call.count = outer * inner;
  call.grain = GrainFor(len * Expr(8), ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

// A constant's data is placed in the weights blob by lowering; nothing runs.
Status EmitConstant(const ir::Node&, EmitContext&) { return Status::Ok(); }

}  // namespace

void AddShapeReduceEmitters(EmitterTable& t) {
  t.Add(OpKind::Reshape, EmitReshape);
  t.Add(OpKind::Permute, EmitPermute);
  t.Add(OpKind::Expand, EmitExpand);
  t.Add(OpKind::Concat, EmitConcat);
  t.Add(OpKind::Slice, EmitSlice);
  t.Add(OpKind::ReduceSum, EmitReduce<kc::kSum>);
  t.Add(OpKind::ReduceMean, EmitReduce<kc::kMean>);
  t.Add(OpKind::ReduceMax, EmitReduce<kc::kMax>);
  t.Add(OpKind::ReduceMin, EmitReduce<kc::kMin>);
  t.Add(OpKind::ReduceProd, EmitReduce<kc::kProd>);
  t.Add(OpKind::ArgMax, EmitArgReduce<true>);
  t.Add(OpKind::ArgMin, EmitArgReduce<false>);
  t.Add(OpKind::Softmax, EmitSoftmax<false>);
  t.Add(OpKind::LogSoftmax, EmitSoftmax<true>);
  t.Add(OpKind::Constant, EmitConstant);
}

}  // namespace kiln::cpu
