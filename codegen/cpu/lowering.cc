#include "codegen/cpu/lowering.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"
#include "codegen/cpu/memory_plan.h"
#include "codegen/reference/interpreter.h"

namespace kiln::cpu {
namespace {

// Appends constant data to the weights blob, 64-byte aligned, once per key.
class WeightsBuilder {
 public:
  explicit WeightsBuilder(std::vector<uint8_t>* blob) : blob_(blob) {}
  BufferRef Add(const std::string& key, const ir::HostTensor& t) {
    auto it = offsets_.find(key);
    if (it == offsets_.end()) {
      size_t at = (blob_->size() + 63) / 64 * 64;
      blob_->resize(at + t.nbytes());
      if (t.nbytes() > 0) std::memcpy(blob_->data() + at, t.raw_data(), t.nbytes());
      it = offsets_.emplace(key, at).first;
    }
    BufferRef r;
    r.kind = BufferRef::kWeights;
    r.offset = static_cast<int64_t>(it->second);
    return r;
  }

 private:
  std::vector<uint8_t>* blob_;
  std::map<std::string, size_t> offsets_;
};

class Lowering : public EmitContext {
 public:
  Lowering(const ir::Graph& g, const LoweringOptions& o, Program* p) : graph_(g), options_(o), program_(p), weights_(&p->weights) {}

  Status Run();

  BufferRef Ref(const ir::Value* v) override {
    auto it = locations_.find(v);
    if (it != locations_.end()) return it->second;
    if (const ir::HostTensor* t = ConstantData(v)) {
      BufferRef r = weights_.Add("value:" + std::to_string(v->id()), *t);
      locations_[v] = r;
      return r;
    }
    KILN_CHECK(false, "no location for value " + graph_.ValueLabel(v));
    return {};
  }

  std::vector<Expr> Dims(const ir::Value* v) override {
    std::vector<Expr> dims;
    for (const ir::Dim& d : v->type().shape.dims()) dims.push_back(DimExpr(d));
    return dims;
  }

  Expr DimExpr(const ir::Dim& d) const {
    if (d.is_static()) return Expr(d.size());
    auto it = symbol_index_.find(d.symbol());
    KILN_CHECK(it != symbol_index_.end(), "unknown symbolic dim " + d.symbol());
    return Expr::Symbol(it->second, d.symbol());
  }

  const ir::HostTensor* ConstantData(const ir::Value* v) override {
    auto it = constants_.find(v);
    return it == constants_.end() ? nullptr : &it->second;
  }

  BufferRef AddWeights(const std::string& key, const ir::HostTensor& data) override { return weights_.Add(key, data); }

  BufferRef ErrorSlot() override {
    BufferRef r;
    r.kind = BufferRef::kErrorSlot;
    return r;
  }

  void Call(KernelCall call) override { program_->calls.push_back(std::move(call)); }

  int64_t max_batch() const override { return std::max<int64_t>(program_->max_batch, 1); }

  const std::vector<int64_t>& max_sizes() const override { return program_->symbol_max; }

  const FusedEpilogue* Epilogue(const ir::Node& node) override {
    auto it = epilogues_.find(&node);
    return it == epilogues_.end() ? nullptr : &it->second;
  }

  int vector_floats() const override { return options_.vector_floats == 16 ? 16 : 8; }
  const std::string& conv_algorithm() const override { return options_.conv_algorithm; }

  BufferRef Scratch(uint64_t bytes) override {
    BufferRef r{BufferRef::kArena, 0, static_cast<int64_t>(scratch_base_ + scratch_cursor_)};
    scratch_cursor_ += (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64;
    scratch_top_ = std::max(scratch_top_, scratch_cursor_);
    return r;
  }

 private:
  Status CheckSymbols();
  Status CheckSupported();
  Status CollectConstants();
  void PlanFusion();
  void PlanLocations();
  StatusOr<IoSpec> MakeSpec(const std::string& name, const ir::TensorType& type) const;

  const ir::Graph& graph_;
  LoweringOptions options_;
  Program* program_;
  WeightsBuilder weights_;
  std::unordered_map<const ir::Value*, BufferRef> locations_;
  std::unordered_map<const ir::Value*, ir::HostTensor> constants_;
  std::map<std::string, int> symbol_index_;
  uint64_t scratch_base_ = 0, scratch_cursor_ = 0, scratch_top_ = 0;
  // The epilogue of each fused_conv / fused_linear node (PlanFusion).
  std::unordered_map<const ir::Node*, FusedEpilogue> epilogues_;
};

// See "Epilogue fusion" in lowering.h: the fuse-epilogue pass made fused_conv / fused_linear
// nodes; their emitters read the epilogue through Epilogue(node).
void Lowering::PlanFusion() {
  for (const ir::Node* n : graph_.nodes()) {
    if (n->op() != ir::OpKind::FusedConv && n->op() != ir::OpKind::FusedLinear) continue;
    FusedEpilogue e;
    if (n->op() == ir::OpKind::FusedConv && n->attrs().b("has_residual")) e.residual = n->operand(n->num_operands() - 1);
    e.result = n->result();
    std::string act = n->attrs().s("activation");
    if (act == "relu") {
      e.act = kc::kActRelu;
    } else if (act == "clamp") {
      e.act = kc::kActClamp;
      e.lo = n->attrs().f("min");
      e.hi = n->attrs().f("max");
    }
    epilogues_[n] = e;
  }
}

StatusOr<IoSpec> Lowering::MakeSpec(const std::string& name, const ir::TensorType& type) const {
  if (type.shape.rank() > kc::kMaxRank) {
    return Unimplemented("'" + name + "' has " + std::to_string(type.shape.rank()) + " dims; artifacts allow at most 8");
  }
  IoSpec s{name, type.dtype, {}};
  std::set<std::string> seen;
  for (const ir::Dim& d : type.shape.dims()) {
    if (d.is_static()) {
      s.dims.push_back(d.size());
      continue;
    }
    if (!seen.insert(d.symbol()).second) {
      return Unimplemented("'" + name + "' of type " + type.str() + " uses symbolic dim " + d.symbol() +
                           " twice; the CPU backend allows each symbol once per tensor");
    }
    auto it = symbol_index_.find(d.symbol());
    if (it == symbol_index_.end()) return Internal("'" + name + "': unknown symbolic dim " + d.symbol());
    s.dims.push_back(-1 - it->second);
  }
  return s;
}

// Symbols: N first (when present), then the others in order of first appearance among the
// inputs. Every symbol must be a dim of some input (a run binds it from its inputs) and needs
// a bound: max_dims[sym], else max_batch for N (or for a graph's only symbol).
Status Lowering::CheckSymbols() {
  std::vector<std::string> order;
  std::set<std::string> in_inputs, all;
  for (const ir::Value* v : graph_.inputs())
    for (const ir::Dim& d : v->type().shape.dims())
      if (d.is_symbolic() && in_inputs.insert(d.symbol()).second) order.push_back(d.symbol());
  auto scan = [&](const ir::TensorType& t) {
    for (const ir::Dim& d : t.shape.dims())
      if (d.is_symbolic()) all.insert(d.symbol());
  };
  for (const ir::Node* n : graph_.nodes())
    for (const ir::Value* v : n->results()) scan(v->type());
  std::vector<std::string> problems;
  for (const auto& s : all) {
    if (!in_inputs.count(s)) {
      problems.push_back("symbolic dim " + s + " of graph " + graph_.name() +
                         " is not a dim of any input; the CPU backend binds symbols from the inputs");
    }
  }
  auto n_it = std::find(order.begin(), order.end(), std::string("N"));
  if (n_it != order.end()) std::rotate(order.begin(), n_it, n_it + 1);
  for (const auto& entry : options_.max_dims) {
    if (!in_inputs.count(entry.first)) {
      std::string names;
      for (const auto& o : order) names += (names.empty() ? "" : ", ") + o;
      problems.push_back("max_dims names symbolic dim " + entry.first + ", which graph " + graph_.name() +
                         " does not have" +
                         (names.empty() ? std::string(" (it has none)") : " (its symbolic dims: " + names + ")"));
    }
  }
  for (size_t k = 0; k < order.size(); ++k) {
    const std::string& sym = order[k];
    int64_t bound = 0;
    auto it = options_.max_dims.find(sym);
    if (it != options_.max_dims.end()) {
      bound = it->second;
    } else if (sym == "N" || order.size() == 1) {
      bound = options_.max_batch;
      if (bound < 1) {
        problems.push_back("max_batch must be at least 1, got " + std::to_string(bound));
        continue;
      }
    } else {
      problems.push_back("symbolic dim " + sym + " needs a bound: pass max_dims / --max-dim " + sym + "=64");
      continue;
    }
    if (bound < 1) {
      problems.push_back("the bound of symbolic dim " + sym + " must be at least 1, got " + std::to_string(bound));
      continue;
    }
    symbol_index_[sym] = static_cast<int>(k);
    program_->symbols.push_back(sym);
    program_->symbol_max.push_back(bound);
  }
  if (program_->symbols.size() > static_cast<size_t>(kc::kMaxRank)) {
    problems.push_back("graph " + graph_.name() + " has " + std::to_string(program_->symbols.size()) +
                       " symbolic dims; artifacts allow at most 8");
  }
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    return InvalidArgument(msg);
  }
  program_->max_batch = program_->symbol_max.empty() ? 0 : program_->symbol_max[0];
  return Status::Ok();
}

Status Lowering::CheckSupported() {
  std::map<std::string, std::vector<std::string>> unsupported;  // op -> nodes
  for (const ir::Node* n : graph_.nodes()) {
    if (cpu_emitters().Find(n->op()) == nullptr) unsupported[n->op_name()].push_back(n->Describe());
  }
  if (unsupported.empty()) return Status::Ok();
  std::string list;
  for (const auto& [op, nodes] : unsupported) {
    list += (list.empty() ? "" : "; ") + op + " (" + nodes.front() +
            (nodes.size() > 1 ? " and " + std::to_string(nodes.size() - 1) + " more" : "") + ")";
  }
  size_t count = unsupported.size();
  return Unimplemented(std::to_string(count) + (count == 1 ? " op is" : " ops are") +
                       " not supported by the CPU backend: " + list);
}

Status Lowering::CollectConstants() {
  std::vector<std::string> missing;
  for (const ir::Value* p : graph_.params()) {
    auto it = graph_.weights().find(p->name());
    if (it == graph_.weights().end()) {
      missing.push_back(p->name());
      continue;
    }
    constants_[p] = it->second;
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return InvalidArgument("graph " + graph_.name() + " has no weights for " + std::to_string(missing.size()) +
                           " parameter(s): " + list);
  }
  for (const ir::Node* n : graph_.nodes()) {
    if (n->op() != ir::OpKind::Constant) continue;
    auto r = reference::EvaluateOp(ir::OpKind::Constant, n->attrs(), {});
    if (!r.ok()) return r.status().WithContext(n->Describe());
    constants_[n->result()] = (*r)[0];
  }
  return Status::Ok();
}

void Lowering::PlanLocations() {
  for (size_t i = 0; i < graph_.inputs().size(); ++i) {
    locations_[graph_.inputs()[i]] = BufferRef{BufferRef::kInput, static_cast<int>(i), 0};
  }
  for (size_t j = 0; j < graph_.outputs().size(); ++j) {
    const ir::Value* v = graph_.outputs()[j].value;
    if (v->kind() == ir::ValueKind::kResult && !constants_.count(v) && !locations_.count(v)) {
      locations_[v] = BufferRef{BufferRef::kOutput, static_cast<int>(j), 0};
    }
  }
  std::vector<ir::Node*> all = graph_.nodes();
  std::vector<const ir::Node*> nodes(all.begin(), all.end());
  std::unordered_map<const ir::Value*, int> last_use;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const ir::Value* v : nodes[i]->operands()) last_use[v] = static_cast<int>(i);
  std::vector<BufferRequest> requests;
  std::vector<const ir::Value*> planned;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const ir::Value* v : nodes[i]->results()) {
      if (locations_.count(v) || constants_.count(v)) continue;
      int64_t elems = 1;
      for (const ir::Dim& d : v->type().shape.dims()) elems *= DimExpr(d).Eval(program_->symbol_max);
      BufferRequest r;
      r.bytes = static_cast<uint64_t>(elems) * ir::dtype_size(v->type().dtype);
      r.def = static_cast<int>(i);
      auto it = last_use.find(v);
      r.last_use = it == last_use.end() ? r.def : std::max(r.def, it->second);
      requests.push_back(r);
      planned.push_back(v);
    }
  }
  MemoryPlan plan = PlanMemory(requests);
  for (size_t k = 0; k < planned.size(); ++k) {
    locations_[planned[k]] = BufferRef{BufferRef::kArena, 0, static_cast<int64_t>(plan.offsets[k])};
  }
  program_->arena_bytes = plan.arena_bytes;
  scratch_base_ = plan.arena_bytes;
}

Status Lowering::Run() {
  program_->name = options_.name;
  program_->default_threads = options_.threads;
  std::vector<std::string> problems;
  auto note = [&](const Status& s) {
    if (!s.ok()) problems.push_back(s.message());
  };
  note(CheckSupported());
  Status symbols = CheckSymbols();
  if (!symbols.ok()) {  // the specs below need the symbols
    note(symbols);
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    return symbols.code() == StatusCode::kInvalidArgument && problems.size() == 1 ? symbols : Unimplemented(msg);
  }
  for (const ir::Value* v : graph_.inputs()) {
    auto s = MakeSpec(v->name(), v->type());
    if (s.ok()) program_->inputs.push_back(*s); else note(s.status());
  }
  for (const ir::GraphOutput& o : graph_.outputs()) {
    auto s = MakeSpec(o.name, o.value->type());
    if (s.ok()) program_->outputs.push_back(*s); else note(s.status());
  }
  note(CollectConstants());
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    return Unimplemented(msg);
  }
  PlanFusion();
  PlanLocations();
  for (const ir::Node* n : graph_.nodes()) {
    scratch_cursor_ = 0;
    note(cpu_emitters().Find(n->op())(*n, *this));
  }
  program_->arena_bytes = scratch_base_ + scratch_top_;
  // Outputs not computed in place: copy them.
  for (size_t j = 0; j < graph_.outputs().size(); ++j) {
    const ir::Value* v = graph_.outputs()[j].value;
    BufferRef src = Ref(v);
    if (src.kind == BufferRef::kOutput && src.index == static_cast<int>(j)) continue;
    Expr count = 1;
    for (const ir::Dim& d : v->type().shape.dims()) count = count * DimExpr(d);
    KernelCall call;
    call.kernel = "copy_" + WidthSuffix(v->type().dtype);
    call.params = {Expr(1), count};
    AppendPadded(call.params, {}, kc::kMaxRank - 1);
    call.params.push_back(Expr(1));
    AppendPadded(call.params, {}, kc::kMaxRank - 1);
    call.params.push_back(Expr(1));
    AppendPadded(call.params, {}, kc::kMaxRank - 1);
    call.params.push_back(Expr(0));
    call.params.push_back(Expr(0));
    call.buffers = {src, BufferRef{BufferRef::kOutput, static_cast<int>(j), 0}};
    call.count = 1;
    call.parallel = false;
    Call(std::move(call));
  }
  if (!problems.empty()) {
    std::string msg = std::to_string(problems.size()) + " problem(s) compiling graph " + graph_.name() +
                      " for the CPU backend:";
    for (const auto& p : problems) msg += "\n  " + p;
    return Unimplemented(msg);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Program> LowerGraph(const ir::Graph& graph, const LoweringOptions& options) {
  Program program;
  Lowering lowering(graph, options, &program);
  KILN_RETURN_IF_ERROR(lowering.Run());
  return program;
}

}  // namespace kiln::cpu
