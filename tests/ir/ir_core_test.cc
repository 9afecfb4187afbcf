// Types, attributes, the op registry, graph editing and the verifier.
#include <catch2/catch.hpp>

#include "ir/graph.h"
#include "ir/verifier.h"

using namespace kiln::ir;

TEST_CASE("op registry parses every ops.def row") {
  REQUIRE(all_op_schemas().size() > 40);
  const OpSchema* conv = find_op("conv");
  REQUIRE(conv != nullptr);
  REQUIRE(conv->find_attr("groups")->default_value.has_value());
  REQUIRE_FALSE(conv->find_attr("stride")->default_value.has_value());
  REQUIRE(find_op("no_such_op") == nullptr);
  for (const OpSchema& s : all_op_schemas()) REQUIRE(op_schema(s.kind).name == s.name);
}

TEST_CASE("graph builds with inferred types and verifies") {
  Graph g("mlp");
  Value* x = g.AddInput("input", TensorType{DType::kF32, Shape({Dim::Symbolic("N"), 1, 28, 28})});
  Value* w = g.AddParam("fc.weight", TensorType{DType::kF32, Shape({10, 784})});
  auto flat = g.AddNodeInferred(OpKind::Reshape, {x}, Attrs{{"shape", std::vector<int64_t>{-1, 784}}});
  REQUIRE(flat.ok());
  REQUIRE((*flat)->result()->type().str() == "f32[N,784]");
  auto lin = g.AddNodeInferred(OpKind::Linear, {(*flat)->result(), w}, {}, "fc");
  REQUIRE(lin.ok());
  g.AddOutput("output", (*lin)->result());
  REQUIRE(Verify(g).ok());
  auto bad = g.AddNodeInferred(OpKind::Linear, {x, w}, {}, "fc2");
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.status().message().find("fc2") != std::string::npos);
}

TEST_CASE("verifier reports every problem at once") {
  Graph g("bad");
  Value* a = g.AddInput("a", TensorType{DType::kF32, Shape({2, 3})});
  Value* b = g.AddInput("a", TensorType{DType::kF32, Shape({4})});
  g.AddNode(OpKind::Add, {a, b}, {}, {TensorType{DType::kF32, Shape({2, 3})}});
  g.AddNode(OpKind::Conv, {a, a}, {}, {TensorType{DType::kF32, Shape({2, 3})}});
  kiln::Status s = Verify(g);
  REQUIRE_FALSE(s.ok());
  const std::string& m = s.message();
  CHECK(m.find("defined twice") != std::string::npos);
  CHECK(m.find("cannot broadcast") != std::string::npos);
  CHECK(m.find("required attribute 'stride'") != std::string::npos);
  CHECK(m.find("no outputs") != std::string::npos);
}

TEST_CASE("verifier rejects declared types whose byte size overflows") {
  Graph g("huge");
  Value* p = g.AddParam("w", TensorType{DType::kF32, Shape({int64_t{1} << 62, 4})});
  auto n = g.AddNodeInferred(OpKind::Relu, {p}, {});
  REQUIRE(n.ok());
  g.AddOutput("out", (*n)->result());
  kiln::Status s = Verify(g);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("too large") != std::string::npos);
}

TEST_CASE("shape rules reject element-count overflow in attributes") {
  Graph g("g");
  Value* x = g.AddInput("x", TensorType{DType::kF32, Shape({4})});
  auto r = g.AddNodeInferred(OpKind::Reshape, {x}, Attrs{{"shape", std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 40, -1}}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("overflows") != std::string::npos);
}

TEST_CASE("reduce_mean is floating only; i32 constants must fit i32") {
  Graph g("g");
  Value* x = g.AddInput("x", TensorType{DType::kI64, Shape({4})});
  auto mean = g.AddNodeInferred(OpKind::ReduceMean, {x}, Attrs{{"dims", std::vector<int64_t>{0}}});
  REQUIRE_FALSE(mean.ok());
  CHECK(mean.status().message().find("floating point") != std::string::npos);
  auto c = g.AddNodeInferred(OpKind::Constant, {},
                             Attrs{{"dtype", DType::kI32}, {"shape", std::vector<int64_t>{}}, {"value", std::vector<double>{3e9}}});
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("out of range for i32") != std::string::npos);
}
