// The reference kernel of fused_elementwise: evaluates the body (ir/fused_body.h) instruction
// by instruction with the reference kernels of the ops it names, so a fused node computes
// exactly what the unfused ops compute here (each instruction rounds to its dtype, as the
// separate nodes did). Clarity over speed: every intermediate is a whole tensor.
#include "codegen/reference/interpreter.h"
#include "codegen/reference/kernel_registry.h"
#include "ir/fused_body.h"

namespace kiln::reference {

namespace {

StatusOr<Tensors> FusedElementwise(const KernelContext& c) {
  KILN_ASSIGN_OR_RETURN(ir::FusedBody body,
                        ir::ParseFusedBody(c.attrs.s("body"), static_cast<int>(c.operands.size())));
  std::vector<ir::HostTensor> regs = c.operands;
  for (size_t i = 0; i < body.instrs.size(); ++i) {
    const ir::FusedInstr& in = body.instrs[i];
    std::vector<ir::HostTensor> args;
    for (int a : in.args) args.push_back(regs[static_cast<size_t>(a)]);
    auto r = EvaluateOp(in.op, in.attrs, args);
    if (!r.ok()) return r.status().WithContext("fused instruction " + std::to_string(i) + " (" + ir::op_schema(in.op).name + ")");
    regs.push_back((*r)[0]);
  }
  return Tensors{regs.back()};
}

// act(y): the epilogue's activation through the reference's relu / clamp kernels.
StatusOr<ir::HostTensor> Activate(const ir::Attrs& attrs, ir::HostTensor y) {
  std::string act = attrs.s("activation");
  if (act == "none") return y;
  ir::Attrs a;
  if (act == "clamp") {
    a.set("min", attrs.f("min"));
    a.set("max", attrs.f("max"));
  }
  KILN_ASSIGN_OR_RETURN(Tensors r, EvaluateOp(act == "relu" ? ir::OpKind::Relu : ir::OpKind::Clamp, a, {y}));
  return std::move(r[0]);
}

// fused_conv: conv (or conv_nhwc) + bias, then + residual, then the activation — the order
// of the unfused ops it replaces.
StatusOr<Tensors> FusedConv(const KernelContext& c) {
  bool has_bias = c.attrs.b("has_bias"), has_residual = c.attrs.b("has_residual");
  ir::Attrs conv;
  for (const char* name : {"stride", "padding", "dilation", "groups"}) conv.set(name, c.attrs.map().at(name));
  Tensors operands(c.operands.begin(), c.operands.begin() + (has_bias ? 3 : 2));
  ir::OpKind op = c.attrs.s("layout") == "NHWC" ? ir::OpKind::ConvNhwc : ir::OpKind::Conv;
  KILN_ASSIGN_OR_RETURN(Tensors y, EvaluateOp(op, conv, operands));
  if (has_residual) {
    KILN_ASSIGN_OR_RETURN(y, EvaluateOp(ir::OpKind::Add, ir::Attrs(), {y[0], c.operands.back()}));
  }
  KILN_ASSIGN_OR_RETURN(ir::HostTensor r, Activate(c.attrs, std::move(y[0])));
  return Tensors{std::move(r)};
}

StatusOr<Tensors> FusedLinear(const KernelContext& c) {
  KILN_ASSIGN_OR_RETURN(Tensors y, EvaluateOp(ir::OpKind::Linear, ir::Attrs(), c.operands));
  KILN_ASSIGN_OR_RETURN(ir::HostTensor r, Activate(c.attrs, std::move(y[0])));
  return Tensors{std::move(r)};
}

}  // namespace

void AddFusedKernels(KernelTable& table) {
  table.Add(ir::OpKind::FusedElementwise, FusedElementwise);
  table.Add(ir::OpKind::FusedConv, FusedConv);
  table.Add(ir::OpKind::FusedLinear, FusedLinear);
}

}  // namespace kiln::reference
