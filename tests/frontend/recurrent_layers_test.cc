// nn::RNN / LSTM / GRU, the cells and nn::utils::rnn: parameter names and shapes, init, repr,
// torch's errors, packing utilities, and what tracing records (one node; one per layer with
// training-mode dropout). Values against PyTorch: recurrent_layers_golden_test.cc.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "frontend/nn.h"
#include "frontend/trace.h"

namespace {

using namespace kiln;  // NOLINT
using Catch::Contains;
namespace rnn = nn::utils::rnn;

std::vector<std::string> Names(const nn::Module& m) {
  std::vector<std::string> v;
  for (const auto& [k, t] : m.named_parameters()) v.push_back(k);
  return v;
}

int Count(const ir::Graph& g, ir::OpKind op) {
  int n = 0;
  for (const ir::Node* node : g.nodes()) n += node->op() == op ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("RNN modules: parameter names, shapes, init bounds, repr", "[recurrent]") {
  nn::LSTM lstm(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true).bias(false));
  CHECK(Names(*lstm) == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse",
                                                 "weight_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1",
                                                 "weight_ih_l1_reverse", "weight_hh_l1_reverse"});
  CHECK(lstm->named_parameters()[4].second.sizes() == std::vector<int64_t>{16, 8});
  nn::GRU gru(nn::GRUOptions(5, 2));
  CHECK(Names(*gru) == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"});
  CHECK(gru->named_parameters()[0].second.sizes() == std::vector<int64_t>{6, 5});
  for (const Tensor& p : gru->parameters()) {
    CHECK(p.abs().max().item<double>() <= 1 / std::sqrt(2.0));
    CHECK(p.requires_grad());
  }
  CHECK(nn::RNN(nn::RNNOptions(3, 4).nonlinearity("relu").num_layers(2).dropout(0.5).bias(false))->repr() ==
        "RNN(3, 4, num_layers=2, bias=False, dropout=0.5)");
  CHECK(nn::LSTM(nn::LSTMOptions(3, 4).batch_first(true).bidirectional(true))->repr() ==
        "LSTM(3, 4, batch_first=True, bidirectional=True)");
  CHECK(nn::RNNCell(nn::RNNCellOptions(3, 4).nonlinearity("relu").bias(false))->repr() ==
        "RNNCell(3, 4, bias=False, nonlinearity=relu)");
  nn::GRUCell cell(nn::GRUCellOptions(3, 4).bias(false));
  CHECK(Names(*cell) == std::vector<std::string>{"weight_ih", "weight_hh"});
  CHECK(cell->state_dict().size() == 2);
}

TEST_CASE("RNN modules: torch's errors", "[recurrent]") {
  CHECK_THROWS_WITH(nn::LSTM(nn::LSTMOptions(3, 4).proj_size(2)), Contains("proj_size=2 is not supported"));
  CHECK_THROWS_WITH(nn::GRU(nn::GRUOptions(3, 4).dropout(1.5)), Contains("dropout should be a number in range [0, 1]"));
  CHECK_THROWS_WITH(nn::RNN(nn::RNNOptions(3, 4).nonlinearity("gelu")), Contains("Unknown nonlinearity 'gelu'"));
  nn::GRU gru(3, 4);
  CHECK_THROWS_WITH(gru(randn({5, 2, 7})), Contains("input.size(-1) must be equal to input_size. Expected 3, got 7"));
  CHECK_THROWS_WITH(gru(randn({5, 2, 3}), randn({1, 3, 4})), Contains("Expected hidden size [1,2,4], got [1,3,4]"));
  CHECK_THROWS_WITH(gru(randn({2, 5, 2, 3})), Contains("Expected input to be 2-D or 3-D"));
  nn::LSTMCell cell(3, 4);
  CHECK_THROWS_WITH(cell(randn({2, 3}), std::make_tuple(randn({3, 4}), randn({3, 4}))),
                    Contains("Input batch size 2 doesn't match hidden0 batch size 3"));
  CHECK_THROWS_WITH(cell(randn({2, 2, 3})), Contains("Expected input to be 1-D or 2-D"));
}

TEST_CASE("RNN modules: unbatched input and typed forwards", "[recurrent]") {
  manual_seed(1);
  nn::LSTM lstm(nn::LSTMOptions(3, 2).num_layers(2));
  lstm->eval();
  Tensor x = randn({4, 3});
  auto [y, hc] = lstm(x);
  CHECK(y.sizes() == std::vector<int64_t>{4, 2});
  CHECK(std::get<0>(hc).sizes() == std::vector<int64_t>{2, 2});
  auto [yb, hcb] = lstm(x.unsqueeze(1));
  CHECK(allclose(y, yb.squeeze(1)));
  CHECK(allclose(std::get<1>(hc), std::get<1>(hcb).squeeze(1)));
  // The last output step is h_n of the last layer.
  CHECK(allclose(y.select(0, 3), std::get<0>(hc).select(0, 1)));
}

TEST_CASE("nn::utils::rnn: pack, pad and their errors", "[recurrent]") {
  Tensor a = tensor(std::vector<float>{1, 2, 3}, {3, 1}), b = tensor(std::vector<float>{4}, {1, 1});
  Tensor c = tensor(std::vector<float>{5, 6}, {2, 1});
  Tensor padded = rnn::pad_sequence({a, b, c}, false, -1);
  CHECK(padded.sizes() == std::vector<int64_t>{3, 3, 1});
  CHECK(padded.reshape({9}).to_vector<float>() == std::vector<float>{1, 4, 5, 2, -1, 6, 3, -1, -1});
  CHECK(rnn::pad_sequence({a, b}, true).sizes() == std::vector<int64_t>{2, 3, 1});
  rnn::PackedSequence p = rnn::pack_sequence({a, b, c}, false);
  CHECK(p.data().reshape({6}).to_vector<float>() == std::vector<float>{1, 5, 4, 2, 6, 3});
  CHECK(p.batch_sizes().to_vector<int64_t>() == std::vector<int64_t>{3, 2, 1});
  CHECK(p.sorted_indices().to_vector<int64_t>() == std::vector<int64_t>{0, 2, 1});
  CHECK(p.unsorted_indices().to_vector<int64_t>() == std::vector<int64_t>{0, 2, 1});
  auto [back, lengths] = rnn::pad_packed_sequence(p, true, 0.0, 4);
  CHECK(back.sizes() == std::vector<int64_t>{3, 4, 1});
  CHECK(back.reshape({12}).to_vector<float>() == std::vector<float>{1, 2, 3, 0, 4, 0, 0, 0, 5, 6, 0, 0});
  CHECK(lengths.to_vector<int64_t>() == std::vector<int64_t>{3, 1, 2});
  CHECK_THROWS_WITH(rnn::pack_sequence({a, b, c}), Contains("must be sorted in decreasing order"));
  CHECK_THROWS_WITH(rnn::pack_padded_sequence(padded, std::vector<int64_t>{3, 0, 2}, false, false),
                    Contains("greater than 0"));
  CHECK_THROWS_WITH(rnn::pad_packed_sequence(p, false, 0.0, 2), Contains("total_length=2 and max sequence length being 3"));
  rnn::PackedSequence sorted = rnn::pack_padded_sequence(padded, std::vector<int64_t>{3, 2, 1});
  CHECK_FALSE(sorted.sorted_indices().defined());
}

TEST_CASE("RNN modules trace to one node; training dropout gives one node per layer", "[recurrent]") {
  nn::GRU gru(nn::GRUOptions(3, 4).num_layers(3).dropout(0.5).bidirectional(true));
  gru->eval();
  auto g = trace(*gru, {TensorSpec({sym("T"), sym("N"), 3})});
  CHECK(Count(*g, ir::OpKind::Rnn) == 1);
  CHECK(g->outputs()[0].value->type().str() == "f32[T,N,8]");
  CHECK(g->outputs()[1].value->type().str() == "f32[6,N,4]");
  gru->train();
  auto t = trace(*gru, {TensorSpec({sym("T"), sym("N"), 3})});
  CHECK(Count(*t, ir::OpKind::Rnn) == 3);
  CHECK(t->outputs()[1].value->type().str() == "f32[6,N,4]");
  // Eager training with dropout runs and keeps the shapes; p = 0 equals eval.
  auto [y, h] = gru(randn({4, 2, 3}));
  CHECK(y.sizes() == std::vector<int64_t>{4, 2, 8});
  nn::LSTM lstm(nn::LSTMOptions(3, 4).num_layers(2));
  Tensor x = randn({5, 2, 3});
  auto train_out = std::get<0>(lstm(x));
  lstm->eval();
  CHECK(allclose(train_out, std::get<0>(lstm(x))));
}

TEST_CASE("cells: omitted state is zeros; unbatched input", "[recurrent]") {
  manual_seed(2);
  nn::LSTMCell lstm(3, 4);
  Tensor x = randn({2, 3});
  auto [h1, c1] = lstm(x);
  auto [h2, c2] = lstm(x, std::make_tuple(zeros({2, 4}), zeros({2, 4})));
  CHECK(allclose(h1, h2, 1e-6, 1e-7));
  CHECK(allclose(c1, c2, 1e-6, 1e-7));
  nn::GRUCell gru(3, 4);
  CHECK(allclose(gru(x), gru(x, zeros({2, 4})), 1e-6, 1e-7));
  CHECK(gru(x.select(0, 1)).sizes() == std::vector<int64_t>{4});
  nn::RNNCell cell(3, 4);
  auto g = trace(*cell, {TensorSpec({sym("N"), 3})});
  CHECK(Count(*g, ir::OpKind::Rnn) == 0);
  CHECK(g->outputs()[0].value->type().str() == "f32[N,4]");
}
