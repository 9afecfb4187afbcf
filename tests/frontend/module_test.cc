// nn::Module against torch.nn.Module's behaviour, member by member, on small test modules
// (the real layers are tested in their own files).
#include <catch2/catch.hpp>

#include <sstream>

#include "frontend/module.h"

namespace {

using Catch::Contains;
using kiln::DType;
using kiln::Tensor;
namespace nn = kiln::nn;

// y = x W^T + b with deterministic weights, and torch's Linear extra_repr.
class TestLinearImpl : public nn::Module {
 public:
  TestLinearImpl(int64_t in, int64_t out, bool with_bias = true) : Module("TestLinear"), in_(in), out_(out) {
    weight = register_parameter("weight", kiln::arange(0, double(in * out), 1, DType::kF32).reshape({out, in}) * 0.1);
    bias = register_parameter("bias", with_bias ? kiln::full({out}, 0.5) : Tensor());
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = x.matmul(weight.t());
    return bias.defined() ? y + bias : y;
  }
  std::string extra_repr() const override {
    return "in_features=" + std::to_string(in_) + ", out_features=" + std::to_string(out_) +
           ", bias=" + (bias.defined() ? "True" : "False");
  }
  Tensor weight, bias;

 private:
  int64_t in_, out_;
};
KILN_MODULE(TestLinear);

class TestReLUImpl : public nn::Module {
 public:
  TestReLUImpl() : Module("TestReLU") {}
  Tensor forward(const Tensor& x) override { return x.relu(); }
};
KILN_MODULE(TestReLU);

// Parameters and buffers of several kinds, like BatchNorm.
class TestNormImpl : public nn::Module {
 public:
  explicit TestNormImpl(int64_t n) : Module("TestNorm") {
    weight = register_parameter("weight", kiln::ones({n}));
    running_mean = register_buffer("running_mean", kiln::zeros({n}));
    num_batches_tracked = register_buffer("num_batches_tracked", kiln::zeros({}, DType::kI64));
    scratch = register_buffer("scratch", kiln::zeros({n}), /*persistent=*/false);
  }
  Tensor forward(const Tensor& x) override { return x * weight; }
  std::string extra_repr() const override { return "n\nmultiline"; }
  Tensor weight, running_mean, num_batches_tracked, scratch;
};
KILN_MODULE(TestNorm);

class BlockImpl : public nn::Module {
 public:
  BlockImpl() : Module("Block") {
    fc = register_module("fc", TestLinear(2, 2));
    act = register_module("act", TestReLU());
  }
  Tensor forward(const Tensor& x) override { return act(fc(x)); }
  TestLinear fc{nullptr};
  TestReLU act{nullptr};
};
KILN_MODULE(Block);

// Own parameter registered after a child: state_dict still lists own entries first.
class NetImpl : public nn::Module {
 public:
  NetImpl() : Module("Net") {
    block = register_module("block", Block());
    head = register_module("head", std::make_shared<TestLinearImpl>(2, 1));
    scale = register_parameter("scale", kiln::full({1}, 2.0));
  }
  Tensor forward(const Tensor& x) override { return (*head)(block(x)) * scale; }
  Block block{nullptr};
  std::shared_ptr<TestLinearImpl> head;
  Tensor scale;
};
KILN_MODULE(Net);

std::vector<std::string> keys(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [k, v] : named) out.push_back(k);
  return out;
}

template <typename T>
std::vector<std::string> module_names(const std::vector<std::pair<std::string, T>>& named) {
  std::vector<std::string> out;
  for (const auto& [k, v] : named) out.push_back(k);
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("registration order, replacement and name errors", "[module]") {
  nn::Module m("M");
  m.register_parameter("a", kiln::zeros({2}));
  m.register_buffer("b", kiln::zeros({2}));
  m.add_module("c", TestReLU().ptr());
  m.register_parameter("d", kiln::ones({1}));

  // Re-registering the same kind keeps the position.
  Tensor replacement = kiln::full({3}, 7.0);
  m.register_parameter("a", replacement);
  CHECK(keys(m.named_parameters()) == Strings{"a", "d"});
  CHECK(m.find_parameter("a")->is_same(replacement));

  REQUIRE_THROWS_WITH(m.register_parameter("b", kiln::zeros({1})), Contains("attribute 'b' already exists"));
  REQUIRE_THROWS_WITH(m.register_buffer("a", kiln::zeros({1})), Contains("attribute 'a' already exists"));
  REQUIRE_THROWS_WITH(m.add_module("d", TestReLU().ptr()), Contains("attribute 'd' already exists"));
  REQUIRE_THROWS_WITH(m.register_buffer("c", kiln::zeros({1})), Contains("attribute 'c' already exists"));
  REQUIRE_THROWS_WITH(m.register_parameter("", kiln::zeros({1})), Contains("can't be empty string"));
  REQUIRE_THROWS_WITH(m.register_parameter("x.y", kiln::zeros({1})), Contains("can't contain \".\""));
  REQUIRE_THROWS_WITH(m.add_module("x.y", TestReLU().ptr()), Contains("module name can't contain"));
  REQUIRE_THROWS_WITH(m.register_buffer("", kiln::zeros({1})), Contains("buffer name can't be empty"));

  CHECK(m.find_buffer("b") != nullptr);
  CHECK(m.find_buffer("a") == nullptr);
  CHECK(m.find_child("c") != nullptr);
  CHECK(m.find_child("zz") == nullptr);
  CHECK(m.remove_parameter("d"));
  CHECK_FALSE(m.remove_parameter("d"));
  CHECK(keys(m.named_parameters()) == Strings{"a"});
  CHECK(m.remove_module("c"));
  m.register_buffer("c", kiln::zeros({1}));  // the name is free again
}

TEST_CASE("register_parameter: None, requires_grad, returned handles", "[module]") {
  nn::Module m("M");
  Tensor& w = m.register_parameter("w", kiln::zeros({2}));
  m.register_parameter("none", Tensor());
  Tensor& frozen = m.register_parameter("frozen", kiln::zeros({2}), /*requires_grad=*/false);
  m.register_parameter("idx", kiln::zeros({2}, DType::kI64));  // integer: cannot require grad
  for (int i = 0; i < 10; ++i) m.register_parameter("p" + std::to_string(i), kiln::zeros({1}));
  CHECK(w.requires_grad());  // the reference is still valid after more registrations
  CHECK_FALSE(frozen.requires_grad());
  CHECK_FALSE(m.find_parameter("idx")->requires_grad());
  REQUIRE(m.find_parameter("none") != nullptr);
  CHECK_FALSE(m.find_parameter("none")->defined());
  CHECK(m.parameters().size() == 13);
  auto sd = keys(m.state_dict());
  CHECK(std::find(sd.begin(), sd.end(), "none") == sd.end());
  CHECK(sd.front() == "w");
  CHECK_NOTHROW(m.register_parameter("none", Tensor()));  // same kind, same name: replaced
}

TEST_CASE("register_module / add_module with holders and shared_ptrs", "[module]") {
  nn::Module m("M");
  TestLinear fc = m.register_module("fc", TestLinear(2, 3));
  std::shared_ptr<TestReLUImpl> act = m.register_module("act", std::make_shared<TestReLUImpl>());
  m.add_module("act2", act);
  CHECK(m.find_child("fc") == fc.ptr());
  CHECK(m.find_child("act") == act);
  // Re-adding a name replaces the module in place.
  m.add_module("fc", TestLinear(3, 3).ptr());
  CHECK(module_names(m.named_children()) == Strings{"fc", "act"});  // act2 is act: listed once
  CHECK(m.find_child("fc") != fc.ptr());
  CHECK(m.children().size() == 2);
}

TEST_CASE("named_parameters / named_buffers: prefix, recurse, dedup", "[module]") {
  Net net;
  CHECK(keys(net->named_parameters()) ==
        Strings{"scale", "block.fc.weight", "block.fc.bias", "head.weight", "head.bias"});
  CHECK(keys(net->named_parameters("model")) ==
        Strings{"model.scale", "model.block.fc.weight", "model.block.fc.bias", "model.head.weight", "model.head.bias"});
  CHECK(keys(net->named_parameters("", /*recurse=*/false)) == Strings{"scale"});
  CHECK(net->parameters().size() == 5);
  CHECK(net->parameters(false).size() == 1);

  // A tied parameter appears once, under its first name.
  net->head->register_parameter("tied", net->block->fc->weight);
  CHECK(keys(net->named_parameters()) ==
        Strings{"scale", "block.fc.weight", "block.fc.bias", "head.weight", "head.bias"});

  // A module shared twice appears once.
  nn::Module outer("Outer");
  auto norm = std::make_shared<TestNormImpl>(2);
  outer.add_module("a", norm);
  outer.add_module("b", norm);
  CHECK(keys(outer.named_parameters()) == Strings{"a.weight"});
  CHECK(keys(outer.named_buffers()) == Strings{"a.running_mean", "a.num_batches_tracked", "a.scratch"});
  CHECK(keys(outer.named_buffers("p", false)).empty());
  CHECK(outer.buffers().size() == 3);
  CHECK(outer.buffers(false).empty());
}

TEST_CASE("children, modules, named_modules", "[module]") {
  Net net;
  CHECK(module_names(net->named_children()) == Strings{"block", "head"});
  CHECK(net->children().size() == 2);
  CHECK(module_names(net->named_modules()) == Strings{"", "block", "block.fc", "block.act", "head"});
  CHECK(module_names(net->named_modules("net")) ==
        Strings{"net", "net.block", "net.block.fc", "net.block.act", "net.head"});
  auto mods = net->modules();
  REQUIRE(mods.size() == 5);
  CHECK(mods[0].get() == net.ptr().get());
  CHECK(mods[2] == net->block->fc.ptr());

  // Each module once, even when registered twice.
  auto shared = std::make_shared<TestReLUImpl>();
  nn::Module stack_module("Outer");  // not owned by a shared_ptr: returned as a plain pointer
  stack_module.add_module("x", shared);
  stack_module.add_module("y", shared);
  auto named = stack_module.named_modules();
  CHECK(module_names(named) == Strings{"", "x"});
  CHECK(named[0].second.get() == &stack_module);
}

TEST_CASE("apply visits children first, then self", "[module]") {
  Net net;
  std::vector<std::string> order;
  nn::Module& result = net->apply([&](nn::Module& m) { order.push_back(m.name()); });
  CHECK(&result == net.ptr().get());
  CHECK(order == Strings{"TestLinear", "TestReLU", "Block", "TestLinear", "Net"});
}

TEST_CASE("train / eval propagate; device markers", "[module]") {
  Net net;
  CHECK(net->is_training());
  net->eval();
  CHECK_FALSE(net->is_training());
  CHECK_FALSE(net->block->fc->is_training());
  net->block->train();
  CHECK(net->block->act->is_training());
  CHECK_FALSE(net->is_training());
  net->train(true);
  CHECK(net->head->is_training());

  CHECK(net->device() == nn::Device::kCPU);
  net->cuda();
  CHECK(net->block->fc->device() == nn::Device::kCUDA);
  net->cpu();
  CHECK(net->head->device() == nn::Device::kCPU);
  net->to(nn::Device::kCUDA);
  CHECK(net->block->act->device() == nn::Device::kCUDA);
}

TEST_CASE("to(dtype) converts floating tensors in place; type() converts all", "[module]") {
  TestNorm norm(2);
  Tensor weight_handle = norm->weight;
  Tensor detached = norm->state_dict()[0].second;
  norm->weight.set_grad(kiln::ones({2}));
  norm->double_();
  CHECK(weight_handle.dtype() == DType::kF64);  // existing handles see the conversion
  CHECK(detached.dtype() == DType::kF64);
  CHECK(weight_handle.requires_grad());
  CHECK(weight_handle.grad().dtype() == DType::kF64);
  CHECK(norm->running_mean.dtype() == DType::kF64);
  CHECK(norm->scratch.dtype() == DType::kF64);
  CHECK(norm->num_batches_tracked.dtype() == DType::kI64);  // integer buffers stay
  CHECK(weight_handle.to_vector<double>() == std::vector<double>{1, 1});

  norm->half();
  CHECK(norm->weight.dtype() == DType::kF16);
  norm->float_();
  CHECK(norm->weight.dtype() == DType::kF32);
  norm->to(kiln::zeros({1}, DType::kF64));
  CHECK(norm->weight.dtype() == DType::kF64);
  norm->to(DType::kF32);
  CHECK(norm->running_mean.dtype() == DType::kF32);
  REQUIRE_THROWS_WITH(norm->to(DType::kI64), Contains("only accepts floating point dtypes"));
  REQUIRE_THROWS_WITH(norm->to(kiln::zeros({1}, DType::kI32)), Contains("only accepts floating point"));

  norm->type(DType::kF64);
  CHECK(norm->num_batches_tracked.dtype() == DType::kF64);
  CHECK(norm->weight.dtype() == DType::kF64);
}

TEST_CASE("zero_grad", "[module]") {
  Net net;
  Tensor grad = kiln::ones({2, 2});
  net->block->fc->weight.set_grad(grad);
  net->zero_grad(/*set_to_none=*/false);
  CHECK(grad.to_vector<float>() == std::vector<float>{0, 0, 0, 0});  // zeroed in place
  CHECK(net->block->fc->weight.grad().is_same(grad));
  net->zero_grad();
  CHECK_FALSE(net->block->fc->weight.grad().defined());
  CHECK_FALSE(net->head->weight.grad().defined());
}

TEST_CASE("state_dict: torch's order, persistent buffers, keep_vars", "[module]") {
  Net net;
  net->block->register_module("norm", TestNorm(2));
  CHECK(keys(net->state_dict()) ==
        Strings{"scale", "block.fc.weight", "block.fc.bias", "block.norm.weight", "block.norm.running_mean",
                "block.norm.num_batches_tracked", "head.weight", "head.bias"});
  CHECK(keys(net->state_dict("model.")).front() == "model.scale");

  auto detached = net->state_dict();
  CHECK_FALSE(detached[0].second.is_same(net->scale));
  CHECK_FALSE(detached[0].second.requires_grad());
  net->scale.fill_(5.0);  // detached handles share the data
  CHECK(detached[0].second.item<float>() == 5.0f);
  auto kept = net->state_dict("", /*keep_vars=*/true);
  CHECK(kept[0].second.is_same(net->scale));

  // A shared module is saved under every name (no dedup, as torch).
  nn::Module outer("Outer");
  auto fc = std::make_shared<TestLinearImpl>(1, 1);
  outer.add_module("a", fc);
  outer.add_module("b", fc);
  CHECK(keys(outer.state_dict()) == Strings{"a.weight", "a.bias", "b.weight", "b.bias"});
}

TEST_CASE("load_state_dict copies into existing tensors", "[module]") {
  Net src, dst;
  src->scale.fill_(3.0);
  src->block->fc->weight.fill_(1.5);
  Tensor handle = dst->block->fc->weight;
  auto [missing, unexpected] = dst->load_state_dict(src->state_dict());
  CHECK(missing.empty());
  CHECK(unexpected.empty());
  CHECK(handle.is_same(dst->block->fc->weight));
  CHECK(handle.to_vector<float>() == std::vector<float>{1.5f, 1.5f, 1.5f, 1.5f});
  CHECK(dst->scale.item<float>() == 3.0f);

  // dtypes are converted; a 1-d value loads into a 0-d buffer (torch's compatibility rule).
  TestNorm norm(2);
  norm->load_state_dict({{"weight", kiln::tensor(std::vector<double>{2, 3}, {}, DType::kF64)},
                         {"running_mean", kiln::zeros({2})},
                         {"num_batches_tracked", kiln::tensor(std::vector<int64_t>{7})}});
  CHECK(norm->weight.dtype() == DType::kF32);
  CHECK(norm->weight.to_vector<float>() == std::vector<float>{2, 3});
  CHECK(norm->num_batches_tracked.item<int64_t>() == 7);
}

TEST_CASE("load_state_dict reports every problem at once", "[module]") {
  nn::Module seq("Sequential");
  seq.add_module("0", TestLinear(3, 2).ptr());
  seq.add_module("1", TestNorm(2).ptr());
  nn::NamedTensors state = {
      {"0.weight", kiln::zeros({3, 2})},  // model has [2,3]
      {"0.extra", kiln::zeros({1})},
      {"1.weight", kiln::full({2}, 4.0)},
      {"1.running_mean", kiln::zeros({2})},
      {"2.weight", kiln::zeros({1})},
  };
  std::string expected =
      "Error(s) in loading state_dict for Sequential:\n"
      "\tMissing key(s) in state_dict: \"0.bias\", \"1.num_batches_tracked\". \n"
      "\tUnexpected key(s) in state_dict: \"2.weight\", \"0.extra\". \n"
      "\tsize mismatch for 0.weight: copying a param with shape [3,2] from checkpoint, the shape in current model "
      "is [2,3].";
  REQUIRE_THROWS_WITH(seq.load_state_dict(state), expected);

  // Non-strict: shape mismatches still throw, but only them.
  REQUIRE_THROWS_WITH(seq.load_state_dict(state, false),
                      "Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 0.weight: copying a "
                      "param with shape [3,2] from checkpoint, the shape in current model is [2,3].");
  state.erase(state.begin());
  auto [missing, unexpected] = seq.load_state_dict(state, /*strict=*/false);
  CHECK(missing == Strings{"0.weight", "0.bias", "1.num_batches_tracked"});
  CHECK(unexpected == Strings{"2.weight", "0.extra"});
  auto* w = seq.find_child("1")->find_parameter("weight");
  CHECK(w->to_vector<float>() == std::vector<float>{4, 4});  // what matched was loaded
}

TEST_CASE("repr: leaf, nested, extra_repr with children, multi-line", "[module]") {
  CHECK(TestLinear(2, 2)->repr() == "TestLinear(in_features=2, out_features=2, bias=True)");
  CHECK(TestLinear(2, 2, false)->repr() == "TestLinear(in_features=2, out_features=2, bias=False)");
  CHECK(TestReLU()->repr() == "TestReLU()");
  CHECK(TestNorm(2)->repr() == "TestNorm(\n  n\n  multiline\n)");

  Net net;
  CHECK(net->repr() ==
        "Net(\n"
        "  (block): Block(\n"
        "    (fc): TestLinear(in_features=2, out_features=2, bias=True)\n"
        "    (act): TestReLU()\n"
        "  )\n"
        "  (head): TestLinear(in_features=2, out_features=1, bias=True)\n"
        ")");

  // extra_repr lines come before the children; deeper levels indent by two more spaces.
  class WithExtra : public nn::Module {
   public:
    WithExtra() : Module("WithExtra") { register_module("net", Net()); }
    std::string extra_repr() const override { return "k=1"; }
  };
  WithExtra w;
  std::ostringstream os;
  os << w;
  CHECK(os.str() ==
        "WithExtra(\n"
        "  k=1\n"
        "  (net): Net(\n"
        "    (block): Block(\n"
        "      (fc): TestLinear(in_features=2, out_features=2, bias=True)\n"
        "      (act): TestReLU()\n"
        "    )\n"
        "    (head): TestLinear(in_features=2, out_features=1, bias=True)\n"
        "  )\n"
        ")");
}

TEST_CASE("forward, call and operator()", "[module]") {
  Net net;
  Tensor y = net(kiln::ones({1, 2}));
  // block: relu([0.1+0.5, 0.5+0.5]) = [0.6, 1.0]; head: 0*0.6 + 0.1*1.0 + 0.5 = 0.6; * 2
  CHECK(y.sizes() == std::vector<int64_t>{1, 1});
  CHECK(y.item<float>() == Approx(1.2));
  CHECK(net->call({kiln::ones({1, 2})}).size() == 1);

  nn::Module plain("Plain");
  REQUIRE_THROWS_WITH(plain(kiln::ones({1})), Contains("Plain has no single-input forward"));
  REQUIRE_THROWS_WITH(net->call({kiln::ones({1, 2}), kiln::ones({1, 2})}), Contains("takes one input tensor, got 2"));

  class Two : public nn::Module {
   public:
    Two() : Module("Two") {}
    std::vector<Tensor> forward_tensors(const std::vector<Tensor>& in) override { return {in[0], in[0]}; }
  };
  Two two;
  CHECK(two.call({kiln::ones({1})}).size() == 2);
  REQUIRE_THROWS_WITH(two(kiln::ones({1})), Contains("Two returned 2 outputs"));

  // Errors inside a nested forward name the module path.
  REQUIRE_THROWS_WITH(net(kiln::ones({1, 3})), Contains("block.fc (TestLinear): "));
}

TEST_CASE("forward pre-hooks and forward hooks", "[module]") {
  TestLinear fc(2, 2);
  std::vector<std::string> log;
  auto h1 = fc->register_forward_pre_hook([&](nn::Module& m, const std::vector<Tensor>& in) {
    log.push_back("pre1:" + m.name());
    return std::optional<std::vector<Tensor>>(std::vector<Tensor>{in[0] * 0.0});  // replaces the input
  });
  auto h2 = fc->register_forward_pre_hook([&](nn::Module&, const std::vector<Tensor>& in) {
    log.push_back("pre2:" + std::to_string(in[0].sum().item<float>()));
    return std::nullopt;
  });
  using Outputs = std::optional<std::vector<Tensor>>;
  auto h3 = fc->register_forward_hook(
      [&](nn::Module&, const std::vector<Tensor>& in, const std::vector<Tensor>& out) -> Outputs {
        log.push_back("fwd:" + std::to_string(in[0].sum().item<float>()));
        return std::vector<Tensor>{out[0] + 1.0};
      });
  Tensor y = fc(kiln::ones({1, 2}));
  CHECK(log == Strings{"pre1:TestLinear", "pre2:0.000000", "fwd:0.000000"});
  CHECK_THAT(y.to_vector<float>(), Catch::Approx(std::vector<float>{1.5f, 1.5f}));

  CHECK(h1.active());
  h1.remove();
  CHECK_FALSE(h1.active());
  h1.remove();  // twice: no-op
  h3.remove();
  log.clear();
  y = fc(kiln::ones({1, 2}));
  CHECK(log == Strings{"pre2:2.000000"});
  CHECK_THAT(y.to_vector<float>(), Catch::Approx(std::vector<float>{0.6f, 1.0f}));

  // A hook can remove itself while running.
  nn::HookHandle self_removing;
  int calls = 0;
  self_removing = fc->register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>&) {
    ++calls;
    self_removing.remove();
    return std::nullopt;
  });
  fc(kiln::ones({1, 2}));
  fc(kiln::ones({1, 2}));
  CHECK(calls == 1);

  // Backward hooks are stored (training comes later).
  auto b1 = fc->register_backward_hook([](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>&) {
    return std::nullopt;
  });
  auto b2 = fc->register_backward_hook([](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>&) {
    return std::nullopt;
  });
  CHECK(fc->num_backward_hooks() == 2);
  b1.remove();
  CHECK(fc->num_backward_hooks() == 1);
  CHECK(b2.active());
}

TEST_CASE("a hook handle may outlive its module", "[module]") {
  nn::HookHandle handle;
  CHECK_FALSE(handle.active());
  handle.remove();  // default handle: no-op
  {
    TestReLU relu;
    handle = relu->register_forward_hook([](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>&) {
      return std::nullopt;
    });
    CHECK(handle.active());
  }
  CHECK_FALSE(handle.active());
  handle.remove();
}

TEST_CASE("ModuleHolder wraps shared_ptrs and copies share the module", "[module]") {
  auto impl = std::make_shared<TestLinearImpl>(2, 2);
  TestLinear a(impl);
  CHECK(a.ptr() == impl);
  TestLinear b = a;
  CHECK(b.ptr() == impl);
  TestLinear c(std::move(b));
  CHECK(c.ptr() == impl);
  CHECK((*c).name() == "TestLinear");
}
