// Emitters of the elementwise ops: unary math (kiln_k_unary_DT), broadcasting binary ops
// (binary_DT, compare_DT), where, cast, and the Layers II activations / random_uniform.
#include <cmath>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {
namespace {

using ir::OpKind;

// Elements per parallel chunk for cheap elementwise work.
constexpr int64_t kElementGrain = 16384;

Status EmitUnaryCode(const ir::Node& n, EmitContext& ctx, int64_t code, double a0 = 0, double a1 = 0, double a2 = 0) {
  const ir::Value* x = n.operand(0);
  KILN_ASSIGN_OR_RETURN(std::string dt, DTypeSuffix(x->type().dtype, n));
  KernelCall call;
  call.kernel = "unary_" + dt;
  Expr count = Product(ctx.Dims(x), 0, x->type().shape.rank());
  bool floating = ir::is_floating(x->type().dtype);
  call.params = {Expr(code), count, Expr(floating ? DoubleBits(a0) : static_cast<int64_t>(a0)),
                 Expr(floating ? DoubleBits(a1) : static_cast<int64_t>(a1)), Expr(DoubleBits(a2))};
  call.buffers = {ctx.Ref(x), ctx.Ref(n.result())};
  call.count = count;
  call.grain = kElementGrain;
  ctx.Call(std::move(call));
  return Status::Ok();
}

template <kc::Unary kCode>
Status EmitUnary(const ir::Node& n, EmitContext& ctx) {
  return EmitUnaryCode(n, ctx, kCode);
}

// Integer bounds of clamp, as the reference computes them.
int64_t IntBound(double bound, bool lower, ir::DType dtype) {
  double type_min = dtype == ir::DType::kI32 ? -2147483648.0 : -9223372036854775808.0;
  double type_max = dtype == ir::DType::kI32 ? 2147483647.0 : 9223372036854775807.0;
  if (std::isnan(bound)) bound = lower ? type_min : type_max;
  double r = lower ? std::ceil(bound) : std::floor(bound);
  if (r <= type_min) return dtype == ir::DType::kI32 ? INT32_MIN : INT64_MIN;
  if (r >= type_max) return dtype == ir::DType::kI32 ? INT32_MAX : INT64_MAX;
  return static_cast<int64_t>(r);
}

Status EmitClamp(const ir::Node& n, EmitContext& ctx) {
  double lo = n.attrs().f("min"), hi = n.attrs().f("max");
  ir::DType dt = n.operand(0)->type().dtype;
  if (ir::is_floating(dt)) return EmitUnaryCode(n, ctx, kc::kClamp, lo, hi);
  return EmitUnaryCode(n, ctx, kc::kClamp, static_cast<double>(IntBound(lo, true, dt)),
                       static_cast<double>(IntBound(hi, false, dt)));
}

Status EmitElu(const ir::Node& n, EmitContext& ctx) {
  return EmitUnaryCode(n, ctx, kc::kElu, n.attrs().f("alpha"), n.attrs().f("scale"), n.attrs().f("input_scale"));
}
Status EmitLeakyRelu(const ir::Node& n, EmitContext& ctx) {
  return EmitUnaryCode(n, ctx, kc::kLeakyRelu, n.attrs().f("negative_slope"));
}
Status EmitSoftplus(const ir::Node& n, EmitContext& ctx) {
  return EmitUnaryCode(n, ctx, kc::kSoftplus, n.attrs().f("beta"), n.attrs().f("threshold"));
}
Status EmitGelu(const ir::Node& n, EmitContext& ctx) {
  std::string approx = n.attrs().s("approximate");
  if (approx == "tanh") return EmitUnaryCode(n, ctx, kc::kGeluTanh);
  if (approx == "none") return EmitUnaryCode(n, ctx, kc::kGeluErf);
  return Unimplemented(n.Describe() + ": gelu approximate=\"" + approx + "\" is not supported by the CPU backend");
}

// A broadcasting elementwise call over the result's shape: operands first, then the result.
Status EmitBroadcast(const ir::Node& n, EmitContext& ctx, const std::string& kernel, std::vector<Expr> head,
                     bool with_error_slot, const std::string& error_message) {
  const ir::Value* out = n.result();
  if (out->type().shape.rank() > kc::kMaxRank) {
    return Unimplemented(n.Describe() + ": more than 8 dims are not supported by the CPU backend");
  }
  std::vector<Expr> out_dims = ctx.Dims(out);
  StridedSpace space;
  space.sizes = out_dims;
  for (const ir::Value* v : n.operands()) space.strides.push_back(BroadcastStrides(ctx.Dims(v), out_dims));
  space = Collapse(space);
  KernelCall call;
  call.kernel = kernel;
  call.params = std::move(head);
  call.params.push_back(Expr(static_cast<int64_t>(space.sizes.size())));
  AppendPadded(call.params, space.sizes, kc::kMaxRank);
  for (const auto& s : space.strides) AppendPadded(call.params, s, kc::kMaxRank);
  for (const ir::Value* v : n.operands()) call.buffers.push_back(ctx.Ref(v));
  call.buffers.push_back(ctx.Ref(out));
  if (with_error_slot) {
    call.buffers.push_back(ctx.ErrorSlot());
    call.error_message = error_message;
  }
  Expr inner = space.sizes.back();
  call.count = Product(space.sizes, 0, space.sizes.size() - 1);
  call.grain = GrainFor(inner, ctx.max_sizes());
  ctx.Call(std::move(call));
  return Status::Ok();
}

template <kc::Binary kCode>
Status EmitBinary(const ir::Node& n, EmitContext& ctx) {
  ir::DType dt = n.operand(0)->type().dtype;
  KILN_ASSIGN_OR_RETURN(std::string suffix, DTypeSuffix(dt, n));
  bool int_div = kCode == kc::kDiv && !ir::is_floating(dt);
  return EmitBroadcast(n, ctx, "binary_" + suffix, {Expr(kCode)}, int_div,
                       n.Describe() + ": integer division by zero");
}

template <kc::Compare kCode>
Status EmitCompare(const ir::Node& n, EmitContext& ctx) {
  KILN_ASSIGN_OR_RETURN(std::string suffix, DTypeSuffix(n.operand(0)->type().dtype, n));
  return EmitBroadcast(n, ctx, "compare_" + suffix, {Expr(kCode)}, false, "");
}

Status EmitWhere(const ir::Node& n, EmitContext& ctx) {
  ir::DType dt = n.result()->type().dtype;
  return EmitBroadcast(n, ctx, "where_" + WidthSuffix(dt), {}, false, "");
}

Status EmitCast(const ir::Node& n, EmitContext& ctx) {
  const ir::Value* x = n.operand(0);
  KILN_ASSIGN_OR_RETURN(std::string from, DTypeSuffix(x->type().dtype, n));
  KILN_ASSIGN_OR_RETURN(std::string to, DTypeSuffix(n.result()->type().dtype, n));
  KernelCall call;
  call.kernel = "cast_" + from + "_" + to;
  Expr count = Product(ctx.Dims(x), 0, x->type().shape.rank());
  call.params = {count};
  call.buffers = {ctx.Ref(x), ctx.Ref(n.result())};
  call.count = count;
  call.grain = kElementGrain;
  ctx.Call(std::move(call));
  return Status::Ok();
}

uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Status EmitRandomUniform(const ir::Node& n, EmitContext& ctx) {
  const ir::Value* out = n.result();
  ir::DType dt = out->type().dtype;
  if (dt != ir::DType::kF32 && dt != ir::DType::kF64) {
    return Unimplemented(n.Describe() + ": random_uniform of " + ir::dtype_name(dt) + " is not supported by the CPU backend");
  }
  KernelCall call;
  call.kernel = std::string("random_uniform_") + (dt == ir::DType::kF32 ? "f32" : "f64");
  Expr count = Product(ctx.Dims(out), 0, out->type().shape.rank());
  call.params = {count, Expr(static_cast<int64_t>(Mix64(static_cast<uint64_t>(n.attrs().i("seed"))))),
                 Expr(n.attrs().i("offset"))};
  call.buffers = {ctx.Ref(out)};
  call.count = count;
  call.grain = kElementGrain;
  ctx.Call(std::move(call));
  return Status::Ok();
}

}  // namespace

void AddElementwiseEmitters(EmitterTable& t) {
  t.Add(OpKind::Neg, EmitUnary<kc::kNeg>);
  t.Add(OpKind::Abs, EmitUnary<kc::kAbs>);
  t.Add(OpKind::Relu, EmitUnary<kc::kRelu>);
  t.Add(OpKind::Sign, EmitUnary<kc::kSign>);
  t.Add(OpKind::Exp, EmitUnary<kc::kExp>);
  t.Add(OpKind::Log, EmitUnary<kc::kLog>);
  t.Add(OpKind::Sqrt, EmitUnary<kc::kSqrt>);
  t.Add(OpKind::Rsqrt, EmitUnary<kc::kRsqrt>);
  t.Add(OpKind::Reciprocal, EmitUnary<kc::kReciprocal>);
  t.Add(OpKind::Sigmoid, EmitUnary<kc::kSigmoid>);
  t.Add(OpKind::Tanh, EmitUnary<kc::kTanh>);
  t.Add(OpKind::Erf, EmitUnary<kc::kErf>);
  t.Add(OpKind::Sin, EmitUnary<kc::kSin>);
  t.Add(OpKind::Cos, EmitUnary<kc::kCos>);
  t.Add(OpKind::Floor, EmitUnary<kc::kFloor>);
  t.Add(OpKind::Ceil, EmitUnary<kc::kCeil>);
  t.Add(OpKind::Round, EmitUnary<kc::kRound>);
  t.Add(OpKind::LogicalNot, EmitUnary<kc::kLogicalNot>);
  t.Add(OpKind::Clamp, EmitClamp);
  t.Add(OpKind::Cast, EmitCast);
  t.Add(OpKind::Add, EmitBinary<kc::kAdd>);
  t.Add(OpKind::Sub, EmitBinary<kc::kSub>);
  t.Add(OpKind::Mul, EmitBinary<kc::kMul>);
  t.Add(OpKind::Div, EmitBinary<kc::kDiv>);
  t.Add(OpKind::Pow, EmitBinary<kc::kPow>);
  t.Add(OpKind::Maximum, EmitBinary<kc::kMaximum>);
  t.Add(OpKind::Minimum, EmitBinary<kc::kMinimum>);
  t.Add(OpKind::Eq, EmitCompare<kc::kEq>);
  t.Add(OpKind::Ne, EmitCompare<kc::kNe>);
  t.Add(OpKind::Lt, EmitCompare<kc::kLt>);
  t.Add(OpKind::Le, EmitCompare<kc::kLe>);
  t.Add(OpKind::Gt, EmitCompare<kc::kGt>);
  t.Add(OpKind::Ge, EmitCompare<kc::kGe>);
  t.Add(OpKind::LogicalAnd, EmitCompare<kc::kAnd>);
  t.Add(OpKind::LogicalOr, EmitCompare<kc::kOr>);
  t.Add(OpKind::Where, EmitWhere);
  t.Add(OpKind::Elu, EmitElu);
  t.Add(OpKind::LeakyRelu, EmitLeakyRelu);
  t.Add(OpKind::Softplus, EmitSoftplus);
  t.Add(OpKind::Gelu, EmitGelu);
  t.Add(OpKind::RandomUniform, EmitRandomUniform);
}

}  // namespace kiln::cpu
