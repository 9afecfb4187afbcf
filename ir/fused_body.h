// The body of a `fused_elementwise` node: a small straight-line program over the node's
// operands, shared by the shape rule, the verifier, the reference kernel, the
// fuse-elementwise pass and the CPU emitter, so they all read one definition.
//
// Syntax (whitespace is free between tokens):
//
//   body   = { instr ";" } "return" reg ;
//   instr  = reg "=" op "(" [ reg { "," reg } ] ")" [ "{" [ attr { "," attr } ] "}" ] ;
//   reg    = "%" digits ;
//   attr   = identifier "=" value ;      (* spelled as in .kir, by the op's declared kind *)
//
//   %2 = mul(%0, %1); %3 = sigmoid(%2); %4 = clamp(%3) {max=6.0, min=0.0}; return %4
//
// Registers %0 .. %k-1 are the node's k operands; instruction i defines %(k+i), so results are
// numbered in order. Every instruction is one elementwise IR op (IsFusibleElementwise) with
// that op's attributes and shape rule; the last one may instead be a reduction
// (IsFusibleReduction) over the value before it, i.e. an elementwise prologue fused into one
// reduction. `return` names the last instruction. Every operand and every instruction but the
// last must be used, so the result's shape is the broadcast of all operand shapes (or its
// reduction). The printer writes attributes completed with defaults and sorted by name, so
// a printed body parses back to the same text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/attributes.h"
#include "ir/ops.h"
#include "ir/status.h"
#include "ir/types.h"

namespace kiln::ir {

/// One instruction of a fused body.
struct FusedInstr {
  OpKind op;
  /// Registers read: 0..num_operands-1 are the node's operands, num_operands + i is
  /// instruction i's result.
  std::vector<int> args;
  /// The op's attributes, completed with defaults.
  Attrs attrs;
};

/// A parsed body.
struct FusedBody {
  int num_operands = 0;
  std::vector<FusedInstr> instrs;

  /// The register instruction `i` defines.
  int reg(size_t i) const { return num_operands + static_cast<int>(i); }
  /// True when the last instruction is a reduction.
  bool has_reduction() const;
};

/// Ops allowed as body instructions: the unary / binary / compare / logical ops, where, clamp,
/// cast and the activations elu, leaky_relu, softplus, gelu (not random_uniform: its values
/// depend on the flat element index of its own result).
bool IsFusibleElementwise(OpKind op);
/// Reductions allowed as a body's last instruction: reduce_sum / mean / max / min.
bool IsFusibleReduction(OpKind op);

/// Parses and checks a body for a node with `num_operands` operands: syntax, register
/// numbering, op names and attributes, use of every operand and value. Errors are
/// InvalidArgument naming the instruction (`instruction 2 (%3 = ...)`) or the column.
StatusOr<FusedBody> ParseFusedBody(std::string_view text, int num_operands);

/// The canonical text of a body (see the syntax above).
std::string PrintFusedBody(const FusedBody& body);

/// The types of every register (operands first, then each instruction's result), running each
/// instruction's shape rule; an error names the instruction and its operand types.
StatusOr<std::vector<TensorType>> InferFusedBodyTypes(const FusedBody& body, const std::vector<TensorType>& operands);

}  // namespace kiln::ir
