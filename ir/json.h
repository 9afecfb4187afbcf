// A small, strict JSON document model: parser and compact writer.
//
// It exists for the safetensors header and other small metadata documents, not as a general
// JSON library. Parsing follows RFC 8259 strictly: no comments, no trailing commas, no
// NaN/Infinity, no leading zeros or '+', no unescaped control characters in strings, the input
// must be valid UTF-8, and nothing but whitespace may follow the value. Numbers keep their
// integer-ness: a literal without fraction or exponent that fits int64 is stored exactly as an
// int64, anything else as a double (a finite one: "1e999" is an error). \uXXXX escapes,
// surrogate pairs included, decode to UTF-8; a lone surrogate is an error. Objects keep their
// key order and reject duplicate keys. Nesting deeper than kJsonMaxDepth is an error, so a
// hostile document can never overflow the stack. Every parse error names the byte offset and
// what was expected there.
//
// The writer emits compact JSON (no whitespace), escapes '"', '\\' and control characters,
// passes other UTF-8 through unchanged, prints doubles in the shortest form that reads back
// exactly (always with a '.' or exponent, so a double stays a double), and writes a
// non-finite double as null since JSON cannot represent it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ir/status.h"

namespace kiln::ir {

/// Arrays and objects nested deeper than this are rejected by ParseJson.
constexpr int kJsonMaxDepth = 64;

/// One JSON value: null, bool, integer, double, string, array, or object.
///
/// Typed reads come in two flavours: `as_*()` return a StatusOr whose error says which kind
/// was expected and which was found (use these on untrusted input); `*_value()`, `items()` and
/// `members()` are checked accessors that abort on the wrong kind (use them after checking
/// kind(), or on values you built yourself).
class JsonValue {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  using Member = std::pair<std::string, JsonValue>;

  /// null.
  JsonValue() = default;
  static JsonValue Null() { return JsonValue(); }
  static JsonValue Bool(bool b);
  static JsonValue Int(int64_t i);
  static JsonValue Double(double d);
  static JsonValue String(std::string s);
  /// An empty array (fill with Append).
  static JsonValue Array();
  /// An empty object (fill with Set).
  static JsonValue Object();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_double() const { return kind_ == Kind::kDouble; }
  /// An int or a double.
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  /// The bool; an error naming the actual kind otherwise.
  StatusOr<bool> as_bool() const;
  /// The int64; an error for a double (even 2.0: integer-ness is part of the value).
  StatusOr<int64_t> as_int() const;
  /// The number as a double (an int converts, possibly rounding beyond 2^53).
  StatusOr<double> as_double() const;
  /// A copy of the string.
  StatusOr<std::string> as_string() const;

  /// Checked accessors: abort (a bug in the caller) on the wrong kind.
  bool bool_value() const;
  int64_t int_value() const;
  double double_value() const;
  const std::string& string_value() const;
  const std::vector<JsonValue>& items() const;
  /// Object members in insertion (document) order.
  const std::vector<Member>& members() const;

  /// Items of an array or members of an object; 0 for scalars.
  size_t size() const;
  /// The member named `key`, or nullptr if absent (or if this is not an object).
  const JsonValue* Find(std::string_view key) const;

  /// Appends to an array (checked).
  void Append(JsonValue v);
  /// Sets an object member (checked): replaces the value in place if `key` exists, else
  /// appends it, so an object built with Set never has duplicate keys.
  void Set(std::string key, JsonValue v);

  /// Deep structural equality. An int and a double are never equal (1 != 1.0).
  bool operator==(const JsonValue& other) const;
  bool operator!=(const JsonValue& other) const { return !(*this == other); }

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
  std::unordered_map<std::string, size_t> index_;  // key -> position in members_
};

/// "null", "bool", "integer", "number", "string", "array", "object".
const char* json_kind_name(JsonValue::Kind kind);

/// Parses one JSON document (see the contract above). Errors are InvalidArgument with a
/// message such as "JSON parse error at byte 12: expected ':' after object key".
StatusOr<JsonValue> ParseJson(std::string_view text);

/// Compact JSON text for `v`; ParseJson(WriteJson(v)) == v for every finite value.
std::string WriteJson(const JsonValue& v);

}  // namespace kiln::ir
