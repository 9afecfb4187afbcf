#include "passes/layout.h"

#include <vector>

#include "ir/fused_body.h"

namespace kiln::passes {
namespace {

using ir::OpKind;

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};

bool IsF32Rank4(const ir::Value* v) {
  return v->type().dtype == ir::DType::kF32 && v->type().shape.rank() == 4;
}

bool IsParam(const ir::Value* v) { return v->kind() == ir::ValueKind::kParam; }

bool IsCandidateConv(const ir::Node& n) {
  if (n.op() != OpKind::Conv || !IsF32Rank4(n.operand(0)) || !IsF32Rank4(n.result())) return false;
  for (int i = 1; i < n.num_operands(); ++i)
    if (!IsParam(n.operand(i))) return false;
  const ir::Shape& x = n.operand(0)->type().shape;
  const ir::Shape& w = n.operand(1)->type().shape;
  if (!x.dim(1).is_static()) return false;
  int64_t groups = n.attrs().i("groups"), c = x.dim(1).size(), o = w.dim(0).size();
  return groups == 1 || (groups == c && o == c);
}

bool IsCandidatePool(const ir::Node& n) {
  return n.op() == OpKind::MaxPool && n.attrs().ints("kernel_size").size() == 2 && IsF32Rank4(n.operand(0)) &&
         IsF32Rank4(n.result());
}

bool IsPermute(const ir::Value* v, const std::vector<int64_t>& dims) {
  const ir::Node* p = v->producer();
  return p != nullptr && p->op() == OpKind::Permute && p->attrs().ints("dims") == dims;
}

// A rank-4 operand that broadcasts per channel at most (cheap to transpose).
bool IsSmallRank4(const ir::Value* v) {
  const ir::Shape& s = v->type().shape;
  if (s.rank() != 4 || !s.is_static()) return false;
  return s.num_elements() <= s.dim(1).size();
}

StatusOr<ir::Value*> InsertPermute(ir::Graph& g, ir::Node* before, ir::Value* v, const std::vector<int64_t>& dims) {
  ir::Attrs a;
  a.set("dims", dims);
  KILN_ASSIGN_OR_RETURN(ir::Node * p, g.InsertNodeInferred(before, OpKind::Permute, {v}, a, before->loc()));
  return p->result();
}

// Replaces `n` (one result) by permute(op_nhwc(new_operands), [0,3,1,2]).
Status ReplaceChannelsLast(ir::Graph& g, ir::Node* n, OpKind op, std::vector<ir::Value*> operands) {
  KILN_ASSIGN_OR_RETURN(ir::Node * m, g.InsertNodeInferred(n, op, std::move(operands), n->attrs(), n->loc()));
  KILN_ASSIGN_OR_RETURN(ir::Value * back, InsertPermute(g, n, m->result(), kToNchw));
  g.ReplaceAllUsesWith(n->result(), back);
  g.EraseNode(n);
  return Status::Ok();
}

// Moves one agnostic node channels-last; false when its operands do not allow it.
StatusOr<bool> SinkThrough(ir::Graph& g, ir::Node* n) {
  if (n->num_results() != 1 || n->result()->type().shape.rank() != 4) return false;
  bool any = false;
  for (int i = 0; i < n->num_operands(); ++i) {
    const ir::Value* v = n->operand(i);
    if (IsPermute(v, kToNchw)) {
      any = true;
    } else if (v->type().shape.rank() != 0 && !IsSmallRank4(v)) {
      return false;
    }
  }
  if (!any) return false;
  std::vector<ir::Value*> operands;
  for (int i = 0; i < n->num_operands(); ++i) {
    ir::Value* v = n->operand(i);
    if (IsPermute(v, kToNchw)) {
      operands.push_back(v->producer()->operand(0));
    } else if (v->type().shape.rank() == 4) {
      KILN_ASSIGN_OR_RETURN(ir::Value * p, InsertPermute(g, n, v, kToNhwc));
      operands.push_back(p);
    } else {
      operands.push_back(v);
    }
  }
  KILN_RETURN_IF_ERROR(ReplaceChannelsLast(g, n, n->op(), std::move(operands)));
  return true;
}

}  // namespace

StatusOr<bool> Layout::Run(ir::Graph& graph) {
  std::vector<ir::Node*> candidates;
  int convs = 0;
  for (ir::Node* n : graph.nodes()) {
    if (IsCandidateConv(*n)) {
      candidates.push_back(n);
      ++convs;
    } else if (IsCandidatePool(*n)) {
      candidates.push_back(n);
    }
  }
  if (convs < kMinConvs) return false;
  for (ir::Node* n : candidates) {
    std::vector<ir::Value*> operands;
    for (int i = 0; i < n->num_operands(); ++i) operands.push_back(n->operand(i));
    KILN_ASSIGN_OR_RETURN(operands[0], InsertPermute(graph, n, operands[0], kToNhwc));
    KILN_RETURN_IF_ERROR(
        ReplaceChannelsLast(graph, n, n->op() == OpKind::Conv ? OpKind::ConvNhwc : OpKind::MaxPoolNhwc, operands));
  }
  // Program order: a node moved channels-last makes its consumers candidates in the same sweep.
  for (bool changed = true; changed;) {
    changed = false;
    for (ir::Node* n : graph.nodes()) {
      // The pointwise ops (those fuse-elementwise fuses) do not care about the layout.
      if (!ir::IsFusibleElementwise(n->op())) continue;
      KILN_ASSIGN_OR_RETURN(bool moved, SinkThrough(graph, n));
      changed = changed || moved;
    }
  }
  return true;
}

}  // namespace kiln::passes
