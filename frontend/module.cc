// nn::Module: registration, iteration, mode/dtype/device, hooks, state_dict and printing,
// following torch.nn.Module (PyTorch 1.13) member by member.
#include "frontend/module.h"

#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "frontend/dispatch.h"
#include "frontend/tensor_impl.h"

namespace kiln::nn {

// ---- HookHandle ----

HookHandle::HookHandle(std::weak_ptr<std::map<int, std::function<void()>>> registry, int id)
    : registry_(std::move(registry)), id_(id) {}

void HookHandle::remove() {
  auto registry = registry_.lock();
  if (!registry) return;
  auto it = registry->find(id_);
  if (it == registry->end()) return;
  std::function<void()> remover = std::move(it->second);
  registry->erase(it);
  remover();
}

bool HookHandle::active() const {
  auto registry = registry_.lock();
  return registry && registry->count(id_) > 0;
}

namespace {

std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Indents every line but the first by `spaces` (torch's _addindent).
std::string add_indent(const std::string& s, int spaces) {
  std::string out;
  std::string pad(static_cast<size_t>(spaces), ' ');
  for (char c : s) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream is(s);
  while (std::getline(is, line)) lines.push_back(line);
  if (!s.empty() && s.back() == '\n') lines.push_back("");
  return lines;
}

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string s;
  for (size_t i = 0; i < keys.size(); ++i) s += (i ? ", \"" : "\"") + keys[i] + "\"";
  return s;
}

}  // namespace

// ---- construction, forward, call ----

Module::Module(std::string type_name)
    : type_name_(std::move(type_name)), hook_removers_(std::make_shared<std::map<int, std::function<void()>>>()) {}

Module::~Module() = default;

Tensor Module::forward(const Tensor&) { detail::fail(type_name_ + " has no single-input forward"); }

std::vector<Tensor> Module::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.size() != 1) {
    detail::fail(type_name_ + " takes one input tensor, got " + std::to_string(inputs.size()) +
                 " (a module with several inputs overrides forward_tensors)");
  }
  return {forward(inputs[0])};
}

std::vector<Tensor> Module::call(const std::vector<Tensor>& inputs) {
  detail::ModuleScope scope(this);
  std::vector<Tensor> args = inputs;
  // Copies, so a hook may remove itself (or others) while running, as in torch.
  std::vector<ForwardPreHook> pre;
  for (const auto& [id, hook] : pre_hooks_) pre.push_back(hook);
  for (const ForwardPreHook& hook : pre) {
    if (auto replaced = hook(*this, args)) args = std::move(*replaced);
  }
  std::vector<Tensor> outputs = forward_tensors(args);
  std::vector<ForwardHook> post;
  for (const auto& [id, hook] : forward_hooks_) post.push_back(hook);
  for (const ForwardHook& hook : post) {
    if (auto replaced = hook(*this, args, outputs)) outputs = std::move(*replaced);
  }
  return outputs;
}

Tensor Module::operator()(const Tensor& input) {
  std::vector<Tensor> outputs = call({input});
  if (outputs.size() != 1) {
    std::string path = detail::current_module_path();
    throw Error((path.empty() ? "" : path + ": ") + type_name_ + " returned " + std::to_string(outputs.size()) +
                " outputs where one was expected (use call() for several)");
  }
  return outputs[0];
}

// ---- registration ----

void Module::check_new_name(const std::string& kind, const std::string& name, const void* own_table) const {
  if (name.empty()) throw Error(type_name_ + ": " + kind + " name can't be empty string \"\"");
  if (name.find('.') != std::string::npos) {
    throw Error(type_name_ + ": " + kind + " name can't contain \".\", got: " + name);
  }
  auto in_slots = [&](const std::list<Slot>& slots) {
    return std::any_of(slots.begin(), slots.end(), [&](const Slot& s) { return s.name == name; });
  };
  bool clash = (own_table != &parameters_ && in_slots(parameters_)) || (own_table != &buffers_ && in_slots(buffers_)) ||
               (own_table != &children_ && std::any_of(children_.begin(), children_.end(),
                                                        [&](const auto& c) { return c.first == name; }));
  if (clash) throw Error(type_name_ + ": attribute '" + name + "' already exists");
}

Tensor& Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name("parameter", name, &parameters_);
  if (tensor.defined()) {
    if (tensor.is_symbolic()) {
      throw Error(type_name_ + ": cannot register parameter '" + name + "': it is a traced (symbolic) tensor");
    }
    // nn.Parameter(t, requires_grad): only floating tensors can require gradients.
    tensor.set_requires_grad(requires_grad && ir::is_floating(tensor.dtype()));
  }
  for (Slot& s : parameters_) {
    if (s.name == name) {
      s.tensor = std::move(tensor);
      return s.tensor;
    }
  }
  parameters_.push_back({name, std::move(tensor), true});
  return parameters_.back().tensor;
}

Tensor& Module::register_buffer(const std::string& name, Tensor tensor, bool persistent) {
  check_new_name("buffer", name, &buffers_);
  if (tensor.is_symbolic()) {
    throw Error(type_name_ + ": cannot register buffer '" + name + "': it is a traced (symbolic) tensor");
  }
  for (Slot& s : buffers_) {
    if (s.name == name) {
      s.tensor = std::move(tensor);
      s.persistent = persistent;
      return s.tensor;
    }
  }
  buffers_.push_back({name, std::move(tensor), persistent});
  return buffers_.back().tensor;
}

void Module::add_module(const std::string& name, ModulePtr module) {
  check_new_name("module", name, &children_);
  if (module.get() == this) throw Error(type_name_ + ": cannot add a module as its own child '" + name + "'");
  for (auto& [child_name, child] : children_) {
    if (child_name == name) {
      child = std::move(module);
      return;
    }
  }
  children_.emplace_back(name, std::move(module));
}

bool Module::remove_parameter(const std::string& name) {
  auto it = std::find_if(parameters_.begin(), parameters_.end(), [&](const Slot& s) { return s.name == name; });
  if (it == parameters_.end()) return false;
  parameters_.erase(it);
  return true;
}

bool Module::remove_buffer(const std::string& name) {
  auto it = std::find_if(buffers_.begin(), buffers_.end(), [&](const Slot& s) { return s.name == name; });
  if (it == buffers_.end()) return false;
  buffers_.erase(it);
  return true;
}

bool Module::remove_module(const std::string& name) {
  auto it = std::find_if(children_.begin(), children_.end(), [&](const auto& c) { return c.first == name; });
  if (it == children_.end()) return false;
  children_.erase(it);
  return true;
}

void Module::reset_children(std::vector<std::pair<std::string, ModulePtr>> children) {
  children_.clear();
  for (auto& [name, child] : children) add_module(name, std::move(child));
}

Tensor* Module::find_parameter(const std::string& name) {
  for (Slot& s : parameters_) {
    if (s.name == name) return &s.tensor;
  }
  return nullptr;
}

Tensor* Module::find_buffer(const std::string& name) {
  for (Slot& s : buffers_) {
    if (s.name == name) return &s.tensor;
  }
  return nullptr;
}

ModulePtr Module::find_child(const std::string& name) const {
  for (const auto& [child_name, child] : children_) {
    if (child_name == name) return child;
  }
  return nullptr;
}

// ---- iteration ----

// Every module under `m` once, pre-order (torch's named_modules with its memo set).
void Module::collect_modules(const Module* m, const std::string& prefix, std::unordered_set<const Module*>& memo,
                             std::vector<std::pair<std::string, const Module*>>& out) {
  if (!memo.insert(m).second) return;
  out.emplace_back(prefix, m);
  for (const auto& [name, child] : m->children_) {
    if (child) collect_modules(child.get(), join_name(prefix, name), memo, out);
  }
}

NamedTensors Module::named_slots(const std::string& prefix, bool recurse, std::list<Slot> Module::*slots) const {
  std::vector<std::pair<std::string, const Module*>> modules;
  std::unordered_set<const Module*> module_memo;
  if (recurse) collect_modules(this, prefix, module_memo, modules);
  else modules.emplace_back(prefix, this);
  NamedTensors out;
  std::unordered_set<const detail::TensorImpl*> memo;
  for (const auto& [module_prefix, m] : modules) {
    for (const Slot& s : m->*slots) {
      if (!s.tensor.defined() || !memo.insert(s.tensor.impl()).second) continue;
      out.emplace_back(join_name(module_prefix, s.name), s.tensor);
    }
  }
  return out;
}

NamedTensors Module::named_parameters(const std::string& prefix, bool recurse) const {
  return named_slots(prefix, recurse, &Module::parameters_);
}

NamedTensors Module::named_buffers(const std::string& prefix, bool recurse) const {
  return named_slots(prefix, recurse, &Module::buffers_);
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters("", recurse)) out.push_back(t);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_buffers("", recurse)) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, ModulePtr>> Module::named_children() const {
  std::vector<std::pair<std::string, ModulePtr>> out;
  std::unordered_set<const Module*> memo;
  for (const auto& [name, child] : children_) {
    if (child && memo.insert(child.get()).second) out.emplace_back(name, child);
  }
  return out;
}

std::vector<ModulePtr> Module::children() const {
  std::vector<ModulePtr> out;
  for (auto& [name, child] : named_children()) out.push_back(child);
  return out;
}

std::vector<std::pair<std::string, ModulePtr>> Module::named_modules(const std::string& prefix) {
  std::vector<std::pair<std::string, const Module*>> modules;
  std::unordered_set<const Module*> memo;
  collect_modules(this, prefix, memo, modules);
  // Descendants are found again through their owning shared_ptrs; `this` may live on the
  // stack, and is then returned as a non-owning pointer.
  std::unordered_map<const Module*, ModulePtr> owners;
  std::vector<const Module*> stack{this};
  while (!stack.empty()) {
    const Module* m = stack.back();
    stack.pop_back();
    for (const auto& [name, child] : m->children_) {
      if (child && owners.emplace(child.get(), child).second) stack.push_back(child.get());
    }
  }
  ModulePtr self = weak_from_this().lock();
  if (!self) self = ModulePtr(ModulePtr(), this);
  owners[this] = self;
  std::vector<std::pair<std::string, ModulePtr>> out;
  for (const auto& [name, m] : modules) out.emplace_back(name, owners.at(m));
  return out;
}

std::vector<ModulePtr> Module::modules() {
  std::vector<ModulePtr> out;
  for (auto& [name, m] : named_modules()) out.push_back(m);
  return out;
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (const ModulePtr& child : children()) child->apply(fn);
  fn(*this);
  return *this;
}

// ---- mode, dtype, device ----

Module& Module::train(bool mode) {
  training_ = mode;
  for (const ModulePtr& child : children()) child->train(mode);
  return *this;
}

// Converts the selected parameters, their gradients and buffers in place (torch's _apply with
// `param.data = fn(param)`), so every handle sees the new dtype.
void Module::convert(const std::function<bool(const Tensor&)>& select, DType dtype) {
  for (const ModulePtr& child : children()) child->convert(select, dtype);
  auto convert_one = [&](Tensor& t) {
    if (!t.defined() || !select(t) || t.dtype() == dtype) return;
    t.set_data(t.to(dtype).data());
  };
  for (Slot& s : parameters_) {
    if (!s.tensor.defined() || !select(s.tensor)) continue;
    convert_one(s.tensor);
    if (!ir::is_floating(dtype) && s.tensor.requires_grad()) s.tensor.set_requires_grad(false);
    Tensor g = s.tensor.grad();
    convert_one(g);
  }
  for (Slot& s : buffers_) convert_one(s.tensor);
}

Module& Module::to(DType dtype) {
  if (!ir::is_floating(dtype)) {
    throw Error(type_name_ + ": nn.Module.to only accepts floating point dtypes, but got desired dtype=" +
                ir::dtype_name(dtype));
  }
  convert([](const Tensor& t) { return ir::is_floating(t.dtype()); }, dtype);
  return *this;
}

Module& Module::type(DType dtype) {
  convert([](const Tensor&) { return true; }, dtype);
  return *this;
}

Module& Module::to(Device device) {
  device_ = device;
  for (const ModulePtr& child : children()) child->to(device);
  return *this;
}

Module& Module::to(const Tensor& other) { return to(other.dtype()); }

void Module::zero_grad(bool set_to_none) {
  for (Tensor& p : parameters()) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (set_to_none) {
      p.set_grad(Tensor());
    } else {
      if (g.requires_grad()) g.set_requires_grad(false);
      g.zero_();  // in place, as torch: holders of the gradient see zeros
    }
  }
}

// ---- state dict ----

void Module::state_dict_into(const std::string& prefix, bool keep_vars, NamedTensors& out) const {
  for (const Slot& s : parameters_) {
    if (s.tensor.defined()) out.emplace_back(prefix + s.name, keep_vars ? s.tensor : s.tensor.detach());
  }
  for (const Slot& s : buffers_) {
    if (s.tensor.defined() && s.persistent) out.emplace_back(prefix + s.name, keep_vars ? s.tensor : s.tensor.detach());
  }
  for (const auto& [name, child] : children_) {
    if (child) child->state_dict_into(prefix + name + ".", keep_vars, out);
  }
}

NamedTensors Module::state_dict(const std::string& prefix, bool keep_vars) const {
  NamedTensors out;
  state_dict_into(prefix, keep_vars, out);
  return out;
}

// One module's part of torch's load_state_dict: its own parameters and persistent buffers
// (torch's _load_from_state_dict), then each child on the keys under its prefix.
void Module::load_recursive(const std::string& prefix,
                            const std::vector<const std::pair<std::string, Tensor>*>& state,
                            std::vector<std::string>& missing, std::vector<std::string>& unexpected,
                            std::vector<std::string>& errors) {
  std::unordered_map<std::string, const Tensor*> by_key;
  for (const auto* entry : state) by_key[entry->first] = &entry->second;
  std::unordered_set<std::string> local;
  std::vector<Slot*> slots;
  for (Slot& s : parameters_) slots.push_back(&s);
  for (Slot& s : buffers_) {
    if (s.persistent) slots.push_back(&s);
  }
  for (Slot* s : slots) {
    if (!s->tensor.defined()) continue;
    local.insert(s->name);
    std::string key = prefix + s->name;
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      missing.push_back(key);
      continue;
    }
    Tensor input = *it->second;
    if (!input.defined() || !input.is_concrete()) {
      errors.push_back("While copying the parameter named \"" + key +
                       "\", expected a concrete tensor from checkpoint but received " +
                       (input.defined() ? input.type_str() + " (symbolic)" : std::string("an undefined tensor")));
      continue;
    }
    // Backward compatibility kept by torch: a 1-d checkpoint value loads into a 0-d tensor.
    if (s->tensor.dim() == 0 && input.dim() == 1 && input.numel() >= 1) {
      ir::HostTensor first(input.dtype(), {});
      std::copy_n(static_cast<const uint8_t*>(input.data().raw_data()), ir::dtype_size(input.dtype()),
                  static_cast<uint8_t*>(first.raw_data()));
      input = Tensor(std::move(first));
    }
    if (input.sizes() != s->tensor.sizes()) {
      errors.push_back("size mismatch for " + key + ": copying a param with shape " + input.shape().str() +
                       " from checkpoint, the shape in current model is " + s->tensor.shape().str() + ".");
      continue;
    }
    try {
      s->tensor.copy_(input);
    } catch (const Error& e) {
      errors.push_back("While copying the parameter named \"" + key + "\", whose dimensions in the model are " +
                       s->tensor.shape().str() + " and whose dimensions in the checkpoint are " +
                       input.shape().str() + ", an exception occurred : " + e.what() + ".");
    }
  }
  for (const auto* entry : state) {
    const std::string& key = entry->first;
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    std::string first = key.substr(prefix.size());
    first = first.substr(0, first.find('.'));
    bool is_child = std::any_of(children_.begin(), children_.end(), [&](const auto& c) { return c.first == first; });
    if (!is_child && !local.count(first)) unexpected.push_back(key);
  }
  for (const auto& [name, child] : children_) {
    if (!child) continue;
    std::string child_prefix = prefix + name + ".";
    std::vector<const std::pair<std::string, Tensor>*> sub;
    for (const auto* entry : state) {
      if (entry->first.compare(0, child_prefix.size(), child_prefix) == 0) sub.push_back(entry);
    }
    child->load_recursive(child_prefix, sub, missing, unexpected, errors);
  }
}

std::pair<std::vector<std::string>, std::vector<std::string>> Module::load_state_dict(const NamedTensors& state,
                                                                                      bool strict) {
  // A key given twice counts once, with its last value (as building a Python dict would).
  std::unordered_map<std::string, size_t> last;
  for (size_t i = 0; i < state.size(); ++i) last[state[i].first] = i;
  std::vector<const std::pair<std::string, Tensor>*> entries;
  for (size_t i = 0; i < state.size(); ++i) {
    if (last.at(state[i].first) == i) entries.push_back(&state[i]);
  }
  std::vector<std::string> missing, unexpected, errors;
  load_recursive("", entries, missing, unexpected, errors);
  if (strict) {
    // torch's wording, trailing space included.
    if (!unexpected.empty()) {
      errors.insert(errors.begin(), "Unexpected key(s) in state_dict: " + quoted_list(unexpected) + ". ");
    }
    if (!missing.empty()) errors.insert(errors.begin(), "Missing key(s) in state_dict: " + quoted_list(missing) + ". ");
  }
  if (!errors.empty()) {
    std::string message = "Error(s) in loading state_dict for " + type_name_ + ":";
    for (const std::string& e : errors) message += "\n\t" + e;
    throw Error(message);
  }
  return {missing, unexpected};
}

// ---- printing ----

std::string Module::repr() const {
  std::vector<std::string> lines;
  std::string extra = extra_repr();
  size_t num_extra = 0;
  if (!extra.empty()) {
    lines = split_lines(extra);
    num_extra = lines.size();
  }
  for (const auto& [name, child] : children_) {
    lines.push_back("(" + name + "): " + add_indent(child ? child->repr() : "None", 2));
  }
  std::string s = type_name_ + "(";
  if (!lines.empty()) {
    if (num_extra == 1 && lines.size() == 1) {
      s += lines[0];
    } else {
      s += "\n";
      for (const std::string& line : lines) s += "  " + line + "\n";
    }
  }
  return s + ")";
}

std::ostream& operator<<(std::ostream& os, const Module& m) { return os << m.repr(); }

// ---- hooks ----

HookHandle Module::add_hook_remover(int id, std::function<void()> remover) {
  (*hook_removers_)[id] = std::move(remover);
  return HookHandle(hook_removers_, id);
}

HookHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  int id = next_hook_id_++;
  pre_hooks_[id] = std::move(hook);
  return add_hook_remover(id, [this, id] { pre_hooks_.erase(id); });
}

HookHandle Module::register_forward_hook(ForwardHook hook) {
  int id = next_hook_id_++;
  forward_hooks_[id] = std::move(hook);
  return add_hook_remover(id, [this, id] { forward_hooks_.erase(id); });
}

HookHandle Module::register_backward_hook(BackwardHook hook) {
  int id = next_hook_id_++;
  backward_hooks_[id] = std::move(hook);
  return add_hook_remover(id, [this, id] { backward_hooks_.erase(id); });
}

size_t Module::num_backward_hooks() const { return backward_hooks_.size(); }

}  // namespace kiln::nn
