// Tensor core: handles, accessors, conversion, in-place updates. The operations live in
// tensor_ops.cc and factories.cc; eager/trace dispatch in dispatch.cc.
#include "frontend/tensor.h"

#include <cstring>
#include <sstream>

#include "frontend/dispatch.h"
#include "frontend/tensor_impl.h"

namespace kiln {

using detail::TensorImpl;

Tensor::Tensor(ir::HostTensor data) : impl_(std::make_shared<TensorImpl>()) {
  impl_->data = std::make_shared<ir::HostTensor>(std::move(data));
}

Tensor Tensor::Symbolic(ir::Value* value) {
  Tensor t;
  t.impl_ = std::make_shared<TensorImpl>();
  t.impl_->value = value;
  if (detail::TraceState* ts = detail::current_trace()) t.impl_->trace_id = ts->id;
  return t;
}

namespace {
const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl, const char* what) {
  if (!impl) detail::fail(std::string(what) + " of an undefined tensor");
  return *impl;
}
}  // namespace

bool Tensor::is_symbolic() const { return impl_ && impl_->value != nullptr; }

DType Tensor::dtype() const {
  const TensorImpl& i = checked(impl_, "dtype()");
  return i.value ? i.value->type().dtype : i.data->dtype();
}

ir::Shape Tensor::shape() const {
  const TensorImpl& i = checked(impl_, "shape()");
  return i.value ? i.value->type().shape : ir::Shape::FromSizes(i.data->sizes());
}

std::vector<int64_t> Tensor::sizes() const {
  ir::Shape s = shape();
  if (!s.is_static()) detail::fail("sizes() of a tensor with symbolic shape " + s.str());
  return s.sizes();
}

int64_t Tensor::dim() const { return shape().rank(); }

int64_t Tensor::size(int64_t d) const {
  ir::Shape s = shape();
  int64_t r = s.rank();
  if (d < -r || d >= r) detail::fail("size(" + std::to_string(d) + ") is out of range for " + type_str());
  const ir::Dim& dim = s.dim(static_cast<int>(d < 0 ? d + r : d));
  if (!dim.is_static()) detail::fail("size(" + std::to_string(d) + ") of " + type_str() + " is symbolic");
  return dim.size();
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (int64_t s : sizes()) n *= s;
  return n;
}

std::string Tensor::type_str() const {
  if (!defined()) return "undefined";
  return std::string(ir::dtype_name(dtype())) + shape().str();
}

const ir::HostTensor& Tensor::data() const {
  const TensorImpl& i = checked(impl_, "data()");
  if (i.value) detail::fail("data() of a symbolic tensor " + type_str() + " (values exist only when the compiled graph runs)");
  return *i.data;
}

ir::HostTensor& Tensor::mutable_data() { return const_cast<ir::HostTensor&>(data()); }

ir::Value* Tensor::value() const {
  const TensorImpl& i = checked(impl_, "value()");
  if (!i.value) detail::fail("value() of a concrete tensor");
  return i.value;
}

template <typename T>
T Tensor::item() const {
  const ir::HostTensor& d = data();
  if (d.num_elements() != 1) detail::fail("item() of a tensor with " + std::to_string(d.num_elements()) + " elements");
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(d.GetDouble(0));
  else return static_cast<T>(ir::is_floating(d.dtype()) ? d.GetDouble(0) : d.GetInt(0));
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  const ir::HostTensor& d = data();
  std::vector<T> out(static_cast<size_t>(d.num_elements()));
  for (int64_t i = 0; i < d.num_elements(); ++i) {
    if constexpr (std::is_floating_point_v<T>) out[static_cast<size_t>(i)] = static_cast<T>(d.GetDouble(i));
    else out[static_cast<size_t>(i)] = static_cast<T>(ir::is_floating(d.dtype()) ? d.GetDouble(i) : d.GetInt(i));
  }
  return out;
}

template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template int32_t Tensor::item<int32_t>() const;
template bool Tensor::item<bool>() const;
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
template std::vector<bool> Tensor::to_vector<bool>() const;

bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  checked(impl_, "set_requires_grad()");
  if (requires_grad && !ir::is_floating(dtype())) {
    detail::fail(std::string("only floating point tensors can require gradients, got ") + type_str());
  }
  impl_->requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const { return impl_ ? impl_->grad : Tensor(); }

void Tensor::set_grad(Tensor grad) {
  checked(impl_, "set_grad()");
  impl_->grad = std::move(grad);
}

Tensor Tensor::clone() const {
  if (is_symbolic()) return *this;  // values are immutable in the graph
  Tensor t(data().Clone());
  t.impl_->requires_grad = impl_->requires_grad;
  return t;
}

Tensor Tensor::detach() const {
  checked(impl_, "detach()");
  Tensor t;
  t.impl_ = std::make_shared<TensorImpl>();
  t.impl_->data = impl_->data;  // shares storage, as torch's detach
  t.impl_->value = impl_->value;
  t.impl_->trace_id = impl_->trace_id;
  return t;
}

Tensor Tensor::to(DType dtype) const {
  if (this->dtype() == dtype) return *this;
  return detail::apply1(ir::OpKind::Cast, {*this}, ir::Attrs{{"dtype", dtype}});
}

Tensor& Tensor::copy_(const Tensor& src) {
  ir::HostTensor& dst = mutable_data();
  const ir::HostTensor& s = src.data();
  if (dst.sizes() != s.sizes()) detail::fail("copy_: shape " + src.type_str() + " does not match " + type_str());
  if (dst.dtype() == s.dtype()) {
    std::memcpy(dst.raw_data(), s.raw_data(), s.nbytes());
  } else {
    ir::HostTensor converted = src.to(dst.dtype()).data();
    std::memcpy(dst.raw_data(), converted.raw_data(), converted.nbytes());
  }
  return *this;
}

Tensor& Tensor::fill_(double value) {
  ir::HostTensor& d = mutable_data();
  for (int64_t i = 0; i < d.num_elements(); ++i) d.SetDouble(i, value);
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0.0); }

void Tensor::set_data(ir::HostTensor data) {
  checked(impl_, "set_data()");
  if (impl_->value) detail::fail("set_data() of a symbolic tensor");
  *impl_->data = std::move(data);
}

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  std::ostringstream os;
  if (is_symbolic()) {
    os << "tensor(symbolic, " << type_str() << ")";
    return os.str();
  }
  const ir::HostTensor& d = data();
  os << "tensor(";
  if (d.num_elements() <= 64) {
    os << "[";
    for (int64_t i = 0; i < d.num_elements(); ++i) {
      if (i) os << ", ";
      if (ir::is_floating(d.dtype())) os << d.GetDouble(i);
      else if (d.dtype() == DType::kBool) os << (d.GetInt(i) ? "True" : "False");
      else os << d.GetInt(i);
    }
    os << "], ";
  }
  os << type_str();
  if (requires_grad()) os << ", requires_grad=True";
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace kiln
