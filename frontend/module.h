// kiln::nn::Module: the base of every layer and model, with torch.nn.Module's API.
//
// Modules register parameters, buffers and children in order, so named_parameters(),
// state_dict() keys and load_state_dict() use exactly PyTorch's names ("layer1.0.conv1.weight",
// "bn1.running_mean", "bn1.num_batches_tracked"). Modules have reference semantics: they live
// in std::shared_ptr, and the ModuleHolder wrappers (nn::Linear for nn::LinearImpl, as in
// torch's C++ API) are cheap handles to one shared module.
//
// Calling a module (operator() / call()) runs its forward pre-hooks, forward, and forward
// hooks, and tracks the module path for error messages and traced node locations. It works
// on concrete tensors (eager, reference kernels) and on symbolic ones (tracing).
//
// Names that clash with C++ keywords: torch's Module.float() and .double() are float_() and
// double_() here.
#pragma once

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "frontend/tensor.h"

namespace kiln::nn {

class Module;
using ModulePtr = std::shared_ptr<Module>;
/// Ordered (name, tensor) pairs: what named_parameters() and state_dict() return.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

/// The compilation target a module is marked for (cpu() / cuda()).
enum class Device { kCPU, kCUDA };

/// A handle that removes the hook it was returned for (torch's RemovableHandle).
class HookHandle {
 public:
  HookHandle() = default;
  /// Removes the hook; calling it again, or after the module is gone, does nothing.
  void remove();
  /// True until remove() (and while the module lives).
  bool active() const;

 private:
  friend class Module;
  HookHandle(std::weak_ptr<std::map<int, std::function<void()>>> registry, int id);
  std::weak_ptr<std::map<int, std::function<void()>>> registry_;
  int id_ = -1;
};

/// Runs before forward with the inputs; may return replacement inputs.
using ForwardPreHook = std::function<std::optional<std::vector<Tensor>>(Module&, const std::vector<Tensor>&)>;
/// Runs after forward with the inputs and outputs; may return replacement outputs.
using ForwardHook =
    std::function<std::optional<std::vector<Tensor>>(Module&, const std::vector<Tensor>&, const std::vector<Tensor>&)>;
/// Receives (module, grad_input, grad_output) once training lands (issue "training");
/// registration and removal work now.
using BackwardHook =
    std::function<std::optional<std::vector<Tensor>>(Module&, const std::vector<Tensor>&, const std::vector<Tensor>&)>;

class Module : public std::enable_shared_from_this<Module> {
 public:
  /// `type_name` is what printing shows ("Linear"); defaults to "Module".
  explicit Module(std::string type_name = "Module");
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The module's type name, e.g. "Conv2d".
  const std::string& name() const { return type_name_; }

  // ---- forward ----
  /// The single-input forward. The default throws "X has no single-input forward".
  virtual Tensor forward(const Tensor& input);
  /// The general forward over all tensor inputs and outputs. The default calls
  /// forward(inputs[0]) when there is exactly one input. Multi-input/output modules override it.
  virtual std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs);
  /// Runs pre-hooks, forward_tensors, forward hooks, inside this module's path scope.
  std::vector<Tensor> call(const std::vector<Tensor>& inputs);
  /// call({input}) for a single-output module (throws if it returns several).
  Tensor operator()(const Tensor& input);

  // ---- registration (returns the registered handle) ----
  /// Registers a parameter; an undefined Tensor registers "None" (like bias=False), which is
  /// skipped by parameters() and state_dict(). Sets requires_grad.
  Tensor& register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  /// Registers a buffer; non-persistent buffers are left out of state_dict().
  Tensor& register_buffer(const std::string& name, Tensor tensor, bool persistent = true);
  /// Registers a child module (an existing name is replaced in place, keeping its position).
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_module(name, module);
    return module;
  }
  /// Overload for ModuleHolder handles (nn::Linear etc.): returns the handle.
  template <typename Holder, typename = decltype(std::declval<Holder>().ptr())>
  Holder register_module(const std::string& name, Holder holder) {
    add_module(name, holder.ptr());
    return holder;
  }
  void add_module(const std::string& name, ModulePtr module);
  /// Removes a parameter / buffer / child by its own name, as Python's `del module.name`
  /// (used by weight_norm-style rewrites and the containers). False if there is none.
  bool remove_parameter(const std::string& name);
  bool remove_buffer(const std::string& name);
  bool remove_module(const std::string& name);
  /// Looks up a parameter / buffer / child by its own (unqualified) name; nullptr if absent.
  /// (A parameter registered as None is found, as an undefined tensor.) The pointers stay valid
  /// until that entry is removed.
  Tensor* find_parameter(const std::string& name);
  Tensor* find_buffer(const std::string& name);
  ModulePtr find_child(const std::string& name) const;

  // ---- iteration (registration order, as torch) ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_parameters(const std::string& prefix = "", bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedTensors named_buffers(const std::string& prefix = "", bool recurse = true) const;
  std::vector<ModulePtr> children() const;
  std::vector<std::pair<std::string, ModulePtr>> named_children() const;
  /// This module and all descendants, each once (a module shared twice appears once).
  std::vector<ModulePtr> modules();
  std::vector<std::pair<std::string, ModulePtr>> named_modules(const std::string& prefix = "");

  /// Calls fn on every descendant (children first), then on this module; returns *this.
  Module& apply(const std::function<void(Module&)>& fn);

  // ---- mode, dtype, device ----
  Module& train(bool mode = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }
  /// Converts floating parameters (and their grads) and buffers to `dtype` in place (every
  /// handle sees the new data; requires_grad is kept); integer ones stay, as Module.to(dtype).
  /// A non-floating `dtype` throws, as torch.
  Module& to(DType dtype);
  Module& to(Device device);
  /// Takes the dtype of `other` as Module.to(tensor); a non-floating one throws, as torch.
  Module& to(const Tensor& other);
  Module& float_() { return to(DType::kF32); }
  Module& double_() { return to(DType::kF64); }
  Module& half() { return to(DType::kF16); }
  /// Converts every parameter and buffer (integer ones too) to `dtype`, as Module.type(dst_type).
  Module& type(DType dtype);
  Module& cpu() { return to(Device::kCPU); }
  /// Marks the module (and children) for compilation to CUDA.
  Module& cuda() { return to(Device::kCUDA); }
  Device device() const { return device_; }
  /// Resets gradients of all parameters (to undefined when set_to_none, else to zeros).
  void zero_grad(bool set_to_none = true);

  // ---- state dict ----
  /// Parameters and persistent buffers, prefixed names, in registration order. With
  /// keep_vars=false the tensors are detached handles (sharing data). As torch, `prefix` is
  /// prepended verbatim ("model." gives "model.fc.weight"), and a parameter or module shared
  /// under two names appears under both.
  NamedTensors state_dict(const std::string& prefix = "", bool keep_vars = false) const;
  /// Copies values into parameters/buffers by name. strict: every missing key, unexpected key
  /// and shape mismatch is reported in one kiln::Error, worded as torch's RuntimeError
  /// ("Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: \"a\". ...";
  /// shapes print as [2,3]). Non-strict: shape mismatches still throw (as torch); missing and
  /// unexpected keys are only returned. Values are copied (dtype converted) into the existing
  /// tensors, so handles stay valid; matching entries are copied even when it throws, as torch.
  /// Returns (missing, unexpected) keys.
  std::pair<std::vector<std::string>, std::vector<std::string>> load_state_dict(const NamedTensors& state,
                                                                                bool strict = true);

  // ---- printing ----
  /// The part inside the parentheses, e.g. "in_features=2, out_features=2, bias=True".
  virtual std::string extra_repr() const { return ""; }
  /// PyTorch's repr of the module tree.
  std::string repr() const;

  // ---- hooks ----
  HookHandle register_forward_pre_hook(ForwardPreHook hook);
  HookHandle register_forward_hook(ForwardHook hook);
  HookHandle register_backward_hook(BackwardHook hook);
  size_t num_backward_hooks() const;

 protected:
  bool training_ = true;

  /// For containers: the children in registration order, with every entry (a module
  /// registered under two names appears twice), as torch's `_modules`.
  const std::vector<std::pair<std::string, ModulePtr>>& registered_children() const { return children_; }
  /// For containers: replaces all children at once (ModuleList.insert renumbers them).
  void reset_children(std::vector<std::pair<std::string, ModulePtr>> children);

 private:
  struct Slot {
    std::string name;
    Tensor tensor;
    bool persistent = true;
  };
  void check_new_name(const std::string& kind, const std::string& name, const void* own_table) const;
  void load_recursive(const std::string& prefix, const std::vector<const std::pair<std::string, Tensor>*>& state,
                      std::vector<std::string>& missing, std::vector<std::string>& unexpected,
                      std::vector<std::string>& errors);
  void convert(const std::function<bool(const Tensor&)>& select, DType dtype);
  void state_dict_into(const std::string& prefix, bool keep_vars, NamedTensors& out) const;
  HookHandle add_hook_remover(int id, std::function<void()> remover);
  static void collect_modules(const Module* m, const std::string& prefix, std::unordered_set<const Module*>& memo,
                              std::vector<std::pair<std::string, const Module*>>& out);
  // named_parameters / named_buffers: the defined tensors of `slots` (parameters_ or buffers_)
  // of this module, and of every module under it when `recurse`, each once, by module path.
  NamedTensors named_slots(const std::string& prefix, bool recurse, std::list<Slot> Module::*slots) const;

  std::string type_name_;
  // std::list: handles returned by register_*/find_* stay valid as more entries are added.
  std::list<Slot> parameters_;
  std::list<Slot> buffers_;
  std::vector<std::pair<std::string, ModulePtr>> children_;
  Device device_ = Device::kCPU;
  int next_hook_id_ = 0;
  std::map<int, ForwardPreHook> pre_hooks_;
  std::map<int, ForwardHook> forward_hooks_;
  std::map<int, BackwardHook> backward_hooks_;
  // id -> remover, shared with HookHandles through weak_ptr.
  std::shared_ptr<std::map<int, std::function<void()>>> hook_removers_;
};

std::ostream& operator<<(std::ostream& os, const Module& m);

/// A value handle to a shared module of type Impl, as torch's ModuleHolder:
/// `nn::Linear fc(784, 10); fc->weight; fc(x);`.
template <typename Impl>
class ModuleHolder {
  template <typename... Args>
  struct IsSelf : std::false_type {};
  // A holder of the same type, or a shared_ptr to an Impl, is wrapped, not passed to Impl's
  // constructor (`nn::Sequential s(ptr)` holds `ptr`, as in torch's C++ API).
  template <typename A>
  struct IsSelf<A>
      : std::bool_constant<std::is_base_of_v<ModuleHolder, std::decay_t<A>> ||
                           std::is_convertible_v<std::decay_t<A>, std::shared_ptr<Impl>>> {};

 public:
  using ContainedType = Impl;
  /// Constructs a new Impl from the arguments (not when copying/moving another holder).
  template <typename... Args, typename = std::enable_if_t<!IsSelf<Args...>::value>>
  explicit ModuleHolder(Args&&... args) : impl_(std::make_shared<Impl>(std::forward<Args>(args)...)) {}
  ModuleHolder(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}  // NOLINT
  Impl* operator->() const { return impl_.get(); }
  Impl& operator*() const { return *impl_; }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  Tensor operator()(const Tensor& input) const { return (*impl_)(input); }
  std::vector<Tensor> call(const std::vector<Tensor>& inputs) const { return impl_->call(inputs); }

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kiln::nn

/// Declares `Name` as the ModuleHolder of `NameImpl`, as TORCH_MODULE does.
#define KILN_MODULE(Name)                                  \
  class Name : public ::kiln::nn::ModuleHolder<Name##Impl> { \
   public:                                                 \
    using ::kiln::nn::ModuleHolder<Name##Impl>::ModuleHolder; \
  }
