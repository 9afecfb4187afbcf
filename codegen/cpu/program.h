// The CPU backend's lowered form of a graph: a list of kernel calls over planned buffers.
// Lowering (lowering.h) produces it from an ir::Graph without any LLVM; the module builder
// (module_builder.h) turns it into LLVM IR. Nothing here depends on LLVM.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/types.h"

namespace kiln::cpu {

/// An int64 known at compile time up to the run's symbolic dims: a small expression tree over
/// constants and symbols (symbol k is the k-th runtime-variable dim of the artifact, bound by
/// the run's inputs; symbol 0 is the batch N when the graph has one). Constant sub-expressions
/// fold eagerly.
class Expr {
 public:
  enum Kind { kConst, kSymbol, kAdd, kMul, kCeilDiv };

  Expr(int64_t value = 0);  // NOLINT: a number is a constant expression
  /// Symbol `index` (printed as `name`).
  static Expr Symbol(int index, const std::string& name);
  /// Symbol 0, named N.
  static Expr Batch();
  static Expr CeilDiv(const Expr& a, int64_t divisor);

  Kind kind() const;
  bool is_const() const { return kind() == kConst; }
  /// The constant value (kConst only).
  int64_t value() const;
  Expr lhs() const;
  Expr rhs() const;
  /// kSymbol: the symbol's index.
  int symbol() const;
  /// The value for given symbol sizes (sizes[k] for symbol k; missing symbols count as 1).
  int64_t Eval(const std::vector<int64_t>& sizes) const;
  /// "3", "N", "(T*(N*4))".
  std::string str() const;

  friend Expr operator+(const Expr& a, const Expr& b);
  friend Expr operator*(const Expr& a, const Expr& b);

 private:
  struct Node;
  explicit Expr(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  static Expr Make(Kind kind, int64_t value, const Expr* lhs, const Expr* rhs);
  std::shared_ptr<const Node> node_;
};

/// Product of dims[begin, end).
Expr Product(const std::vector<Expr>& dims, size_t begin, size_t end);

/// Where a kernel operand lives at run time.
struct BufferRef {
  enum Kind { kNull, kInput, kOutput, kWeights, kArena, kErrorSlot };
  Kind kind = kNull;
  int index = 0;          ///< input / output number
  int64_t offset = 0;     ///< bytes into the weights blob or the arena
};

/// One call of a kernel of the kernel library (kernel_codes.h describes the signature).
struct KernelCall {
  std::string kernel;              ///< without the kiln_k_ prefix, e.g. "binary_f32"
  std::vector<Expr> params;        ///< p[]
  std::vector<BufferRef> buffers;  ///< b[]
  Expr count = 0;                  ///< the parallel dimension: the call covers [0, count)
  int64_t grain = 1;               ///< minimum iterations per parallel chunk
  bool parallel = true;            ///< false: run [0, count) inline on the calling thread
  /// Non-empty for kernels that may report an error through their kErrorSlot buffer: the
  /// message (naming the node) the artifact reports.
  std::string error_message;
};

/// An input or output of the artifact, as the runtime checks it.
struct IoSpec {
  std::string name;
  ir::DType dtype;
  /// >= 0: a static dim; -1-k: symbol k (so -1 is symbol 0, the batch N when there is one).
  std::vector<int64_t> dims;
};

/// Everything the module builder needs.
struct Program {
  std::string name;
  std::vector<IoSpec> inputs, outputs;
  std::vector<KernelCall> calls;
  std::vector<uint8_t> weights;  ///< the blob: params, constants and re-laid-out weights, 64-byte aligned each
  uint64_t arena_bytes = 0;      ///< at the symbols' maxima
  /// The runtime-variable dims: names (symbol 0 is N when the graph has N) and their
  /// compile-time upper bounds (the arena is sized for them).
  std::vector<std::string> symbols;
  std::vector<int64_t> symbol_max;
  int64_t max_batch = 0;         ///< symbol_max[0]; 0 when there are no symbols
  int32_t default_threads = 0;
};

}  // namespace kiln::cpu
