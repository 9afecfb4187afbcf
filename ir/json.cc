#include "ir/json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace kiln::ir {

// ---------------------------------------------------------------------------------------------
// JsonValue
// ---------------------------------------------------------------------------------------------

const char* json_kind_name(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::kNull: return "null";
    case JsonValue::Kind::kBool: return "bool";
    case JsonValue::Kind::kInt: return "integer";
    case JsonValue::Kind::kDouble: return "number";
    case JsonValue::Kind::kString: return "string";
    case JsonValue::Kind::kArray: return "array";
    case JsonValue::Kind::kObject: return "object";
  }
  return "unknown";
}

JsonValue JsonValue::Bool(bool b) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

JsonValue JsonValue::Int(int64_t i) {
  JsonValue v;
  v.kind_ = Kind::kInt;
  v.int_ = i;
  return v;
}

JsonValue JsonValue::Double(double d) {
  JsonValue v;
  v.kind_ = Kind::kDouble;
  v.double_ = d;
  return v;
}

JsonValue JsonValue::String(std::string s) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.string_ = std::move(s);
  return v;
}

JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  return v;
}

namespace {
Status WrongKind(const char* expected, JsonValue::Kind actual) {
  return InvalidArgument(std::string("expected a JSON ") + expected + ", got " + json_kind_name(actual));
}
}  // namespace

StatusOr<bool> JsonValue::as_bool() const {
  if (!is_bool()) return WrongKind("bool", kind_);
  return bool_;
}

StatusOr<int64_t> JsonValue::as_int() const {
  if (!is_int()) return WrongKind("integer", kind_);
  return int_;
}

StatusOr<double> JsonValue::as_double() const {
  if (is_int()) return static_cast<double>(int_);
  if (!is_double()) return WrongKind("number", kind_);
  return double_;
}

StatusOr<std::string> JsonValue::as_string() const {
  if (!is_string()) return WrongKind("string", kind_);
  return string_;
}

bool JsonValue::bool_value() const {
  KILN_CHECK(is_bool(), std::string("bool_value() on a JSON ") + json_kind_name(kind_));
  return bool_;
}

int64_t JsonValue::int_value() const {
  KILN_CHECK(is_int(), std::string("int_value() on a JSON ") + json_kind_name(kind_));
  return int_;
}

double JsonValue::double_value() const {
  KILN_CHECK(is_number(), std::string("double_value() on a JSON ") + json_kind_name(kind_));
  return is_int() ? static_cast<double>(int_) : double_;
}

const std::string& JsonValue::string_value() const {
  KILN_CHECK(is_string(), std::string("string_value() on a JSON ") + json_kind_name(kind_));
  return string_;
}

const std::vector<JsonValue>& JsonValue::items() const {
  KILN_CHECK(is_array(), std::string("items() on a JSON ") + json_kind_name(kind_));
  return items_;
}

const std::vector<JsonValue::Member>& JsonValue::members() const {
  KILN_CHECK(is_object(), std::string("members() on a JSON ") + json_kind_name(kind_));
  return members_;
}

size_t JsonValue::size() const {
  if (is_array()) return items_.size();
  if (is_object()) return members_.size();
  return 0;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &members_[it->second].second;
}

void JsonValue::Append(JsonValue v) {
  KILN_CHECK(is_array(), std::string("Append() on a JSON ") + json_kind_name(kind_));
  items_.push_back(std::move(v));
}

void JsonValue::Set(std::string key, JsonValue v) {
  KILN_CHECK(is_object(), std::string("Set() on a JSON ") + json_kind_name(kind_));
  auto it = index_.find(key);
  if (it != index_.end()) {
    members_[it->second].second = std::move(v);
    return;
  }
  index_.emplace(key, members_.size());
  members_.emplace_back(std::move(key), std::move(v));
}

bool JsonValue::operator==(const JsonValue& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::kNull: return true;
    case Kind::kBool: return bool_ == o.bool_;
    case Kind::kInt: return int_ == o.int_;
    case Kind::kDouble: return double_ == o.double_;
    case Kind::kString: return string_ == o.string_;
    case Kind::kArray: return items_ == o.items_;
    case Kind::kObject: return members_ == o.members_;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<JsonValue> ParseDocument() {
    SkipWhitespace();
    KILN_ASSIGN_OR_RETURN(JsonValue v, ParseValue(0));
    SkipWhitespace();
    if (pos_ != text_.size()) return Error("expected end of input after the JSON value");
    return v;
  }

 private:
  Status Error(const std::string& what) const { return ErrorAt(pos_, what); }
  Status ErrorAt(size_t pos, const std::string& what) const {
    std::string msg = "JSON parse error at byte " + std::to_string(pos) + ": " + what;
    if (pos >= text_.size()) {
      msg += " (reached end of input)";
    } else {
      unsigned char c = static_cast<unsigned char>(text_[pos]);
      if (c >= 0x20 && c < 0x7F) {
        msg += std::string(" (found '") + static_cast<char>(c) + "')";
      } else {
        static const char kHex[] = "0123456789abcdef";
        msg += std::string(" (found byte 0x") + kHex[c >> 4] + kHex[c & 15] + ")";
      }
    }
    return InvalidArgument(msg);
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  void SkipWhitespace() {
    while (!AtEnd()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool ConsumeLiteral(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  StatusOr<JsonValue> ParseValue(int depth) {
    switch (Peek()) {
      case '{': return ParseObject(depth + 1);
      case '[': return ParseArray(depth + 1);
      case '"': {
        KILN_ASSIGN_OR_RETURN(std::string s, ParseString());
        return JsonValue::String(std::move(s));
      }
      case 't':
        if (ConsumeLiteral("true")) return JsonValue::Bool(true);
        break;
      case 'f':
        if (ConsumeLiteral("false")) return JsonValue::Bool(false);
        break;
      case 'n':
        if (ConsumeLiteral("null")) return JsonValue::Null();
        break;
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) return ParseNumber();
        break;
    }
    return Error("expected a JSON value (object, array, string, number, true, false or null)");
  }

  StatusOr<JsonValue> ParseObject(int depth) {
    if (depth > kJsonMaxDepth) {
      return Error("nesting deeper than " + std::to_string(kJsonMaxDepth) + " levels");
    }
    ++pos_;  // '{'
    JsonValue obj = JsonValue::Object();
    SkipWhitespace();
    if (Peek() == '}') {
      ++pos_;
      return obj;
    }
    while (true) {
      if (Peek() != '"') return Error("expected a string key in object");
      size_t key_pos = pos_;
      KILN_ASSIGN_OR_RETURN(std::string key, ParseString());
      if (obj.Find(key) != nullptr) return ErrorAt(key_pos, "duplicate object key \"" + key + "\"");
      SkipWhitespace();
      if (Peek() != ':') return Error("expected ':' after object key");
      ++pos_;
      SkipWhitespace();
      KILN_ASSIGN_OR_RETURN(JsonValue value, ParseValue(depth));
      obj.Set(std::move(key), std::move(value));
      SkipWhitespace();
      if (Peek() == ',') {
        ++pos_;
        SkipWhitespace();
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        return obj;
      }
      return Error("expected ',' or '}' after object member");
    }
  }

  StatusOr<JsonValue> ParseArray(int depth) {
    if (depth > kJsonMaxDepth) {
      return Error("nesting deeper than " + std::to_string(kJsonMaxDepth) + " levels");
    }
    ++pos_;  // '['
    JsonValue arr = JsonValue::Array();
    SkipWhitespace();
    if (Peek() == ']') {
      ++pos_;
      return arr;
    }
    while (true) {
      KILN_ASSIGN_OR_RETURN(JsonValue value, ParseValue(depth));
      arr.Append(std::move(value));
      SkipWhitespace();
      if (Peek() == ',') {
        ++pos_;
        SkipWhitespace();
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        return arr;
      }
      return Error("expected ',' or ']' after array element");
    }
  }

  // Reads the 4 hex digits of a \u escape at pos_; advances past them.
  StatusOr<uint32_t> ParseHex4() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = Peek();
      uint32_t d;
      if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<uint32_t>(c - 'A' + 10);
      else return Error("expected 4 hex digits after \\u");
      v = v * 16 + d;
      ++pos_;
    }
    return v;
  }

  // pos_ is just past a backslash; appends the decoded escape.
  Status ParseEscape(std::string* out) {
    size_t escape_pos = pos_ - 1;
    char c = Peek();
    ++pos_;
    switch (c) {
      case '"': out->push_back('"'); return Status::Ok();
      case '\\': out->push_back('\\'); return Status::Ok();
      case '/': out->push_back('/'); return Status::Ok();
      case 'b': out->push_back('\b'); return Status::Ok();
      case 'f': out->push_back('\f'); return Status::Ok();
      case 'n': out->push_back('\n'); return Status::Ok();
      case 'r': out->push_back('\r'); return Status::Ok();
      case 't': out->push_back('\t'); return Status::Ok();
      case 'u': break;
      default:
        --pos_;
        return Error("invalid escape; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
    }
    KILN_ASSIGN_OR_RETURN(uint32_t cp, ParseHex4());
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return ErrorAt(escape_pos, "lone low surrogate \\u escape; expected a high surrogate first");
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (!ConsumeLiteral("\\u")) {
        return Error("expected a \\u low surrogate after the high surrogate escape");
      }
      KILN_ASSIGN_OR_RETURN(uint32_t low, ParseHex4());
      if (low < 0xDC00 || low > 0xDFFF) {
        return ErrorAt(pos_ - 6, "expected a low surrogate (\\uDC00-\\uDFFF) after a high surrogate");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return Status::Ok();
  }

  // pos_ is at a byte >= 0x80; validates one UTF-8 sequence and appends it unchanged.
  Status ParseUtf8(std::string* out) {
    size_t start = pos_;
    unsigned char b0 = static_cast<unsigned char>(text_[pos_]);
    int len;
    uint32_t cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) { len = 2; cp = b0 & 0x1F; }
    else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; cp = b0 & 0x0F; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; cp = b0 & 0x07; }
    else return Error("invalid UTF-8 lead byte in string");
    for (int i = 1; i < len; ++i) {
      if (start + static_cast<size_t>(i) >= text_.size()) return ErrorAt(start, "truncated UTF-8 sequence in string");
      unsigned char b = static_cast<unsigned char>(text_[start + static_cast<size_t>(i)]);
      if ((b & 0xC0) != 0x80) return ErrorAt(start, "invalid UTF-8 continuation byte in string");
      cp = (cp << 6) | (b & 0x3F);
    }
    static const uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len]) return ErrorAt(start, "overlong UTF-8 encoding in string");
    if (cp >= 0xD800 && cp <= 0xDFFF) return ErrorAt(start, "UTF-8 encoded surrogate in string");
    if (cp > 0x10FFFF) return ErrorAt(start, "UTF-8 code point beyond U+10FFFF in string");
    out->append(text_.data() + start, static_cast<size_t>(len));
    pos_ = start + static_cast<size_t>(len);
    return Status::Ok();
  }

  StatusOr<std::string> ParseString() {
    size_t open = pos_;
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (AtEnd()) return ErrorAt(pos_, "unterminated string (opened at byte " + std::to_string(open) + ")");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        ++pos_;
        if (AtEnd()) return Error("unterminated escape in string");
        KILN_RETURN_IF_ERROR(ParseEscape(&out));
      } else if (c < 0x20) {
        return Error("unescaped control character in string");
      } else if (c >= 0x80) {
        KILN_RETURN_IF_ERROR(ParseUtf8(&out));
      } else {
        out.push_back(static_cast<char>(c));
        ++pos_;
      }
    }
  }

  bool IsDigit(char c) const { return c >= '0' && c <= '9'; }

  StatusOr<JsonValue> ParseNumber() {
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
      if (IsDigit(Peek())) return Error("leading zeros are not allowed in numbers");
    } else if (IsDigit(Peek())) {
      while (IsDigit(Peek())) ++pos_;
    } else {
      return Error("expected a digit in number");
    }
    bool integral = true;
    if (Peek() == '.') {
      integral = false;
      ++pos_;
      if (!IsDigit(Peek())) return Error("expected a digit after the decimal point");
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      integral = false;
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!IsDigit(Peek())) return Error("expected a digit in the exponent");
      while (IsDigit(Peek())) ++pos_;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integral) {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(first, last, i);
      if (ec == std::errc() && ptr == last) return JsonValue::Int(i);
      // Too large for int64: fall through to a double.
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec == std::errc::result_out_of_range) {
      // from_chars reports underflow as out of range too; strtod (C locale: the literal has
      // only ASCII digits, '.', 'e' and signs) rounds it to a denormal or zero instead.
      std::string literal(first, last);
      d = std::strtod(literal.c_str(), nullptr);
      if (!std::isfinite(d)) {
        return ErrorAt(start, "number " + literal + " is out of the range of a double");
      }
      return JsonValue::Double(d);
    }
    if (ec != std::errc() || ptr != last || !std::isfinite(d)) {
      return ErrorAt(start, "number " + std::string(first, last) + " cannot be represented");
    }
    return JsonValue::Double(d);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

void WriteString(const std::string& s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void WriteDouble(double d, std::string* out) {
  if (!std::isfinite(d)) {
    out->append("null");
    return;
  }
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  KILN_CHECK(ec == std::errc(), "to_chars(double) failed");
  std::string_view s(buf, static_cast<size_t>(ptr - buf));
  out->append(s);
  if (s.find_first_of(".eE") == std::string_view::npos) out->append(".0");
}

void WriteValue(const JsonValue& v, std::string* out) {
  switch (v.kind()) {
    case JsonValue::Kind::kNull: out->append("null"); return;
    case JsonValue::Kind::kBool: out->append(v.bool_value() ? "true" : "false"); return;
    case JsonValue::Kind::kInt: out->append(std::to_string(v.int_value())); return;
    case JsonValue::Kind::kDouble: WriteDouble(v.double_value(), out); return;
    case JsonValue::Kind::kString: WriteString(v.string_value(), out); return;
    case JsonValue::Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const JsonValue& item : v.items()) {
        if (!first) out->push_back(',');
        first = false;
        WriteValue(item, out);
      }
      out->push_back(']');
      return;
    }
    case JsonValue::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const JsonValue::Member& m : v.members()) {
        if (!first) out->push_back(',');
        first = false;
        WriteString(m.first, out);
        out->push_back(':');
        WriteValue(m.second, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

StatusOr<JsonValue> ParseJson(std::string_view text) { return Parser(text).ParseDocument(); }

std::string WriteJson(const JsonValue& v) {
  std::string out;
  WriteValue(v, &out);
  return out;
}

}  // namespace kiln::ir
