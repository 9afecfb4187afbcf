#include "ir/graph.h"

#include <algorithm>

namespace kiln::ir {

std::string Node::Describe() const {
  std::string s;
  for (size_t i = 0; i < results_.size(); ++i) {
    s += (i ? ", " : "") + (graph_ ? graph_->ValueLabel(results_[i]) : "%#" + std::to_string(results_[i]->id()));
  }
  s += (s.empty() ? "" : " = ") + op_name();
  if (!loc_.empty()) s += " @" + loc_;
  return s;
}

Value* Graph::NewValue(ValueKind kind, std::string name, TensorType type) {
  auto v = std::make_unique<Value>();
  v->id_ = next_value_id_++;
  v->kind_ = kind;
  v->name_ = std::move(name);
  v->type_ = std::move(type);
  values_.push_back(std::move(v));
  return values_.back().get();
}

Value* Graph::AddInput(const std::string& name, TensorType type) {
  Value* v = NewValue(ValueKind::kInput, name, std::move(type));
  inputs_.push_back(v);
  return v;
}

Value* Graph::AddParam(const std::string& name, TensorType type) {
  Value* v = NewValue(ValueKind::kParam, name, std::move(type));
  params_.push_back(v);
  return v;
}

Node* Graph::NewNode(OpKind op, std::vector<Value*> operands, Attrs attrs, std::vector<TensorType> result_types,
                     std::string loc) {
  auto n = std::make_unique<Node>();
  n->id_ = next_node_id_++;
  n->graph_ = this;
  n->op_ = op;
  n->operands_ = std::move(operands);
  n->attrs_ = std::move(attrs);
  n->loc_ = std::move(loc);
  for (size_t i = 0; i < result_types.size(); ++i) {
    Value* r = NewValue(ValueKind::kResult, "", std::move(result_types[i]));
    r->producer_ = n.get();
    r->result_index_ = static_cast<int>(i);
    n->results_.push_back(r);
  }
  Node* raw = n.get();
  nodes_.push_back(std::move(n));
  return raw;
}

Node* Graph::AddNode(OpKind op, std::vector<Value*> operands, Attrs attrs, std::vector<TensorType> result_types,
                     std::string loc) {
  return NewNode(op, std::move(operands), std::move(attrs), std::move(result_types), std::move(loc));
}

StatusOr<Node*> Graph::AddNodeInferred(OpKind op, std::vector<Value*> operands, Attrs attrs, std::string loc) {
  const OpSchema& schema = op_schema(op);
  std::vector<TensorType> types;
  for (Value* v : operands) {
    if (v == nullptr) return InvalidArgument(schema.name + ": null operand");
    types.push_back(v->type());
  }
  auto result_types = infer_result_types(schema, types, attrs);
  if (!result_types.ok()) {
    std::string where = loc.empty() ? "" : " @" + loc;
    std::string shapes;
    for (size_t i = 0; i < types.size(); ++i) shapes += (i ? ", " : "") + types[i].str();
    return result_types.status().WithContext("cannot add " + schema.name + where + " on (" + shapes + ")");
  }
  KILN_ASSIGN_OR_RETURN(Attrs full, complete_attrs(schema, attrs));
  return NewNode(op, std::move(operands), std::move(full), std::move(result_types).value(), std::move(loc));
}

StatusOr<Node*> Graph::InsertNodeInferred(Node* before, OpKind op, std::vector<Value*> operands, Attrs attrs,
                                          std::string loc) {
  KILN_ASSIGN_OR_RETURN(Node * n, AddNodeInferred(op, std::move(operands), std::move(attrs), std::move(loc)));
  // AddNodeInferred appended it; move it in front of `before`.
  auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& p) { return p.get() == before; });
  KILN_CHECK(it != nodes_.end(), "InsertNodeInferred: `before` is not in this graph");
  std::unique_ptr<Node> owned = std::move(nodes_.back());
  nodes_.pop_back();
  it = std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& p) { return p.get() == before; });
  nodes_.insert(it, std::move(owned));
  return n;
}

std::vector<Node*> Graph::nodes() const {
  std::vector<Node*> out;
  out.reserve(nodes_.size());
  for (const auto& n : nodes_) out.push_back(n.get());
  return out;
}

Value* Graph::FindInput(const std::string& name) const {
  for (Value* v : inputs_) {
    if (v->name() == name) return v;
  }
  return nullptr;
}

Value* Graph::FindParam(const std::string& name) const {
  for (Value* v : params_) {
    if (v->name() == name) return v;
  }
  return nullptr;
}

void Graph::ReplaceAllUsesWith(Value* from, Value* to) {
  for (auto& n : nodes_) {
    for (auto& op : n->operands_) {
      if (op == from) op = to;
    }
  }
  for (auto& out : outputs_) {
    if (out.value == from) out.value = to;
  }
}

bool Graph::HasUses(const Value* v) const {
  for (const auto& n : nodes_) {
    for (Value* op : n->operands_) {
      if (op == v) return true;
    }
  }
  for (const auto& out : outputs_) {
    if (out.value == v) return true;
  }
  return false;
}

bool IsNumericName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string Graph::ValueLabel(const Value* v) const {
  if (!v->name().empty() && !IsNumericName(v->name())) return "%" + v->name();
  int ordinal = 0;
  for (const auto& n : nodes_) {
    for (const Value* r : n->results_) {
      if (r == v) return "%" + std::to_string(ordinal);
      if (r->name().empty() || IsNumericName(r->name())) ++ordinal;
    }
  }
  return "%#" + std::to_string(v->id());  // not a result of this graph
}

void Graph::EraseNode(Node* node) {
  for (Value* r : node->results_) KILN_CHECK(!HasUses(r), "EraseNode: result still used: " + node->Describe());
  auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& p) { return p.get() == node; });
  KILN_CHECK(it != nodes_.end(), "EraseNode: node is not in this graph");
  std::vector<Value*> results = node->results_;
  nodes_.erase(it);
  values_.erase(std::remove_if(values_.begin(), values_.end(),
                               [&](const auto& v) {
                                 return std::find(results.begin(), results.end(), v.get()) != results.end();
                               }),
                values_.end());
}

void Graph::EraseParam(Value* param) {
  KILN_CHECK(param->kind() == ValueKind::kParam, "EraseParam: not a parameter");
  KILN_CHECK(!HasUses(param), "EraseParam: parameter still used: " + param->name());
  weights_.erase(param->name());
  params_.erase(std::remove(params_.begin(), params_.end(), param), params_.end());
  values_.erase(std::remove_if(values_.begin(), values_.end(), [&](const auto& v) { return v.get() == param; }),
                values_.end());
}

std::unordered_map<const Value*, std::vector<Node*>> Graph::ComputeUses() const {
  std::unordered_map<const Value*, std::vector<Node*>> uses;
  for (const auto& n : nodes_) {
    for (Value* op : n->operands_) uses[op].push_back(n.get());
  }
  return uses;
}

std::unique_ptr<Graph> Graph::Clone() const {
  auto g = std::make_unique<Graph>(name_);
  std::unordered_map<const Value*, Value*> map;
  for (Value* v : inputs_) map[v] = g->AddInput(v->name(), v->type());
  for (Value* v : params_) map[v] = g->AddParam(v->name(), v->type());
  for (const auto& n : nodes_) {
    std::vector<Value*> ops;
    for (Value* v : n->operands_) ops.push_back(map.at(v));
    std::vector<TensorType> types;
    for (Value* r : n->results_) types.push_back(r->type());
    Node* c = g->AddNode(n->op_, ops, n->attrs_, types, n->loc_);
    for (size_t i = 0; i < n->results_.size(); ++i) {
      c->results_[i]->set_name(n->results_[i]->name());
      map[n->results_[i]] = c->results_[i];
    }
  }
  for (const auto& out : outputs_) g->AddOutput(out.name, map.at(out.value));
  g->weights_ = weights_;
  return g;
}

}  // namespace kiln::ir
