// Typed node attributes with checked getters.
//
// An attribute is one of seven kinds. Nodes keep their attributes sorted by name so that the
// text form is deterministic. Reading an attribute names the kind expected; a missing
// attribute or a kind mismatch is an error that names the attribute, never a reinterpretation
// of raw bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "ir/status.h"
#include "ir/types.h"

namespace kiln::ir {

/// The kinds of attribute value. The order matches AttrValue's alternatives.
enum class AttrKind : uint8_t { kInt, kFloat, kBool, kString, kDType, kInts, kFloats };

/// "int", "float", "bool", "string", "dtype", "ints", "floats".
const char* attr_kind_name(AttrKind kind);

using AttrValue = std::variant<int64_t, double, bool, std::string, DType, std::vector<int64_t>,
                               std::vector<double>>;

/// The kind of a value.
inline AttrKind attr_kind(const AttrValue& v) { return static_cast<AttrKind>(v.index()); }

/// The .kir spelling of a value: `3`, `1.5`, `true`, `"s"`, `f32`, `[1,2]`, `[0.5,1.0]`.
/// Floats always carry a '.', an exponent, `inf` or `nan`, and print the shortest digits
/// that read back to the same double.
std::string attr_value_str(const AttrValue& v);
/// The shortest decimal spelling of a double that reads back exactly (used by attr_value_str).
std::string float_str(double v);

/// Attributes of one node, sorted by name.
class Attrs {
 public:
  Attrs() = default;
  Attrs(std::initializer_list<std::pair<const std::string, AttrValue>> init) : map_(init) {}

  bool has(const std::string& name) const { return map_.count(name) != 0; }
  void set(const std::string& name, AttrValue value) { map_[name] = std::move(value); }
  void erase(const std::string& name) { map_.erase(name); }
  const std::map<std::string, AttrValue>& map() const { return map_; }
  bool empty() const { return map_.empty(); }
  size_t size() const { return map_.size(); }

  /// Checked getters: an error names the attribute and the kind found.
  StatusOr<int64_t> get_int(const std::string& name) const { return get<int64_t>(name, AttrKind::kInt); }
  StatusOr<double> get_float(const std::string& name) const { return get<double>(name, AttrKind::kFloat); }
  StatusOr<bool> get_bool(const std::string& name) const { return get<bool>(name, AttrKind::kBool); }
  StatusOr<std::string> get_string(const std::string& name) const { return get<std::string>(name, AttrKind::kString); }
  StatusOr<DType> get_dtype(const std::string& name) const { return get<DType>(name, AttrKind::kDType); }
  StatusOr<std::vector<int64_t>> get_ints(const std::string& name) const {
    return get<std::vector<int64_t>>(name, AttrKind::kInts);
  }
  StatusOr<std::vector<double>> get_floats(const std::string& name) const {
    return get<std::vector<double>>(name, AttrKind::kFloats);
  }

  /// Getters for verified nodes: the verifier has already checked presence and kind, so a
  /// failure here is a bug in kiln (KILN_CHECK), not bad input.
  int64_t i(const std::string& name) const { return must(get_int(name)); }
  double f(const std::string& name) const { return must(get_float(name)); }
  bool b(const std::string& name) const { return must(get_bool(name)); }
  std::string s(const std::string& name) const { return must(get_string(name)); }
  DType dtype(const std::string& name) const { return must(get_dtype(name)); }
  std::vector<int64_t> ints(const std::string& name) const { return must(get_ints(name)); }
  std::vector<double> floats(const std::string& name) const { return must(get_floats(name)); }

  bool operator==(const Attrs& o) const { return map_ == o.map_; }
  bool operator!=(const Attrs& o) const { return !(*this == o); }

 private:
  template <typename T>
  StatusOr<T> get(const std::string& name, AttrKind kind) const {
    auto it = map_.find(name);
    if (it == map_.end()) return NotFound("attribute '" + name + "' is missing");
    if (const T* v = std::get_if<T>(&it->second)) return *v;
    return InvalidArgument("attribute '" + name + "' is " + attr_kind_name(attr_kind(it->second)) +
                           ", expected " + attr_kind_name(kind));
  }
  template <typename T>
  static T must(StatusOr<T> v) {
    KILN_CHECK(v.ok(), v.status().message());
    return std::move(v).value();
  }

  std::map<std::string, AttrValue> map_;
};

}  // namespace kiln::ir
