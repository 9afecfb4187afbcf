// Reference kernels of the channels-last ops (conv_nhwc, max_pool_nhwc): by definition, the
// channels-first kernel between two permutes. Slow and obviously right — the oracle the CPU
// backend's NHWC kernels are checked against.
#include "codegen/reference/interpreter.h"
#include "codegen/reference/kernel_registry.h"

namespace kiln::reference {
namespace {

using ir::OpKind;

StatusOr<ir::HostTensor> Permute(const ir::HostTensor& x, std::vector<int64_t> dims) {
  ir::Attrs a;
  a.set("dims", std::move(dims));
  KILN_ASSIGN_OR_RETURN(Tensors r, EvaluateOp(OpKind::Permute, a, {x}));
  return std::move(r[0]);
}

// op(permute(x, NHWC -> NCHW), rest...) permuted back to NHWC.
StatusOr<Tensors> ThroughNchw(OpKind op, const KernelContext& c) {
  Tensors operands = c.operands;
  KILN_ASSIGN_OR_RETURN(operands[0], Permute(c.operands[0], {0, 3, 1, 2}));
  KILN_ASSIGN_OR_RETURN(Tensors r, EvaluateOp(op, c.attrs, operands));
  KILN_ASSIGN_OR_RETURN(r[0], Permute(r[0], {0, 2, 3, 1}));
  return r;
}

StatusOr<Tensors> ConvNhwcKernel(const KernelContext& c) { return ThroughNchw(OpKind::Conv, c); }
StatusOr<Tensors> MaxPoolNhwcKernel(const KernelContext& c) { return ThroughNchw(OpKind::MaxPool, c); }

}  // namespace

void AddLayoutKernels(KernelTable& t) {
  t.Add(OpKind::ConvNhwc, ConvNhwcKernel);
  t.Add(OpKind::MaxPoolNhwc, MaxPoolNhwcKernel);
}

}  // namespace kiln::reference
