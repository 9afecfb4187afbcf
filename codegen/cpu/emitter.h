// Op emitters: one function per op (or op family) that turns a graph node into kernel calls
// of the kernel library, registered in a table keyed by ir::OpKind (no giant switch).
//
// An emitter reads the node's operand/result locations and dims from its EmitContext and
// appends KernelCalls. Shapes are Exprs: constants, or expressions of the run's symbolic dims
// (the batch N, a sequence length T, ...), bound when the artifact runs.
// An emitter that cannot handle a node (an unsupported dtype, too many dims) returns
// Unimplemented naming the node; lowering collects every such problem and reports them all.
#pragma once

#include <string>
#include <vector>

#include "codegen/cpu/program.h"
#include "ir/graph.h"
#include "ir/status.h"

namespace kiln::cpu {

/// The epilogue of a fused_conv / fused_linear node (the fuse-epilogue pass): the node writes
/// `result` once, as act(conv/linear + residual) with act none, relu or clamp [lo, hi]
/// (kc::Activation).
struct FusedEpilogue {
  const ir::Value* residual = nullptr;  ///< the other operand of a fused `add` (same type), or null
  int64_t act = 0;                      ///< kc::Activation
  double lo = 0, hi = 0;                ///< clamp bounds
  const ir::Value* result = nullptr;    ///< the value the node writes
};

/// What an emitter may ask of the lowering that drives it.
class EmitContext {
 public:
  virtual ~EmitContext() = default;
  /// Where a value (an operand or result of the node) lives.
  virtual BufferRef Ref(const ir::Value* v) = 0;
  /// A value's dims: constants, or Expr::Symbol(k, name) for a symbolic dim.
  virtual std::vector<Expr> Dims(const ir::Value* v) = 0;
  /// The data of a value known at compile time (a parameter or a folded constant), else null.
  virtual const ir::HostTensor* ConstantData(const ir::Value* v) = 0;
  /// Adds derived constant data (e.g. a transposed weight) to the weights blob, once per key.
  virtual BufferRef AddWeights(const std::string& key, const ir::HostTensor& data) = 0;
  /// The run's error slot (an i64), for kernels that report bad data.
  virtual BufferRef ErrorSlot() = 0;
  /// Appends a kernel call.
  virtual void Call(KernelCall call) = 0;
  /// The batch size the artifact is compiled for (the bound of symbol 0; 1 without symbols).
  virtual int64_t max_batch() const = 0;
  /// Every symbol's compile-time bound, by symbol index (grain sizes and scratch use them).
  virtual const std::vector<int64_t>& max_sizes() const = 0;
  /// Bytes of arena scratch that live only during the node being emitted (e.g. a recurrent
  /// op's gate buffer), 64-byte aligned; sized by the caller for the symbols' maxima.
  virtual BufferRef Scratch(uint64_t bytes) = 0;
  /// The epilogue of a fused_conv / fused_linear `node`, or null for any other node.
  virtual const FusedEpilogue* Epilogue(const ir::Node& node) = 0;
  /// Floats per vector register of the target (8: AVX2, 16: AVX-512); kernels pick tiles by it.
  virtual int vector_floats() const = 0;
  /// "auto", "gemm", "direct", "winograd", "winograd-f2" or "winograd-f4"
  /// (LoweringOptions::conv_algorithm).
  virtual const std::string& conv_algorithm() const = 0;
};

using Emitter = Status (*)(const ir::Node& node, EmitContext& ctx);

/// The emitter of each op kind (null: the CPU backend cannot compile it).
class EmitterTable {
 public:
  EmitterTable();
  void Add(ir::OpKind op, Emitter emitter);
  Emitter Find(ir::OpKind op) const;

 private:
  std::vector<Emitter> emitters_;
};

/// Every emitter, built once.
const EmitterTable& cpu_emitters();

// One registration function per emitters_*.cc file.
void AddElementwiseEmitters(EmitterTable& table);
void AddLinalgConvEmitters(EmitterTable& table);
void AddShapeReduceEmitters(EmitterTable& table);
void AddLayersEmitters(EmitterTable& table);
void AddSpatialEmitters(EmitterTable& table);
void AddRecurrentEmitters(EmitterTable& table);
void AddFusedEmitters(EmitterTable& table);
void AddConvDirectEmitters(EmitterTable& table);

// ---- helpers shared by the emitters (emit_util.cc) ----

/// "f32", "f64", "i64", "i32", "b8"; Unimplemented for f16/bf16.
StatusOr<std::string> DTypeSuffix(ir::DType dtype, const ir::Node& node);
/// "w1", "w2", "w4", "w8" by element size.
std::string WidthSuffix(ir::DType dtype);
/// Row-major strides of `dims`.
std::vector<Expr> ContiguousStrides(const std::vector<Expr>& dims);
/// Strides for reading an operand of `in_dims` while walking `out_dims` with NumPy
/// broadcasting (0 on broadcast dims).
std::vector<Expr> BroadcastStrides(const std::vector<Expr>& in_dims, const std::vector<Expr>& out_dims);

/// An iteration space with one stride list per operand.
struct StridedSpace {
  std::vector<Expr> sizes;
  std::vector<std::vector<Expr>> strides;
};
/// Drops size-1 dims and merges dims that are contiguous for every operand (rank >= 1 after).
StridedSpace Collapse(StridedSpace space);
/// Appends v padded with zeros to `n` entries.
void AppendPadded(std::vector<Expr>& params, const std::vector<Expr>& v, size_t n);
/// The grain (iterations per parallel chunk) that gives each chunk ~32K units of work (the
/// work evaluated at the symbols' maxima).
int64_t GrainFor(const Expr& work_per_iteration, const std::vector<int64_t>& max_sizes);
/// A 2-d f32 convolution with constant weights, as EmitConv hands it to the direct route.
struct DirectConv {
  Expr n;  ///< the batch
  int64_t C, O, IH, IW, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw;
  const ir::HostTensor* w;         ///< [O, C, KH, KW]
  std::string weight_key;          ///< names the packed copy in the weights blob
  BufferRef x, y, bias, res;       ///< bias / res: empty when absent
  std::vector<Expr> epilogue;      ///< [has_bias, act, lo_bits, hi_bits, has_res]
  double gemm_score;               ///< the implicit GEMM's cost-model score, to beat
  bool run_inline;                 ///< small enough to run on the calling thread
};
/// Emits `c` through conv_direct_f32 when the cost model (or conv_algorithm) picks the direct
/// route (emitters_conv_direct.cc); false: nothing was emitted.
StatusOr<bool> TryEmitConvDirect(EmitContext& ctx, const DirectConv& c);
/// Emits `c` (3x3, stride 1, dilation 1) through Winograd F(2x2, 3x3) or F(4x4, 3x3) when the
/// cost model (or conv_algorithm "winograd", "winograd-f2", "winograd-f4") picks it
/// (emitters_conv_winograd.cc); false: nothing was emitted.
StatusOr<bool> TryEmitConvWinograd(EmitContext& ctx, const DirectConv& c);
/// The same for the channels-last `conv_nhwc` (x [N, IH, IW, C] unpadded, y / res
/// [N, OH, OW, O]; c.gemm_score unused: "auto" compares with the channels-last direct conv).
StatusOr<bool> TryEmitConvWinogradNhwc(EmitContext& ctx, const DirectConv& c);

/// The bias operand of a conv / conv_nhwc / linear or of a fused_conv / fused_linear, or null.
const ir::Value* BiasOperand(const ir::Node& n);
/// The emitter of conv_nhwc (emitters_conv_direct.cc), also fused_conv with layout NHWC.
Status EmitConvNhwc(const ir::Node& node, EmitContext& ctx);

/// A double attribute as the int64 bits the kernels decode.
int64_t DoubleBits(double v);
/// The dim index `d` normalized for `rank` (negative counts from the end).
int NormalizeDim(int64_t d, int rank);

}  // namespace kiln::cpu
