#include "passes/fuse_epilogue.h"

#include <unordered_map>
#include <vector>

#include "passes/epilogue_pattern.h"

namespace kiln::passes {

StatusOr<bool> FuseEpilogue::Run(ir::Graph& graph) {
  auto is_constant = [](const ir::Value* v) {
    return v->kind() == ir::ValueKind::kParam ||
           (v->producer() != nullptr && v->producer()->op() == ir::OpKind::Constant);
  };
  std::vector<EpilogueChain> chains = FindEpilogueChains(graph, is_constant);
  // A chain's residual may be the last value of an earlier chain, which that chain's fused
  // node replaced: the nodes' operands follow ReplaceAllUsesWith, the stored pointer this map.
  std::unordered_map<const ir::Value*, ir::Value*> replaced;
  for (const EpilogueChain& c : chains) {
    ir::Node* anchor = const_cast<ir::Node*>(c.anchor);
    ir::Attrs attrs;
    std::string act = "none";
    if (c.activation != nullptr) {
      act = c.activation->op() == ir::OpKind::Relu ? "relu" : "clamp";
      if (act == "clamp") {
        attrs.set("min", c.activation->attrs().f("min"));
        attrs.set("max", c.activation->attrs().f("max"));
      }
    }
    attrs.set("activation", act);
    std::vector<ir::Value*> operands;
    for (int i = 0; i < anchor->num_operands(); ++i) operands.push_back(anchor->operand(i));
    ir::OpKind op = ir::OpKind::FusedLinear;
    if (anchor->op() != ir::OpKind::Linear) {
      op = ir::OpKind::FusedConv;
      for (const char* name : {"stride", "padding", "dilation", "groups"}) attrs.set(name, anchor->attrs().map().at(name));
      attrs.set("layout", std::string(anchor->op() == ir::OpKind::ConvNhwc ? "NHWC" : "NCHW"));
      attrs.set("has_bias", anchor->num_operands() == 3);
      attrs.set("has_residual", c.residual != nullptr);
      if (c.residual != nullptr) {
        auto it = replaced.find(c.residual);
        operands.push_back(it != replaced.end() ? it->second : const_cast<ir::Value*>(c.residual));
      }
    }
    KILN_ASSIGN_OR_RETURN(ir::Node * fused, graph.InsertNodeInferred(anchor, op, operands, attrs, anchor->loc()));
    ir::Value* last = const_cast<ir::Value*>(c.result);
    fused->result()->set_name(last->name());
    last->set_name("");
    graph.ReplaceAllUsesWith(last, fused->result());
    replaced[last] = fused->result();
    // The chain's nodes, last first (each one's result is then unused).
    if (c.activation != nullptr) graph.EraseNode(const_cast<ir::Node*>(c.activation));
    if (c.add != nullptr) graph.EraseNode(const_cast<ir::Node*>(c.add));
    graph.EraseNode(anchor);
  }
  return !chains.empty();
}

}  // namespace kiln::passes
