#include "ir/ops.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

// Parses a default value from an ops.def attribute spec. The table is written by us, so a
// malformed spec is a bug in kiln (KILN_CHECK), found by the registry test at startup.
AttrValue parse_default(AttrKind kind, const std::string& text, const std::string& where) {
  auto parse_double = [&](const std::string& s) -> double {
    if (s == "inf") return INFINITY;
    if (s == "-inf") return -INFINITY;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    KILN_CHECK(end && *end == '\0', "bad float default in " + where);
    return v;
  };
  auto parse_int = [&](const std::string& s) {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    KILN_CHECK(end && *end == '\0' && !s.empty(), "bad int default in " + where);
    return static_cast<int64_t>(v);
  };
  auto split_list = [&](const std::string& s) {
    KILN_CHECK(s.size() >= 2 && s.front() == '[' && s.back() == ']', "bad list default in " + where);
    std::vector<std::string> items;
    std::string inner = s.substr(1, s.size() - 2), item;
    std::stringstream ss(inner);
    while (std::getline(ss, item, ',')) items.push_back(item);
    return items;
  };
  switch (kind) {
    case AttrKind::kInt: return parse_int(text);
    case AttrKind::kFloat: return parse_double(text);
    case AttrKind::kBool:
      KILN_CHECK(text == "true" || text == "false", "bad bool default in " + where);
      return text == "true";
    case AttrKind::kString: return text;
    case AttrKind::kDType: {
      auto d = parse_dtype(text);
      KILN_CHECK(d.has_value(), "bad dtype default in " + where);
      return *d;
    }
    case AttrKind::kInts: {
      std::vector<int64_t> v;
      for (const auto& s : split_list(text)) v.push_back(parse_int(s));
      return v;
    }
    case AttrKind::kFloats: {
      std::vector<double> v;
      for (const auto& s : split_list(text)) v.push_back(parse_double(s));
      return v;
    }
  }
  return int64_t{0};
}

std::vector<AttrSpec> parse_attr_specs(const std::string& specs, const std::string& op) {
  std::vector<AttrSpec> out;
  std::stringstream ss(specs);
  std::string tok;
  while (ss >> tok) {
    size_t colon = tok.find(':');
    KILN_CHECK(colon != std::string::npos, "attribute spec without kind in op " + op + ": " + tok);
    std::string name = tok.substr(0, colon), rest = tok.substr(colon + 1), def;
    size_t eq = rest.find('=');
    bool has_default = eq != std::string::npos;
    if (has_default) {
      def = rest.substr(eq + 1);
      rest = rest.substr(0, eq);
    }
    std::optional<AttrKind> kind;
    for (int k = 0; k <= static_cast<int>(AttrKind::kFloats); ++k) {
      if (rest == attr_kind_name(static_cast<AttrKind>(k))) kind = static_cast<AttrKind>(k);
    }
    KILN_CHECK(kind.has_value(), "unknown attribute kind in op " + op + ": " + rest);
    AttrSpec spec{name, *kind, std::nullopt};
    if (has_default) spec.default_value = parse_default(*kind, def, op + "." + name);
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<OpSchema> build_registry() {
  std::vector<OpSchema> v;
#define KILN_OP(id, name, min_ops, max_ops, num_results, attrs, rule, doc) \
  v.push_back(OpSchema{OpKind::id, name, min_ops, max_ops, num_results, parse_attr_specs(attrs, name), rule, doc});
#include "ir/ops.def"
#undef KILN_OP
  return v;
}

}  // namespace

const std::vector<OpSchema>& all_op_schemas() {
  static const std::vector<OpSchema> registry = build_registry();
  return registry;
}

const OpSchema& op_schema(OpKind kind) { return all_op_schemas().at(static_cast<size_t>(kind)); }

const OpSchema* find_op(std::string_view name) {
  for (const OpSchema& s : all_op_schemas()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const AttrSpec* OpSchema::find_attr(const std::string& attr_name) const {
  for (const AttrSpec& a : attrs) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

StatusOr<Attrs> complete_attrs(const OpSchema& schema, const Attrs& attrs) {
  std::vector<std::string> problems;
  Attrs out;
  for (const auto& [name, value] : attrs.map()) {
    const AttrSpec* spec = schema.find_attr(name);
    if (!spec) {
      problems.push_back("unknown attribute '" + name + "'");
    } else if (attr_kind(value) != spec->kind) {
      problems.push_back("attribute '" + name + "' must be " + attr_kind_name(spec->kind) + ", got " +
                         attr_kind_name(attr_kind(value)) + " " + attr_value_str(value));
    } else {
      out.set(name, value);
    }
  }
  for (const AttrSpec& spec : schema.attrs) {
    if (attrs.has(spec.name)) continue;
    if (spec.default_value) {
      out.set(spec.name, *spec.default_value);
    } else {
      problems.push_back("required attribute '" + spec.name + "' (" + attr_kind_name(spec.kind) + ") is missing");
    }
  }
  if (!problems.empty()) {
    std::string msg = schema.name + ": ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    return InvalidArgument(msg);
  }
  return out;
}

StatusOr<std::vector<TensorType>> infer_result_types(const OpSchema& schema,
                                                     const std::vector<TensorType>& operands,
                                                     const Attrs& attrs) {
  int n = static_cast<int>(operands.size());
  if (n < schema.min_operands || (schema.max_operands >= 0 && n > schema.max_operands)) {
    std::string expected = schema.min_operands == schema.max_operands
                               ? std::to_string(schema.min_operands)
                               : schema.max_operands < 0
                                     ? "at least " + std::to_string(schema.min_operands)
                                     : std::to_string(schema.min_operands) + " to " + std::to_string(schema.max_operands);
    return InvalidArgument(schema.name + " takes " + expected + " operands, got " + std::to_string(n));
  }
  KILN_ASSIGN_OR_RETURN(Attrs full, complete_attrs(schema, attrs));
  auto result = schema.shape_rule(operands, full);
  if (!result.ok()) return result.status().WithContext(schema.name);
  if (static_cast<int>(result->size()) != schema.num_results) {
    return Internal(schema.name + ": shape rule returned the wrong number of results");
  }
  return result;
}

}  // namespace kiln::ir
