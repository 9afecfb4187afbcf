// The contract between the compiler (emitters_*.cc) and the kernel library (kernels/*.cc):
// kernel op codes and limits. Plain C++ with no includes, so the kernels (compiled to bitcode
// without the standard library) and the compiler share one definition.
//
// Every kernel has the same C signature:
//   void kiln_k_NAME(const int64_t* p, void* const* b, int64_t begin, int64_t end);
// `p` holds the kernel's integer parameters (dims, strides, op codes; float attributes as the
// bits of a double), `b` its buffers (operands first, then results, then scratch), and
// [begin, end) the slice of the kernel's parallel dimension to process. The compiler calls it
// with constant `p` values (the batch-dependent ones computed from the run's batch), so
// after inlining every shape is a constant. Each kernel file documents its `p` layout.
#pragma once

namespace kiln::cpu::kc {

/// The most dims an iteration space may have (matches KILN_MAX_RANK).
constexpr int kMaxRank = 8;

/// The tile of C that one parallel iteration of kiln_k_matmul_DT computes.
constexpr long kGemmRows = 36;
constexpr long kGemmCols = 128;

/// Fused epilogue activations of the conv / GEMM kernels (kernels/conv_gemm.cc).
enum Activation : long long { kActNone = 0, kActRelu = 1, kActClamp = 2 };

/// The widest output row conv_dw_f32 handles (a stack row of floats).
constexpr long kDwMaxRow = 4096;

/// Max floats of the stack-packed operand block of conv_gemm / gemm_packed (kc * NR or
/// kc * MR must not exceed it).
constexpr long kPackFloats = 16384;

/// Max taps per K block of conv_direct_f32 (its stack offset table).
constexpr long kDirectMaxKc = 512;

/// Unary elementwise ops (kiln_k_unary_DT).
enum Unary : long long {
  kNeg, kAbs, kRelu, kSign, kExp, kLog, kSqrt, kRsqrt, kReciprocal, kSigmoid, kTanh, kErf, kSin, kCos,
  kFloor, kCeil, kRound, kClamp, kElu, kLeakyRelu, kSoftplus, kGeluErf, kGeluTanh, kLogicalNot,
};

/// Binary arithmetic ops (kiln_k_binary_DT).
enum Binary : long long { kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum };

/// Comparisons and logical ops, result bool (kiln_k_compare_DT).
enum Compare : long long { kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr };

/// Reductions (kiln_k_reduce_DT).
enum Reduce : long long { kSum, kMean, kMax, kMin, kProd };

/// fused_elementwise (kernels/fused.cc): at most this many operands and (elementwise)
/// instructions per call; every register holds a tile of kFusedTileBytes (256 f32 / 128 f64).
/// The fuse-elementwise pass keeps its groups within the same limits.
constexpr long kFusedMaxOperands = 12;
constexpr long kFusedMaxInstrs = 20;
constexpr long kFusedTileBytes = 1024;
/// How a fused instruction computes: the code is a Unary / Binary / Compare code, or unused.
/// Bool values live in the tiles as 0 / 1 of the floating type.
enum FusedFamily : long long { kFusedUnary, kFusedBinary, kFusedCompare, kFusedWhere, kFusedToBool, kFusedCopy };

/// Error codes a kernel may write to its error slot (the last buffer of fallible kernels).
enum Error : long long { kOk = 0, kDivByZero = 1, kIndexOutOfRange = 2, kCastNaN = 3 };

}  // namespace kiln::cpu::kc
