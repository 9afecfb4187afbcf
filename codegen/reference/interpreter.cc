#include "codegen/reference/interpreter.h"

#include <unordered_map>

#include "codegen/reference/kernel_registry.h"
#include "ir/verifier.h"

namespace kiln::reference {

namespace {

using ir::DType;
using ir::HostTensor;
using ir::TensorType;

bool IsHalf(DType d) { return d == DType::kF16 || d == DType::kBF16; }

// f16/bf16 run as f32: widening is exact, narrowing rounds once to nearest even.
HostTensor ConvertTo(const HostTensor& t, DType dtype) {
  HostTensor out(dtype, t.sizes());
  for (int64_t i = 0; i < t.num_elements(); ++i) out.SetDouble(i, t.GetDouble(i));
  return out;
}

std::string TypesStr(const std::vector<TensorType>& types) {
  std::string s;
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + types[i].str();
  return s;
}

std::string JoinProblems(const std::vector<std::string>& problems, const std::string& what) {
  if (problems.size() == 1) return problems[0];
  std::string msg = std::to_string(problems.size()) + " problems " + what + ":";
  for (const auto& p : problems) msg += "\n  " + p;
  return msg;
}

// The size each symbolic dim is bound to, and which input bound it.
struct SymbolBinding {
  int64_t size;
  std::string input;
};
using Symbols = std::map<std::string, SymbolBinding>;

// Checks one given input against its declared type; binds new symbols. "" when it matches.
std::string BindInput(const ir::Value& in, const HostTensor& t, Symbols& symbols) {
  const TensorType& want = in.type();
  std::string head = "input '" + in.name() + "': expected " + want.str() + ", got " + t.type().str();
  if (t.dtype() != want.dtype) return head + " (dtype differs)";
  if (t.rank() != want.shape.rank()) {
    return head + " (rank " + std::to_string(t.rank()) + ", expected " + std::to_string(want.shape.rank()) + ")";
  }
  for (int d = 0; d < t.rank(); ++d) {
    const ir::Dim& dim = want.shape.dim(d);
    int64_t got = t.sizes()[static_cast<size_t>(d)];
    if (dim.is_static()) {
      if (got != dim.size()) {
        return head + " (dim " + std::to_string(d) + " is " + std::to_string(got) + ", expected " + dim.str() + ")";
      }
      continue;
    }
    auto it = symbols.find(dim.symbol());
    if (it == symbols.end()) {
      symbols[dim.symbol()] = SymbolBinding{got, in.name()};
    } else if (it->second.size != got) {
      return head + " (" + dim.symbol() + " is " + std::to_string(got) + " here but " +
             std::to_string(it->second.size) + " in input '" + it->second.input + "')";
    }
  }
  return "";
}

Status BindInputs(const ir::Graph& graph, const std::map<std::string, HostTensor>& inputs, Symbols& symbols) {
  std::vector<std::string> problems;
  std::string known;
  for (const ir::Value* in : graph.inputs()) known += (known.empty() ? "" : ", ") + in->name();
  for (const auto& entry : inputs) {
    if (graph.FindInput(entry.first) == nullptr) {
      problems.push_back("unknown input '" + entry.first + "' (graph " + graph.name() + " has inputs: " + known + ")");
    }
  }
  for (const ir::Value* in : graph.inputs()) {
    auto it = inputs.find(in->name());
    if (it == inputs.end()) {
      problems.push_back("missing input '" + in->name() + "' " + in->type().str());
      continue;
    }
    std::string problem = BindInput(*in, it->second, symbols);
    if (!problem.empty()) problems.push_back(problem);
  }
  if (problems.empty()) return Status::Ok();
  return InvalidArgument(JoinProblems(problems, "binding the inputs of graph " + graph.name()));
}

// A node's concrete result must be an instance of its recorded (possibly symbolic) type.
Status CheckResult(const TensorType& recorded, const HostTensor& got, Symbols& symbols) {
  bool ok = got.dtype() == recorded.dtype && got.rank() == recorded.shape.rank();
  for (int d = 0; ok && d < got.rank(); ++d) {
    const ir::Dim& dim = recorded.shape.dim(d);
    int64_t size = got.sizes()[static_cast<size_t>(d)];
    if (dim.is_static()) {
      ok = size == dim.size();
    } else {
      auto it = symbols.emplace(dim.symbol(), SymbolBinding{size, "a node result"}).first;
      ok = it->second.size == size;
    }
  }
  if (ok) return Status::Ok();
  return Internal("result " + got.type().str() + " is not an instance of the recorded type " + recorded.str());
}

}  // namespace

StatusOr<std::vector<HostTensor>> EvaluateOp(ir::OpKind op, const ir::Attrs& attrs,
                                             const std::vector<HostTensor>& operands) {
  return EvaluateOpWith(reference_kernels(), op, attrs, operands);
}

StatusOr<Tensors> EvaluateOpWith(const KernelTable& kernels, ir::OpKind op, const ir::Attrs& attrs,
                                 const std::vector<HostTensor>& operands) {
  const ir::OpSchema& schema = ir::op_schema(op);
  Kernel kernel = kernels.Find(op);
  if (kernel == nullptr) return Unimplemented("no reference kernel for op " + schema.name);

  std::vector<TensorType> operand_types;
  for (const HostTensor& t : operands) operand_types.push_back(t.type());
  KILN_ASSIGN_OR_RETURN(ir::Attrs full, ir::complete_attrs(schema, attrs));
  KILN_ASSIGN_OR_RETURN(std::vector<TensorType> result_types, ir::infer_result_types(schema, operand_types, full));

  // Kernels never see f16/bf16.
  std::vector<HostTensor> kernel_operands;
  for (const HostTensor& t : operands) kernel_operands.push_back(IsHalf(t.dtype()) ? ConvertTo(t, DType::kF32) : t);
  std::vector<TensorType> kernel_types = result_types;
  for (TensorType& t : kernel_types) {
    if (IsHalf(t.dtype)) t.dtype = DType::kF32;
  }

  KernelContext ctx{op, full, kernel_operands, kernel_types};
  KILN_ASSIGN_OR_RETURN(std::vector<HostTensor> results, kernel(ctx));

  std::vector<TensorType> got;
  for (const HostTensor& t : results) got.push_back(t.type());
  if (got != kernel_types) {
    return Internal(schema.name + ": reference kernel returned (" + TypesStr(got) + "), expected (" +
                    TypesStr(kernel_types) + ")");
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (IsHalf(result_types[i].dtype)) results[i] = ConvertTo(results[i], result_types[i].dtype);
  }
  return results;
}

StatusOr<std::vector<std::pair<std::string, HostTensor>>> RunGraph(const ir::Graph& graph,
                                                                   const std::map<std::string, HostTensor>& inputs) {
  ir::VerifyOptions verify_options;
  verify_options.require_weights = true;
  KILN_RETURN_IF_ERROR(ir::Verify(graph, verify_options));

  Symbols symbols;
  KILN_RETURN_IF_ERROR(BindInputs(graph, inputs, symbols));

  std::unordered_map<const ir::Value*, HostTensor> values;
  for (const ir::Value* in : graph.inputs()) values[in] = inputs.at(in->name());
  for (const ir::Value* p : graph.params()) values[p] = graph.weights().at(p->name());

  // Drop each intermediate after its last use, so memory stays near the live set.
  std::vector<ir::Node*> nodes = graph.nodes();
  std::unordered_map<const ir::Value*, size_t> last_use;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const ir::Value* v : nodes[i]->operands()) last_use[v] = i;
  }
  for (const ir::GraphOutput& out : graph.outputs()) last_use[out.value] = nodes.size();

  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::Node* node = nodes[i];
    std::vector<HostTensor> operands;
    for (const ir::Value* v : node->operands()) operands.push_back(values.at(v));
    auto results = EvaluateOp(node->op(), node->attrs(), operands);
    if (!results.ok()) return results.status().WithContext(node->Describe());
    for (int r = 0; r < node->num_results(); ++r) {
      const HostTensor& t = (*results)[static_cast<size_t>(r)];
      KILN_RETURN_IF_ERROR(CheckResult(node->result(r)->type(), t, symbols).WithContext(node->Describe()));
      values[node->result(r)] = t;
    }
    for (const ir::Value* v : node->operands()) {
      if (last_use.at(v) == i && v->kind() == ir::ValueKind::kResult) values.erase(v);
    }
  }

  std::vector<std::pair<std::string, HostTensor>> outputs;
  for (const ir::GraphOutput& out : graph.outputs()) {
    const HostTensor& t = values.at(out.value);
    // Inputs and weights are the caller's / the graph's storage: hand out copies.
    bool aliased = out.value->kind() != ir::ValueKind::kResult;
    outputs.emplace_back(out.name, aliased ? t.Clone() : t);
  }
  return outputs;
}

}  // namespace kiln::reference
