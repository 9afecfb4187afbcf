#include "tools/kiln/dot.h"

#include <unordered_map>

namespace kiln::cli {

namespace {
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

std::string GraphToDot(const ir::Graph& graph) {
  std::string s = "digraph \"" + escape(graph.name()) + "\" {\n  rankdir=TB;\n  node [fontname=\"monospace\"];\n";
  std::unordered_map<const ir::Value*, std::string> source;  // value -> dot node id
  for (const ir::Value* v : graph.inputs()) {
    std::string id = "in" + std::to_string(v->id());
    s += "  " + id + " [shape=ellipse, label=\"" + escape(v->name() + "\n" + v->type().str()) + "\"];\n";
    source[v] = id;
  }
  for (const ir::Node* n : graph.nodes()) {
    std::string id = "n" + std::to_string(n->id());
    std::string label = n->op_name();
    if (!n->loc().empty()) label += " @" + n->loc();
    for (const ir::Value* op : n->operands()) {
      if (op->kind() == ir::ValueKind::kParam) label += "\n" + op->name() + ": " + op->type().str();
    }
    for (const ir::Value* r : n->results()) label += "\n-> " + r->type().str();
    s += "  " + id + " [shape=box, label=\"" + escape(label) + "\"];\n";
    for (const ir::Value* op : n->operands()) {
      auto it = source.find(op);
      if (it != source.end()) s += "  " + it->second + " -> " + id + ";\n";
    }
    for (const ir::Value* r : n->results()) source[r] = id;
  }
  int i = 0;
  for (const ir::GraphOutput& out : graph.outputs()) {
    std::string id = "out" + std::to_string(i++);
    s += "  " + id + " [shape=ellipse, label=\"" + escape(out.name + "\n" + out.value->type().str()) + "\"];\n";
    auto it = source.find(out.value);
    if (it != source.end()) s += "  " + it->second + " -> " + id + ";\n";
  }
  return s + "}\n";
}

}  // namespace kiln::cli
