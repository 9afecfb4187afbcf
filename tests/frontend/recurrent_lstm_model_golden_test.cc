// Golden parity of the built-in `lstm` model (frontend/models/lstm.h) with its PyTorch original
// (tests/golden/gen_lstm_model.py writes tests/golden/models/lstm.safetensors): the same
// state_dict (keys, order, shapes) and repr, formula weights that load strictly under torch's
// names, and the same logits eagerly and traced (tokens i64 [T, N], both symbolic) on the
// reference backend — where the one traced graph also runs at a shorter sequence length and a
// smaller batch (an LSTM is causal, so a prefix of the tokens gives a prefix of the logits).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "codegen/api/compile.h"
#include "tests/golden/models/formula_weights.h"
#include "frontend/models/registry.h"
#include "frontend/nn.h"
#include "frontend/serialize.h"
#include "frontend/trace.h"
#include "ir/json.h"
#include "ir/safetensors.h"
#include "ir/tensor_compare.h"

namespace {

namespace ir = kiln::ir;
namespace nn = kiln::nn;
using kiln::Tensor;

std::string TmpPath(const std::string& file) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + file;
}

void CheckClose(const ir::HostTensor& got, const ir::HostTensor& want, const std::string& what) {
  ir::Comparison c = ir::Compare(got, want);
  INFO(what << ": " << c.message);
  CHECK(c.ok);
}

}  // namespace

TEST_CASE("lstm model matches PyTorch, eager and traced at two sequence lengths", "[models][golden][recurrent]") {
  auto file = ir::ReadSafetensors("tests/golden/models/lstm.safetensors");
  REQUIRE(file.ok());
  const ir::HostTensor& tokens = file->tensors.at("input");
  const ir::HostTensor& expected = file->tensors.at("expected.output");
  kiln::manual_seed(0);
  kiln::models::BuiltinModel m = kiln::models::build_model("lstm");
  nn::Module& module = *m.module;
  REQUIRE(m.inputs.size() == 1);
  CHECK(m.inputs[0].name == "tokens");
  CHECK(m.inputs[0].dtype == ir::DType::kI64);
  CHECK(m.output_names == std::vector<std::string>{"logits"});
  CHECK(module.repr() == file->metadata.at("repr"));

  // state_dict: keys in order and shapes; formula weights load strictly.
  auto json = ir::ParseJson(file->metadata.at("state_dict"));
  REQUIRE(json.ok());
  nn::NamedTensors state = module.state_dict();
  REQUIRE(state.size() == json->items().size());
  std::map<std::string, ir::HostTensor> weights;
  double checksum = 0;
  for (size_t i = 0; i < state.size(); ++i) {
    const ir::JsonValue& item = json->items()[i];
    std::string key = item.items().at(0).string_value();
    std::vector<int64_t> shape;
    for (const ir::JsonValue& d : item.items().at(1).items()) shape.push_back(d.int_value());
    INFO(key);
    CHECK(state[i].first == key);
    CHECK(state[i].second.sizes() == shape);
    auto formula = kiln::golden::FormulaTensor(key, shape);
    INFO(formula.status().ToString());
    REQUIRE(formula.ok());
    ir::HostTensor t = std::move(formula).value();
    for (int64_t k = 0; k < t.num_elements(); ++k) checksum += std::abs(t.GetDouble(k));
    weights.emplace(key, std::move(t));
  }
  CHECK(checksum == Approx(std::stod(file->metadata.at("formula_checksum"))).epsilon(1e-12));
  const std::string path = TmpPath("lstm.formula.safetensors");
  REQUIRE(ir::WriteSafetensors(path, weights, {{"format", "pt"}}).ok());
  kiln::load_state_dict(module, path);
  module.eval();

  // Eager.
  Tensor logits = module(Tensor(tokens.Clone()));
  CheckClose(logits.data(), expected, "eager");

  // Traced: tokens [T, N] symbolic; the two-layer LSTM is one node.
  kiln::TraceOptions options;
  options.graph_name = "lstm";
  options.output_names = m.output_names;
  std::unique_ptr<ir::Graph> graph = kiln::trace(module, m.inputs, options);
  CHECK(graph->inputs()[0]->type().str() == "i64[T,N]");
  CHECK(graph->outputs()[0].value->type().str() == "f32[T,N,10000]");
  int lstm_nodes = 0;
  for (const ir::Node* n : graph->nodes()) lstm_nodes += n->op() == ir::OpKind::Lstm ? 1 : 0;
  CHECK(lstm_nodes == 1);
  auto out = kiln::reference::RunGraph(*graph, {{"tokens", tokens}});
  REQUIRE(out.ok());
  CheckClose((*out)[0].second, expected, "traced T=5 N=2");
  // The same graph at T=3, N=1: the first 3 tokens of sequence 0.
  const Tensor all_tokens(tokens), all_expected(expected);
  Tensor short_tokens = all_tokens.narrow(0, 0, 3).narrow(1, 0, 1);
  auto short_out = kiln::reference::RunGraph(*graph, {{"tokens", short_tokens.contiguous().data()}});
  REQUIRE(short_out.ok());
  CHECK((*short_out)[0].second.sizes() == std::vector<int64_t>{3, 1, 10000});
  CheckClose((*short_out)[0].second, all_expected.narrow(0, 0, 3).narrow(1, 0, 1).data(), "traced T=3 N=1");

  // Compiled with the CPU backend (libNAME.so through its C ABI), one artifact with T <= 8 and
  // N <= 4: the golden (T=5, N=2), N=1 (sequence 0), and N=4 (the batch twice), vs PyTorch.
  kiln::CompileOptions co;
  co.name = "lstm";
  co.max_batch = 4;
  co.max_dims = {{"T", 8}};
  co.threads = 2;
  kiln::CompiledModel compiled = kiln::compile(*graph, co);
  CheckClose(compiled(all_tokens).data(), expected, "compiled T=5 N=2");
  CheckClose(compiled(all_tokens.narrow(1, 0, 1).contiguous()).data(), all_expected.narrow(1, 0, 1).contiguous().data(),
             "compiled T=5 N=1");
  CheckClose(compiled(kiln::cat({all_tokens, all_tokens}, 1)).data(), kiln::cat({all_expected, all_expected}, 1).data(),
             "compiled T=5 N=4");
  CheckClose(compiled(short_tokens.contiguous()).data(), all_expected.narrow(0, 0, 3).narrow(1, 0, 1).contiguous().data(),
             "compiled T=3 N=1");
}
