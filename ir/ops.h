// The op registry: OpKind and OpSchema, generated from ir/ops.def (the single source of truth).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/attributes.h"
#include "ir/status.h"
#include "ir/types.h"

namespace kiln::ir {

/// One enumerator per row of ops.def.
enum class OpKind : uint16_t {
#define KILN_OP(id, name, min_ops, max_ops, num_results, attrs, rule, doc) id,
#include "ir/ops.def"
#undef KILN_OP
};

/// Computes an op's result types from its operand types and attributes (ir/shape_rules.cc).
using ShapeRule = StatusOr<std::vector<TensorType>> (*)(const std::vector<TensorType>& operands,
                                                        const Attrs& attrs);

/// One declared attribute of an op.
struct AttrSpec {
  std::string name;
  AttrKind kind;
  std::optional<AttrValue> default_value;  ///< none: the attribute is required
};

/// Everything the compiler knows about an op, from its ops.def row.
struct OpSchema {
  OpKind kind;
  std::string name;
  int min_operands;
  int max_operands;  ///< -1: variadic
  int num_results;
  std::vector<AttrSpec> attrs;
  ShapeRule shape_rule;
  std::string doc;

  /// The spec of attribute `name`, or nullptr.
  const AttrSpec* find_attr(const std::string& name) const;
};

/// The schema of an op kind.
const OpSchema& op_schema(OpKind kind);
/// Looks an op up by its .kir name; nullptr if there is none.
const OpSchema* find_op(std::string_view name);
/// Every schema, in ops.def order.
const std::vector<OpSchema>& all_op_schemas();

/// Checks `attrs` against the schema: unknown names, missing required attributes and kind
/// mismatches, all reported at once. Returns a copy with defaults filled in.
StatusOr<Attrs> complete_attrs(const OpSchema& schema, const Attrs& attrs);

/// Runs the op's shape rule after checking the operand count and attributes.
StatusOr<std::vector<TensorType>> infer_result_types(const OpSchema& schema,
                                                     const std::vector<TensorType>& operands,
                                                     const Attrs& attrs);

}  // namespace kiln::ir
