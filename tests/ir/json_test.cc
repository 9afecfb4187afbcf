// The strict JSON reader/writer behind the safetensors header.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "ir/json.h"

using kiln::StatusCode;
using namespace kiln::ir;

namespace {
JsonValue MustParse(const std::string& text) {
  auto v = ParseJson(text);
  INFO(text << " -> " << v.status().ToString());
  REQUIRE(v.ok());
  return *v;
}
}  // namespace

TEST_CASE("json parses scalars with exact integers") {
  REQUIRE(MustParse("null").is_null());
  REQUIRE(MustParse("true").bool_value());
  REQUIRE_FALSE(MustParse(" false ").bool_value());
  REQUIRE(MustParse("0").int_value() == 0);
  REQUIRE(MustParse("-17").int_value() == -17);
  REQUIRE(MustParse("9223372036854775807").int_value() == std::numeric_limits<int64_t>::max());
  REQUIRE(MustParse("-9223372036854775808").int_value() == std::numeric_limits<int64_t>::min());
  // Beyond int64: a double.
  JsonValue big = MustParse("9223372036854775808");
  REQUIRE(big.is_double());
  REQUIRE(big.double_value() == 9223372036854775808.0);
  REQUIRE(MustParse("2.5").double_value() == 2.5);
  REQUIRE(MustParse("2.0").is_double());
  REQUIRE(MustParse("1e3").is_double());
  REQUIRE(MustParse("-1.25E-2").double_value() == -0.0125);
  REQUIRE(MustParse("1e-400").double_value() == 0.0);  // underflow rounds to zero
  REQUIRE(MustParse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"").string_value() == "a\"b\\c/d\b\f\n\r\t");
}

TEST_CASE("json decodes unicode escapes and validates utf-8") {
  REQUIRE(MustParse("\"\\u0041\\u00e9\\u20AC\"").string_value() == "A\xC3\xA9\xE2\x82\xAC");
  // U+1F600 as a surrogate pair.
  REQUIRE(MustParse("\"\\ud83d\\ude00\"").string_value() == "\xF0\x9F\x98\x80");
  REQUIRE(MustParse("\"\\u0000\"").string_value() == std::string(1, '\0'));
  // Raw UTF-8 passes through.
  REQUIRE(MustParse("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").string_value() == "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_CASE("json accessors are checked") {
  JsonValue v = MustParse(R"({"i": 3, "d": 3.5, "s": "x", "a": [1, 2], "o": {}})");
  REQUIRE(v.is_object());
  REQUIRE(v.size() == 5);
  REQUIRE(v.Find("i")->as_int().value() == 3);
  REQUIRE(v.Find("i")->as_double().value() == 3.0);
  REQUIRE_FALSE(v.Find("d")->as_int().ok());
  REQUIRE(v.Find("d")->as_int().status().message() == "expected a JSON integer, got number");
  REQUIRE(v.Find("s")->as_string().value() == "x");
  REQUIRE_FALSE(v.Find("s")->as_bool().ok());
  REQUIRE(v.Find("a")->items().size() == 2);
  REQUIRE(v.Find("missing") == nullptr);
  REQUIRE(v.Find("a")->Find("x") == nullptr);  // not an object
  // Key order is document order.
  std::vector<std::string> keys;
  for (const auto& m : v.members()) keys.push_back(m.first);
  REQUIRE(keys == std::vector<std::string>{"i", "d", "s", "a", "o"});
}

TEST_CASE("json builder sets without duplicating keys") {
  JsonValue o = JsonValue::Object();
  o.Set("b", JsonValue::Int(1));
  o.Set("a", JsonValue::Int(2));
  o.Set("b", JsonValue::String("x"));
  REQUIRE(o.size() == 2);
  REQUIRE(WriteJson(o) == R"({"b":"x","a":2})");
}

TEST_CASE("json writes compactly and round trips") {
  const char* docs[] = {
      "null",
      "true",
      "[]",
      "{}",
      "-9223372036854775808",
      "0.1",
      "1e+300",
      "-2.5e-08",
      "2.0",
      R"({"a":[1,2.5,"x",null,true,false,{"b":[]}],"c":{"d":{"e":"f"}}})",
      R"(["\"\\\b\f\n\r\t\u0001\u001f","\u00e9"])",
  };
  for (const char* d : docs) {
    JsonValue v = MustParse(d);
    std::string out = WriteJson(v);
    INFO(d << " -> " << out);
    REQUIRE(MustParse(out) == v);
    REQUIRE(WriteJson(MustParse(out)) == out);  // the writer is a fixed point
  }
  REQUIRE(WriteJson(MustParse(" { \"a\" : [ 1 , 2 ] } ")) == R"({"a":[1,2]})");
  REQUIRE(WriteJson(MustParse(R"("\u0001\/")")) == R"("\u0001/")");
  REQUIRE(WriteJson(JsonValue::Double(2.0)) == "2.0");
  REQUIRE(WriteJson(JsonValue::Double(0.1)) == "0.1");
  REQUIRE(WriteJson(JsonValue::Double(std::nan(""))) == "null");
  REQUIRE(WriteJson(JsonValue::Int(-5)) == "-5");
  // Ints and doubles stay distinct through a round trip.
  REQUIRE(MustParse(WriteJson(JsonValue::Double(3.0))).is_double());
  REQUIRE(MustParse(WriteJson(JsonValue::Int(3))).is_int());
  REQUIRE(JsonValue::Int(1) != JsonValue::Double(1.0));
}

TEST_CASE("json nesting up to the limit is accepted") {
  std::string ok = std::string(kJsonMaxDepth, '[') + std::string(kJsonMaxDepth, ']');
  REQUIRE(ParseJson(ok).ok());
  std::string too_deep = std::string(kJsonMaxDepth + 1, '[') + std::string(kJsonMaxDepth + 1, ']');
  REQUIRE_FALSE(ParseJson(too_deep).ok());
}

TEST_CASE("json rejects malformed input with offset and expectation") {
  struct Case {
    std::string text;
    std::string phrase;  // must appear in the message
  };
  const std::string deep_array = std::string(10000, '[') + std::string(10000, ']');
  std::string deep_object;
  for (int i = 0; i < 10000; ++i) deep_object += "{\"a\":";
  const Case cases[] = {
      {"", "at byte 0: expected a JSON value"},
      {"   ", "at byte 3: expected a JSON value"},
      {"{", "at byte 1: expected a string key"},
      {"{\"a\"", "at byte 4: expected ':'"},
      {"{\"a\":", "at byte 5: expected a JSON value"},
      {"{\"a\":1", "at byte 6: expected ',' or '}'"},
      {"[1,2", "at byte 4: expected ',' or ']'"},
      {"[1,]", "at byte 3: expected a JSON value"},
      {"{\"a\":1,}", "at byte 7: expected a string key"},
      {"{a:1}", "expected a string key"},
      {"\"abc", "unterminated string"},
      {"\"a\\", "unterminated escape"},
      {"\"\\x\"", "at byte 2: invalid escape"},
      {"\"\\u12\"", "expected 4 hex digits"},
      {"\"\\u12G4\"", "expected 4 hex digits"},
      {"\"\\ud83d\"", "expected a \\u low surrogate"},
      {"\"\\ud83d\\u0041\"", "expected a low surrogate"},
      {"\"\\ude00\"", "lone low surrogate"},
      {"\"a\nb\"", "unescaped control character"},
      {"\"\xC3\"", "invalid UTF-8 continuation"},
      {"\"\xC0\xAF\"", "invalid UTF-8 lead byte"},
      {"\"\xE0\x80\xAF\"", "overlong UTF-8"},
      {"\"\xED\xA0\x80\"", "UTF-8 encoded surrogate"},
      {"\"\xFF\"", "invalid UTF-8 lead byte"},
      {"01", "leading zeros"},
      {"-", "expected a digit"},
      {"+1", "expected a JSON value"},
      {"1.", "expected a digit after the decimal point"},
      {".5", "expected a JSON value"},
      {"1e", "expected a digit in the exponent"},
      {"1e+", "expected a digit in the exponent"},
      {"1e999", "out of the range of a double"},
      {"NaN", "expected a JSON value"},
      {"Infinity", "expected a JSON value"},
      {"tru", "expected a JSON value"},
      {"nul", "expected a JSON value"},
      {"1 2", "at byte 2: expected end of input"},
      {"{} x", "at byte 3: expected end of input"},
      {"[1] ]", "expected end of input"},
      {"// c\n1", "expected a JSON value"},
      {"{\"a\":1,\"a\":2}", "at byte 7: duplicate object key \"a\""},
      {deep_array, "nesting deeper than 64 levels"},
      {deep_object, "nesting deeper than 64 levels"},
  };
  for (const Case& c : cases) {
    auto r = ParseJson(c.text);
    INFO("input: " << c.text.substr(0, 40));
    REQUIRE_FALSE(r.ok());
    INFO("message: " << r.status().message());
    REQUIRE(r.status().code() == StatusCode::kInvalidArgument);
    REQUIRE(r.status().message().find("JSON parse error at byte") == 0);
    REQUIRE(r.status().message().find(c.phrase) != std::string::npos);
  }
}

TEST_CASE("json survives every truncation and byte flip") {
  const std::string doc = R"({"a":[1,-2.5e3,"\u00e9\ud83d\ude00x"],"b":{"c":null,"d":true}})";
  REQUIRE(ParseJson(doc).ok());
  for (size_t n = 0; n < doc.size(); ++n) {
    INFO("prefix length " << n);
    REQUIRE_FALSE(ParseJson(doc.substr(0, n)).ok());
  }
  for (size_t i = 0; i < doc.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string s = doc;
      s[i] = static_cast<char>(s[i] ^ (1 << bit));
      auto r = ParseJson(s);  // may or may not parse; must not crash
      if (r.ok()) REQUIRE(ParseJson(WriteJson(*r)).ok());
    }
  }
}
