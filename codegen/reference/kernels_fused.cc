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

}  // namespace

void AddFusedKernels(KernelTable& table) { table.Add(ir::OpKind::FusedElementwise, FusedElementwise); }

}  // namespace kiln::reference
