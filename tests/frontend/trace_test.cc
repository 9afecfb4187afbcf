// kiln::trace on small modules: parameter names, weights, node locations, hooks and taps,
// train/eval, and errors naming the module path.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "codegen/reference/interpreter.h"
#include "frontend/dispatch.h"
#include "frontend/trace.h"

namespace {

using Catch::Contains;
using kiln::DType;
using kiln::Tensor;
using kiln::TensorSpec;
namespace nn = kiln::nn;
using Strings = std::vector<std::string>;

class TestLinearImpl : public nn::Module {
 public:
  TestLinearImpl(int64_t in, int64_t out) : Module("TestLinear") {
    weight = register_parameter("weight", kiln::arange(0, double(in * out), 1, DType::kF32).reshape({out, in}) * 0.1);
    bias = register_parameter("bias", kiln::full({out}, 0.5));
  }
  Tensor forward(const Tensor& x) override {
    return kiln::detail::apply1(kiln::ir::OpKind::Linear, {x, weight, bias});
  }
  Tensor weight, bias;
};
KILN_MODULE(TestLinear);

class BlockImpl : public nn::Module {
 public:
  BlockImpl() : Module("Block") { fc = register_module("fc", TestLinear(2, 2)); }
  Tensor forward(const Tensor& x) override { return fc(x).relu(); }
  TestLinear fc{nullptr};
};
KILN_MODULE(Block);

// Multiplies by `scale` only in training mode; `unused` is never read by forward.
class NetImpl : public nn::Module {
 public:
  NetImpl() : Module("Net") {
    block = register_module("block", Block());
    head = register_module("head", TestLinear(2, 1));
    scale = register_parameter("scale", kiln::full({1}, 2.0));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = head(block(x));
    return is_training() ? y * scale : y;
  }
  Block block{nullptr};
  TestLinear head{nullptr};
  Tensor scale;
};
KILN_MODULE(Net);

std::set<std::string> param_names(const kiln::ir::Graph& g) {
  std::set<std::string> out;
  for (const kiln::ir::Value* p : g.params()) out.insert(p->name());
  return out;
}

std::set<std::string> locs(const kiln::ir::Graph& g) {
  std::set<std::string> out;
  for (const kiln::ir::Node* n : g.nodes()) out.insert(n->loc());
  return out;
}

std::vector<std::pair<std::string, kiln::ir::HostTensor>> run(const kiln::ir::Graph& g, const Tensor& input) {
  auto result = kiln::reference::RunGraph(g, {{"input", input.data()}});
  REQUIRE(result.ok());
  return *result;
}

}  // namespace

TEST_CASE("trace: parameters named by state_dict keys, weights attached, locations", "[trace]") {
  Net net;
  auto graph = kiln::trace(*net, {TensorSpec({kiln::sym("N"), 2})});
  std::set<std::string> state_keys;
  for (const auto& [k, v] : net->state_dict()) state_keys.insert(k);
  CHECK(param_names(*graph) == state_keys);
  for (const auto& [k, v] : net->state_dict()) {
    REQUIRE(graph->weights().count(k) == 1);
    CHECK(graph->weights().at(k).BitwiseEqual(v.data()));
  }
  CHECK(locs(*graph) == std::set<std::string>{"", "block", "block.fc", "head"});
  REQUIRE(graph->outputs().size() == 1);
  CHECK(graph->outputs()[0].name == "output");
  CHECK(graph->inputs()[0]->name() == "input");

  // The traced graph computes what eager evaluation computes, for any batch size.
  Tensor x = kiln::tensor(std::vector<float>{1, -2, 0.5, 3, -1, -1}, {3, 2});
  auto out = run(*graph, x);
  Tensor eager = net(x);
  CHECK(kiln::allclose(Tensor(out[0].second), eager));
}

TEST_CASE("trace: train/eval mode is what forward sees", "[trace]") {
  Net net;
  net->eval();
  auto graph = kiln::trace(*net, {TensorSpec({4, 2})});
  CHECK(param_names(*graph).count("scale") == 0);  // unused parameters stay out of the graph
  CHECK(param_names(*graph).count("head.weight") == 1);
  net->train();
  auto train_graph = kiln::trace(*net, {TensorSpec({4, 2})});
  CHECK(param_names(*train_graph).count("scale") == 1);
  CHECK(train_graph->num_nodes() > graph->num_nodes());
}

TEST_CASE("trace: hooks run on symbolic tensors, replace values and add taps", "[trace]") {
  Net net;
  bool saw_tracing = false;
  using Outputs = std::optional<std::vector<Tensor>>;
  net->block->fc->register_forward_hook(
      [&](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>& out) -> Outputs {
        if (kiln::is_tracing()) {
          saw_tracing = out[0].is_symbolic();
          kiln::add_trace_output("fc_out", out[0]);
        }
        return std::vector<Tensor>{out[0] * 2.0};
      });
  net->head->register_forward_pre_hook([](nn::Module&, const std::vector<Tensor>& in) {
    return std::optional<std::vector<Tensor>>(std::vector<Tensor>{in[0] + 1.0});
  });
  auto graph = kiln::trace(*net, {TensorSpec({kiln::sym("N"), 2})}, kiln::TraceOptions{"main", {"y"}});
  CHECK(saw_tracing);
  REQUIRE(graph->outputs().size() == 2);
  CHECK(graph->outputs()[0].name == "y");
  CHECK(graph->outputs()[1].name == "fc_out");

  Tensor x = kiln::tensor(std::vector<float>{1, 2, -3, 0.5}, {2, 2});
  auto out = run(*graph, x);
  Tensor eager = net(x);  // the hooks run eagerly too
  CHECK(kiln::allclose(Tensor(out[0].second), eager));
  // The tap is fc's own output, before the hook doubled it.
  Tensor fc_out = x.matmul(net->block->fc->weight.t()) + net->block->fc->bias;
  CHECK(kiln::allclose(Tensor(out[1].second), fc_out));
}

TEST_CASE("trace: errors name the module path", "[trace]") {
  Net net;
  REQUIRE_THROWS_WITH(kiln::trace(*net, {TensorSpec({kiln::sym("N"), 3})}), Contains("block.fc (TestLinear): "));
  REQUIRE_THROWS_WITH(kiln::trace(*net, {TensorSpec({2, 2})}, kiln::TraceOptions{"main", {"a", "b"}}),
                      Contains("2 output names given"));
  REQUIRE_THROWS_WITH(kiln::add_trace_output("x", kiln::ones({1})), Contains("outside of kiln::trace"));
  CHECK_FALSE(kiln::is_tracing());  // a failed trace leaves no trace behind
  auto graph = kiln::trace(*net, {TensorSpec({2, 2})});
  CHECK(graph->num_nodes() > 0);
}

TEST_CASE("trace: ops on parameters are recorded, not folded into constants", "[trace]") {
  // forward uses weight.t(): the permute must run on the named parameter in the graph.
  class TransposedImpl : public nn::Module {
   public:
    TransposedImpl() : Module("Transposed") { weight = register_parameter("weight", kiln::ones({3, 2})); }
    Tensor forward(const Tensor& x) override { return x.matmul(weight.t()); }
    Tensor weight;
  };
  auto m = std::make_shared<TransposedImpl>();
  auto g = kiln::trace(*m, {TensorSpec({kiln::sym("N"), 2})});
  REQUIRE(g->params().size() == 1);
  CHECK(g->params()[0]->name() == "weight");
  bool permute_of_weight = false;
  for (const auto* n : g->nodes()) {
    if (n->op() == kiln::ir::OpKind::Permute && n->operand(0) == g->params()[0]) permute_of_weight = true;
    CHECK(n->op() != kiln::ir::OpKind::Constant);
  }
  CHECK(permute_of_weight);
  // Outside a trace the same forward still runs eagerly.
  Tensor y = (*m)(kiln::ones({1, 2}));
  CHECK(y.to_vector<float>() == std::vector<float>{2, 2, 2});
}
