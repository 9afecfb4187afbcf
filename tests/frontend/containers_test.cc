// Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict: torch's names, order,
// indexing and printing.
#include <catch2/catch.hpp>

#include "frontend/containers.h"

namespace {

using Catch::Contains;
using kiln::DType;
using kiln::Tensor;
namespace nn = kiln::nn;
using Strings = std::vector<std::string>;

class TestLinearImpl : public nn::Module {
 public:
  TestLinearImpl(int64_t in, int64_t out) : Module("TestLinear"), in_(in), out_(out) {
    weight = register_parameter("weight", kiln::full({out, in}, 0.5));
    bias = register_parameter("bias", kiln::full({out}, 1.0));
  }
  Tensor forward(const Tensor& x) override { return x.matmul(weight.t()) + bias; }
  std::string extra_repr() const override {
    return "in_features=" + std::to_string(in_) + ", out_features=" + std::to_string(out_) + ", bias=True";
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

// Returns its input twice.
class SplitImpl : public nn::Module {
 public:
  SplitImpl() : Module("Split") {}
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& in) override { return {in[0], in[0] * 2.0}; }
};
KILN_MODULE(Split);

// Adds its two inputs.
class AddImpl : public nn::Module {
 public:
  AddImpl() : Module("Add") {}
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& in) override { return {in.at(0) + in.at(1)}; }
};
KILN_MODULE(Add);

Strings keys(const nn::NamedTensors& named) {
  Strings out;
  for (const auto& [k, v] : named) out.push_back(k);
  return out;
}

}  // namespace

TEST_CASE("Sequential: positional construction, forward, indexing", "[containers]") {
  nn::Sequential seq(TestLinear(2, 3), TestReLU(), std::make_shared<TestLinearImpl>(3, 1));
  CHECK(seq->size() == 3);
  CHECK(keys(seq->state_dict()) == Strings{"0.weight", "0.bias", "2.weight", "2.bias"});
  // [1,1] -> 0.5*2+1 = 2 (x3) -> relu -> 0.5*6+1 = 4
  Tensor y = seq(kiln::ones({1, 2}));
  CHECK(y.sizes() == std::vector<int64_t>{1, 1});
  CHECK(y.item<float>() == 4.0f);
  CHECK(seq->forward(kiln::ones({1, 2})).item<float>() == 4.0f);

  CHECK((*seq)[0]->name() == "TestLinear");
  CHECK((*seq)[1]->name() == "TestReLU");
  CHECK((*seq)[-1] == (*seq)[2]);
  CHECK(seq->at<TestLinearImpl>(-3)->weight.sizes() == std::vector<int64_t>{3, 2});
  REQUIRE_THROWS_WITH((*seq)[3], Contains("index 3 is out of range"));
  REQUIRE_THROWS_WITH((*seq)[-4], Contains("index -4 is out of range"));
  REQUIRE_THROWS_WITH(seq->at<TestReLUImpl>(0), Contains("not of the requested type"));

  int n = 0;
  for (const nn::ModulePtr& m : *seq) n += m->name() == "TestLinear";
  CHECK(n == 2);

  CHECK(seq->repr() ==
        "Sequential(\n"
        "  (0): TestLinear(in_features=2, out_features=3, bias=True)\n"
        "  (1): TestReLU()\n"
        "  (2): TestLinear(in_features=3, out_features=1, bias=True)\n"
        ")");

  // Holders are handles: a copy and a holder built from the shared_ptr are the same module.
  nn::Sequential copy = seq;
  nn::Sequential from_ptr(seq.ptr());
  CHECK(copy.ptr() == seq.ptr());
  CHECK(from_ptr.ptr() == seq.ptr());
  nn::Sequential empty;
  CHECK(empty->is_empty());
  CHECK(empty->repr() == "Sequential()");
}

TEST_CASE("Sequential: named construction and push_back", "[containers]") {
  TestLinear fc(2, 2);
  nn::Sequential seq(nn::NamedModules{{"fc", fc.ptr()}, {"act", TestReLU().ptr()}});
  CHECK(keys(seq->named_parameters()) == Strings{"fc.weight", "fc.bias"});
  seq->push_back(TestLinear(2, 1));  // named by position
  seq->push_back("out_act", TestReLU());
  seq->append(std::make_shared<TestReLUImpl>());
  CHECK(seq->size() == 5);
  std::vector<std::string> names;
  for (const auto& [name, m] : seq->named_children()) names.push_back(name);
  CHECK(names == Strings{"fc", "act", "2", "out_act", "4"});
  CHECK((*seq)[0] == fc.ptr());
  REQUIRE_THROWS_WITH(seq->push_back("a.b", TestReLU()), Contains("can't contain"));

  // A module used twice runs twice (torch iterates _modules, not the deduplicated children).
  auto relu = std::make_shared<TestReLUImpl>();
  int calls = 0;
  relu->register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, const std::vector<Tensor>&) {
    ++calls;
    return std::nullopt;
  });
  nn::Sequential twice(nn::NamedModules{{"a", relu}, {"b", relu}});
  twice(kiln::ones({1}));
  CHECK(calls == 2);
}

TEST_CASE("Sequential: several outputs", "[containers]") {
  // forward_tensors (what call() runs) passes output vectors along.
  nn::Sequential seq{Split(), Add()};
  Tensor y = seq(kiln::full({2}, 3.0));
  CHECK(y.to_vector<float>() == std::vector<float>{9, 9});
  // forward() passes one tensor: a child returning two is an error naming it.
  REQUIRE_THROWS_WITH(seq->forward(kiln::ones({2})), Contains("child (0) Split returned 2 outputs"));
  nn::Sequential ends_split{TestReLU(), Split()};
  CHECK(ends_split->call({kiln::ones({1})}).size() == 2);
  REQUIRE_THROWS_WITH(ends_split(kiln::ones({1})), Contains("Sequential returned 2 outputs"));
}

TEST_CASE("ModuleList", "[containers]") {
  nn::ModuleList list(TestLinear(1, 1), TestReLU());
  list->append(TestLinear(2, 2));
  list->extend({TestReLU().ptr(), std::make_shared<TestLinearImpl>(3, 3)});
  CHECK(list->size() == 5);
  CHECK(keys(list->state_dict()) == Strings{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"});

  auto inserted = std::make_shared<TestLinearImpl>(4, 4);
  list->insert(1, inserted);
  CHECK((*list)[1] == inserted);
  CHECK(keys(list->state_dict()) ==
        Strings{"0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"});
  list->insert(-1, TestReLU().ptr());  // before the last
  CHECK((*list)[-2]->name() == "TestReLU");
  list->insert(static_cast<int64_t>(list->size()), TestReLU().ptr());  // at the end
  CHECK((*list)[-1]->name() == "TestReLU");
  CHECK(list->size() == 8);
  REQUIRE_THROWS_WITH(list->insert(9, TestReLU().ptr()), Contains("out of range"));
  REQUIRE_THROWS_WITH((*list)[8], Contains("index 8 is out of range"));

  std::vector<std::string> names;
  for (const nn::ModulePtr& m : *list) names.push_back(m->name());
  CHECK(names == Strings{"TestLinear", "TestLinear", "TestReLU", "TestLinear", "TestReLU", "TestReLU", "TestLinear",
                         "TestReLU"});

  REQUIRE_THROWS_WITH(list(kiln::ones({1})), Contains("ModuleList is not callable"));
  REQUIRE_THROWS_WITH(list(kiln::ones({1})), Contains("Module [ModuleList] is missing the required \"forward\""));

  nn::ModuleList small(std::vector<nn::ModulePtr>{TestReLU().ptr()});
  CHECK(small->repr() == "ModuleList(\n  (0): TestReLU()\n)");
  CHECK(nn::ModuleList()->repr() == "ModuleList()");
}

TEST_CASE("ModuleDict", "[containers]") {
  auto a = std::make_shared<TestLinearImpl>(1, 1);
  nn::ModuleDict dict(nn::NamedModules{{"b", TestReLU().ptr()}, {"a", a}});
  CHECK(dict->keys() == Strings{"b", "a"});  // insertion order
  CHECK((*dict)["a"] == a);
  CHECK(dict->contains("b"));
  CHECK_FALSE(dict->contains("c"));
  REQUIRE_THROWS_WITH((*dict)["c"], Contains("ModuleDict has no key 'c'"));
  CHECK(dict->values().size() == 2);
  CHECK(dict->items()[1].second == a);

  auto replacement = std::make_shared<TestLinearImpl>(2, 2);
  dict->update({{"c", TestReLU().ptr()}, {"b", replacement}});  // "b" keeps its position
  CHECK(dict->keys() == Strings{"b", "a", "c"});
  CHECK((*dict)["b"] == replacement);
  dict->insert("d", TestLinear(1, 1));
  CHECK(keys(dict->state_dict()) == Strings{"b.weight", "b.bias", "a.weight", "a.bias", "d.weight", "d.bias"});

  CHECK(dict->pop("a") == a);
  CHECK(dict->keys() == Strings{"b", "c", "d"});
  REQUIRE_THROWS_WITH(dict->pop("a"), Contains("no key 'a'"));
  CHECK(dict->size() == 3);
  CHECK(dict->repr() ==
        "ModuleDict(\n"
        "  (b): TestLinear(in_features=2, out_features=2, bias=True)\n"
        "  (c): TestReLU()\n"
        "  (d): TestLinear(in_features=1, out_features=1, bias=True)\n"
        ")");
  REQUIRE_THROWS_WITH(dict(kiln::ones({1})), Contains("ModuleDict is not callable"));
  dict->clear();
  CHECK(dict->is_empty());
  CHECK(dict->parameters().empty());
}

TEST_CASE("ParameterList", "[containers]") {
  nn::ParameterList list(std::vector<Tensor>{kiln::zeros({2, 3})});
  CHECK(list->repr() == "ParameterList(  (0): Parameter containing: [torch.float32 of size 2x3])");
  Tensor b = kiln::ones({4}, DType::kF64);
  list->append(b);
  list->extend({kiln::zeros({}), kiln::zeros({1}, DType::kI64)});
  CHECK(list->size() == 4);
  CHECK((*list)[1].is_same(b));
  CHECK((*list)[-3].is_same(b));
  CHECK(b.requires_grad());  // made a Parameter
  CHECK_FALSE((*list)[3].requires_grad());
  REQUIRE_THROWS_WITH((*list)[4], Contains("index 4 is out of range"));
  CHECK(keys(list->named_parameters()) == Strings{"0", "1", "2", "3"});
  CHECK(keys(list->state_dict("p.")) == Strings{"p.0", "p.1", "p.2", "p.3"});
  // torch 1.13 prints the extra_repr lines (each already indented) inside the block.
  CHECK(list->repr() ==
        "ParameterList(\n"
        "    (0): Parameter containing: [torch.float32 of size 2x3]\n"
        "    (1): Parameter containing: [torch.float64 of size 4]\n"
        "    (2): Parameter containing: [torch.float32 of size ]\n"
        "    (3): Parameter containing: [torch.int64 of size 1]\n"
        ")");
  REQUIRE_THROWS_WITH(list(kiln::ones({1})), Contains("ParameterList should not be called."));
  CHECK(nn::ParameterList()->repr() == "ParameterList()");
}

TEST_CASE("ParameterDict", "[containers]") {
  Tensor w = kiln::zeros({2, 3});
  nn::ParameterDict dict(nn::NamedParameters{{"w", w}, {"b", kiln::zeros({3})}});
  CHECK(dict->keys() == Strings{"w", "b"});
  CHECK((*dict)["w"].is_same(w));
  CHECK(w.requires_grad());
  CHECK(dict->contains("b"));
  CHECK_FALSE(dict->contains("x"));
  REQUIRE_THROWS_WITH((*dict)["x"], Contains("ParameterDict has no key 'x'"));
  Tensor b2 = kiln::ones({3}, DType::kF64);
  dict->update({{"c", kiln::ones({1})}, {"b", b2}});
  CHECK(dict->keys() == Strings{"w", "b", "c"});
  CHECK(dict->values()[1].is_same(b2));
  CHECK(dict->items()[2].first == "c");
  CHECK(keys(dict->state_dict()) == Strings{"w", "b", "c"});
  CHECK(dict->repr() ==
        "ParameterDict(\n"
        "    (w): Parameter containing: [torch.FloatTensor of size 2x3]\n"
        "    (b): Parameter containing: [torch.DoubleTensor of size 3]\n"
        "    (c): Parameter containing: [torch.FloatTensor of size 1]\n"
        ")");
  CHECK(dict->pop("b").is_same(b2));
  CHECK(dict->keys() == Strings{"w", "c"});
  CHECK(keys(dict->named_parameters()) == Strings{"w", "c"});
  REQUIRE_THROWS_WITH(dict->pop("b"), Contains("no key 'b'"));
  REQUIRE_THROWS_WITH(dict->insert("a.b", kiln::ones({1})), Contains("can't contain"));
  REQUIRE_THROWS_WITH(dict(kiln::ones({1})), Contains("ParameterDict should not be called."));
  CHECK(dict->size() == 2);
  dict->clear();
  CHECK(dict->is_empty());
  CHECK(dict->parameters().empty());
}

TEST_CASE("containers nest with torch's names", "[containers]") {
  nn::Sequential inner(TestLinear(2, 2));
  nn::ModuleDict heads(nn::NamedModules{{"cls", TestLinear(2, 1).ptr()}});
  nn::Sequential model(nn::NamedModules{{"body", inner.ptr()}, {"heads", heads.ptr()}});
  CHECK(keys(model->state_dict()) ==
        Strings{"body.0.weight", "body.0.bias", "heads.cls.weight", "heads.cls.bias"});
  CHECK(model->repr() ==
        "Sequential(\n"
        "  (body): Sequential(\n"
        "    (0): TestLinear(in_features=2, out_features=2, bias=True)\n"
        "  )\n"
        "  (heads): ModuleDict(\n"
        "    (cls): TestLinear(in_features=2, out_features=1, bias=True)\n"
        "  )\n"
        ")");
  // Calling the ModuleDict inside the Sequential fails with the module path.
  REQUIRE_THROWS_WITH(model(kiln::ones({1, 2})), Contains("heads (ModuleDict): Module [ModuleDict]"));
}
