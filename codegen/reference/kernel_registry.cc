#include "codegen/reference/kernel_registry.h"

namespace kiln::reference {

KernelTable::KernelTable() : kernels_(ir::all_op_schemas().size(), nullptr) {}

void KernelTable::Add(ir::OpKind op, Kernel kernel) {
  size_t i = static_cast<size_t>(op);
  KILN_CHECK(i < kernels_.size(), "KernelTable::Add: op kind out of range");
  KILN_CHECK(kernels_[i] == nullptr, "reference kernel registered twice for op " + ir::op_schema(op).name);
  kernels_[i] = kernel;
}

Kernel KernelTable::Find(ir::OpKind op) const {
  size_t i = static_cast<size_t>(op);
  return i < kernels_.size() ? kernels_[i] : nullptr;
}

namespace {

KernelTable BuildTable() {
  KernelTable table;
  AddElementwiseKernels(table);
  AddLinalgKernels(table);
  AddConvPoolKernels(table);
  AddShapeKernels(table);
  AddReduceKernels(table);
  AddConstantKernels(table);
  AddSpatialKernels(table);
  AddPoolingKernels(table);
  AddActivationKernels(table);
  AddNormEmbeddingKernels(table);
  AddRecurrentKernels(table);
  AddFusedKernels(table);
  AddLayoutKernels(table);
  return table;
}

}  // namespace

const KernelTable& reference_kernels() {
  static const KernelTable table = BuildTable();
  return table;
}

}  // namespace kiln::reference
