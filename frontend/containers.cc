// The torch.nn containers (see containers.h); printing follows PyTorch 1.13.
#include "frontend/containers.h"

#include <algorithm>

#include "frontend/dispatch.h"

namespace kiln::nn {

namespace containers_detail {

size_t normalize_index(int64_t index, size_t size, const std::string& what) {
  int64_t n = static_cast<int64_t>(size);
  if (index < -n || index >= n) {
    throw Error(what + ": index " + std::to_string(index) + " is out of range (size " + std::to_string(size) + ")");
  }
  return static_cast<size_t>(index < 0 ? index + n : index);
}

}  // namespace containers_detail

namespace {

// "Module [ModuleList] is missing the required "forward" function", as torch says when a
// container without forward is called.
[[noreturn]] void not_callable(const std::string& type) {
  kiln::detail::fail("Module [" + type + "] is missing the required \"forward\" function (" + type +
                     " is not callable: iterate over it and call its modules)");
}

// "2x3" (torch joins sizes with 'x'; a 0-d tensor gives "").
std::string size_str(const Tensor& t) {
  std::string s;
  std::vector<int64_t> sizes = t.sizes();
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? "x" : "") + std::to_string(sizes[i]);
  return s;
}

// torch's dtype spelling ("torch.float32"), as ParameterList prints it.
std::string torch_dtype(DType d) {
  switch (d) {
    case DType::kF32: return "torch.float32";
    case DType::kF64: return "torch.float64";
    case DType::kF16: return "torch.float16";
    case DType::kBF16: return "torch.bfloat16";
    case DType::kI64: return "torch.int64";
    case DType::kI32: return "torch.int32";
    case DType::kBool: return "torch.bool";
  }
  return "torch.unknown";
}

// torch.typename of a CPU tensor ("torch.FloatTensor"), as ParameterDict prints it.
std::string torch_typename(DType d) {
  switch (d) {
    case DType::kF32: return "torch.FloatTensor";
    case DType::kF64: return "torch.DoubleTensor";
    case DType::kF16: return "torch.HalfTensor";
    case DType::kBF16: return "torch.BFloat16Tensor";
    case DType::kI64: return "torch.LongTensor";
    case DType::kI32: return "torch.IntTensor";
    case DType::kBool: return "torch.BoolTensor";
  }
  return "torch.Tensor";
}

std::string parameter_line(const std::string& key, const Tensor& p, const std::string& type) {
  return "  (" + key + "): Parameter containing: [" + type + " of size " + size_str(p) + "]";
}

}  // namespace

// ---- Sequential ----

SequentialImpl::SequentialImpl(const NamedModules& modules) : Module("Sequential") {
  for (const auto& [name, m] : modules) push_back(name, m);
}

void SequentialImpl::push_back(ModulePtr module) { push_back(std::to_string(size()), std::move(module)); }

void SequentialImpl::push_back(const std::string& name, ModulePtr module) {
  if (!module) throw Error("Sequential: cannot add a null module as '" + name + "'");
  add_module(name, std::move(module));
}

ModulePtr SequentialImpl::operator[](int64_t index) const {
  return registered_children()[containers_detail::normalize_index(index, size(), "Sequential")].second;
}

Tensor SequentialImpl::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& [name, child] : registered_children()) {
    std::vector<Tensor> out = child->call({x});
    if (out.size() != 1) {
      kiln::detail::fail("child (" + name + ") " + child->name() + " returned " + std::to_string(out.size()) +
                         " outputs; Sequential.forward passes one tensor from module to module");
    }
    x = out[0];
  }
  return x;
}

std::vector<Tensor> SequentialImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> x = inputs;
  for (const auto& [name, child] : registered_children()) x = child->call(x);
  return x;
}

// ---- ModuleList ----

ModuleListImpl::ModuleListImpl(const std::vector<ModulePtr>& modules) : Module("ModuleList") { extend(modules); }

void ModuleListImpl::push_back(ModulePtr module) {
  if (!module) throw Error("ModuleList: cannot append a null module");
  add_module(std::to_string(size()), std::move(module));
}

void ModuleListImpl::extend(const std::vector<ModulePtr>& modules) {
  for (const ModulePtr& m : modules) push_back(m);
}

void ModuleListImpl::insert(int64_t index, ModulePtr module) {
  if (!module) throw Error("ModuleList: cannot insert a null module");
  int64_t n = static_cast<int64_t>(size());
  if (index < -n || index > n) {
    throw Error("ModuleList.insert: index " + std::to_string(index) + " is out of range (size " +
                std::to_string(n) + ")");
  }
  size_t at = static_cast<size_t>(index < 0 ? index + n : index);
  std::vector<ModulePtr> modules;
  for (const auto& [name, m] : registered_children()) modules.push_back(m);
  modules.insert(modules.begin() + static_cast<std::ptrdiff_t>(at), std::move(module));
  NamedModules renumbered;
  for (size_t i = 0; i < modules.size(); ++i) renumbered.emplace_back(std::to_string(i), modules[i]);
  reset_children(std::move(renumbered));
}

ModulePtr ModuleListImpl::operator[](int64_t index) const {
  return registered_children()[containers_detail::normalize_index(index, size(), "ModuleList")].second;
}

std::vector<Tensor> ModuleListImpl::forward_tensors(const std::vector<Tensor>&) { not_callable("ModuleList"); }

// ---- ModuleDict ----

ModuleDictImpl::ModuleDictImpl(const NamedModules& modules) : Module("ModuleDict") { update(modules); }

void ModuleDictImpl::insert(const std::string& key, ModulePtr module) {
  if (!module) throw Error("ModuleDict: cannot set '" + key + "' to a null module");
  add_module(key, std::move(module));
}

ModulePtr ModuleDictImpl::operator[](const std::string& key) const {
  ModulePtr m = find_child(key);
  if (!m) throw Error("ModuleDict has no key '" + key + "'");
  return m;
}

std::vector<std::string> ModuleDictImpl::keys() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : registered_children()) out.push_back(name);
  return out;
}

std::vector<ModulePtr> ModuleDictImpl::values() const {
  std::vector<ModulePtr> out;
  for (const auto& [name, m] : registered_children()) out.push_back(m);
  return out;
}

ModulePtr ModuleDictImpl::pop(const std::string& key) {
  ModulePtr m = (*this)[key];
  remove_module(key);
  return m;
}

void ModuleDictImpl::update(const NamedModules& modules) {
  for (const auto& [key, m] : modules) insert(key, m);
}

void ModuleDictImpl::clear() { reset_children({}); }

std::vector<Tensor> ModuleDictImpl::forward_tensors(const std::vector<Tensor>&) { not_callable("ModuleDict"); }

// ---- ParameterList ----

ParameterListImpl::ParameterListImpl(const std::vector<Tensor>& parameters) : Module("ParameterList") {
  extend(parameters);
}

void ParameterListImpl::append(const Tensor& parameter) {
  if (!parameter.defined()) throw Error("ParameterList.append: the tensor is undefined");
  register_parameter(std::to_string(size_), parameter);
  ++size_;
}

void ParameterListImpl::extend(const std::vector<Tensor>& parameters) {
  for (const Tensor& p : parameters) append(p);
}

Tensor ParameterListImpl::operator[](int64_t index) const {
  size_t i = containers_detail::normalize_index(index, size_, "ParameterList");
  return *const_cast<ParameterListImpl*>(this)->find_parameter(std::to_string(i));
}

std::string ParameterListImpl::extra_repr() const {
  std::string s;
  for (size_t i = 0; i < size_; ++i) {
    Tensor p = (*this)[static_cast<int64_t>(i)];
    s += (i ? "\n" : "") + parameter_line(std::to_string(i), p, torch_dtype(p.dtype()));
  }
  return s;
}

std::vector<Tensor> ParameterListImpl::forward_tensors(const std::vector<Tensor>&) {
  kiln::detail::fail("ParameterList should not be called.");
}

// ---- ParameterDict ----

ParameterDictImpl::ParameterDictImpl(const NamedParameters& parameters) : Module("ParameterDict") {
  update(parameters);
}

void ParameterDictImpl::insert(const std::string& key, const Tensor& parameter) {
  if (!parameter.defined()) throw Error("ParameterDict: the tensor for '" + key + "' is undefined");
  register_parameter(key, parameter);
  if (std::find(keys_.begin(), keys_.end(), key) == keys_.end()) keys_.push_back(key);
}

Tensor ParameterDictImpl::operator[](const std::string& key) const {
  if (!contains(key)) throw Error("ParameterDict has no key '" + key + "'");
  return *const_cast<ParameterDictImpl*>(this)->find_parameter(key);
}

bool ParameterDictImpl::contains(const std::string& key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

std::vector<std::string> ParameterDictImpl::keys() const { return keys_; }

std::vector<Tensor> ParameterDictImpl::values() const {
  std::vector<Tensor> out;
  for (const std::string& k : keys_) out.push_back((*this)[k]);
  return out;
}

NamedParameters ParameterDictImpl::items() const {
  NamedParameters out;
  for (const std::string& k : keys_) out.emplace_back(k, (*this)[k]);
  return out;
}

Tensor ParameterDictImpl::pop(const std::string& key) {
  Tensor p = (*this)[key];
  remove_parameter(key);
  keys_.erase(std::find(keys_.begin(), keys_.end(), key));
  return p;
}

void ParameterDictImpl::update(const NamedParameters& parameters) {
  for (const auto& [key, p] : parameters) insert(key, p);
}

void ParameterDictImpl::clear() {
  for (const std::string& k : keys_) remove_parameter(k);
  keys_.clear();
}

std::string ParameterDictImpl::extra_repr() const {
  std::string s;
  for (size_t i = 0; i < keys_.size(); ++i) {
    Tensor p = (*this)[keys_[i]];
    s += (i ? "\n" : "") + parameter_line(keys_[i], p, torch_typename(p.dtype()));
  }
  return s;
}

std::vector<Tensor> ParameterDictImpl::forward_tensors(const std::vector<Tensor>&) {
  kiln::detail::fail("ParameterDict should not be called.");
}

}  // namespace kiln::nn
