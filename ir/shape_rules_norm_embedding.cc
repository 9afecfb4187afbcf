// Shape rules of the normalization and embedding ops (issue 5, "Layers II"): layer_norm,
// group_norm, embedding, embedding_bag. Symbolic dims match by equality; the batch dim may be
// symbolic everywhere torch allows a batch.
#include <string>
#include <vector>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

using Types = std::vector<TensorType>;
using Result = StatusOr<Types>;

Status require_float_same(const Types& in, size_t first, size_t end) {
  for (size_t i = first; i < end && i < in.size(); ++i) {
    if (!is_floating(in[i].dtype)) return InvalidArgument("operand must be floating point, got " + in[i].str());
    if (in[i].dtype != in[0].dtype) {
      return InvalidArgument("operand dtypes differ: " + in[0].str() + " and " + in[i].str());
    }
  }
  return Status::Ok();
}

Status require_index(const TensorType& t, const char* what) {
  if (t.dtype != DType::kI64 && t.dtype != DType::kI32) {
    return InvalidArgument(std::string(what) + " must be i64 or i32, got " + t.str());
  }
  return Status::Ok();
}

Status require_table(const TensorType& w) {
  if (!is_floating(w.dtype) || w.shape.rank() != 2) {
    return InvalidArgument("weight must be a floating [num_embeddings, embedding_dim] table, got " + w.str());
  }
  return Status::Ok();
}

}  // namespace

Result infer_layer_norm(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_float_same(in, 0, in.size()));
  const Shape& x = in[0].shape;
  int64_t k = attrs.i("normalized_ndim");
  if (k < 1 || k > x.rank()) {
    return InvalidArgument("normalized_ndim " + std::to_string(k) + " must be in [1, rank] for x " + in[0].str());
  }
  std::vector<Dim> normalized(x.dims().end() - k, x.dims().end());
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].shape != Shape(normalized)) {
      return InvalidArgument(std::string(i == 1 ? "weight " : "bias ") + in[i].str() + " must have the normalized shape " +
                             Shape(normalized).str() + " of x " + in[0].str());
    }
  }
  if (!(attrs.f("eps") >= 0)) return InvalidArgument("eps must be non-negative");
  return Types{in[0]};
}

Result infer_group_norm(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_float_same(in, 0, in.size()));
  const Shape& x = in[0].shape;
  if (x.rank() < 2) return InvalidArgument("expects x[N, C, *], got " + in[0].str());
  const Dim& c = x.dim(1);
  int64_t g = attrs.i("num_groups");
  if (!c.is_static()) return Unimplemented("the channel dim of x " + in[0].str() + " must be static");
  if (g < 1 || c.size() % g != 0) {
    return InvalidArgument("num_groups " + std::to_string(g) + " must be positive and divide the " + c.str() +
                           " channels of x " + in[0].str());
  }
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].shape != Shape({c})) {
      return InvalidArgument(std::string(i == 1 ? "weight " : "bias ") + in[i].str() + " must be [" + c.str() + "]");
    }
  }
  if (!(attrs.f("eps") >= 0)) return InvalidArgument("eps must be non-negative");
  return Types{in[0]};
}

Result infer_embedding(const Types& in, const Attrs&) {
  KILN_RETURN_IF_ERROR(require_table(in[0]));
  KILN_RETURN_IF_ERROR(require_index(in[1], "indices"));
  std::vector<Dim> out = in[1].shape.dims();
  out.push_back(in[0].shape.dim(1));
  return Types{TensorType{in[0].dtype, Shape(out)}};
}

Result infer_embedding_bag(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_table(in[0]));
  KILN_RETURN_IF_ERROR(require_index(in[1], "indices"));
  std::string mode = attrs.s("mode");
  if (mode != "sum" && mode != "mean" && mode != "max") {
    return InvalidArgument("mode must be sum, mean or max, got \"" + mode + "\"");
  }
  const Shape& idx = in[1].shape;
  bool last = attrs.b("include_last_offset");
  const TensorType* psw = nullptr;
  Dim bags;
  if (idx.rank() == 2) {
    if (in.size() > 3) return InvalidArgument("2-d indices " + in[1].str() + " take no offsets");
    if (in.size() == 3) psw = &in[2];
    bags = idx.dim(0);
  } else if (idx.rank() == 1) {
    if (in.size() < 3) return InvalidArgument("1-d indices " + in[1].str() + " need offsets");
    const TensorType& offsets = in[2];
    KILN_RETURN_IF_ERROR(require_index(offsets, "offsets"));
    if (offsets.dtype != in[1].dtype) {
      return InvalidArgument("offsets " + offsets.str() + " and indices " + in[1].str() + " must have one dtype");
    }
    if (offsets.shape.rank() != 1) return InvalidArgument("offsets must be 1-d, got " + offsets.str());
    bags = offsets.shape.dim(0);
    if (last) {
      if (!bags.is_static()) return Unimplemented("include_last_offset needs static offsets, got " + offsets.str());
      if (bags.size() < 1) return InvalidArgument("include_last_offset needs at least one offset, got " + offsets.str());
      bags = Dim(bags.size() - 1);
    }
    if (in.size() == 4) psw = &in[3];
  } else {
    return InvalidArgument("indices must be 1-d (with offsets) or 2-d [bags, length], got " + in[1].str());
  }
  if (psw != nullptr) {
    if (psw->dtype != in[0].dtype || psw->shape != idx) {
      return InvalidArgument("per_sample_weights " + psw->str() + " must have the shape of indices " + in[1].str() +
                             " and the dtype of weight " + in[0].str());
    }
    if (mode != "sum") return InvalidArgument("per_sample_weights are only supported with mode sum, got " + mode);
  }
  if (attrs.i("padding_idx") < -1) return InvalidArgument("padding_idx must be -1 (none) or a row index");
  return Types{TensorType{in[0].dtype, Shape({bags, in[0].shape.dim(1)})}};
}

}  // namespace kiln::ir
