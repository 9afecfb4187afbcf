#include "passes/conv_bn_fold.h"

#include <cmath>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "passes/param_tensors.h"

namespace kiln::passes {

namespace {

/// One node of the affine chain: `op` applied to the chain value and `operand`.
struct AffineStep {
  ir::Node* node;
  bool value_first;  ///< the chain value is operand 0 (y - t, y / s) rather than 1 (t - y)
  ir::Value* operand;
};

/// Whether `t` broadcasts against `result` and varies at most along `axis` (right-aligned,
/// every other dim 1, the channel dim 1 or the result's).
bool PerChannel(const ir::TensorType& t, const ir::TensorType& result, int axis) {
  int r = result.shape.rank(), k = t.shape.rank();
  if (t.dtype != result.dtype || k > r || !t.shape.is_static()) return false;
  for (int i = 0; i < k; ++i) {
    int64_t d = t.shape.dim(i).size();
    if (d == 1) continue;
    if (r - k + i != axis || d != result.shape.dim(axis).size()) return false;
  }
  return true;
}

/// The per-channel values of a per-channel tensor (one element broadcast, or C elements).
std::vector<double> ChannelValues(const ir::HostTensor& t, int64_t channels) {
  std::vector<double> v(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) v[static_cast<size_t>(c)] = t.GetDouble(t.num_elements() == 1 ? 0 : c);
  return v;
}

/// The chain of per-channel affine nodes after `conv`'s result (empty when there is none).
std::vector<AffineStep> AffineChain(const ir::Node& conv, int axis, const KnownTensors& known,
                                    const std::unordered_map<const ir::Value*, std::vector<ir::Node*>>& uses,
                                    const std::unordered_set<const ir::Value*>& outputs) {
  std::vector<AffineStep> steps;
  ir::Value* cur = conv.result();
  while (!outputs.count(cur)) {
    auto it = uses.find(cur);
    if (it == uses.end() || it->second.size() != 1) break;
    ir::Node* u = it->second.front();
    ir::OpKind op = u->op();
    if (op != ir::OpKind::Mul && op != ir::OpKind::Div && op != ir::OpKind::Add && op != ir::OpKind::Sub) break;
    bool value_first = u->operand(0) == cur;
    ir::Value* other = u->operand(value_first ? 1 : 0);
    if (other == cur || (op == ir::OpKind::Div && !value_first)) break;
    if (!known.IsKnown(other) || !PerChannel(other->type(), cur->type(), axis)) break;
    if (u->result()->type() != cur->type()) break;
    steps.push_back({u, value_first, other});
    cur = u->result();
  }
  return steps;
}

/// The name base of a bias created for `weight`: `conv1.weight` -> `conv1.bias`.
std::string BiasBaseFor(const std::string& weight) {
  static const std::string kWeight = "weight";
  std::string base = FoldedBaseName(weight);
  if (base.size() >= kWeight.size() && base.compare(base.size() - kWeight.size(), kWeight.size(), kWeight) == 0) {
    return base.substr(0, base.size() - kWeight.size()) + "bias";
  }
  return base + ".bias";
}

/// Folds `steps` into `conv`. Returns false (changing nothing) when the folded scale or shift
/// is not finite.
StatusOr<bool> FoldChain(ir::Graph& graph, ir::Node* conv, int axis, const std::vector<AffineStep>& steps,
                         KnownTensors& known) {
  const int64_t channels = conv->result()->type().shape.dim(axis).size();
  std::vector<double> alpha(static_cast<size_t>(channels), 1.0), beta(static_cast<size_t>(channels), 0.0);
  for (const AffineStep& s : steps) {
    KILN_ASSIGN_OR_RETURN(ir::HostTensor t, known.Get(s.operand));
    std::vector<double> v = ChannelValues(t, channels);
    for (size_t c = 0; c < v.size(); ++c) {
      switch (s.node->op()) {
        case ir::OpKind::Mul: alpha[c] *= v[c]; beta[c] *= v[c]; break;
        case ir::OpKind::Div: alpha[c] /= v[c]; beta[c] /= v[c]; break;
        case ir::OpKind::Add: beta[c] += v[c]; break;
        default:  // Sub
          if (s.value_first) {
            beta[c] -= v[c];
          } else {
            alpha[c] = -alpha[c];
            beta[c] = v[c] - beta[c];
          }
      }
    }
  }
  for (size_t c = 0; c < alpha.size(); ++c) {
    if (!std::isfinite(alpha[c]) || !std::isfinite(beta[c])) return false;
  }

  ir::Value* weight = conv->operand(1);
  ir::Value* bias = conv->num_operands() > 2 ? conv->operand(2) : nullptr;
  KILN_ASSIGN_OR_RETURN(ir::HostTensor w, known.Get(weight));
  if (w.rank() < 1 || w.sizes()[0] != channels) return false;
  ir::HostTensor new_w(w.dtype(), w.sizes());
  const int64_t per_channel = w.num_elements() / channels;
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    new_w.SetDouble(i, w.GetDouble(i) * alpha[static_cast<size_t>(i / per_channel)]);
  }
  ir::HostTensor new_b(w.dtype(), {channels});
  std::vector<double> b(static_cast<size_t>(channels), 0.0);
  if (bias != nullptr) {
    KILN_ASSIGN_OR_RETURN(ir::HostTensor bt, known.Get(bias));
    b = ChannelValues(bt, channels);
  }
  for (int64_t c = 0; c < channels; ++c) {
    size_t i = static_cast<size_t>(c);
    new_b.SetDouble(c, alpha[i] * b[i] + beta[i]);
  }

  ir::Value* w_param = AddFoldedParam(graph, weight->name(), std::move(new_w));
  bool bias_param = bias != nullptr && bias->kind() == ir::ValueKind::kParam;
  ir::Value* b_param = AddFoldedParam(graph, bias_param ? bias->name() : BiasBaseFor(weight->name()), std::move(new_b));
  ir::Value* last = steps.back().node->result();
  KILN_ASSIGN_OR_RETURN(ir::Node * folded, graph.InsertNodeInferred(conv, conv->op(),
                                                                    {conv->operand(0), w_param, b_param},
                                                                    conv->attrs(), conv->loc()));
  if (folded->result()->type() != last->type()) {
    return Internal("cannot fold into " + conv->Describe() + ": the folded node gives " +
                    folded->result()->type().str() + " where the chain gives " + last->type().str());
  }
  folded->result()->set_name(!last->name().empty() ? last->name() : conv->result()->name());
  graph.ReplaceAllUsesWith(last, folded->result());
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) graph.EraseNode(it->node);
  graph.EraseNode(conv);
  return true;
}

}  // namespace

StatusOr<bool> ConvBnFold::Run(ir::Graph& graph) {
  if (graph.weights().empty()) return false;
  KnownTensors known(graph);
  auto uses = graph.ComputeUses();
  bool changed = false;
  for (ir::Node* n : graph.nodes()) {
    if (n->op() != ir::OpKind::Conv && n->op() != ir::OpKind::Linear) continue;
    const ir::TensorType& type = n->result()->type();
    int axis = n->op() == ir::OpKind::Conv ? 1 : type.shape.rank() - 1;
    if (!ir::is_floating(type.dtype) || axis < 0 || axis >= type.shape.rank() || !type.shape.dim(axis).is_static()) {
      continue;
    }
    bool weights_known = n->operand(1)->kind() == ir::ValueKind::kParam && known.IsKnown(n->operand(1)) &&
                         (n->num_operands() < 3 || known.IsKnown(n->operand(2)));
    if (!weights_known) continue;
    std::unordered_set<const ir::Value*> outputs;
    for (const ir::GraphOutput& o : graph.outputs()) outputs.insert(o.value);
    std::vector<AffineStep> steps = AffineChain(*n, axis, known, uses, outputs);
    if (steps.empty()) continue;
    std::string where = n->Describe();
    auto folded = FoldChain(graph, n, axis, steps, known);
    if (!folded.ok()) return folded.status().WithContext("cannot fold into " + where);
    if (*folded) {
      changed = true;
      uses = graph.ComputeUses();
    }
  }
  return changed;
}

}  // namespace kiln::passes
