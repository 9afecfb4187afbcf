// The reference interpreter as a whole: kernel coverage, EvaluateOp's checks, and RunGraph
// (verification, input binding with symbolic dims, node errors, outputs).
#include <cmath>
#include <cstdint>

#include "codegen/reference/kernel_registry.h"
#include "ir/graph.h"
#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;
using kiln::reference::KernelTable;
using kiln::reference::reference_kernels;
using ir::Dim;
using ir::Graph;
using ir::Shape;
using ir::TensorType;
using ir::Value;

namespace {

using Ints = std::vector<int64_t>;

TensorType T(DType d, std::vector<Dim> dims) { return TensorType{d, Shape(std::move(dims))}; }

ir::Node* Add(Graph& g, OpKind op, std::vector<Value*> operands, Attrs attrs = {}, std::string loc = "") {
  auto n = g.AddNodeInferred(op, std::move(operands), std::move(attrs), std::move(loc));
  if (!n.ok()) FAIL(n.status().ToString());
  return *n;
}

// x[N,4] -> logits = linear(x, W, b); y = relu(logits) * mask[N,3]; pred = argmax(logits, 1);
// flat = reshape(x, [-1, 2, 2]) summed over [1, 2].
std::unique_ptr<Graph> MakeGraph() {
  auto g = std::make_unique<Graph>("tiny");
  Dim n = Dim::Symbolic("N");
  Value* x = g->AddInput("x", T(DType::kF32, {n, 4}));
  Value* mask = g->AddInput("mask", T(DType::kF32, {n, 3}));
  Value* w = g->AddParam("fc.weight", T(DType::kF32, {3, 4}));
  Value* b = g->AddParam("fc.bias", T(DType::kF32, {3}));
  g->weights()["fc.weight"] = F32({3, 4}, {1, 0, 0, 0, 0, 1, -1, 0, 0.5f, 0.5f, 0.5f, 0.5f});
  g->weights()["fc.bias"] = F32({3}, {0, 1, -2});
  ir::Node* logits = Add(*g, OpKind::Linear, {x, w, b}, {}, "fc");
  ir::Node* relu = Add(*g, OpKind::Relu, {logits->result()});
  ir::Node* y = Add(*g, OpKind::Mul, {relu->result(), mask});
  ir::Node* pred = Add(*g, OpKind::ArgMax, {logits->result()}, {{"dim", int64_t{1}}});
  ir::Node* cube = Add(*g, OpKind::Reshape, {x}, {{"shape", Ints{-1, 2, 2}}});
  ir::Node* sums = Add(*g, OpKind::ReduceSum, {cube->result()}, {{"dims", Ints{1, 2}}});
  g->AddOutput("y", y->result());
  g->AddOutput("logits", logits->result());
  g->AddOutput("pred", pred->result());
  g->AddOutput("sums", sums->result());
  return g;
}

// The same computation written out per row.
void CheckRun(const Graph& g, int64_t n) {
  INFO("batch " << n);
  std::vector<float> xv, mv;
  for (int64_t i = 0; i < n * 4; ++i) xv.push_back(static_cast<float>((i * 3) % 7) - 2.0f);
  for (int64_t i = 0; i < n * 3; ++i) mv.push_back(i % 2 ? 1.0f : 2.0f);
  auto r = RunGraph(g, {{"x", F32({n, 4}, xv)}, {"mask", F32({n, 3}, mv)}});
  if (!r.ok()) FAIL(r.status().ToString());
  REQUIRE(r->size() == 4);
  CHECK((*r)[0].first == "y");
  CHECK((*r)[1].first == "logits");
  CHECK((*r)[2].first == "pred");
  CHECK((*r)[3].first == "sums");
  std::vector<double> logits, y, sums;
  std::vector<int64_t> pred;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = xv.data() + i * 4;
    double l[3] = {row[0] + 0.0, row[1] - row[2] + 1.0, 0.5 * (row[0] + row[1] + row[2] + row[3]) - 2.0};
    int64_t best = 0;
    for (int k = 0; k < 3; ++k) {
      logits.push_back(l[k]);
      y.push_back(std::max(l[k], 0.0) * mv[static_cast<size_t>(i * 3 + k)]);
      if (l[k] > l[best]) best = k;
    }
    pred.push_back(best);
    sums.push_back(row[0] + row[1] + row[2] + row[3]);
  }
  CheckTensor((*r)[0].second, DType::kF32, {n, 3}, y, 0);
  CheckTensor((*r)[1].second, DType::kF32, {n, 3}, logits, 0);
  CheckInts((*r)[2].second, DType::kI64, {n}, pred);
  CheckTensor((*r)[3].second, DType::kF32, {n}, sums, 0);
}

Status RunError(const Graph& g, const std::map<std::string, HostTensor>& inputs) {
  auto r = RunGraph(g, inputs);
  REQUIRE_FALSE(r.ok());
  return r.status();
}

HostTensor Zeros(DType d, Ints sizes) { return HostTensor(d, std::move(sizes)); }

}  // namespace

TEST_CASE("every op in ops.def has a reference kernel") {
  for (const ir::OpSchema& s : ir::all_op_schemas()) {
    INFO("op " << s.name);
    CHECK(reference_kernels().Find(s.kind) != nullptr);
  }
  KernelTable empty;
  CHECK(empty.Find(OpKind::Add) == nullptr);
  auto r = kiln::reference::EvaluateOpWith(empty, OpKind::Add, {}, {F32({1}, {1}), F32({1}, {2})});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnimplemented);
  CHECK(r.status().message() == "no reference kernel for op add");
}

TEST_CASE("EvaluateOp checks operand counts and attributes, and fills defaults") {
  Status count = EvalError(OpKind::Add, {}, {F32({1}, {1})});
  CHECK_THAT(count.message(), Catch::Contains("add takes 2 operands, got 1"));
  Status unknown = EvalError(OpKind::Relu, {{"alpha", 1.0}}, {F32({1}, {1})});
  CHECK_THAT(unknown.message(), Catch::Contains("unknown attribute 'alpha'"));
  Status missing = EvalError(OpKind::Softmax, {}, {F32({1}, {1})});
  CHECK_THAT(missing.message(), Catch::Contains("required attribute 'dim'"));
  // keepdim defaults to false.
  CheckTensor(Eval(OpKind::ReduceSum, {{"dims", Ints{0}}}, {F32({2}, {1, 2})}), DType::kF32, {}, {3}, 0);
}

TEST_CASE("RunGraph runs a graph with a symbolic batch at two batch sizes") {
  auto g = MakeGraph();
  CheckRun(*g, 2);
  CheckRun(*g, 5);
}

TEST_CASE("RunGraph reports every input-binding problem with names and types") {
  auto g = MakeGraph();
  HostTensor x = Zeros(DType::kF32, {2, 4}), mask = Zeros(DType::kF32, {2, 3});

  Status missing = RunError(*g, {{"x", x}});
  CHECK(missing.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(missing.message(), Catch::Contains("missing input 'mask' f32[N,3]"));

  Status unknown = RunError(*g, {{"x", x}, {"mask", mask}, {"bogus", x}});
  CHECK_THAT(unknown.message(), Catch::Contains("unknown input 'bogus'") && Catch::Contains("inputs: x, mask"));

  Status dtype = RunError(*g, {{"x", Zeros(DType::kF64, {2, 4})}, {"mask", mask}});
  CHECK_THAT(dtype.message(), Catch::Contains("input 'x': expected f32[N,4], got f64[2,4] (dtype differs)"));

  Status rank = RunError(*g, {{"x", Zeros(DType::kF32, {8})}, {"mask", mask}});
  CHECK_THAT(rank.message(), Catch::Contains("input 'x': expected f32[N,4], got f32[8] (rank 1, expected 2)"));

  Status dim = RunError(*g, {{"x", Zeros(DType::kF32, {2, 5})}, {"mask", mask}});
  CHECK_THAT(dim.message(), Catch::Contains("input 'x': expected f32[N,4], got f32[2,5] (dim 1 is 5, expected 4)"));

  Status symbol = RunError(*g, {{"x", x}, {"mask", Zeros(DType::kF32, {3, 3})}});
  CHECK_THAT(symbol.message(),
             Catch::Contains("input 'mask': expected f32[N,3], got f32[3,3] (N is 3 here but 2 in input 'x')"));

  // Several problems are reported together.
  Status several = RunError(*g, {{"x", Zeros(DType::kI64, {2, 4})}, {"extra", x}});
  CHECK_THAT(several.message(), Catch::Contains("3 problems binding the inputs of graph tiny:") &&
                                    Catch::Contains("unknown input 'extra'") && Catch::Contains("missing input 'mask'") &&
                                    Catch::Contains("input 'x': expected f32[N,4], got i64[2,4]"));
}

TEST_CASE("RunGraph verifies the graph and requires weights") {
  auto g = MakeGraph();
  g->weights().erase("fc.bias");
  Status s = RunError(*g, {{"x", Zeros(DType::kF32, {1, 4})}, {"mask", Zeros(DType::kF32, {1, 3})}});
  CHECK_THAT(s.message(), Catch::Contains("param %fc.bias f32[3] has no weight data"));
}

TEST_CASE("RunGraph prefixes node errors with the node") {
  Graph g("ratio");
  Value* a = g.AddInput("a", T(DType::kI64, {Dim::Symbolic("N")}));
  Value* b = g.AddInput("b", T(DType::kI64, {Dim::Symbolic("N")}));
  ir::Node* div = Add(g, OpKind::Div, {a, b}, {}, "head.ratio");
  g.AddOutput("q", div->result());
  auto ok = RunGraph(g, {{"a", I64({3}, {7, -7, 9})}, {"b", I64({3}, {2, 2, 3})}});
  REQUIRE(ok.ok());
  CheckInts((*ok)[0].second, DType::kI64, {3}, {3, -3, 3});
  Status s = RunError(g, {{"a", I64({2}, {1, 2})}, {"b", I64({2}, {1, 0})}});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith(div->Describe() + ": div: integer division by zero"));
  CHECK_THAT(s.message(), Catch::Contains("@head.ratio"));
}

TEST_CASE("RunGraph outputs never alias inputs or weights") {
  Graph g("passthrough");
  Value* x = g.AddInput("x", T(DType::kF32, {2}));
  Value* w = g.AddParam("w", T(DType::kF32, {2}));
  g.weights()["w"] = F32({2}, {5, 6});
  ir::Node* c = Add(g, OpKind::Constant, {}, {{"dtype", DType::kI32}, {"shape", Ints{2}}, {"value", std::vector<double>{4}}});
  g.AddOutput("x_out", x);
  g.AddOutput("w_out", w);
  g.AddOutput("c", c->result());
  HostTensor in = F32({2}, {1, 2});
  auto r = RunGraph(g, {{"x", in}});
  REQUIRE(r.ok());
  (*r)[0].second.data<float>()[0] = 100;
  (*r)[1].second.data<float>()[0] = 100;
  CHECK(in.data<float>()[0] == 1);
  CHECK(g.weights()["w"].data<float>()[0] == 5);
  CheckInts((*r)[2].second, DType::kI32, {2}, {4, 4});
}
