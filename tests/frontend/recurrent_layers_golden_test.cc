// Golden parity of issue 6's recurrent layers with torch.nn: for every case of
// tests/golden/layers/recurrent_*.safetensors (tests/golden/gen_recurrent_layers.py) build the
// kiln module from the constructor arguments in the file's metadata, check state_dict keys
// (order included) and repr, load torch's weights and compare
//   - eager: outputs, h_n (c_n); packed cases through pack_padded_sequence +
//     forward_with_packed_input (packed data, batch_sizes, sorted_indices) and pad_packed_sequence;
//   - traced with symbolic T and N (+ the reference backend); packed cases twice: with the
//     lengths as a run-time graph input (padded form) and with the packing traced (lengths
//     baked in);
// and one traced LSTM graph run at two sequence lengths and batch sizes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "codegen/reference/interpreter.h"
#include "frontend/nn.h"
#include "frontend/trace.h"
#include "ir/safetensors.h"
#include "ir/tensor_compare.h"

namespace {

using namespace kiln;  // NOLINT
namespace rnn_utils = nn::utils::rnn;

std::string LayersDir() {
  if (const char* dir = std::getenv("KILN_GOLDEN_LAYERS_DIR")) return dir;
  return "tests/golden/layers";
}

std::vector<std::string> CaseFiles() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(LayersDir())) {
    std::string f = entry.path().filename().string();
    if (f.rfind("recurrent_", 0) == 0) names.push_back(f.substr(0, f.size() - std::string(".safetensors").size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

nn::ModulePtr Build(std::map<std::string, std::string>& m) {
  const std::string& kind = m["module"];
  int64_t in = std::stoll(m["input_size"]), hidden = std::stoll(m["hidden_size"]), layers = std::stoll(m["num_layers"]);
  bool bias = m["bias"] == "1", bf = m["batch_first"] == "1", bidir = m["bidirectional"] == "1";
  double dropout = std::stod(m["dropout"]);
  if (kind == "RNN") {
    return nn::RNN(nn::RNNOptions(in, hidden).num_layers(layers).nonlinearity(m["nonlinearity"]).bias(bias)
                       .batch_first(bf).dropout(dropout).bidirectional(bidir)).ptr();
  }
  if (kind == "LSTM") {
    return nn::LSTM(nn::LSTMOptions(in, hidden).num_layers(layers).bias(bias).batch_first(bf).dropout(dropout)
                        .bidirectional(bidir)).ptr();
  }
  if (kind == "GRU") {
    return nn::GRU(nn::GRUOptions(in, hidden).num_layers(layers).bias(bias).batch_first(bf).dropout(dropout)
                       .bidirectional(bidir)).ptr();
  }
  if (kind == "RNNCell") return nn::RNNCell(nn::RNNCellOptions(in, hidden).bias(bias).nonlinearity(m["nonlinearity"])).ptr();
  if (kind == "LSTMCell") return nn::LSTMCell(nn::LSTMCellOptions(in, hidden).bias(bias)).ptr();
  if (kind == "GRUCell") return nn::GRUCell(nn::GRUCellOptions(in, hidden).bias(bias)).ptr();
  FAIL("unknown module " << kind);
  return nullptr;
}

void CheckClose(const Tensor& got, const ir::HostTensor& expected, const std::string& what) {
  REQUIRE(got.defined());
  ir::Comparison c = ir::Compare(got.data(), expected);
  INFO(what << ": " << c.message);
  CHECK(c.ok);
}

Tensor Get(const ir::SafetensorsFile& f, const std::string& key) {
  auto it = f.tensors.find(key);
  return it == f.tensors.end() ? Tensor() : Tensor(it->second.Clone());
}

// Calls `inner` with a fixed argument layout, taking only the defined inputs from the trace;
// `pack` (packed cases) packs the input with the baked-in lengths and returns packed data.
struct Wrapper : nn::Module {
  Wrapper(nn::ModulePtr m, std::vector<Tensor> args) : Module("Wrapper"), args(std::move(args)) {
    inner = register_module("inner", std::move(m));
  }
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& in) override {
    std::vector<Tensor> full = args;
    size_t k = 0;
    for (Tensor& a : full) {
      if (a.defined()) a = in.at(k++);
    }
    if (!pack) return inner->call(full);
    auto* base = dynamic_cast<nn::detail::RNNImplBase*>(inner.get());
    rnn_utils::PackedSequence packed = rnn_utils::pack_padded_sequence(full[0], lengths, base->batch_first, sorted);
    std::vector<Tensor> out;
    if (auto* lstm = dynamic_cast<nn::LSTMImpl*>(base)) {
      std::optional<std::tuple<Tensor, Tensor>> hx;
      if (full[1].defined()) hx = std::make_tuple(full[1], full[2]);
      auto [o, hc] = lstm->forward_with_packed_input(packed, hx);
      return {o.data(), std::get<0>(hc), std::get<1>(hc)};
    }
    auto [o, h] = base->name() == "GRU" ? dynamic_cast<nn::GRUImpl*>(base)->forward_with_packed_input(packed, full[1])
                                        : dynamic_cast<nn::RNNImpl*>(base)->forward_with_packed_input(packed, full[1]);
    return {o.data(), h};
  }
  nn::ModulePtr inner;
  std::vector<Tensor> args;
  bool pack = false, sorted = true;
  Tensor lengths;
};

// Traces `w` on its defined args with `symbolic` dims per arg, runs it on the reference backend.
std::vector<ir::HostTensor> RunTraced(Wrapper& w, const std::vector<std::vector<ir::Dim>>& dims) {
  std::vector<TensorSpec> specs;
  std::map<std::string, ir::HostTensor> feed;
  size_t k = 0;
  for (size_t i = 0; i < w.args.size(); ++i) {
    if (!w.args[i].defined()) continue;
    std::string name = "in" + std::to_string(i);
    specs.emplace_back(dims[k++], w.args[i].dtype(), name);
    feed[name] = w.args[i].data();
  }
  std::unique_ptr<ir::Graph> graph = trace(w, specs);
  auto out = reference::RunGraph(*graph, feed);
  INFO((out.ok() ? std::string() : out.status().ToString()));
  REQUIRE(out.ok());
  std::vector<ir::HostTensor> r;
  for (auto& [name, t] : *out) r.push_back(t);
  return r;
}

// The dims of an arg with the time and batch positions made symbolic.
std::vector<ir::Dim> Dims(const Tensor& t, int time_dim, int batch_dim) {
  std::vector<ir::Dim> d;
  for (int64_t i = 0; i < t.dim(); ++i) {
    if (i == time_dim) d.push_back(sym("T"));
    else if (i == batch_dim) d.push_back(sym("N"));
    else d.push_back(ir::Dim(t.size(i)));
  }
  return d;
}

void CheckCase(const std::string& name) {
  auto file = ir::ReadSafetensors(LayersDir() + "/" + name + ".safetensors");
  INFO(name << ": " << file.status().ToString());
  REQUIRE(file.ok());
  std::map<std::string, std::string> meta = file->metadata;
  nn::ModulePtr m = Build(meta);
  // state_dict keys in torch's order, then the weights.
  std::vector<std::string> ours, theirs;
  nn::NamedTensors state;
  for (const auto& [k, v] : m->state_dict()) ours.push_back(k);
  for (const auto& [k, v] : file->tensors) {
    if (k.rfind("state.", 0) == 0) state.emplace_back(k.substr(6), Tensor(v.Clone()));
  }
  for (const auto& [k, v] : state) theirs.push_back(k);
  std::vector<std::string> sorted_ours = ours;
  std::sort(sorted_ours.begin(), sorted_ours.end());
  CHECK(sorted_ours == theirs);  // the file's tensors come back sorted by key
  std::string keys;
  for (const std::string& k : ours) keys += (keys.empty() ? "" : ",") + k;
  CHECK(keys == meta["state_dict_keys"]);  // torch's registration order
  CHECK(m->repr() == meta["repr"]);
  m->load_state_dict(state);
  m->eval();
  const bool cell = meta["module"].find("Cell") != std::string::npos, packed = meta["packed"] == "1";
  const bool lstm = meta["module"].rfind("LSTM", 0) == 0, bf = meta["batch_first"] == "1";
  std::vector<Tensor> args{Get(*file, "in0"), Get(*file, "in1"), Get(*file, "in2")};
  if (!lstm) args.pop_back();
  std::vector<Tensor> expected{Get(*file, "out0"), Get(*file, "out1"), Get(*file, "out2")};
  const size_t num_out = lstm ? (cell ? 2 : 3) : (cell ? 1 : 2);

  if (!packed) {
    std::vector<Tensor> y = m->call(args);
    REQUIRE(y.size() == num_out);
    for (size_t i = 0; i < num_out; ++i) CheckClose(y[i], expected[i].data(), name + " eager out" + std::to_string(i));
    // Traced: symbolic T (modules) and N (batched inputs).
    Wrapper w(m, args);
    const bool batched = args[0].dim() == (cell ? 2 : 3);
    std::vector<std::vector<ir::Dim>> dims;
    for (const Tensor& a : args) {
      if (!a.defined()) continue;
      bool is_input = a.is_same(args[0]);
      int time = !cell && is_input ? (batched && bf ? 1 : 0) : -1;
      int batch = !batched ? -1 : cell ? 0 : is_input ? (bf ? 0 : 1) : 1;
      dims.push_back(Dims(a, time, batch));
    }
    std::vector<ir::HostTensor> traced = RunTraced(w, dims);
    REQUIRE(traced.size() == num_out);
    for (size_t i = 0; i < num_out; ++i) CheckClose(Tensor(traced[i]), expected[i].data(), name + " traced out" + std::to_string(i));
    return;
  }
  // Packed: eager through PackedSequence.
  Tensor lengths = Get(*file, "lengths");
  const bool sorted = meta["enforce_sorted"] == "1";
  auto* base = dynamic_cast<nn::detail::RNNImplBase*>(m.get());
  REQUIRE(base != nullptr);
  Wrapper packer(m, args);
  packer.pack = true;
  packer.sorted = sorted;
  packer.lengths = lengths;
  std::vector<Tensor> defined_args;
  for (const Tensor& a : args) {
    if (a.defined()) defined_args.push_back(a);
  }
  std::vector<Tensor> y = packer.forward_tensors(defined_args);
  CheckClose(y[0], file->tensors.at("packed.data"), name + " eager packed data");
  for (size_t i = 1; i < num_out; ++i) CheckClose(y[i], expected[i].data(), name + " eager packed out" + std::to_string(i));
  rnn_utils::PackedSequence in_packed = rnn_utils::pack_padded_sequence(args[0], lengths, bf, sorted);
  CHECK(in_packed.batch_sizes().data().BitwiseEqual(file->tensors.at("packed.batch_sizes")));
  if (file->tensors.count("packed.sorted_indices")) {
    CHECK(in_packed.sorted_indices().data().BitwiseEqual(file->tensors.at("packed.sorted_indices")));
  } else {
    CHECK_FALSE(in_packed.sorted_indices().defined());
  }
  rnn_utils::PackedSequence out_packed(y[0], in_packed.batch_sizes(), in_packed.sorted_indices());
  auto [padded, out_lengths] = rnn_utils::pad_packed_sequence(out_packed, bf, 0.0, args[0].size(bf ? 1 : 0));
  CheckClose(padded, expected[0].data(), name + " eager pad_packed_sequence");
  CHECK(out_lengths.data().BitwiseEqual(lengths.data()));
  // Traced with the packing baked in (static shapes).
  std::vector<std::vector<ir::Dim>> static_dims;
  for (const Tensor& a : args) {
    if (a.defined()) static_dims.push_back(Dims(a, -1, -1));
  }
  std::vector<ir::HostTensor> baked = RunTraced(packer, static_dims);
  REQUIRE(baked.size() == num_out);
  CheckClose(Tensor(baked[0]), file->tensors.at("packed.data"), name + " traced packed data");
  for (size_t i = 1; i < num_out; ++i) CheckClose(Tensor(baked[i]), expected[i].data(), name + " traced packed out" + std::to_string(i));
  // Traced with the lengths as a run-time input (padded form, symbolic T and N).
  std::vector<Tensor> padded_args = args;  // {input, h0, (c0,) lengths}
  padded_args.push_back(lengths);
  Wrapper runtime(m, padded_args);
  std::vector<std::vector<ir::Dim>> dims;
  for (size_t i = 0; i < padded_args.size(); ++i) {
    const Tensor& a = padded_args[i];
    if (!a.defined()) continue;
    if (i == 0) dims.push_back(Dims(a, bf ? 1 : 0, bf ? 0 : 1));
    else if (i + 1 == padded_args.size()) dims.push_back(Dims(a, -1, 0));
    else dims.push_back(Dims(a, -1, 1));
  }
  std::vector<ir::HostTensor> traced = RunTraced(runtime, dims);
  REQUIRE(traced.size() == num_out);
  for (size_t i = 0; i < num_out; ++i) CheckClose(Tensor(traced[i]), expected[i].data(), name + " traced lengths out" + std::to_string(i));
}

}  // namespace

TEST_CASE("layers6: kiln::nn recurrent layers match torch.nn", "[layers][golden][recurrent]") {
  std::vector<std::string> names = CaseFiles();
  CHECK(names.size() >= 50);
  for (const std::string& name : names) {
    SECTION(name) { CheckCase(name); }
  }
}

TEST_CASE("layers6: one traced LSTM graph runs at two sequence lengths and batch sizes", "[recurrent]") {
  manual_seed(3);
  nn::LSTM lstm(nn::LSTMOptions(4, 3).num_layers(2).bidirectional(true));
  lstm->eval();
  auto graph = trace(*lstm, {TensorSpec({sym("T"), sym("N"), 4}, DType::kF32, "x")}, {"lstm", {"y", "h_n", "c_n"}});
  int recurrent_nodes = 0;
  for (const ir::Node* n : graph->nodes()) recurrent_nodes += n->op() == ir::OpKind::Lstm ? 1 : 0;
  CHECK(recurrent_nodes == 1);
  CHECK(graph->num_nodes() == 1);
  for (auto [steps, batch] : {std::pair<int64_t, int64_t>{7, 3}, {2, 1}}) {
    Tensor x = randn({steps, batch, 4});
    auto [y, hc] = lstm(x);
    auto out = reference::RunGraph(*graph, {{"x", x.data()}});
    REQUIRE(out.ok());
    REQUIRE(out->size() == 3);
    CHECK((*out)[0].second.sizes() == std::vector<int64_t>{steps, batch, 6});
    CHECK(ir::Compare((*out)[0].second, y.data()).ok);
    CHECK(ir::Compare((*out)[1].second, std::get<0>(hc).data()).ok);
    CHECK(ir::Compare((*out)[2].second, std::get<1>(hc).data()).ok);
  }
}
