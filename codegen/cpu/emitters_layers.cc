// Emitters of the Layers II normalization and embedding ops (kiln_k_norm_DT,
// embedding_wS, embedding_bag_DT).
#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {
namespace {

using ir::OpKind;

Status RequireFloatOp(const ir::Node& n, ir::DType d) {
  if (d == ir::DType::kF32 || d == ir::DType::kF64) return Status::Ok();
  return Unimplemented(n.Describe() + ": " + n.op_name() + " on " + ir::dtype_name(d) + " is not supported by the CPU backend");
}

Status EmitNorm(const ir::Node& n, EmitContext& ctx, Expr rows, Expr len, bool per_channel, Expr plane, Expr channels) {
  const ir::Value* x = n.operand(0);
  KILN_RETURN_IF_ERROR(RequireFloatOp(n, x->type().dtype));
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(x->type().dtype, n));
  KernelCall call;
  call.kernel = "norm_" + dt;
  bool has_w = n.num_operands() > 1, has_b = n.num_operands() > 2;
  call.params = {rows, len, Expr(per_channel ? 1 : 0), plane, channels, Expr(DoubleBits(n.attrs().f("eps"))),
                 Expr(has_w ? 1 : 0), Expr(has_b ? 1 : 0)};
  call.buffers = {ctx.Ref(x), has_w ? ctx.Ref(n.operand(1)) : BufferRef{}, has_b ? ctx.Ref(n.operand(2)) : BufferRef{},
                  ctx.Ref(n.result())};
  call.count = rows;
  call.grain = GrainFor(len * Expr(4), ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

Status EmitLayerNorm(const ir::Node& n, EmitContext& ctx) {
  std::vector<Expr> xd = ctx.Dims(n.operand(0));
  size_t k = static_cast<size_t>(n.attrs().i("normalized_ndim"));
  return EmitNorm(n, ctx, Product(xd, 0, xd.size() - k), Product(xd, xd.size() - k, xd.size()), false, 1, 1);
}

Status EmitGroupNorm(const ir::Node& n, EmitContext& ctx) {
  std::vector<Expr> xd = ctx.Dims(n.operand(0));
  int64_t groups = n.attrs().i("num_groups");
  if (!xd[1].is_const()) return Unimplemented(n.Describe() + ": group_norm over a symbolic channel dim is not supported by the CPU backend");
  Expr plane = Product(xd, 2, xd.size());
  return EmitNorm(n, ctx, xd[0] * Expr(groups), Expr(xd[1].value() / groups) * plane, true, plane, xd[1]);
}

Status EmitEmbedding(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *w = n.operand(0), *idx = n.operand(1);
  size_t es = ir::dtype_size(w->type().dtype);
  if (es != 1 && es != 4 && es != 8) return Unimplemented(n.Describe() + ": embedding of " + ir::dtype_name(w->type().dtype) + " is not supported by the CPU backend");
  std::vector<Expr> wd = ctx.Dims(w), id = ctx.Dims(idx);
  KernelCall call;
  call.kernel = "embedding_" + WidthSuffix(w->type().dtype);
  Expr count = Product(id, 0, id.size());
  call.params = {count, wd[0], wd[1], Expr(idx->type().dtype == ir::DType::kI32 ? 1 : 0)};
  call.buffers = {ctx.Ref(w), ctx.Ref(idx), ctx.Ref(n.result()), ctx.ErrorSlot()};
  call.error_message = n.Describe() + ": an index is out of range for the embedding table of " + wd[0].str() + " rows";
  call.count = count;
  call.grain = GrainFor(wd[1], ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

Status EmitEmbeddingBag(const ir::Node& n, EmitContext& ctx) {
  const ir::Value *w = n.operand(0), *idx = n.operand(1);
  KILN_RETURN_IF_ERROR(RequireFloatOp(n, w->type().dtype));
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(w->type().dtype, n));
  std::string mode = n.attrs().s("mode");
  int64_t mode_code = mode == "sum" ? 0 : mode == "mean" ? 1 : 2;
  bool fixed = idx->type().shape.rank() == 2;
  bool has_psw = (fixed && n.num_operands() == 3) || n.num_operands() == 4;
  std::vector<Expr> wd = ctx.Dims(w), id = ctx.Dims(idx), od = ctx.Dims(n.result());
  const ir::Value* offsets = fixed ? nullptr : n.operand(2);
  KernelCall call;
  call.kernel = "embedding_bag_" + dt;
  call.params = {od[0], wd[1], wd[0], Product(id, 0, id.size()), Expr(mode_code), Expr(n.attrs().i("padding_idx")),
                 Expr(has_psw ? 1 : 0), Expr(idx->type().dtype == ir::DType::kI32 ? 1 : 0),
                 fixed ? id[1] : Expr(0), offsets ? Product(ctx.Dims(offsets), 0, offsets->type().shape.rank()) : Expr(0)};
  call.buffers = {ctx.Ref(w), ctx.Ref(idx), offsets ? ctx.Ref(offsets) : BufferRef{},
                  has_psw ? ctx.Ref(n.operands().back()) : BufferRef{}, ctx.Ref(n.result()), ctx.ErrorSlot()};
  call.error_message = n.Describe() + ": an index or offset is out of range";
  call.count = od[0];
  call.grain = 1;
  ctx.Call(std::move(call));
  return Status::Ok();
}

}  // namespace

void AddLayersEmitters(EmitterTable& t) {
  t.Add(OpKind::LayerNorm, EmitLayerNorm);
  t.Add(OpKind::GroupNorm, EmitGroupNorm);
  t.Add(OpKind::Embedding, EmitEmbedding);
  t.Add(OpKind::EmbeddingBag, EmitEmbeddingBag);
}

}  // namespace kiln::cpu
