#include <algorithm>
#include <cstring>

#include "codegen/cpu/emitter.h"
#include "codegen/cpu/kernel_codes.h"

namespace kiln::cpu {

EmitterTable::EmitterTable() : emitters_(ir::all_op_schemas().size(), nullptr) {}

void EmitterTable::Add(ir::OpKind op, Emitter emitter) {
  size_t i = static_cast<size_t>(op);
  KILN_CHECK(emitters_[i] == nullptr, "CPU emitter registered twice for " + ir::op_schema(op).name);
  emitters_[i] = emitter;
}

Emitter EmitterTable::Find(ir::OpKind op) const { return emitters_[static_cast<size_t>(op)]; }

const EmitterTable& cpu_emitters() {
  static const EmitterTable table = [] {
    EmitterTable t;
    AddElementwiseEmitters(t);
    AddLinalgConvEmitters(t);
    AddShapeReduceEmitters(t);
    AddLayersEmitters(t);
    AddSpatialEmitters(t);
    AddRecurrentEmitters(t);
    AddFusedEmitters(t);
    AddConvDirectEmitters(t);
    return t;
  }();
  return table;
}

StatusOr<std::string> DTypeSuffix(ir::DType dtype, const ir::Node& node) {
  switch (dtype) {
    case ir::DType::kF32: return std::string("f32");
    case ir::DType::kF64: return std::string("f64");
    case ir::DType::kI64: return std::string("i64");
    case ir::DType::kI32: return std::string("i32");
    case ir::DType::kBool: return std::string("b8");
    default: break;
  }
  return Unimplemented(node.Describe() + ": dtype " + ir::dtype_name(dtype) + " is not supported by the CPU backend");
}

std::string WidthSuffix(ir::DType dtype) { return "w" + std::to_string(ir::dtype_size(dtype)); }

std::vector<Expr> ContiguousStrides(const std::vector<Expr>& dims) {
  std::vector<Expr> s(dims.size(), Expr(1));
  for (int d = static_cast<int>(dims.size()) - 2; d >= 0; --d) s[d] = s[d + 1] * dims[d + 1];
  return s;
}

static bool IsOne(const Expr& e) { return e.is_const() && e.value() == 1; }

std::vector<Expr> BroadcastStrides(const std::vector<Expr>& in_dims, const std::vector<Expr>& out_dims) {
  std::vector<Expr> in_strides = ContiguousStrides(in_dims);
  std::vector<Expr> s(out_dims.size(), Expr(0));
  size_t lead = out_dims.size() - in_dims.size();
  for (size_t d = 0; d < in_dims.size(); ++d) {
    bool stretched = IsOne(in_dims[d]) && !IsOne(out_dims[lead + d]);
    s[lead + d] = stretched ? Expr(0) : in_strides[d];
  }
  return s;
}

StridedSpace Collapse(StridedSpace space) {
  StridedSpace out;
  out.strides.resize(space.strides.size());
  for (size_t d = 0; d < space.sizes.size(); ++d) {
    if (IsOne(space.sizes[d])) continue;
    bool merge = !out.sizes.empty();
    for (size_t k = 0; merge && k < space.strides.size(); ++k) {
      // The previous (outer) dim continues this one when stride_outer == stride_inner * size_inner.
      merge = out.strides[k].back().str() == (space.strides[k][d] * space.sizes[d]).str();
    }
    if (merge) {
      out.sizes.back() = out.sizes.back() * space.sizes[d];
      for (size_t k = 0; k < space.strides.size(); ++k) out.strides[k].back() = space.strides[k][d];
    } else {
      out.sizes.push_back(space.sizes[d]);
      for (size_t k = 0; k < space.strides.size(); ++k) out.strides[k].push_back(space.strides[k][d]);
    }
  }
  if (out.sizes.empty()) {
    out.sizes.push_back(Expr(1));
    for (auto& s : out.strides) s.push_back(Expr(0));
  }
  return out;
}

void AppendPadded(std::vector<Expr>& params, const std::vector<Expr>& v, size_t n) {
  for (size_t i = 0; i < n; ++i) params.push_back(i < v.size() ? v[i] : Expr(0));
}

int64_t GrainFor(const Expr& work_per_iteration, const std::vector<int64_t>& max_sizes) {
  int64_t w = std::max<int64_t>(1, work_per_iteration.Eval(max_sizes));
  return std::max<int64_t>(1, 32768 / w);
}

int64_t DoubleBits(double v) {
  int64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

int NormalizeDim(int64_t d, int rank) { return static_cast<int>(d < 0 ? d + rank : d); }

const ir::Value* BiasOperand(const ir::Node& n) {
  if (n.op() == ir::OpKind::FusedConv) return n.attrs().b("has_bias") ? n.operand(2) : nullptr;
  return n.num_operands() >= 3 ? n.operand(2) : nullptr;
}

}  // namespace kiln::cpu
