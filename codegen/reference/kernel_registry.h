// The reference kernel table: one kernel per op (or small op family), keyed by ir::OpKind.
//
// Registration is explicit: each kernels_*.cc file defines one Add*Kernels(KernelTable&)
// function that lists its ops, and kernel_registry.cc calls all of them once to build the
// table. No static initializers are involved, so nothing can be dropped by the linker when
// the library is linked statically.
//
// A kernel receives the concrete operands, the completed attributes and the concrete result
// types (the op's shape rule applied to the operands' static types). It returns freshly
// allocated results of exactly those types; it never writes to its operands and never
// returns storage shared with them.
#pragma once

#include <vector>

#include "ir/attributes.h"
#include "ir/host_tensor.h"
#include "ir/ops.h"
#include "ir/status.h"
#include "ir/types.h"

namespace kiln::reference {

/// Everything a kernel may read. All references outlive the kernel call.
struct KernelContext {
  ir::OpKind op;
  /// Attributes with defaults filled in; checked against the schema.
  const ir::Attrs& attrs;
  /// The operands, in op order. Never f16/bf16: EvaluateOp widens those to f32 first.
  const std::vector<ir::HostTensor>& operands;
  /// The static result types the shape rule computed for these operands.
  const std::vector<ir::TensorType>& result_types;
};

using Tensors = std::vector<ir::HostTensor>;

/// A reference kernel. Errors are InvalidArgument for problems only visible at run time
/// (integer division by zero, a NaN cast to an integer, ...).
using Kernel = StatusOr<Tensors> (*)(const KernelContext& ctx);

/// Kernels by op kind; an op without a kernel maps to nullptr.
class KernelTable {
 public:
  KernelTable();
  /// Registers the kernel of `op`. Registering an op twice is a bug in kiln (checked).
  void Add(ir::OpKind op, Kernel kernel);
  /// The kernel of `op`, or nullptr.
  Kernel Find(ir::OpKind op) const;

 private:
  std::vector<Kernel> kernels_;
};

/// The table of every reference kernel, built once on first use.
const KernelTable& reference_kernels();

/// EvaluateOp (interpreter.h) over an explicit table instead of reference_kernels(); an op
/// missing from `kernels` fails with Unimplemented "no reference kernel for op X".
StatusOr<Tensors> EvaluateOpWith(const KernelTable& kernels, ir::OpKind op, const ir::Attrs& attrs,
                                 const std::vector<ir::HostTensor>& operands);

// One registration function per kernels_*.cc file.
void AddElementwiseKernels(KernelTable& table);  ///< unary, binary, compare, logical, where, cast
void AddLinalgKernels(KernelTable& table);       ///< matmul, linear
void AddConvPoolKernels(KernelTable& table);     ///< conv, max_pool, avg_pool
void AddShapeKernels(KernelTable& table);        ///< reshape, permute, expand, concat, slice
void AddReduceKernels(KernelTable& table);       ///< reduce_*, argmax/argmin, softmax, log_softmax
void AddConstantKernels(KernelTable& table);     ///< constant
void AddSpatialKernels(KernelTable& table);       ///< pad, conv_transpose, unfold, fold, upsample
void AddPoolingKernels(KernelTable& table);     ///< max_pool_with_indices, max_unpool, fractional/adaptive pools
void AddActivationKernels(KernelTable& table);     ///< elu, leaky_relu, softplus, gelu, random_uniform
void AddNormEmbeddingKernels(KernelTable& table);  ///< layer_norm, group_norm, embedding, embedding_bag
void AddRecurrentKernels(KernelTable& table);      ///< rnn, lstm
void AddFusedKernels(KernelTable& table);          ///< fused_elementwise, fused_conv, fused_linear
void AddLayoutKernels(KernelTable& table);         ///< conv_nhwc, max_pool_nhwc


}  // namespace kiln::reference
