#include "codegen/reference/kernel_util.h"

namespace kiln::reference {

std::vector<int64_t> ContiguousStrides(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> strides(sizes.size(), 1);
  for (int d = static_cast<int>(sizes.size()) - 2; d >= 0; --d) {
    strides[static_cast<size_t>(d)] = strides[static_cast<size_t>(d) + 1] * sizes[static_cast<size_t>(d) + 1];
  }
  return strides;
}

std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in_sizes, const std::vector<int64_t>& out_sizes) {
  KILN_CHECK(in_sizes.size() <= out_sizes.size(), "BroadcastStrides: input has more dims than the result");
  std::vector<int64_t> in_strides = ContiguousStrides(in_sizes);
  std::vector<int64_t> strides(out_sizes.size(), 0);
  size_t lead = out_sizes.size() - in_sizes.size();
  for (size_t d = 0; d < in_sizes.size(); ++d) {
    if (in_sizes[d] == out_sizes[lead + d]) {
      strides[lead + d] = in_strides[d];
    } else {
      KILN_CHECK(in_sizes[d] == 1, "BroadcastStrides: " + SizesStr(in_sizes) + " does not broadcast to " +
                                       SizesStr(out_sizes));
    }
  }
  return strides;
}

int64_t Product(const std::vector<int64_t>& sizes, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= sizes[i];
  return p;
}

void Unflatten(int64_t flat, const std::vector<int64_t>& sizes, std::vector<int64_t>& index) {
  for (int d = static_cast<int>(sizes.size()) - 1; d >= 0; --d) {
    size_t du = static_cast<size_t>(d);
    index[du] = flat % sizes[du];
    flat /= sizes[du];
  }
}

PoolPlanes MakePoolPlanes(const ir::HostTensor& x, const ir::HostTensor& out, size_t nd) {
  PoolPlanes p;
  size_t lead = x.sizes().size() - nd;
  p.in_sp.assign(x.sizes().begin() + static_cast<long>(lead), x.sizes().end());
  p.out_sp.assign(out.sizes().begin() + static_cast<long>(lead), out.sizes().end());
  p.count = Product(x.sizes(), 0, lead);
  p.in_plane = Product(p.in_sp, 0, nd);
  p.out_plane = Product(p.out_sp, 0, nd);
  return p;
}

ir::HostTensor NewResult(const KernelContext& ctx, int i) {
  const ir::TensorType& t = ctx.result_types.at(static_cast<size_t>(i));
  return ir::HostTensor(t.dtype, t.shape.sizes());
}

void StoreInt(ir::HostTensor& t, int64_t i, int64_t v) {
  switch (t.dtype()) {
    case ir::DType::kI64: t.data<int64_t>()[i] = v; return;
    // Wraps like a C cast to int32 (two's complement), as torch's integer ops do.
    case ir::DType::kI32: t.data<int32_t>()[i] = static_cast<int32_t>(static_cast<uint32_t>(v)); return;
    case ir::DType::kBool: t.data<bool>()[i] = v != 0; return;
    default: t.SetDouble(i, static_cast<double>(v)); return;
  }
}

std::vector<double> ToDoubles(const ir::HostTensor& t) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == ir::DType::kF32) {
    const float* p = t.data<float>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetDouble(static_cast<int64_t>(i));
  }
  return v;
}

std::vector<int64_t> ToInts(const ir::HostTensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetInt(static_cast<int64_t>(i));
  return v;
}

void StoreDoubles(ir::HostTensor& t, const std::vector<double>& values) {
  KILN_CHECK(static_cast<int64_t>(values.size()) == t.num_elements(), "StoreDoubles: size mismatch");
  if (t.dtype() == ir::DType::kF32) {
    float* p = t.data<float>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<float>(values[i]);
  } else {
    for (size_t i = 0; i < values.size(); ++i) t.SetDouble(static_cast<int64_t>(i), values[i]);
  }
}

void StoreInts(ir::HostTensor& t, const std::vector<int64_t>& values) {
  KILN_CHECK(static_cast<int64_t>(values.size()) == t.num_elements(), "StoreInts: size mismatch");
  for (size_t i = 0; i < values.size(); ++i) StoreInt(t, static_cast<int64_t>(i), values[i]);
}

std::string SizesStr(const std::vector<int64_t>& sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? "," : "") + std::to_string(sizes[i]);
  return s + "]";
}

StridedWalker::StridedWalker(std::vector<int64_t> sizes, std::vector<std::vector<int64_t>> strides,
                             std::vector<int64_t> bases)
    : sizes_(std::move(sizes)), strides_(std::move(strides)), bases_(std::move(bases)) {
  if (bases_.empty()) bases_.assign(strides_.size(), 0);
  KILN_CHECK(bases_.size() == strides_.size(), "StridedWalker: one base per operand");
  for (const auto& s : strides_) KILN_CHECK(s.size() == sizes_.size(), "StridedWalker: one stride per dim");
}

}  // namespace kiln::reference
