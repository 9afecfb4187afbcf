#include "tests/passes/fold_test_util.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "ir/kir.h"
#include "ir/tensor_compare.h"
#include "ir/verifier.h"

namespace kiln::passes::testing {

ir::HostTensor RandomTensor(const ir::TensorType& type, uint32_t seed, double lo, double hi, int64_t batch) {
  std::vector<int64_t> sizes;
  for (int i = 0; i < type.shape.rank(); ++i) {
    sizes.push_back(type.shape.dim(i).is_static() ? type.shape.dim(i).size() : batch);
  }
  ir::HostTensor t(type.dtype, sizes);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    double v = dist(gen);
    t.SetDouble(i, ir::is_floating(type.dtype) ? v : std::round(v));
  }
  return t;
}

void AttachRandomWeights(ir::Graph& graph, uint32_t seed) {
  for (const ir::Value* p : graph.params()) {
    bool variance = p->name().find("var") != std::string::npos;
    graph.weights()[p->name()] = RandomTensor(p->type(), seed++, variance ? 0.5 : -1.0, variance ? 1.5 : 1.0);
  }
}

std::map<std::string, ir::HostTensor> RandomInputs(const ir::Graph& graph, uint32_t seed, int64_t batch) {
  std::map<std::string, ir::HostTensor> inputs;
  for (const ir::Value* in : graph.inputs()) inputs[in->name()] = RandomTensor(in->type(), seed++, -1, 1, batch);
  return inputs;
}

void CheckSameOutputs(const ir::Graph& before, const ir::Graph& after, int64_t batch) {
  auto inputs = RandomInputs(before, 7, batch);
  auto expected = reference::RunGraph(before, inputs);
  INFO(expected.status().ToString());
  REQUIRE(expected.ok());
  auto got = reference::RunGraph(after, inputs);
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  REQUIRE(got->size() == expected->size());
  for (size_t i = 0; i < got->size(); ++i) {
    CHECK((*got)[i].first == (*expected)[i].first);
    ir::Comparison c = ir::Compare((*got)[i].second, (*expected)[i].second);
    INFO("output " << (*got)[i].first << ": " << c.message);
    CHECK(c.ok);
  }
}

std::unique_ptr<ir::Graph> ParseVerified(const std::string& text, const std::string& filename, bool with_weights) {
  auto g = ir::ParseGraph(text, filename);
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  if (with_weights) AttachRandomWeights(**g);
  Status verified = ir::Verify(**g);
  INFO(verified.ToString());
  REQUIRE(verified.ok());
  return std::move(g).value();
}

std::string RunPassChecked(Pass& pass, const std::string& text, bool expect_changed) {
  auto before = ParseVerified(text, pass.name() + "_test.kir");
  auto graph = before->Clone();
  auto changed = pass.Run(*graph);
  INFO(changed.status().ToString());
  REQUIRE(changed.ok());
  CHECK(*changed == expect_changed);
  Status verified = ir::Verify(*graph);
  INFO(verified.ToString());
  REQUIRE(verified.ok());
  CheckSameOutputs(*before, *graph);
  auto again = pass.Run(*graph);
  REQUIRE(again.ok());
  CHECK(!*again);
  return ir::PrintGraph(*graph);
}

int CountOf(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace kiln::passes::testing
