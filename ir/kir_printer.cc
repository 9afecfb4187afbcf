#include <string>
#include <unordered_map>

#include "ir/kir.h"

namespace kiln::ir {

bool IsBareKirName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

namespace {

// A bare word, or a quoted string with the same escapes as string attributes.
std::string word(const std::string& s) { return IsBareKirName(s) ? s : attr_value_str(AttrValue(s)); }

std::string types_str(const std::vector<Value*>& values) {
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + values[i]->type().str();
  return s;
}

}  // namespace

std::string PrintGraph(const Graph& graph) {
  // Names are assigned up front so that a use printed before its definition (a graph that
  // is out of order) still shows the name the definition will get.
  std::unordered_map<const Value*, std::string> names;
  for (const Value* v : graph.inputs()) names[v] = "%" + word(v->name());
  for (const Value* v : graph.params()) names[v] = "%" + word(v->name());
  int next_number = 0;
  const std::vector<Node*> nodes = graph.nodes();
  for (const Node* n : nodes) {
    for (const Value* r : n->results()) {
      const std::string& name = r->name();
      names[r] = (name.empty() || IsNumericName(name)) ? "%" + std::to_string(next_number++) : "%" + word(name);
    }
  }
  auto ref = [&](const Value* v) -> std::string {
    auto it = names.find(v);
    return it == names.end() ? "%\"<undefined>\"" : it->second;
  };

  std::string out = "graph " + word(graph.name()) + " {\n";
  for (const Value* v : graph.inputs()) out += "  input " + ref(v) + " : " + v->type().str() + "\n";
  for (const Value* v : graph.params()) out += "  param " + ref(v) + " : " + v->type().str() + "\n";
  for (const Node* n : nodes) {
    out += "  ";
    for (int i = 0; i < n->num_results(); ++i) out += (i ? ", " : "") + ref(n->result(i));
    out += " = " + n->op_name() + "(";
    for (int i = 0; i < n->num_operands(); ++i) out += (i ? ", " : "") + ref(n->operand(i));
    out += ")";
    if (!n->attrs().empty()) {
      out += " {";
      bool first = true;
      for (const auto& [name, value] : n->attrs().map()) {
        out += (first ? "" : ", ") + name + "=" + attr_value_str(value);
        first = false;
      }
      out += "}";
    }
    out += " : " + types_str(n->results());
    if (!n->loc().empty()) out += " @" + word(n->loc());
    out += "\n";
  }
  for (const GraphOutput& o : graph.outputs()) out += "  output " + word(o.name) + " = " + ref(o.value) + "\n";
  out += "}\n";
  return out;
}

}  // namespace kiln::ir
