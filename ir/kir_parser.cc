// The .kir parser: a hand-written recursive-descent reader over the text. The grammar has no
// nesting (lists hold scalars only), so the parser never recurses and its stack use is
// bounded whatever the input. Every read checks the end of the text first.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_map>

#include "ir/kir.h"

namespace kiln::ir {

namespace {

bool is_word_char(char c) {  // bare names: [A-Za-z0-9_.]
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}
bool is_ident_char(char c) { return is_word_char(c) && c != '.'; }  // keywords, ops, dtypes
bool is_token_char(char c) { return is_word_char(c) || c == '-' || c == '+'; }  // numbers too
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// -?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_float_literal(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view filename) : text_(text), filename_(filename) {}

  StatusOr<std::unique_ptr<Graph>> Parse() {
    SkipSpace();
    if (Run(pos_, is_word_char) != "graph") return Expected("'graph'");
    pos_ += 5;
    std::string name;
    KILN_RETURN_IF_ERROR(ParseWord("a graph name", &name));
    graph_ = std::make_unique<Graph>(name);
    KILN_RETURN_IF_ERROR(Expect('{', "'{' after the graph name"));
    while (true) {
      SkipSpace();
      if (AtEnd()) return Expected("a statement or '}'");
      if (text_[pos_] == '}') {
        ++pos_;
        break;
      }
      if (text_[pos_] == '%') {
        KILN_RETURN_IF_ERROR(ParseNode());
        continue;
      }
      std::string_view kw = Run(pos_, is_word_char);
      if (kw == "input" || kw == "param") {
        pos_ += kw.size();
        KILN_RETURN_IF_ERROR(ParseInputOrParam(kw == "input"));
      } else if (kw == "output") {
        pos_ += kw.size();
        KILN_RETURN_IF_ERROR(ParseOutput());
      } else {
        return Expected("'input', 'param', 'output', a node '%name = op(...)' or '}'");
      }
    }
    SkipSpace();
    if (!AtEnd()) return Expected("end of input after the graph's closing '}'");
    return std::move(graph_);
  }

 private:
  struct Definition {
    Value* value;
    size_t pos;
  };

  // ---- cursor and errors ----

  bool AtEnd() const { return pos_ >= text_.size(); }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  // The maximal run of characters satisfying `pred` starting at `at` (empty at the end).
  std::string_view Run(size_t at, bool (*pred)(char)) const {
    size_t end = at;
    while (end < text_.size() && pred(text_[end])) ++end;
    return at < text_.size() ? text_.substr(at, end - at) : std::string_view();
  }
  std::string_view Ident(size_t at) const { return Run(at, is_ident_char); }

  std::string LineCol(size_t at) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return std::to_string(line) + ":" + std::to_string(col);
  }

  // What the text holds at `at`, for "got Y".
  std::string Describe(size_t at) const {
    if (at >= text_.size()) return "end of input";
    char c = text_[at];
    std::string_view tok;
    if (c == '%') {
      tok = text_.substr(at, 1 + Run(at + 1, is_word_char).size());
    } else if (is_token_char(c)) {
      tok = Run(at, is_token_char);
    } else if (c == '"') {
      return "a string";
    } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "byte 0x%02x", static_cast<unsigned char>(c));
      return buf;
    } else {
      tok = text_.substr(at, 1);
    }
    if (tok.size() > 40) return "'" + std::string(tok.substr(0, 40)) + "...'";
    return "'" + std::string(tok) + "'";
  }

  Status Error(size_t at, const std::string& message) const {
    return InvalidArgument(filename_ + ":" + LineCol(at) + ": " + message);
  }
  Status ExpectedAt(size_t at, const std::string& what) const {
    return Error(at, "expected " + what + ", got " + Describe(at));
  }
  Status Expected(const std::string& what) const { return ExpectedAt(pos_, what); }

  Status Expect(char c, const std::string& what) {
    SkipSpace();
    if (AtEnd() || text_[pos_] != c) return Expected(what);
    ++pos_;
    return Status::Ok();
  }
  bool Consume(char c) {
    SkipSpace();
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // ---- lexical pieces ----

  // A double-quoted string at pos_ with escapes \" \\ \n \t \xHH; it ends on its line.
  Status ParseString(std::string* out) {
    size_t open = pos_;
    ++pos_;
    out->clear();
    while (true) {
      if (AtEnd() || text_[pos_] == '\n') {
        return Error(open, "unterminated string: expected a closing '\"' before the end of the line");
      }
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (c != '\\') {
        out->push_back(c);
        ++pos_;
        continue;
      }
      size_t esc = pos_++;
      if (AtEnd()) return Error(open, "unterminated string: expected a closing '\"'");
      char e = text_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'x': {
          int hi = pos_ < text_.size() ? hex_value(text_[pos_]) : -1;
          int lo = pos_ + 1 < text_.size() ? hex_value(text_[pos_ + 1]) : -1;
          if (hi < 0 || lo < 0) return Error(esc, "bad escape in string: expected two hex digits after '\\x'");
          out->push_back(static_cast<char>(hi * 16 + lo));
          pos_ += 2;
          break;
        }
        default:
          return Error(esc, std::string("bad escape in string: expected \\\" \\\\ \\n \\t or \\xHH, got ") +
                                Describe(esc + 1));
      }
    }
  }

  // A bare word [A-Za-z0-9_.]+ or a quoted string.
  Status ParseWord(const std::string& what, std::string* out) {
    SkipSpace();
    if (!AtEnd() && text_[pos_] == '"') return ParseString(out);
    std::string_view w = Run(pos_, is_word_char);
    if (w.empty()) return Expected(what);
    *out = std::string(w);
    pos_ += w.size();
    return Status::Ok();
  }

  // `%name` or `%"quoted name"`; `at` receives the position of the '%'.
  Status ParseValueName(std::string* name, size_t* at) {
    SkipSpace();
    *at = pos_;
    if (AtEnd() || text_[pos_] != '%') return Expected("a value name '%name'");
    ++pos_;
    if (!AtEnd() && text_[pos_] == '"') return ParseString(name);
    std::string_view w = Run(pos_, is_word_char);
    if (w.empty()) return Expected("a value name after '%'");
    *name = std::string(w);
    pos_ += w.size();
    return Status::Ok();
  }

  Status ParseInt(const std::string& what, int64_t* out) {
    SkipSpace();
    size_t at = pos_;
    std::string_view tok = Run(pos_, is_token_char);
    std::string_view digits = !tok.empty() && tok[0] == '-' ? tok.substr(1) : tok;
    if (!all_digits(digits)) return ExpectedAt(at, what);
    auto res = std::from_chars(tok.data(), tok.data() + tok.size(), *out);
    if (res.ec != std::errc() || res.ptr != tok.data() + tok.size()) {
      return Error(at, "integer '" + std::string(tok) + "' is out of range for a 64-bit integer");
    }
    pos_ += tok.size();
    return Status::Ok();
  }

  Status ParseFloat(const std::string& what, double* out) {
    SkipSpace();
    size_t at = pos_;
    std::string_view tok = Run(pos_, is_token_char);
    if (tok == "inf" || tok == "-inf") {
      *out = tok[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    } else if (tok == "nan") {
      *out = std::numeric_limits<double>::quiet_NaN();
    } else if (is_float_literal(tok)) {
      auto res = std::from_chars(tok.data(), tok.data() + tok.size(), *out);
      if (res.ec != std::errc() || res.ptr != tok.data() + tok.size()) {
        return Error(at, "float '" + std::string(tok) + "' is out of range for a double");
      }
    } else {
      return ExpectedAt(at, what);
    }
    pos_ += tok.size();
    return Status::Ok();
  }

  // dtype `[` dims `]`, e.g. f32[N,1,28,28] or f32[].
  Status ParseType(TensorType* type) {
    SkipSpace();
    size_t at = pos_;
    std::string_view name = Ident(pos_);
    auto dtype = parse_dtype(name);
    if (!dtype) return ExpectedAt(at, "a dtype (f32, f64, f16, bf16, i64, i32, bool)");
    pos_ += name.size();
    type->dtype = *dtype;
    type->shape = Shape();
    KILN_RETURN_IF_ERROR(Expect('[', "'[' to start the shape"));
    if (Consume(']')) return Status::Ok();
    while (true) {
      SkipSpace();
      size_t dim_at = pos_;
      std::string_view tok = Run(pos_, is_token_char);
      if (all_digits(tok)) {
        int64_t size = 0;
        auto res = std::from_chars(tok.data(), tok.data() + tok.size(), size);
        if (res.ec != std::errc()) return Error(dim_at, "dim '" + std::string(tok) + "' is out of range");
        type->shape.dims().emplace_back(size);
      } else if (!tok.empty() && is_letter(tok[0]) && Ident(pos_).size() == tok.size()) {
        type->shape.dims().push_back(Dim::Symbolic(std::string(tok)));
      } else {
        return ExpectedAt(dim_at, "a dim (a non-negative integer or a symbol such as N)");
      }
      pos_ += tok.size();
      if (Consume(']')) return Status::Ok();
      KILN_RETURN_IF_ERROR(Expect(',', "',' or ']' in the shape"));
    }
  }

  // ---- values ----

  Status CheckNew(const std::string& name, size_t at) const {
    auto it = values_.find(name);
    if (it == values_.end()) return Status::Ok();
    return Error(at, "value %" + name + " is defined twice (first at " + LineCol(it->second.pos) + ")");
  }

  Status Use(Value** out) {
    std::string name;
    size_t at = 0;
    KILN_RETURN_IF_ERROR(ParseValueName(&name, &at));
    auto it = values_.find(name);
    if (it == values_.end()) return Error(at, "undefined value %" + name);
    *out = it->second.value;
    return Status::Ok();
  }

  // ---- statements ----

  Status ParseInputOrParam(bool is_input) {
    std::string name;
    size_t at = 0;
    KILN_RETURN_IF_ERROR(ParseValueName(&name, &at));
    KILN_RETURN_IF_ERROR(CheckNew(name, at));
    // Plain numbers are the printer's numbering of unnamed results, so an input or parameter
    // named "3" could not print back unambiguously.
    if (name.empty() || all_digits(name)) {
      return Error(at, std::string(is_input ? "input" : "param") + " %" + (name.empty() ? "\"\"" : name) +
                           " needs a name that is not a plain number");
    }
    KILN_RETURN_IF_ERROR(Expect(':', "':' and a type after the name"));
    TensorType type;
    KILN_RETURN_IF_ERROR(ParseType(&type));
    Value* v = is_input ? graph_->AddInput(name, type) : graph_->AddParam(name, type);
    values_[name] = Definition{v, at};
    return Status::Ok();
  }

  Status ParseOutput() {
    std::string name;
    KILN_RETURN_IF_ERROR(ParseWord("an output name", &name));
    KILN_RETURN_IF_ERROR(Expect('=', "'=' after the output name"));
    Value* v = nullptr;
    KILN_RETURN_IF_ERROR(Use(&v));
    graph_->AddOutput(name, v);
    return Status::Ok();
  }

  Status ParseAttrs(const OpSchema& schema, Attrs* attrs) {
    if (Consume('}')) return Status::Ok();
    while (true) {
      SkipSpace();
      size_t at = pos_;
      std::string name(Ident(pos_));
      if (name.empty()) return Expected("an attribute name");
      const AttrSpec* spec = schema.find_attr(name);
      if (spec == nullptr) {
        std::string known;
        for (const AttrSpec& a : schema.attrs) known += (known.empty() ? "" : ", ") + a.name;
        return Error(at, "unknown attribute '" + name + "' for op '" + schema.name + "' (it takes " +
                             (known.empty() ? std::string("none") : known) + ")");
      }
      if (attrs->has(name)) return Error(at, "attribute '" + name + "' is given twice");
      pos_ += name.size();
      KILN_RETURN_IF_ERROR(Expect('=', "'=' after attribute '" + name + "'"));
      AttrValue value;
      KILN_RETURN_IF_ERROR(ParseAttrValue(*spec, &value));
      attrs->set(name, std::move(value));
      if (Consume('}')) return Status::Ok();
      KILN_RETURN_IF_ERROR(Expect(',', "',' or '}' after attribute '" + name + "'"));
    }
  }

  Status ParseAttrValue(const AttrSpec& spec, AttrValue* out) {
    const std::string of = " for attribute '" + spec.name + "'";
    SkipSpace();
    size_t at = pos_;
    switch (spec.kind) {
      case AttrKind::kInt: {
        int64_t v = 0;
        KILN_RETURN_IF_ERROR(ParseInt("an integer" + of, &v));
        *out = v;
        return Status::Ok();
      }
      case AttrKind::kFloat: {
        double v = 0;
        KILN_RETURN_IF_ERROR(ParseFloat("a float" + of, &v));
        *out = v;
        return Status::Ok();
      }
      case AttrKind::kBool: {
        std::string_view w = Ident(pos_);
        if (w != "true" && w != "false") return ExpectedAt(at, "true or false" + of);
        pos_ += w.size();
        *out = w == "true";
        return Status::Ok();
      }
      case AttrKind::kString: {
        if (AtEnd() || text_[pos_] != '"') return ExpectedAt(at, "a string" + of);
        std::string s;
        KILN_RETURN_IF_ERROR(ParseString(&s));
        *out = std::move(s);
        return Status::Ok();
      }
      case AttrKind::kDType: {
        std::string_view w = Ident(pos_);
        auto d = parse_dtype(w);
        if (!d) return ExpectedAt(at, "a dtype (f32, f64, f16, bf16, i64, i32, bool)" + of);
        pos_ += w.size();
        *out = *d;
        return Status::Ok();
      }
      case AttrKind::kInts:
      case AttrKind::kFloats:
        return ParseList(spec, of, out);
    }
    return Error(at, "unsupported attribute kind" + of);
  }

  Status ParseList(const AttrSpec& spec, const std::string& of, AttrValue* out) {
    bool ints = spec.kind == AttrKind::kInts;
    KILN_RETURN_IF_ERROR(Expect('[', std::string("'[' to start a list of ") + (ints ? "integers" : "floats") + of));
    std::vector<int64_t> iv;
    std::vector<double> fv;
    if (!Consume(']')) {
      while (true) {
        if (ints) {
          int64_t v = 0;
          KILN_RETURN_IF_ERROR(ParseInt("an integer" + of, &v));
          iv.push_back(v);
        } else {
          double v = 0;
          KILN_RETURN_IF_ERROR(ParseFloat("a float" + of, &v));
          fv.push_back(v);
        }
        if (Consume(']')) break;
        KILN_RETURN_IF_ERROR(Expect(',', "',' or ']' in the list" + of));
      }
    }
    if (ints) {
      *out = std::move(iv);
    } else {
      *out = std::move(fv);
    }
    return Status::Ok();
  }

  // %a[, %b...] = op(%x, ...) [{attrs}] : type[, type...] [@loc]
  Status ParseNode() {
    size_t node_at = pos_;
    std::vector<std::string> names;
    std::vector<size_t> name_at;
    std::set<std::string> seen;
    while (true) {
      std::string name;
      size_t at = 0;
      KILN_RETURN_IF_ERROR(ParseValueName(&name, &at));
      KILN_RETURN_IF_ERROR(CheckNew(name, at));
      if (!seen.insert(name).second) return Error(at, "value %" + name + " is defined twice in one node");
      names.push_back(std::move(name));
      name_at.push_back(at);
      if (!Consume(',')) break;
    }
    KILN_RETURN_IF_ERROR(Expect('=', "',' or '=' after the result names"));

    SkipSpace();
    size_t op_at = pos_;
    std::string op_name(Ident(pos_));
    if (op_name.empty()) return Expected("an op name");
    const OpSchema* schema = find_op(op_name);
    if (schema == nullptr) return Error(op_at, "unknown op '" + op_name + "'");
    pos_ += op_name.size();
    if (static_cast<int>(names.size()) != schema->num_results) {
      return Error(node_at, "op '" + op_name + "' has " + std::to_string(schema->num_results) + " result(s), but " +
                                std::to_string(names.size()) + " are named");
    }

    KILN_RETURN_IF_ERROR(Expect('(', "'(' after the op name"));
    std::vector<Value*> operands;
    if (!Consume(')')) {
      while (true) {
        Value* v = nullptr;
        KILN_RETURN_IF_ERROR(Use(&v));
        operands.push_back(v);
        if (Consume(')')) break;
        KILN_RETURN_IF_ERROR(Expect(',', "',' or ')' in the operand list"));
      }
    }
    int n = static_cast<int>(operands.size());
    if (n < schema->min_operands || (schema->max_operands >= 0 && n > schema->max_operands)) {
      std::string expected = schema->min_operands == schema->max_operands ? std::to_string(schema->min_operands)
                             : schema->max_operands < 0 ? "at least " + std::to_string(schema->min_operands)
                                                        : std::to_string(schema->min_operands) + " to " +
                                                              std::to_string(schema->max_operands);
      return Error(op_at, "op '" + op_name + "' takes " + expected + " operand(s), got " + std::to_string(n));
    }

    Attrs attrs;
    if (Consume('{')) KILN_RETURN_IF_ERROR(ParseAttrs(*schema, &attrs));
    auto full = complete_attrs(*schema, attrs);
    if (!full.ok()) return Error(node_at, full.status().message());

    KILN_RETURN_IF_ERROR(Expect(':', "':' and the result types"));
    SkipSpace();
    size_t types_at = pos_;
    std::vector<TensorType> types;
    while (true) {
      TensorType t;
      KILN_RETURN_IF_ERROR(ParseType(&t));
      types.push_back(std::move(t));
      if (!Consume(',')) break;
    }
    if (types.size() != names.size()) {
      return Error(types_at, std::to_string(names.size()) + " result(s) are named but " +
                                 std::to_string(types.size()) + " result type(s) are written");
    }

    std::string loc;
    if (Consume('@')) {
      if (AtEnd() || !(text_[pos_] == '"' || is_word_char(text_[pos_]))) return Expected("a location after '@'");
      KILN_RETURN_IF_ERROR(ParseWord("a location after '@'", &loc));
    }

    Node* node = graph_->AddNode(schema->kind, std::move(operands), std::move(full).value(), std::move(types), loc);
    for (size_t i = 0; i < names.size(); ++i) {
      // Plain numbers are the printer's numbering of unnamed results, not names.
      if (!all_digits(names[i])) node->result(static_cast<int>(i))->set_name(names[i]);
      values_[names[i]] = Definition{node->result(static_cast<int>(i)), name_at[i]};
    }
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string filename_;
  std::unique_ptr<Graph> graph_;
  std::unordered_map<std::string, Definition> values_;
};

}  // namespace

StatusOr<std::unique_ptr<Graph>> ParseGraph(std::string_view text, std::string_view filename) {
  return Parser(text, filename).Parse();
}

StatusOr<std::unique_ptr<Graph>> ParseGraphFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) return IoError("cannot read " + path + ": " + std::strerror(err));
  return ParseGraph(text, path);
}

}  // namespace kiln::ir
