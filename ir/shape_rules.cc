#include "ir/shape_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

namespace kiln::ir {

namespace {

using Types = std::vector<TensorType>;
using Result = StatusOr<Types>;

Result one(TensorType t) { return Types{std::move(t)}; }

// a * b for element counts; attributes come from files, so overflow is an input error.
Status checked_mul(int64_t& acc, int64_t b, const std::string& what) {
  if (__builtin_mul_overflow(acc, b, &acc)) return InvalidArgument(what + ": element count overflows int64");
  return Status::Ok();
}

std::string ints_str(const std::vector<int64_t>& v) { return attr_value_str(v); }

Status require_floating(const TensorType& t, const char* what) {
  if (!is_floating(t.dtype)) return InvalidArgument(std::string(what) + " must be floating point, got " + t.str());
  return Status::Ok();
}

Status require_numeric(const TensorType& t, const char* what) {
  if (t.dtype == DType::kBool) return InvalidArgument(std::string(what) + " must be numeric, got " + t.str());
  return Status::Ok();
}

Status require_same_dtype(const Types& in) {
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].dtype != in[0].dtype) {
      return InvalidArgument("operand dtypes differ: " + in[0].str() + " and " + in[i].str());
    }
  }
  return Status::Ok();
}

StatusOr<Shape> broadcast_all(const Types& in) {
  Shape s = in.at(0).shape;
  for (size_t i = 1; i < in.size(); ++i) {
    KILN_ASSIGN_OR_RETURN(s, broadcast_shapes(s, in[i].shape));
  }
  return s;
}

// Output size of a sliding window along one spatial dim, as torch computes it.
StatusOr<int64_t> window_out(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil, bool ceil_mode) {
  int64_t span = dil * (k - 1) + 1;
  int64_t avail = in + 2 * pad - span;
  if (avail < 0) return InvalidArgument("window " + std::to_string(span) + " exceeds padded size " + std::to_string(in + 2 * pad));
  int64_t out = (ceil_mode ? (avail + stride - 1) / stride : avail / stride) + 1;
  // torch: the last window must start inside the input or left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

Status check_list(const std::vector<int64_t>& v, size_t n, const char* name, int64_t min) {
  if (v.size() != n) {
    return InvalidArgument(std::string(name) + " " + ints_str(v) + " must have " + std::to_string(n) +
                           " entries (one per spatial dim)");
  }
  for (int64_t x : v) {
    if (x < min) return InvalidArgument(std::string(name) + " " + ints_str(v) + " entries must be >= " + std::to_string(min));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<int> normalize_dim(int64_t dim, int rank) {
  int64_t r = rank;
  if (dim < -std::max<int64_t>(r, 1) || dim >= std::max<int64_t>(r, 1)) {
    return InvalidArgument("dim " + std::to_string(dim) + " is out of range for rank " + std::to_string(rank));
  }
  // A 0-d tensor accepts dim 0 and -1, both meaning 0, as torch does.
  return static_cast<int>(dim < 0 ? dim + std::max<int64_t>(r, 1) : dim);
}

StatusOr<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  int rank = std::max(a.rank(), b.rank());
  std::vector<Dim> out(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    Dim da = ia >= 0 ? a.dim(ia) : Dim(1), db = ib >= 0 ? b.dim(ib) : Dim(1);
    if (da == db || db == Dim(1)) {
      out[static_cast<size_t>(i)] = da;
    } else if (da == Dim(1)) {
      out[static_cast<size_t>(i)] = db;
    } else {
      return InvalidArgument("shapes " + a.str() + " and " + b.str() + " cannot broadcast (dim " + std::to_string(i) +
                             ": " + da.str() + " vs " + db.str() + ")");
    }
  }
  return Shape(std::move(out));
}

Result infer_unary_numeric(const Types& in, const Attrs&) {
  KILN_RETURN_IF_ERROR(require_numeric(in[0], "operand"));
  return one(in[0]);
}

Result infer_unary_float(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_floating(in[0], "operand"));
  if (attrs.has("dim")) {
    KILN_RETURN_IF_ERROR(normalize_dim(attrs.i("dim"), in[0].shape.rank()).status());
  }
  return one(in[0]);
}

Result infer_unary_bool(const Types& in, const Attrs&) {
  if (in[0].dtype != DType::kBool) return InvalidArgument("operand must be bool, got " + in[0].str());
  return one(in[0]);
}

Result infer_cast(const Types& in, const Attrs& attrs) {
  return one(TensorType{attrs.dtype("dtype"), in[0].shape});
}

Result infer_binary_numeric(const Types& in, const Attrs&) {
  KILN_RETURN_IF_ERROR(require_same_dtype(in));
  KILN_RETURN_IF_ERROR(require_numeric(in[0], "operands"));
  KILN_ASSIGN_OR_RETURN(Shape s, broadcast_all(in));
  return one(TensorType{in[0].dtype, s});
}

Result infer_binary_float(const Types& in, const Attrs&) {
  KILN_RETURN_IF_ERROR(require_same_dtype(in));
  KILN_RETURN_IF_ERROR(require_floating(in[0], "operands"));
  KILN_ASSIGN_OR_RETURN(Shape s, broadcast_all(in));
  return one(TensorType{in[0].dtype, s});
}

Result infer_binary_compare(const Types& in, const Attrs&) {
  KILN_RETURN_IF_ERROR(require_same_dtype(in));
  KILN_ASSIGN_OR_RETURN(Shape s, broadcast_all(in));
  return one(TensorType{DType::kBool, s});
}

Result infer_binary_bool(const Types& in, const Attrs&) {
  for (const auto& t : in) {
    if (t.dtype != DType::kBool) return InvalidArgument("operands must be bool, got " + t.str());
  }
  KILN_ASSIGN_OR_RETURN(Shape s, broadcast_all(in));
  return one(TensorType{DType::kBool, s});
}

Result infer_where(const Types& in, const Attrs&) {
  if (in[0].dtype != DType::kBool) return InvalidArgument("condition must be bool, got " + in[0].str());
  if (in[1].dtype != in[2].dtype) return InvalidArgument("value dtypes differ: " + in[1].str() + " and " + in[2].str());
  KILN_ASSIGN_OR_RETURN(Shape s, broadcast_all(in));
  return one(TensorType{in[1].dtype, s});
}

Result infer_matmul(const Types& in, const Attrs&) {
  KILN_RETURN_IF_ERROR(require_same_dtype(in));
  KILN_RETURN_IF_ERROR(require_numeric(in[0], "operands"));
  const Shape &a = in[0].shape, &b = in[1].shape;
  if (a.rank() < 2 || b.rank() < 2) {
    return InvalidArgument("operands must have rank >= 2, got " + in[0].str() + " and " + in[1].str());
  }
  if (a.dim(a.rank() - 1) != b.dim(b.rank() - 2)) {
    return InvalidArgument("inner dims differ: " + in[0].str() + " @ " + in[1].str());
  }
  std::vector<Dim> ba(a.dims().begin(), a.dims().end() - 2), bb(b.dims().begin(), b.dims().end() - 2);
  KILN_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(Shape(ba), Shape(bb)));
  std::vector<Dim> out = batch.dims();
  out.push_back(a.dim(a.rank() - 2));
  out.push_back(b.dim(b.rank() - 1));
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_linear(const Types& in, const Attrs&) {
  KILN_RETURN_IF_ERROR(require_same_dtype(in));
  KILN_RETURN_IF_ERROR(require_floating(in[0], "operands"));
  const Shape &x = in[0].shape, &w = in[1].shape;
  if (x.rank() < 1 || w.rank() != 2) {
    return InvalidArgument("expects x[..., in] and weight[out, in], got " + in[0].str() + " and " + in[1].str());
  }
  if (x.dim(x.rank() - 1) != w.dim(1)) {
    return InvalidArgument("x has " + x.dim(x.rank() - 1).str() + " features but weight " + in[1].str() + " expects " +
                           w.dim(1).str());
  }
  if (in.size() == 3 && (in[2].shape.rank() != 1 || in[2].shape.dim(0) != w.dim(0))) {
    return InvalidArgument("bias " + in[2].str() + " must be [" + w.dim(0).str() + "]");
  }
  std::vector<Dim> out = x.dims();
  out.back() = w.dim(0);
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_conv(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_same_dtype(in));
  KILN_RETURN_IF_ERROR(require_floating(in[0], "operands"));
  const Shape &x = in[0].shape, &w = in[1].shape;
  int nd = x.rank() - 2;
  if (nd < 1 || w.rank() != x.rank()) {
    return InvalidArgument("expects x[N, C, *spatial] and weight[O, C/groups, *kernel] of equal rank >= 3, got " +
                           in[0].str() + " and " + in[1].str());
  }
  auto stride = attrs.ints("stride"), padding = attrs.ints("padding"), dilation = attrs.ints("dilation");
  int64_t groups = attrs.i("groups");
  KILN_RETURN_IF_ERROR(check_list(stride, nd, "stride", 1));
  KILN_RETURN_IF_ERROR(check_list(padding, nd, "padding", 0));
  KILN_RETURN_IF_ERROR(check_list(dilation, nd, "dilation", 1));
  if (groups < 1) return InvalidArgument("groups must be >= 1, got " + std::to_string(groups));
  for (int i = 1; i < w.rank(); ++i) {
    if (!w.dim(i).is_static()) return InvalidArgument("weight shape must be static, got " + in[1].str());
  }
  if (!w.dim(0).is_static() || !x.dim(1).is_static()) {
    return InvalidArgument("channel dims must be static, got " + in[0].str() + " and " + in[1].str());
  }
  int64_t c = x.dim(1).size(), o = w.dim(0).size();
  if (c % groups != 0 || o % groups != 0) {
    return InvalidArgument("in_channels " + std::to_string(c) + " and out_channels " + std::to_string(o) +
                           " must be divisible by groups " + std::to_string(groups));
  }
  if (w.dim(1).size() != c / groups) {
    return InvalidArgument("input " + in[0].str() + " has " + std::to_string(c) + " channels, weight " + in[1].str() +
                           " expects " + std::to_string(w.dim(1).size() * groups));
  }
  if (in.size() == 3 && (in[2].shape.rank() != 1 || in[2].shape.dim(0) != w.dim(0))) {
    return InvalidArgument("bias " + in[2].str() + " must be [" + w.dim(0).str() + "]");
  }
  std::vector<Dim> out = {x.dim(0), w.dim(0)};
  for (int i = 0; i < nd; ++i) {
    const Dim& d = x.dim(2 + i);
    if (!d.is_static()) return Unimplemented("symbolic spatial dim " + d.str() + " in " + in[0].str());
    auto r = window_out(d.size(), w.dim(2 + i).size(), stride[i], padding[i], dilation[i], false);
    if (!r.ok()) return r.status().WithContext("spatial dim " + std::to_string(i) + " of " + in[0].str());
    out.emplace_back(*r);
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_pool(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_numeric(in[0], "operand"));
  auto kernel = attrs.ints("kernel_size");
  size_t nd = kernel.size();
  const Shape& x = in[0].shape;
  if (nd < 1 || x.rank() < static_cast<int>(nd) + 1) {
    return InvalidArgument("kernel_size " + ints_str(kernel) + " does not fit input " + in[0].str());
  }
  auto stride = attrs.ints("stride"), padding = attrs.ints("padding");
  std::vector<int64_t> dilation = attrs.has("dilation") ? attrs.ints("dilation") : std::vector<int64_t>(nd, 1);
  bool ceil_mode = attrs.b("ceil_mode");
  KILN_RETURN_IF_ERROR(check_list(kernel, nd, "kernel_size", 1));
  KILN_RETURN_IF_ERROR(check_list(stride, nd, "stride", 1));
  KILN_RETURN_IF_ERROR(check_list(padding, nd, "padding", 0));
  KILN_RETURN_IF_ERROR(check_list(dilation, nd, "dilation", 1));
  for (size_t i = 0; i < nd; ++i) {
    if (padding[i] * 2 > kernel[i]) {
      return InvalidArgument("padding " + ints_str(padding) + " must be at most half of kernel_size " + ints_str(kernel));
    }
  }
  if (attrs.has("divisor_override") && attrs.i("divisor_override") < 0) {
    return InvalidArgument("divisor_override must be >= 0");
  }
  std::vector<Dim> out(x.dims().begin(), x.dims().end() - static_cast<long>(nd));
  for (size_t i = 0; i < nd; ++i) {
    const Dim& d = x.dim(x.rank() - static_cast<int>(nd) + static_cast<int>(i));
    if (!d.is_static()) return Unimplemented("symbolic spatial dim " + d.str() + " in " + in[0].str());
    auto r = window_out(d.size(), kernel[i], stride[i], padding[i], dilation[i], ceil_mode);
    if (!r.ok()) return r.status().WithContext("spatial dim " + std::to_string(i) + " of " + in[0].str());
    out.emplace_back(*r);
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_reshape(const Types& in, const Attrs& attrs) {
  auto target = attrs.ints("shape");
  const Shape& x = in[0].shape;
  int64_t known = 1;
  int infer_at = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (infer_at >= 0) return InvalidArgument("shape " + ints_str(target) + " has more than one -1");
      infer_at = static_cast<int>(i);
    } else if (target[i] < 0) {
      return InvalidArgument("shape " + ints_str(target) + " has a negative size");
    } else {
      KILN_RETURN_IF_ERROR(checked_mul(known, target[i], "shape " + ints_str(target)));
    }
  }
  int64_t static_elems = 1;
  std::vector<Dim> symbols;
  for (const Dim& d : x.dims()) {
    if (d.is_static()) {
      KILN_RETURN_IF_ERROR(checked_mul(static_elems, d.size(), in[0].str()));
    } else {
      symbols.push_back(d);
    }
  }
  std::vector<Dim> out;
  for (int64_t t : target) out.emplace_back(t);
  std::string what = "cannot reshape " + in[0].str() + " to " + ints_str(target);
  if (symbols.size() > 1) return Unimplemented(what + ": more than one symbolic dim");
  if (symbols.size() == 1) {
    // The -1 must stand for exactly the symbolic dim.
    if (infer_at < 0 || known != static_elems) return Unimplemented(what + ": -1 must stand for " + symbols[0].str());
    out[static_cast<size_t>(infer_at)] = symbols[0];
  } else if (infer_at >= 0) {
    if (known == 0 || static_elems % known != 0) return InvalidArgument(what);
    out[static_cast<size_t>(infer_at)] = Dim(static_elems / known);
  } else if (known != static_elems) {
    return InvalidArgument(what + ": element counts differ");
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_permute(const Types& in, const Attrs& attrs) {
  auto dims = attrs.ints("dims");
  int rank = in[0].shape.rank();
  if (static_cast<int>(dims.size()) != rank) {
    return InvalidArgument("dims " + ints_str(dims) + " must list all " + std::to_string(rank) + " dims of " + in[0].str());
  }
  std::set<int> seen;
  std::vector<Dim> out;
  for (int64_t d : dims) {
    KILN_ASSIGN_OR_RETURN(int nd, normalize_dim(d, rank));
    if (!seen.insert(nd).second) return InvalidArgument("dims " + ints_str(dims) + " repeats a dim");
    out.push_back(in[0].shape.dim(nd));
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_expand(const Types& in, const Attrs& attrs) {
  auto target = attrs.ints("shape");
  const Shape& x = in[0].shape;
  if (static_cast<int>(target.size()) < x.rank()) {
    return InvalidArgument("cannot expand " + in[0].str() + " to fewer dims " + ints_str(target));
  }
  size_t lead = target.size() - static_cast<size_t>(x.rank());
  std::vector<Dim> out;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t t = target[i];
    if (i < lead) {
      if (t < 0) return InvalidArgument("expand: new leading dim cannot be -1 in " + ints_str(target));
      out.emplace_back(t);
      continue;
    }
    const Dim& d = x.dim(static_cast<int>(i - lead));
    if (t == -1 || Dim(t) == d) {
      out.push_back(d);
    } else if (d == Dim(1) && t >= 0) {
      out.emplace_back(t);
    } else {
      return InvalidArgument("cannot expand " + in[0].str() + " to " + ints_str(target));
    }
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_concat(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_same_dtype(in));
  int rank = in[0].shape.rank();
  if (rank == 0) return InvalidArgument("cannot concatenate scalars");
  KILN_ASSIGN_OR_RETURN(int dim, normalize_dim(attrs.i("dim"), rank));
  std::vector<Dim> out = in[0].shape.dims();
  int64_t total = 0;
  for (const TensorType& t : in) {
    if (t.shape.rank() != rank) return InvalidArgument("operand ranks differ: " + in[0].str() + " and " + t.str());
    for (int i = 0; i < rank; ++i) {
      if (i != dim && t.shape.dim(i) != in[0].shape.dim(i)) {
        return InvalidArgument("operands differ outside dim " + std::to_string(dim) + ": " + in[0].str() + " and " + t.str());
      }
    }
    if (!t.shape.dim(dim).is_static()) {
      if (in.size() == 1) return one(in[0]);
      return Unimplemented("concatenating along symbolic dim " + t.shape.dim(dim).str());
    }
    total += t.shape.dim(dim).size();
  }
  out[static_cast<size_t>(dim)] = Dim(total);
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_slice(const Types& in, const Attrs& attrs) {
  int rank = in[0].shape.rank();
  KILN_ASSIGN_OR_RETURN(int dim, normalize_dim(attrs.i("dim"), rank));
  int64_t start = attrs.i("start"), end = attrs.i("end"), step = attrs.i("step");
  if (step < 1) return InvalidArgument("step must be >= 1, got " + std::to_string(step));
  const Dim& d = in[0].shape.dim(dim);
  std::vector<Dim> out = in[0].shape.dims();
  if (!d.is_static()) {
    // Only the whole symbolic dim can be kept: [0:INT64_MAX:1].
    if (start == 0 && end == std::numeric_limits<int64_t>::max() && step == 1) return one(in[0]);
    return Unimplemented("slicing symbolic dim " + d.str() + " of " + in[0].str());
  }
  int64_t n = d.size();
  auto clampi = [n](int64_t v) { if (v < 0) v += n; return std::min(std::max<int64_t>(v, 0), n); };
  int64_t s = clampi(start), e = clampi(end);
  out[static_cast<size_t>(dim)] = Dim(e > s ? (e - s + step - 1) / step : 0);
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_reduce(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_numeric(in[0], "operand"));
  int rank = in[0].shape.rank();
  auto dims = attrs.ints("dims");
  bool keepdim = attrs.b("keepdim");
  std::set<int> reduced;
  for (int64_t d : dims) {
    KILN_ASSIGN_OR_RETURN(int nd, normalize_dim(d, rank));
    if (!reduced.insert(nd).second) return InvalidArgument("dims " + ints_str(dims) + " repeats a dim");
  }
  if (dims.empty()) {
    for (int i = 0; i < rank; ++i) reduced.insert(i);
  }
  std::vector<Dim> out;
  for (int i = 0; i < rank; ++i) {
    if (!reduced.count(i)) out.push_back(in[0].shape.dim(i));
    else if (keepdim) out.emplace_back(1);
  }
  return one(TensorType{in[0].dtype, Shape(out)});
}

Result infer_reduce_float(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_floating(in[0], "operand"));
  return infer_reduce(in, attrs);
}

Result infer_arg_reduce(const Types& in, const Attrs& attrs) {
  KILN_RETURN_IF_ERROR(require_numeric(in[0], "operand"));
  int rank = in[0].shape.rank();
  KILN_ASSIGN_OR_RETURN(int dim, normalize_dim(attrs.i("dim"), rank));
  std::vector<Dim> out;
  for (int i = 0; i < rank; ++i) {
    if (i != dim) out.push_back(in[0].shape.dim(i));
    else if (attrs.b("keepdim")) out.emplace_back(1);
  }
  return one(TensorType{DType::kI64, Shape(out)});
}

Result infer_constant(const Types&, const Attrs& attrs) {
  DType dtype = attrs.dtype("dtype");
  auto shape = attrs.ints("shape");
  auto value = attrs.floats("value");
  int64_t n = 1;
  for (int64_t s : shape) {
    if (s < 0) return InvalidArgument("shape " + ints_str(shape) + " has a negative size");
    KILN_RETURN_IF_ERROR(checked_mul(n, s, "shape " + ints_str(shape)));
  }
  if (static_cast<int64_t>(value.size()) != n && value.size() != 1) {
    return InvalidArgument("value has " + std::to_string(value.size()) + " entries, shape " + ints_str(shape) +
                           " needs " + std::to_string(n) + " (or 1 to fill)");
  }
  if (!is_floating(dtype)) {
    for (double v : value) {
      if (std::isnan(v) || std::floor(v) != v || std::fabs(v) > 9007199254740992.0) {
        return InvalidArgument(std::string("value ") + float_str(v) + " is not an exact integer for dtype " +
                               dtype_name(dtype));
      }
      if (dtype == DType::kBool && v != 0 && v != 1) return InvalidArgument("bool constant values must be 0 or 1");
      if (dtype == DType::kI32 && (v < -2147483648.0 || v > 2147483647.0)) {
        return InvalidArgument("value " + float_str(v) + " is out of range for i32");
      }
    }
  }
  return one(TensorType{dtype, Shape::FromSizes(shape)});
}

}  // namespace kiln::ir
