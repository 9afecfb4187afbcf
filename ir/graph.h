// Graph, Node, Value: kiln's typed SSA dataflow IR.
//
// A Graph owns its Values and Nodes. Values are defined exactly once: as a graph input (an
// activation the caller passes), a parameter (a named weight whose data lives in
// Graph::weights(), outside the text form), or a result of a Node. Nodes are kept in a
// topological order: every operand is defined before the node that uses it (the verifier
// checks this). Graph outputs are named and refer to any value.
//
// Names: inputs and parameters are named (parameters by their state_dict key, e.g.
// `layer1.0.conv1.weight`); node results may be named, and unnamed results print as %0, %1...
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/attributes.h"
#include "ir/host_tensor.h"
#include "ir/ops.h"
#include "ir/types.h"

namespace kiln::ir {

class Node;
class Graph;

/// How a value is defined.
enum class ValueKind : uint8_t { kInput, kParam, kResult };

class Value {
 public:
  int id() const { return id_; }
  ValueKind kind() const { return kind_; }
  /// Inputs and params always have a name; results may have one ("" = unnamed).
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const TensorType& type() const { return type_; }
  void set_type(TensorType type) { type_ = std::move(type); }
  /// The node that defines a kResult value, else nullptr.
  Node* producer() const { return producer_; }
  /// Which result of producer() this is.
  int result_index() const { return result_index_; }

 private:
  friend class Graph;
  int id_ = 0;
  ValueKind kind_ = ValueKind::kResult;
  std::string name_;
  TensorType type_;
  Node* producer_ = nullptr;
  int result_index_ = 0;
};

class Node {
 public:
  int id() const { return id_; }
  OpKind op() const { return op_; }
  const OpSchema& schema() const { return op_schema(op_); }
  const std::string& op_name() const { return schema().name; }

  int num_operands() const { return static_cast<int>(operands_.size()); }
  Value* operand(int i) const { return operands_.at(static_cast<size_t>(i)); }
  const std::vector<Value*>& operands() const { return operands_; }
  void set_operand(int i, Value* v) { operands_.at(static_cast<size_t>(i)) = v; }

  int num_results() const { return static_cast<int>(results_.size()); }
  Value* result(int i = 0) const { return results_.at(static_cast<size_t>(i)); }
  const std::vector<Value*>& results() const { return results_; }

  const Attrs& attrs() const { return attrs_; }
  Attrs& mutable_attrs() { return attrs_; }

  /// Where the node came from, e.g. the module path "layer1.0.conv1" ("" if unknown).
  const std::string& loc() const { return loc_; }
  void set_loc(std::string loc) { loc_ = std::move(loc); }

  /// "%3 = conv @layer1.0.conv1" style label for error messages, with results named as the
  /// .kir printer names them.
  std::string Describe() const;

 private:
  friend class Graph;
  int id_ = 0;
  const Graph* graph_ = nullptr;
  OpKind op_ = OpKind::Add;
  std::vector<Value*> operands_;
  std::vector<Value*> results_;
  Attrs attrs_;
  std::string loc_;
};

/// True for a non-empty name of decimal digits only. Such result names are not kept: the
/// .kir printer numbers unnamed results %0, %1, ... itself, and inputs/params may not use them.
bool IsNumericName(const std::string& name);

/// A named graph output.
struct GraphOutput {
  std::string name;
  Value* value;
};

class Graph {
 public:
  explicit Graph(std::string name = "main") : name_(std::move(name)) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  /// Adds a graph input / a parameter. Names must be unique (checked by the verifier).
  Value* AddInput(const std::string& name, TensorType type);
  Value* AddParam(const std::string& name, TensorType type);

  /// Appends a node with explicit result types (as the parser does). Attributes are stored
  /// as given; the verifier checks them against the schema.
  Node* AddNode(OpKind op, std::vector<Value*> operands, Attrs attrs, std::vector<TensorType> result_types,
                std::string loc = "");
  /// Appends a node whose result types come from the op's shape rule, with default
  /// attributes filled in. Fails (adding nothing) when the rule rejects the operands.
  StatusOr<Node*> AddNodeInferred(OpKind op, std::vector<Value*> operands, Attrs attrs, std::string loc = "");
  /// Like AddNode/AddNodeInferred but inserts right before `before` in the node order.
  StatusOr<Node*> InsertNodeInferred(Node* before, OpKind op, std::vector<Value*> operands, Attrs attrs,
                                     std::string loc = "");

  /// Adds a named output.
  void AddOutput(const std::string& name, Value* value) { outputs_.push_back({name, value}); }

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& params() const { return params_; }
  const std::vector<GraphOutput>& outputs() const { return outputs_; }
  std::vector<GraphOutput>& mutable_outputs() { return outputs_; }
  /// Nodes in topological (program) order.
  std::vector<Node*> nodes() const;
  int num_nodes() const { return static_cast<int>(nodes_.size()); }

  /// The input or parameter with this name, or nullptr.
  Value* FindInput(const std::string& name) const;
  Value* FindParam(const std::string& name) const;

  /// Makes every use of `from` (node operands and graph outputs) use `to` instead.
  void ReplaceAllUsesWith(Value* from, Value* to);
  /// Removes a node. Its results must be unused (checked).
  void EraseNode(Node* node);
  /// Removes a parameter (and its weight). It must be unused (checked).
  void EraseParam(Value* param);
  /// For each value, the nodes that use it (a node appears once per operand slot).
  std::unordered_map<const Value*, std::vector<Node*>> ComputeUses() const;
  /// True if any node operand or graph output refers to `v`.
  bool HasUses(const Value* v) const;
  /// How the .kir printer spells `v`: "%name" for named values; unnamed results (and results
  /// with purely numeric names) are numbered "%0", "%1", ... in program order.
  std::string ValueLabel(const Value* v) const;

  /// Parameter data by parameter name. May be empty (a graph read from .kir without weights).
  std::map<std::string, HostTensor>& weights() { return weights_; }
  const std::map<std::string, HostTensor>& weights() const { return weights_; }

  /// A deep copy (weights share storage, which is never mutated in place).
  std::unique_ptr<Graph> Clone() const;

 private:
  Value* NewValue(ValueKind kind, std::string name, TensorType type);
  Node* NewNode(OpKind op, std::vector<Value*> operands, Attrs attrs, std::vector<TensorType> result_types,
                std::string loc);

  std::string name_;
  std::vector<std::unique_ptr<Value>> values_;
  std::vector<std::unique_ptr<Node>> nodes_;  // program order
  std::vector<Value*> inputs_;
  std::vector<Value*> params_;
  std::vector<GraphOutput> outputs_;
  std::map<std::string, HostTensor> weights_;
  int next_value_id_ = 0;
  int next_node_id_ = 0;
};

}  // namespace kiln::ir
