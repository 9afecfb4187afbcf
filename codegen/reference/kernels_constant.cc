// The constant kernel: a literal tensor from the `value` list (row-major, or one value splat
// over the whole shape), converted to the result dtype.
#include <cstdint>

#include "codegen/reference/kernel_registry.h"
#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

namespace {

using ir::DType;
using ir::HostTensor;
using ir::OpKind;

StatusOr<Tensors> ConstantKernel(const KernelContext& c) {
  HostTensor out = NewResult(c);
  std::vector<double> values = c.attrs.floats("value");
  bool splat = values.size() == 1;
  for (int64_t i = 0; i < out.num_elements(); ++i) {
    double v = values[splat ? 0 : static_cast<size_t>(i)];
    if (ir::is_floating(out.dtype())) {
      out.SetDouble(i, v);
      continue;
    }
    // The shape rule already checked integrality and |v| <= 2^53; i32 also needs its range.
    if (out.dtype() == DType::kI32 && (v < -2147483648.0 || v > 2147483647.0)) {
      return InvalidArgument("constant: value " + ir::float_str(v) + " is out of range for i32");
    }
    StoreInt(out, i, static_cast<int64_t>(v));
  }
  return Tensors{out};
}

}  // namespace

void AddConstantKernels(KernelTable& t) { t.Add(OpKind::Constant, ConstantKernel); }

}  // namespace kiln::reference
