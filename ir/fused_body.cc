#include "ir/fused_body.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

// A cursor over the body text. Errors name the 1-based column, since a body is one line.
class BodyReader {
 public:
  explicit BodyReader(std::string_view s) : s_(s) {}

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= s_.size();
  }
  /// Consumes `c` if it is next.
  bool Accept(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  Status Expect(char c) {
    if (Accept(c)) return Status::Ok();
    return Error(std::string("expected '") + c + "'");
  }
  /// A run of identifier / literal characters ([A-Za-z0-9_.+-]); may be empty.
  std::string Word() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                c == '+' || c == '-';
      if (!ok) break;
      ++pos_;
    }
    return std::string(s_.substr(start, pos_ - start));
  }
  StatusOr<int> Register() {
    SkipSpace();
    size_t at = pos_;
    if (!Accept('%')) return Error("expected a register like %0");
    std::string digits = Word();
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos) {
      pos_ = at;
      return Error("expected a register like %0");
    }
    return std::atoi(digits.c_str());
  }
  StatusOr<std::string> QuotedString() {
    if (!Accept('"')) return Error("expected a string");
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      if (e == '"' || e == '\\') {
        out += e;
      } else if (e == 'n') {
        out += '\n';
      } else if (e == 't') {
        out += '\t';
      } else if (e == 'x' && pos_ + 2 <= s_.size()) {
        out += static_cast<char>(std::strtol(std::string(s_.substr(pos_, 2)).c_str(), nullptr, 16));
        pos_ += 2;
      } else {
        return Error("bad escape in string");
      }
    }
    if (pos_ >= s_.size()) return Error("unterminated string");
    ++pos_;
    return out;
  }
  Status Error(const std::string& what) const {
    std::string got = pos_ >= s_.size() ? "end of body" : "'" + std::string(s_.substr(pos_, 12)) + "'";
    return InvalidArgument("column " + std::to_string(pos_ + 1) + ": " + what + ", got " + got);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

StatusOr<int64_t> ParseInt(BodyReader& r) {
  std::string w = r.Word();
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(w.c_str(), &end, 10);
  if (w.empty() || *end != '\0' || errno == ERANGE) return r.Error("expected an integer, read '" + w + "'");
  return static_cast<int64_t>(v);
}

StatusOr<double> ParseFloat(BodyReader& r) {
  std::string w = r.Word();
  if (w == "inf") return INFINITY;
  if (w == "-inf") return -INFINITY;
  if (w == "nan") return NAN;
  char* end = nullptr;
  double v = std::strtod(w.c_str(), &end);
  bool digits_only = w.find_first_not_of("0123456789.eE+-") == std::string::npos;
  if (w.empty() || *end != '\0' || !digits_only) return r.Error("expected a number, read '" + w + "'");
  return v;
}

StatusOr<AttrValue> ParseAttrValue(BodyReader& r, AttrKind kind) {
  switch (kind) {
    case AttrKind::kInt: {
      KILN_ASSIGN_OR_RETURN(int64_t v, ParseInt(r));
      return AttrValue(v);
    }
    case AttrKind::kFloat: {
      KILN_ASSIGN_OR_RETURN(double v, ParseFloat(r));
      return AttrValue(v);
    }
    case AttrKind::kBool: {
      std::string w = r.Word();
      if (w != "true" && w != "false") return r.Error("expected true or false, read '" + w + "'");
      return AttrValue(w == "true");
    }
    case AttrKind::kString: {
      KILN_ASSIGN_OR_RETURN(std::string s, r.QuotedString());
      return AttrValue(s);
    }
    case AttrKind::kDType: {
      std::string w = r.Word();
      auto d = parse_dtype(w);
      if (!d) return r.Error("expected a dtype, read '" + w + "'");
      return AttrValue(*d);
    }
    case AttrKind::kInts:
    case AttrKind::kFloats: {
      KILN_RETURN_IF_ERROR(r.Expect('['));
      std::vector<int64_t> ints;
      std::vector<double> floats;
      if (!r.Accept(']')) {
        do {
          if (kind == AttrKind::kInts) {
            KILN_ASSIGN_OR_RETURN(int64_t v, ParseInt(r));
            ints.push_back(v);
          } else {
            KILN_ASSIGN_OR_RETURN(double v, ParseFloat(r));
            floats.push_back(v);
          }
        } while (r.Accept(','));
        KILN_RETURN_IF_ERROR(r.Expect(']'));
      }
      return kind == AttrKind::kInts ? AttrValue(ints) : AttrValue(floats);
    }
  }
  return r.Error("unknown attribute kind");
}

std::string InstrStr(const FusedBody& body, size_t i) {
  const FusedInstr& in = body.instrs[i];
  std::string s = "%" + std::to_string(body.reg(i)) + " = " + op_schema(in.op).name + "(";
  for (size_t a = 0; a < in.args.size(); ++a) s += (a ? ", %" : "%") + std::to_string(in.args[a]);
  s += ")";
  if (!in.attrs.empty()) {
    s += " {";
    bool first = true;
    for (const auto& [name, value] : in.attrs.map()) {
      s += (first ? "" : ", ") + name + "=" + attr_value_str(value);
      first = false;
    }
    s += "}";
  }
  return s;
}

// Parses one instruction after its "%N"; `index` is its position.
Status ParseInstr(BodyReader& r, FusedBody& body, int dst) {
  size_t index = body.instrs.size();
  std::string where = "instruction " + std::to_string(index) + " (%" + std::to_string(dst) + ")";
  if (dst != body.reg(index)) {
    return InvalidArgument(where + ": defines %" + std::to_string(dst) + ", expected %" +
                           std::to_string(body.reg(index)) + " (results are numbered in order after the " +
                           std::to_string(body.num_operands) + " operands)");
  }
  auto ctx = [&](const Status& s) { return s.WithContext(where); };
  if (!r.Accept('=')) return ctx(r.Error("expected '='"));
  std::string name = r.Word();
  const OpSchema* schema = find_op(name);
  if (schema == nullptr) return InvalidArgument(where + ": unknown op '" + name + "'");
  if (!IsFusibleElementwise(schema->kind) && !IsFusibleReduction(schema->kind)) {
    return InvalidArgument(where + ": op '" + name +
                           "' cannot be fused (only elementwise ops, and a final reduce_sum/mean/max/min)");
  }
  FusedInstr instr{schema->kind, {}, {}};
  if (!r.Accept('(')) return ctx(r.Error("expected '('"));
  if (!r.Accept(')')) {
    do {
      auto reg = r.Register();
      if (!reg.ok()) return ctx(reg.status());
      if (*reg >= dst) {
        return InvalidArgument(where + ": reads %" + std::to_string(*reg) + " before it is defined");
      }
      instr.args.push_back(*reg);
    } while (r.Accept(','));
    if (!r.Accept(')')) return ctx(r.Error("expected ',' or ')'"));
  }
  int n = static_cast<int>(instr.args.size());
  if (n < schema->min_operands || (schema->max_operands >= 0 && n > schema->max_operands)) {
    return InvalidArgument(where + ": " + name + " takes " + std::to_string(schema->min_operands) +
                           (schema->max_operands == schema->min_operands ? "" : "+") + " operands, got " +
                           std::to_string(n));
  }
  Attrs attrs;
  if (r.Accept('{') && !r.Accept('}')) {
    do {
      std::string attr = r.Word();
      const AttrSpec* spec = schema->find_attr(attr);
      if (spec == nullptr) return InvalidArgument(where + ": unknown attribute '" + attr + "' for op '" + name + "'");
      if (attrs.has(attr)) return InvalidArgument(where + ": attribute '" + attr + "' is given twice");
      if (!r.Accept('=')) return ctx(r.Error("expected '='"));
      auto value = ParseAttrValue(r, spec->kind);
      if (!value.ok()) return ctx(value.status().WithContext("attribute '" + attr + "'"));
      attrs.set(attr, *value);
    } while (r.Accept(','));
    if (!r.Accept('}')) return ctx(r.Error("expected ',' or '}'"));
  }
  auto full = complete_attrs(*schema, attrs);
  if (!full.ok()) return ctx(full.status());
  instr.attrs = *full;
  body.instrs.push_back(std::move(instr));
  return Status::Ok();
}

// Structure that the grammar does not express: reductions only last, every value used.
Status CheckStructure(const FusedBody& body) {
  if (body.instrs.empty()) return InvalidArgument("body has no instructions");
  std::vector<int> uses(static_cast<size_t>(body.reg(body.instrs.size())), 0);
  for (size_t i = 0; i < body.instrs.size(); ++i) {
    const FusedInstr& in = body.instrs[i];
    if (IsFusibleReduction(in.op) && i + 1 != body.instrs.size()) {
      return InvalidArgument("instruction " + std::to_string(i) + " (" + InstrStr(body, i) +
                             "): a reduction must be the last instruction");
    }
    for (int a : in.args) ++uses[static_cast<size_t>(a)];
  }
  for (int k = 0; k + 1 < static_cast<int>(uses.size()); ++k) {
    if (uses[static_cast<size_t>(k)] != 0) continue;
    if (k < body.num_operands) return InvalidArgument("operand %" + std::to_string(k) + " is not used by the body");
    size_t i = static_cast<size_t>(k - body.num_operands);
    return InvalidArgument("instruction " + std::to_string(i) + " (" + InstrStr(body, i) +
                           "): its result is not used (only the last instruction's is returned)");
  }
  return Status::Ok();
}

}  // namespace

bool FusedBody::has_reduction() const { return !instrs.empty() && IsFusibleReduction(instrs.back().op); }

bool IsFusibleElementwise(OpKind op) {
  switch (op) {
    case OpKind::Neg: case OpKind::Abs: case OpKind::Relu: case OpKind::Sign: case OpKind::Exp:
    case OpKind::Log: case OpKind::Sqrt: case OpKind::Rsqrt: case OpKind::Reciprocal: case OpKind::Sigmoid:
    case OpKind::Tanh: case OpKind::Erf: case OpKind::Sin: case OpKind::Cos: case OpKind::Floor:
    case OpKind::Ceil: case OpKind::Round: case OpKind::LogicalNot: case OpKind::Clamp: case OpKind::Cast:
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Pow:
    case OpKind::Maximum: case OpKind::Minimum: case OpKind::Eq: case OpKind::Ne: case OpKind::Lt:
    case OpKind::Le: case OpKind::Gt: case OpKind::Ge: case OpKind::LogicalAnd: case OpKind::LogicalOr:
    case OpKind::Where: case OpKind::Elu: case OpKind::LeakyRelu: case OpKind::Softplus: case OpKind::Gelu:
      return true;
    default:
      return false;
  }
}

bool IsFusibleReduction(OpKind op) {
  return op == OpKind::ReduceSum || op == OpKind::ReduceMean || op == OpKind::ReduceMax || op == OpKind::ReduceMin;
}

StatusOr<FusedBody> ParseFusedBody(std::string_view text, int num_operands) {
  FusedBody body;
  body.num_operands = num_operands;
  BodyReader r(text);
  auto fail = [](const Status& s) { return s.WithContext("fused body"); };
  while (true) {
    if (r.AtEnd()) return fail(r.Error("expected an instruction or 'return'"));
    BodyReader save = r;
    if (r.Word() == "return") {
      auto ret = r.Register();
      if (!ret.ok()) return fail(ret.status());
      if (!r.AtEnd()) return fail(r.Error("expected end of body after 'return'"));
      if (body.instrs.empty()) return fail(InvalidArgument("body has no instructions"));
      if (*ret != body.reg(body.instrs.size() - 1)) {
        return fail(InvalidArgument("returns %" + std::to_string(*ret) + ", but must return the last instruction's %" +
                                    std::to_string(body.reg(body.instrs.size() - 1))));
      }
      break;
    }
    r = save;
    auto dst = r.Register();
    if (!dst.ok()) return fail(dst.status());
    KILN_RETURN_IF_ERROR(fail(ParseInstr(r, body, *dst)));
    if (!r.Accept(';')) return fail(r.Error("expected ';' after instruction " + std::to_string(body.instrs.size() - 1)));
  }
  KILN_RETURN_IF_ERROR(fail(CheckStructure(body)));
  return body;
}

std::string PrintFusedBody(const FusedBody& body) {
  std::string s;
  for (size_t i = 0; i < body.instrs.size(); ++i) s += InstrStr(body, i) + "; ";
  return s + "return %" + std::to_string(body.instrs.empty() ? 0 : body.reg(body.instrs.size() - 1));
}

StatusOr<std::vector<TensorType>> InferFusedBodyTypes(const FusedBody& body, const std::vector<TensorType>& operands) {
  if (static_cast<int>(operands.size()) != body.num_operands) {
    return InvalidArgument("fused body expects " + std::to_string(body.num_operands) + " operands, got " +
                           std::to_string(operands.size()));
  }
  std::vector<TensorType> regs = operands;
  for (size_t i = 0; i < body.instrs.size(); ++i) {
    const FusedInstr& in = body.instrs[i];
    std::vector<TensorType> args;
    std::string arg_str;
    for (int a : in.args) {
      args.push_back(regs[static_cast<size_t>(a)]);
      arg_str += (arg_str.empty() ? "" : ", ") + args.back().str();
    }
    auto r = infer_result_types(op_schema(in.op), args, in.attrs);
    if (!r.ok()) {
      return r.status().WithContext("fused body instruction " + std::to_string(i) + " (" + InstrStr(body, i) + ") on (" +
                                    arg_str + ")");
    }
    regs.push_back(r->at(0));
  }
  return regs;
}

StatusOr<std::vector<TensorType>> infer_fused_elementwise(const std::vector<TensorType>& in, const Attrs& attrs) {
  KILN_ASSIGN_OR_RETURN(FusedBody body, ParseFusedBody(attrs.s("body"), static_cast<int>(in.size())));
  KILN_ASSIGN_OR_RETURN(std::vector<TensorType> regs, InferFusedBodyTypes(body, in));
  return std::vector<TensorType>{regs.back()};
}

}  // namespace kiln::ir
