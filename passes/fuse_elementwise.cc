#include "passes/fuse_elementwise.h"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "ir/fused_body.h"
#include "passes/epilogue_pattern.h"

namespace kiln::passes {

namespace {

using ir::DType;

// The floating dtype a node computes in, if its dtypes are one floating dtype (f32 / f64)
// and bool; std::nullopt when it mixes others. kBool means "bool only" (fits any group).
std::optional<DType> NodeFloat(const ir::Node* n) {
  std::optional<DType> f;
  auto check = [&](const ir::Value* v) {
    DType d = v->type().dtype;
    if (d == DType::kBool) return true;
    if (d != DType::kF32 && d != DType::kF64) return false;
    if (f && *f != d) return false;
    f = d;
    return true;
  };
  for (const ir::Value* v : n->operands())
    if (!check(v)) return std::nullopt;
  for (const ir::Value* v : n->results())
    if (!check(v)) return std::nullopt;
  return f ? *f : DType::kBool;
}

// One group being grown: its nodes, and the floating dtype they share (kBool: none yet).
struct Group {
  std::set<const ir::Node*> nodes;
  DType dtype = DType::kBool;
};

class Fuser {
 public:
  explicit Fuser(ir::Graph& g) : graph_(g), nodes_(g.nodes()), uses_(g.ComputeUses()) {
    for (size_t i = 0; i < nodes_.size(); ++i) position_[nodes_[i]] = static_cast<int>(i);
    for (const ir::GraphOutput& o : g.outputs()) outputs_.insert(o.value);
    auto is_constant = [](const ir::Value* v) {
      return v->kind() == ir::ValueKind::kParam ||
             (v->producer() != nullptr && v->producer()->op() == ir::OpKind::Constant);
    };
    for (const EpilogueChain& c : FindEpilogueChains(g, is_constant)) {
      if (c.add) excluded_.insert(c.add);
      if (c.activation) excluded_.insert(c.activation);
    }
  }

  StatusOr<bool> Run() {
    std::vector<Group> groups;
    for (size_t i = nodes_.size(); i-- > 0;) {
      const ir::Node* n = nodes_[i];
      if (assigned_.count(n) || excluded_.count(n) || n->num_results() != 1) continue;
      Group g;
      auto f = NodeFloat(n);
      if (!f) continue;
      bool reduction = ir::IsFusibleReduction(n->op()) && *f != DType::kBool;
      if (!reduction && !Candidate(n)) continue;
      g.nodes.insert(n);
      g.dtype = *f;
      Grow(g);
      if (g.nodes.size() < 2) continue;
      for (const ir::Node* m : g.nodes) assigned_.insert(m);
      groups.push_back(std::move(g));
    }
    for (const Group& g : groups) KILN_RETURN_IF_ERROR(Replace(g));
    return !groups.empty();
  }

 private:
  bool Candidate(const ir::Node* n) const {
    if (!ir::IsFusibleElementwise(n->op()) || n->num_results() != 1 || excluded_.count(n)) return false;
    if (n->result()->type().shape.rank() > 8) return false;
    if (n->op() == ir::OpKind::Gelu) {
      std::string a = n->attrs().s("approximate");
      if (a != "none" && a != "tanh") return false;
    }
    return NodeFloat(n).has_value();
  }

  // The values the group reads from outside, in order of first use (nodes in program order).
  std::vector<ir::Value*> ExternalOperands(const std::set<const ir::Node*>& nodes) const {
    std::vector<const ir::Node*> order(nodes.begin(), nodes.end());
    std::sort(order.begin(), order.end(), [&](const ir::Node* a, const ir::Node* b) {
      return position_.at(a) < position_.at(b);
    });
    std::vector<ir::Value*> out;
    for (const ir::Node* n : order) {
      for (ir::Value* v : n->operands()) {
        if (v->producer() != nullptr && nodes.count(v->producer())) continue;
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
      }
    }
    return out;
  }

  // Adds producers of the group's operands while their only users are group members.
  void Grow(Group& g) {
    bool changed = true;
    while (changed) {
      changed = false;
      std::vector<const ir::Node*> members(g.nodes.begin(), g.nodes.end());
      std::sort(members.begin(), members.end(), [&](const ir::Node* a, const ir::Node* b) {
        return position_.at(a) > position_.at(b);
      });
      for (const ir::Node* m : members) {
        for (const ir::Value* v : m->operands()) {
          const ir::Node* p = v->producer();
          if (p == nullptr || g.nodes.count(p) || assigned_.count(p) || !Candidate(p) || outputs_.count(v)) continue;
          auto f = NodeFloat(p);
          if (*f != DType::kBool && g.dtype != DType::kBool && *f != g.dtype) continue;
          bool inside = true;
          auto it = uses_.find(v);
          if (it != uses_.end())
            for (const ir::Node* u : it->second) inside = inside && g.nodes.count(u);
          if (!inside) continue;
          std::set<const ir::Node*> bigger = g.nodes;
          bigger.insert(p);
          if (static_cast<int>(bigger.size()) > FuseElementwise::kMaxInstructions ||
              static_cast<int>(ExternalOperands(bigger).size()) > FuseElementwise::kMaxOperands) {
            continue;
          }
          g.nodes = std::move(bigger);
          if (*f != DType::kBool) g.dtype = *f;
          changed = true;
        }
      }
    }
  }

  Status Replace(const Group& g) {
    std::vector<ir::Node*> order;
    for (ir::Node* n : nodes_)
      if (g.nodes.count(n)) order.push_back(n);
    ir::Node* root = order.back();
    std::vector<ir::Value*> operands = ExternalOperands(g.nodes);
    std::unordered_map<const ir::Value*, int> reg;
    for (size_t k = 0; k < operands.size(); ++k) reg[operands[k]] = static_cast<int>(k);
    ir::FusedBody body;
    body.num_operands = static_cast<int>(operands.size());
    for (const ir::Node* n : order) {
      ir::FusedInstr in{n->op(), {}, n->attrs()};
      for (const ir::Value* v : n->operands()) in.args.push_back(reg.at(v));
      reg[n->result()] = body.reg(body.instrs.size());
      body.instrs.push_back(std::move(in));
    }
    ir::Attrs attrs;
    attrs.set("body", ir::PrintFusedBody(body));
    auto fused = graph_.InsertNodeInferred(root, ir::OpKind::FusedElementwise, operands, attrs, root->loc());
    if (!fused.ok()) return fused.status().WithContext("cannot fuse into " + root->Describe());
    if ((*fused)->result()->type() != root->result()->type()) {
      return Internal("fused node for " + root->Describe() + " has type " + (*fused)->result()->type().str() +
                      ", expected " + root->result()->type().str());
    }
    std::string name = root->result()->name();
    graph_.ReplaceAllUsesWith(root->result(), (*fused)->result());
    for (size_t i = order.size(); i-- > 0;) graph_.EraseNode(order[i]);
    (*fused)->result()->set_name(name);
    return Status::Ok();
  }

  ir::Graph& graph_;
  std::vector<ir::Node*> nodes_;
  std::unordered_map<const ir::Value*, std::vector<ir::Node*>> uses_;
  std::unordered_map<const ir::Node*, int> position_;
  std::set<const ir::Value*> outputs_;
  std::set<const ir::Node*> excluded_, assigned_;
};

}  // namespace

StatusOr<bool> FuseElementwise::Run(ir::Graph& graph) { return Fuser(graph).Run(); }

}  // namespace kiln::passes
