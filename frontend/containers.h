// The torch.nn containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.
//
// Each is a Module (so its children or parameters appear in named_parameters(), state_dict()
// and printing under torch's names: "0.weight", "encoder.fc.bias") with a KILN_MODULE holder:
//
//   nn::Sequential seq(nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1));
//   nn::Sequential named(nn::NamedModules{{"fc", fc.ptr()}, {"act", act.ptr()}});
//   nn::ModuleList blocks;  blocks->append(nn::Linear(4, 4));
//
// Module arguments may be ModuleHolders (nn::Linear) or shared_ptrs to any Module subclass.
// Indices may be negative (counted from the end, as Python); an index out of range or a
// missing key throws kiln::Error. Printing follows PyTorch 1.13 (ParameterList shows
// "Parameter containing: [torch.float32 of size 2x3]", ParameterDict torch.typename's
// "[torch.FloatTensor of size 2x3]").
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "frontend/module.h"

namespace kiln::nn {

/// Ordered (name, module) pairs, like the OrderedDict given to torch's Sequential/ModuleDict.
using NamedModules = std::vector<std::pair<std::string, ModulePtr>>;
/// Ordered (name, tensor) pairs for ParameterDict.
using NamedParameters = std::vector<std::pair<std::string, Tensor>>;

namespace containers_detail {
/// True for a ModuleHolder (has .ptr()) or a shared_ptr to a Module subclass.
template <typename T, typename = void>
struct IsHolder : std::false_type {};
template <typename T>
struct IsHolder<T, std::void_t<decltype(std::declval<const T&>().ptr())>> : std::true_type {};
template <typename T>
constexpr bool kIsModuleLike = IsHolder<std::decay_t<T>>::value ||
                               std::is_convertible_v<std::decay_t<T>, ModulePtr>;

/// Enables the variadic container constructors for one or more module-like arguments.
template <typename... Ms>
using IfModules = std::enable_if_t<(sizeof...(Ms) > 0) && (kIsModuleLike<Ms> && ...)>;

/// The shared module behind a holder or a shared_ptr.
template <typename T>
ModulePtr as_module_ptr(const T& m) {
  if constexpr (IsHolder<T>::value) return m.ptr();
  else return ModulePtr(m);
}

/// Iterates the child modules of a container (as ModulePtr).
class ChildIterator {
 public:
  using Base = std::vector<std::pair<std::string, ModulePtr>>::const_iterator;
  explicit ChildIterator(Base it) : it_(it) {}
  const ModulePtr& operator*() const { return it_->second; }
  const ModulePtr* operator->() const { return &it_->second; }
  ChildIterator& operator++() { ++it_; return *this; }
  bool operator==(const ChildIterator& o) const { return it_ == o.it_; }
  bool operator!=(const ChildIterator& o) const { return it_ != o.it_; }

 private:
  Base it_;
};

/// Python's index rule: -size <= index < size, negative counts from the end.
size_t normalize_index(int64_t index, size_t size, const std::string& what);
}  // namespace containers_detail

using ChildIterator = containers_detail::ChildIterator;

/// torch.nn.Sequential: calls its children in order, passing each output to the next.
class SequentialImpl : public Module {
 public:
  SequentialImpl() : Module("Sequential") {}
  /// Children named "0", "1", ... in argument order.
  template <typename... Ms, typename = containers_detail::IfModules<Ms...>>
  explicit SequentialImpl(Ms&&... modules) : Module("Sequential") {
    (push_back(containers_detail::as_module_ptr(modules)), ...);
  }
  /// Children with the given names, in order (torch's Sequential(OrderedDict)).
  explicit SequentialImpl(const NamedModules& modules);

  /// Appends a child named by the current size ("3"), as torch's append.
  void push_back(ModulePtr module);
  void push_back(const std::string& name, ModulePtr module);
  template <typename H, typename = std::enable_if_t<containers_detail::IsHolder<H>::value>>
  void push_back(const H& holder) { push_back(ModulePtr(holder.ptr())); }
  template <typename H, typename = std::enable_if_t<containers_detail::IsHolder<H>::value>>
  void push_back(const std::string& name, const H& holder) { push_back(name, ModulePtr(holder.ptr())); }
  void append(ModulePtr module) { push_back(std::move(module)); }

  /// The child at `index` (negative from the end); throws when out of range.
  ModulePtr operator[](int64_t index) const;
  /// The child at `index` as its concrete type; throws if it is not a T.
  template <typename T>
  std::shared_ptr<T> at(int64_t index) const {
    auto p = std::dynamic_pointer_cast<T>((*this)[index]);
    if (!p) throw Error("Sequential: child " + std::to_string(index) + " is not of the requested type");
    return p;
  }
  size_t size() const { return registered_children().size(); }
  bool is_empty() const { return size() == 0; }
  ChildIterator begin() const { return ChildIterator(registered_children().begin()); }
  ChildIterator end() const { return ChildIterator(registered_children().end()); }

  /// Chains one tensor through the children; a child returning several outputs is an error.
  Tensor forward(const Tensor& input) override;
  /// Chains the output vector of each child into the next (what call() runs).
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
};
KILN_MODULE(Sequential);

/// torch.nn.ModuleList: holds children named "0", "1", ...; not callable.
class ModuleListImpl : public Module {
 public:
  ModuleListImpl() : Module("ModuleList") {}
  template <typename... Ms, typename = containers_detail::IfModules<Ms...>>
  explicit ModuleListImpl(Ms&&... modules) : Module("ModuleList") {
    (push_back(containers_detail::as_module_ptr(modules)), ...);
  }
  explicit ModuleListImpl(const std::vector<ModulePtr>& modules);

  void push_back(ModulePtr module);
  template <typename H, typename = std::enable_if_t<containers_detail::IsHolder<H>::value>>
  void push_back(const H& holder) { push_back(ModulePtr(holder.ptr())); }
  void append(ModulePtr module) { push_back(std::move(module)); }
  template <typename H, typename = std::enable_if_t<containers_detail::IsHolder<H>::value>>
  void append(const H& holder) { push_back(ModulePtr(holder.ptr())); }
  void extend(const std::vector<ModulePtr>& modules);
  /// Inserts before `index` (0..size; negative from the end) and renumbers the children.
  void insert(int64_t index, ModulePtr module);

  ModulePtr operator[](int64_t index) const;
  template <typename T>
  std::shared_ptr<T> at(int64_t index) const {
    auto p = std::dynamic_pointer_cast<T>((*this)[index]);
    if (!p) throw Error("ModuleList: child " + std::to_string(index) + " is not of the requested type");
    return p;
  }
  size_t size() const { return registered_children().size(); }
  bool is_empty() const { return size() == 0; }
  ChildIterator begin() const { return ChildIterator(registered_children().begin()); }
  ChildIterator end() const { return ChildIterator(registered_children().end()); }

  /// Throws: a ModuleList has no forward (iterate over it instead).
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
};
KILN_MODULE(ModuleList);

/// torch.nn.ModuleDict: children by key, in insertion order; not callable.
class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() : Module("ModuleDict") {}
  explicit ModuleDictImpl(const NamedModules& modules);

  /// Sets `key` (an existing key keeps its position), as `d[key] = module`.
  void insert(const std::string& key, ModulePtr module);
  template <typename H, typename = std::enable_if_t<containers_detail::IsHolder<H>::value>>
  void insert(const std::string& key, const H& holder) { insert(key, ModulePtr(holder.ptr())); }
  /// The module at `key`; throws when missing.
  ModulePtr operator[](const std::string& key) const;
  bool contains(const std::string& key) const { return find_child(key) != nullptr; }
  std::vector<std::string> keys() const;
  std::vector<ModulePtr> values() const;
  NamedModules items() const { return registered_children(); }
  /// Removes `key` and returns its module; throws when missing.
  ModulePtr pop(const std::string& key);
  void update(const NamedModules& modules);
  void clear();
  size_t size() const { return registered_children().size(); }
  bool is_empty() const { return size() == 0; }
  ChildIterator begin() const { return ChildIterator(registered_children().begin()); }
  ChildIterator end() const { return ChildIterator(registered_children().end()); }

  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
};
KILN_MODULE(ModuleDict);

/// torch.nn.ParameterList: parameters named "0", "1", ... (each made to require grad, as
/// wrapping a tensor in nn.Parameter does).
class ParameterListImpl : public Module {
 public:
  ParameterListImpl() : Module("ParameterList") {}
  explicit ParameterListImpl(const std::vector<Tensor>& parameters);

  void append(const Tensor& parameter);
  void push_back(const Tensor& parameter) { append(parameter); }
  void extend(const std::vector<Tensor>& parameters);
  /// The parameter at `index` (negative from the end); throws when out of range.
  Tensor operator[](int64_t index) const;
  size_t size() const { return size_; }
  bool is_empty() const { return size_ == 0; }

  /// "  (0): Parameter containing: [torch.float32 of size 2x3]" per parameter (torch 1.13).
  std::string extra_repr() const override;
  /// Throws "ParameterList should not be called." as torch.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;

 private:
  size_t size_ = 0;
};
KILN_MODULE(ParameterList);

/// torch.nn.ParameterDict: parameters by key, in insertion order.
class ParameterDictImpl : public Module {
 public:
  ParameterDictImpl() : Module("ParameterDict") {}
  explicit ParameterDictImpl(const NamedParameters& parameters);

  /// Sets `key` (an existing key keeps its position), as `d[key] = parameter`.
  void insert(const std::string& key, const Tensor& parameter);
  /// The parameter at `key`; throws when missing.
  Tensor operator[](const std::string& key) const;
  bool contains(const std::string& key) const;
  std::vector<std::string> keys() const;
  std::vector<Tensor> values() const;
  NamedParameters items() const;
  /// Removes `key` and returns its parameter; throws when missing.
  Tensor pop(const std::string& key);
  void update(const NamedParameters& parameters);
  void clear();
  size_t size() const { return keys_.size(); }
  bool is_empty() const { return keys_.empty(); }

  /// "  (key): Parameter containing: [torch.FloatTensor of size 2x3]" per entry (torch 1.13).
  std::string extra_repr() const override;
  /// Throws "ParameterDict should not be called." as torch.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;

 private:
  std::vector<std::string> keys_;
};
KILN_MODULE(ParameterDict);

}  // namespace kiln::nn
