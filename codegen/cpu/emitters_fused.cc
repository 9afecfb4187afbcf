// Emitter of fused_elementwise (kernels/fused.cc): encodes the node's body (ir/fused_body.h) as
// the kernel's instruction list, constant parameters like every other call, so after
// inlining the kernel sees the program, the shapes and the strides as constants.
#include <algorithm>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"
#include "ir/fused_body.h"
#include "passes/fuse_elementwise.h"

namespace kiln::cpu {
namespace {

using ir::OpKind;

static_assert(passes::FuseElementwise::kMaxOperands == kc::kFusedMaxOperands &&
                  passes::FuseElementwise::kMaxInstructions == kc::kFusedMaxInstrs,
              "the pass must build groups the CPU kernel can run");

constexpr int kInstrWords = 8;

StatusOr<int64_t> UnaryCode(const ir::FusedInstr& in) {
  switch (in.op) {
    case OpKind::Neg: return int64_t{kc::kNeg};
    case OpKind::Abs: return int64_t{kc::kAbs};
    case OpKind::Relu: return int64_t{kc::kRelu};
    case OpKind::Sign: return int64_t{kc::kSign};
    case OpKind::Exp: return int64_t{kc::kExp};
    case OpKind::Log: return int64_t{kc::kLog};
    case OpKind::Sqrt: return int64_t{kc::kSqrt};
    case OpKind::Rsqrt: return int64_t{kc::kRsqrt};
    case OpKind::Reciprocal: return int64_t{kc::kReciprocal};
    case OpKind::Sigmoid: return int64_t{kc::kSigmoid};
    case OpKind::Tanh: return int64_t{kc::kTanh};
    case OpKind::Erf: return int64_t{kc::kErf};
    case OpKind::Sin: return int64_t{kc::kSin};
    case OpKind::Cos: return int64_t{kc::kCos};
    case OpKind::Floor: return int64_t{kc::kFloor};
    case OpKind::Ceil: return int64_t{kc::kCeil};
    case OpKind::Round: return int64_t{kc::kRound};
    case OpKind::LogicalNot: return int64_t{kc::kLogicalNot};
    case OpKind::Clamp: return int64_t{kc::kClamp};
    case OpKind::Elu: return int64_t{kc::kElu};
    case OpKind::LeakyRelu: return int64_t{kc::kLeakyRelu};
    case OpKind::Softplus: return int64_t{kc::kSoftplus};
    case OpKind::Gelu: {
      std::string a = in.attrs.s("approximate");
      if (a == "none") return int64_t{kc::kGeluErf};
      if (a == "tanh") return int64_t{kc::kGeluTanh};
      return Unimplemented("gelu approximate=\"" + a + "\"");
    }
    default: return Unimplemented(ir::op_schema(in.op).name);
  }
}

// One instruction as [family, code, a, b, c, attr0, attr1, attr2].
StatusOr<std::vector<int64_t>> EncodeInstr(const ir::FusedInstr& in, const std::vector<ir::TensorType>& regs) {
  std::vector<int64_t> w(kInstrWords, 0);
  for (size_t i = 0; i < in.args.size() && i < 3; ++i) w[2 + i] = in.args[i];
  auto binary = [&](kc::FusedFamily family, int64_t code) {
    w[0] = family;
    w[1] = code;
    return w;
  };
  switch (in.op) {
    case OpKind::Add: return binary(kc::kFusedBinary, kc::kAdd);
    case OpKind::Sub: return binary(kc::kFusedBinary, kc::kSub);
    case OpKind::Mul: return binary(kc::kFusedBinary, kc::kMul);
    case OpKind::Div: return binary(kc::kFusedBinary, kc::kDiv);
    case OpKind::Pow: return binary(kc::kFusedBinary, kc::kPow);
    case OpKind::Maximum: return binary(kc::kFusedBinary, kc::kMaximum);
    case OpKind::Minimum: return binary(kc::kFusedBinary, kc::kMinimum);
    case OpKind::Eq: return binary(kc::kFusedCompare, kc::kEq);
    case OpKind::Ne: return binary(kc::kFusedCompare, kc::kNe);
    case OpKind::Lt: return binary(kc::kFusedCompare, kc::kLt);
    case OpKind::Le: return binary(kc::kFusedCompare, kc::kLe);
    case OpKind::Gt: return binary(kc::kFusedCompare, kc::kGt);
    case OpKind::Ge: return binary(kc::kFusedCompare, kc::kGe);
    case OpKind::LogicalAnd: return binary(kc::kFusedCompare, kc::kAnd);
    case OpKind::LogicalOr: return binary(kc::kFusedCompare, kc::kOr);
    case OpKind::Where: return binary(kc::kFusedWhere, 0);
    case OpKind::Cast: {
      bool to_bool = in.attrs.dtype("dtype") == ir::DType::kBool;
      bool from_bool = regs[static_cast<size_t>(in.args[0])].dtype == ir::DType::kBool;
      return binary(to_bool && !from_bool ? kc::kFusedToBool : kc::kFusedCopy, 0);
    }
    default: break;
  }
  KILN_ASSIGN_OR_RETURN(int64_t code, UnaryCode(in));
  w[0] = kc::kFusedUnary;
  w[1] = code;
  const ir::Attrs& a = in.attrs;
  switch (in.op) {
    case OpKind::Clamp: w[5] = DoubleBits(a.f("min")), w[6] = DoubleBits(a.f("max")); break;
    case OpKind::Elu:
      w[5] = DoubleBits(a.f("alpha")), w[6] = DoubleBits(a.f("scale")), w[7] = DoubleBits(a.f("input_scale"));
      break;
    case OpKind::LeakyRelu: w[5] = DoubleBits(a.f("negative_slope")); break;
    case OpKind::Softplus: w[5] = DoubleBits(a.f("beta")), w[6] = DoubleBits(a.f("threshold")); break;
    default: break;
  }
  return w;
}

// The broadcast of several operands' dims (NumPy rules; shapes were verified).
std::vector<Expr> BroadcastDims(const std::vector<std::vector<Expr>>& dims) {
  size_t rank = 0;
  for (const auto& d : dims) rank = std::max(rank, d.size());
  std::vector<Expr> out(rank, Expr(1));
  for (const auto& d : dims) {
    for (size_t i = 0; i < d.size(); ++i) {
      Expr& o = out[rank - d.size() + i];
      if (!(d[i].is_const() && d[i].value() == 1)) o = d[i];
    }
  }
  return out;
}

bool SameExprs(const std::vector<Expr>& a, const std::vector<Expr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].str() != b[i].str()) return false;
  return true;
}

// Per operand: strides padded to 8, is_bool, contiguous (read in place).
void AppendOperand(std::vector<Expr>& params, const std::vector<Expr>& strides, const std::vector<Expr>& sizes,
                   ir::DType dtype) {
  AppendPadded(params, strides, kc::kMaxRank);
  bool is_bool = dtype == ir::DType::kBool;
  params.push_back(Expr(is_bool ? 1 : 0));
  params.push_back(Expr(!is_bool && SameExprs(strides, ContiguousStrides(sizes)) ? 1 : 0));
}

Status EmitFused(const ir::Node& n, EmitContext& ctx) {
  int nops = n.num_operands();
  KILN_ASSIGN_OR_RETURN(ir::FusedBody body, ir::ParseFusedBody(n.attrs().s("body"), nops));
  std::vector<ir::TensorType> types;
  for (const ir::Value* v : n.operands()) types.push_back(v->type());
  KILN_ASSIGN_OR_RETURN(std::vector<ir::TensorType> regs, ir::InferFusedBodyTypes(body, types));
  // Every register holds one floating dtype (bools as 0 / 1 of it).
  ir::DType dt = ir::DType::kBool;
  for (const ir::TensorType& t : regs) {
    bool ok = t.dtype == ir::DType::kBool || ((t.dtype == ir::DType::kF32 || t.dtype == ir::DType::kF64) &&
                                              (dt == ir::DType::kBool || dt == t.dtype));
    if (!ok) {
      return Unimplemented(n.Describe() + ": a fused body over " + t.str() +
                           " is not supported by the CPU backend (one of f32 / f64, and bool)");
    }
    if (t.dtype != ir::DType::kBool) dt = t.dtype;
  }
  if (dt == ir::DType::kBool) dt = ir::DType::kF32;
  bool reduce = body.has_reduction();
  int64_t ninstr = static_cast<int64_t>(body.instrs.size()) - (reduce ? 1 : 0);
  if (nops > kc::kFusedMaxOperands || ninstr > kc::kFusedMaxInstrs) {
    return Unimplemented(n.Describe() + ": a fused body with " + std::to_string(nops) + " operands and " +
                         std::to_string(ninstr) + " instructions exceeds the CPU kernel's " +
                         std::to_string(kc::kFusedMaxOperands) + " / " + std::to_string(kc::kFusedMaxInstrs));
  }
  std::vector<Expr> code;
  for (int64_t i = 0; i < ninstr; ++i) {
    auto w = EncodeInstr(body.instrs[static_cast<size_t>(i)], regs);
    if (!w.ok()) return Unimplemented(n.Describe() + ": fused " + w.status().message() + " is not supported by the CPU backend");
    for (int64_t x : *w) code.push_back(Expr(x));
  }
  std::string suffix = dt == ir::DType::kF32 ? "f32" : "f64";
  int64_t tile = kc::kFusedTileBytes / static_cast<int64_t>(ir::dtype_size(dt));
  std::vector<std::vector<Expr>> op_dims;
  for (const ir::Value* v : n.operands()) op_dims.push_back(ctx.Dims(v));
  std::vector<Expr> full = BroadcastDims(op_dims);
  if (full.size() > static_cast<size_t>(kc::kMaxRank)) {
    return Unimplemented(n.Describe() + ": more than 8 dims are not supported by the CPU backend");
  }
  KernelCall call;
  for (const ir::Value* v : n.operands()) call.buffers.push_back(ctx.Ref(v));
  call.buffers.push_back(ctx.Ref(n.result()));
  if (!reduce) {
    StridedSpace space;
    space.sizes = full;
    for (const auto& d : op_dims) space.strides.push_back(BroadcastStrides(d, full));
    space = Collapse(space);
    Expr total = Product(full, 0, full.size());
    call.kernel = "fused_" + suffix;
    call.params = {Expr(nops), Expr(ninstr), Expr(static_cast<int64_t>(space.sizes.size())), total,
                   Expr(n.result()->type().dtype == ir::DType::kBool ? 1 : 0)};
    AppendPadded(call.params, space.sizes, kc::kMaxRank);
    for (int k = 0; k < nops; ++k) AppendOperand(call.params, space.strides[k], space.sizes, types[k].dtype);
    call.count = Expr::CeilDiv(total, tile);
    call.grain = GrainFor(Expr(tile * std::max<int64_t>(ninstr, 1)), ctx.max_sizes());
  } else {
    const ir::FusedInstr& r = body.instrs.back();
    int rank = static_cast<int>(full.size());
    std::vector<bool> reduced(full.size(), r.attrs.ints("dims").empty());
    for (int64_t d : r.attrs.ints("dims")) reduced[static_cast<size_t>(NormalizeDim(d, rank))] = true;
    StridedSpace kept, red;
    kept.strides.resize(static_cast<size_t>(nops));
    red.strides.resize(static_cast<size_t>(nops));
    for (size_t d = 0; d < full.size(); ++d) (reduced[d] ? red : kept).sizes.push_back(full[d]);
    for (int k = 0; k < nops; ++k) {
      std::vector<Expr> s = BroadcastStrides(op_dims[static_cast<size_t>(k)], full);
      for (size_t d = 0; d < full.size(); ++d) (reduced[d] ? red : kept).strides[static_cast<size_t>(k)].push_back(s[d]);
    }
    Expr count = Product(red.sizes, 0, red.sizes.size());
    Expr results = Product(kept.sizes, 0, kept.sizes.size());
    kept = Collapse(kept);
    red = Collapse(red);
    int64_t red_code = r.op == OpKind::ReduceSum ? kc::kSum : r.op == OpKind::ReduceMean ? kc::kMean
                       : r.op == OpKind::ReduceMax ? kc::kMax : kc::kMin;
    call.kernel = "fused_reduce_" + suffix;
    call.params = {Expr(nops), Expr(ninstr), Expr(red_code), count, Expr(static_cast<int64_t>(r.args[0])),
                   Expr(static_cast<int64_t>(kept.sizes.size()))};
    AppendPadded(call.params, kept.sizes, kc::kMaxRank);
    call.params.push_back(Expr(static_cast<int64_t>(red.sizes.size())));
    AppendPadded(call.params, red.sizes, kc::kMaxRank);
    for (int k = 0; k < nops; ++k) {
      AppendPadded(call.params, kept.strides[static_cast<size_t>(k)], kc::kMaxRank);
      AppendOperand(call.params, red.strides[static_cast<size_t>(k)], red.sizes, types[k].dtype);
    }
    call.count = results;
    call.grain = GrainFor(count * Expr(std::max<int64_t>(ninstr, 1)), ctx.max_sizes());
  }
  for (const Expr& e : code) call.params.push_back(e);
  ctx.Call(std::move(call));
  return Status::Ok();
}

}  // namespace

void AddFusedEmitters(EmitterTable& t) { t.Add(OpKind::FusedElementwise, EmitFused); }

}  // namespace kiln::cpu
