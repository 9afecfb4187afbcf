// Runs the conformance table (tests/conformance/cases_*.cc) on every available backend and
// compares each with the reference backend.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "ir/kir.h"
#include "ir/verifier.h"
#include "tests/conformance/conformance.h"

namespace kiln::conformance {
namespace {

// A seeded tensor for `type` with `bindings` applied to its symbolic dims.
ir::HostTensor random_tensor(const ir::TensorType& type, const Case& c, std::mt19937_64& rng) {
  std::vector<int64_t> sizes;
  for (const ir::Dim& d : type.shape.dims()) sizes.push_back(d.is_static() ? d.size() : c.bindings.at(d.symbol()));
  ir::HostTensor t(type.dtype, sizes);
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    double u = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
    if (type.dtype == ir::DType::kBool) {
      t.SetDouble(i, u < 0.5 ? 0 : 1);
    } else if (ir::is_floating(type.dtype)) {
      t.SetDouble(i, c.low + (c.high - c.low) * u);
    } else {
      t.SetDouble(i, static_cast<double>(c.int_low + static_cast<int64_t>(u * static_cast<double>(c.int_high - c.int_low))));
    }
  }
  return t;
}

}  // namespace

TEST_CASE("every op of the op table has a conformance case") {
  std::set<ir::OpKind> covered;
  for (const Case& c : all_cases()) {
    auto g = ir::ParseGraph(c.kir, c.name);
    REQUIRE(g.ok());
    for (const ir::Node* n : (*g)->nodes()) covered.insert(n->op());
  }
  std::string missing;
  for (const ir::OpSchema& s : ir::all_op_schemas()) {
    if (!covered.count(s.kind)) missing += " " + s.name;
  }
  INFO("ops without a conformance case:" << missing);
  CHECK(missing.empty());
}

TEST_CASE("conformance table on every backend") {
  std::vector<Backend> backends = available_backends();
  REQUIRE(!backends.empty());
  REQUIRE(backends[0].name == "reference");
  std::set<std::string> names;
  for (const Case& c : all_cases()) {
    DYNAMIC_SECTION(c.name) {
      REQUIRE(names.insert(c.name).second);  // case names are unique
      auto parsed = ir::ParseGraph(c.kir, c.name + ".kir");
      {
        INFO(parsed.status().ToString());
        REQUIRE(parsed.ok());
      }
      ir::Graph& g = **parsed;
      std::mt19937_64 rng(std::hash<std::string>{}(c.name));
      for (const ir::Value* p : g.params()) g.weights()[p->name()] = random_tensor(p->type(), c, rng);
      ir::VerifyOptions vo;
      vo.require_weights = true;
      kiln::Status verified = ir::Verify(g, vo);
      {
        INFO(verified.ToString());
        REQUIRE(verified.ok());
      }
      std::map<std::string, ir::HostTensor> inputs;
      for (const ir::Value* v : g.inputs()) inputs[v->name()] = random_tensor(v->type(), c, rng);

      auto expected = backends[0].run(g, inputs);
      {
        INFO(expected.status().ToString());
        REQUIRE(expected.ok());
      }
      REQUIRE(expected->size() == g.outputs().size());
      for (size_t i = 0; i < expected->size(); ++i) {
        // Outputs have the declared types with the bindings applied.
        ir::HostTensor declared = random_tensor(g.outputs()[i].value->type(), c, rng);
        CHECK((*expected)[i].second.type() == declared.type());
      }
      // The oracle is deterministic.
      auto again = backends[0].run(g, inputs);
      REQUIRE(again.ok());
      for (size_t i = 0; i < expected->size(); ++i) CHECK((*again)[i].second.BitwiseEqual((*expected)[i].second));

      for (size_t b = 1; b < backends.size(); ++b) {
        auto got = backends[b].run(g, inputs);
        {
        INFO(backends[b].name + ": " + got.status().ToString());
        REQUIRE(got.ok());
      }
        REQUIRE(got->size() == expected->size());
        for (size_t i = 0; i < got->size(); ++i) {
          ir::Comparison cmp = ir::Compare((*got)[i].second, (*expected)[i].second, c.tolerance);
          INFO(backends[b].name << " output " << (*got)[i].first << ": " << cmp.message);
          CHECK(cmp.ok);
        }
      }
    }
  }
}

}  // namespace kiln::conformance
