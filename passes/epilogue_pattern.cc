#include "passes/epilogue_pattern.h"

#include <set>
#include <unordered_map>

namespace kiln::passes {

std::vector<EpilogueChain> FindEpilogueChains(const ir::Graph& graph,
                                              const std::function<bool(const ir::Value*)>& is_constant) {
  std::vector<ir::Node*> nodes = graph.nodes();
  std::unordered_map<const ir::Value*, int> uses, def;
  std::unordered_map<const ir::Value*, const ir::Node*> user;
  std::set<const ir::Value*> outputs;
  std::set<const ir::Node*> absorbed;
  for (const ir::GraphOutput& o : graph.outputs()) outputs.insert(o.value);
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const ir::Value* v : nodes[i]->operands()) {
      ++uses[v];
      user[v] = nodes[i];
    }
    for (const ir::Value* v : nodes[i]->results()) def[v] = static_cast<int>(i);
  }
  auto sole_user = [&](const ir::Value* v) -> const ir::Node* {
    if (outputs.count(v) || uses[v] != 1) return nullptr;
    const ir::Node* u = user[v];
    return absorbed.count(u) ? nullptr : u;
  };
  std::vector<EpilogueChain> chains;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::Node* n = nodes[i];
    bool conv = n->op() == ir::OpKind::Conv || n->op() == ir::OpKind::ConvNhwc;
    if (!conv && n->op() != ir::OpKind::Linear) continue;
    if (n->num_results() != 1 || n->result()->type().dtype != ir::DType::kF32) continue;
    // The packed kernels that implement epilogues need a constant weight and static dims
    // (but the batch).
    if (n->num_operands() < 2 || !is_constant(n->operand(1))) continue;
    bool static_dims = true;
    const auto& xdims = n->operand(0)->type().shape.dims();
    for (size_t d = 1; d < xdims.size(); ++d) static_dims = static_dims && xdims[d].is_static();
    if (!static_dims) continue;
    const ir::Value* r = n->result();
    EpilogueChain e;
    e.anchor = n;
    e.result = r;
    const ir::Node* u = sole_user(r);
    if (u != nullptr && conv && u->op() == ir::OpKind::Add && u->num_operands() == 2) {
      const ir::Value* other = u->operand(0) == r ? u->operand(1) : u->operand(0);
      auto d = def.find(other);
      bool before = d == def.end() || d->second < static_cast<int>(i);  // inputs / params: always
      if (other != r && other->type() == r->type() && u->result()->type() == r->type() && before) {
        e.residual = other;
        e.add = u;
        e.result = u->result();
        u = sole_user(e.result);
      }
    }
    if (u != nullptr && u->result()->type() == e.result->type() &&
        (u->op() == ir::OpKind::Relu || u->op() == ir::OpKind::Clamp)) {
      e.activation = u;
      e.result = u->result();
    }
    if (e.add == nullptr && e.activation == nullptr) continue;
    if (e.add) absorbed.insert(e.add);
    if (e.activation) absorbed.insert(e.activation);
    chains.push_back(e);
  }
  return chains;
}

}  // namespace kiln::passes
