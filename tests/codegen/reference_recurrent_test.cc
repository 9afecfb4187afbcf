// Reference kernels: rnn (rnn_tanh, rnn_relu, gru) and lstm, on hand-computed values with
// hidden_size 1 (so every gate is one scalar formula), plus lengths, bidirectional order,
// batch_first, multi-layer chaining and the errors.
#include <cmath>
#include <cstdint>

#include "tests/codegen/reference_test_util.h"

using namespace kiln::reference::testing;

namespace {

double Sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }

std::vector<HostTensor> Run(OpKind op, const Attrs& attrs, const std::vector<HostTensor>& operands) {
  auto r = EvaluateOp(op, attrs, operands);
  if (!r.ok()) FAIL(r.status().ToString());
  return *r;
}

}  // namespace

TEST_CASE("rnn_tanh and rnn_relu: one layer, one unit, h0") {
  // x [T=3, N=1, I=1], w_ih 0.5, w_hh -1, b_ih 0.1, b_hh 0.2, h0 0.3.
  HostTensor x = F32({3, 1, 1}, {1, -2, 0.5}), h0 = F32({1, 1, 1}, {0.3});
  HostTensor wih = F32({1, 1}, {0.5}), whh = F32({1, 1}, {-1}), bih = F32({1}, {0.1}), bhh = F32({1}, {0.2});
  for (std::string mode : {"rnn_tanh", "rnn_relu"}) {
    auto act = [&](double v) { return mode == "rnn_tanh" ? std::tanh(v) : std::max(v, 0.0); };
    double h = 0.3;
    std::vector<double> out;
    for (double xt : {1.0, -2.0, 0.5}) {
      h = act(0.5 * xt + 0.1 - h + 0.2);
      out.push_back(h);
    }
    auto r = Run(OpKind::Rnn, {{"mode", mode}, {"hidden_size", int64_t{1}}, {"has_initial_state", true}},
                 {x, h0, wih, whh, bih, bhh});
    REQUIRE(r.size() == 2);
    CheckTensor(r[0], DType::kF32, {3, 1, 1}, out);
    CheckTensor(r[1], DType::kF32, {1, 1, 1}, {out.back()});
  }
}

TEST_CASE("gru: torch's formula, n = tanh(W_in x + b_in + r * (W_hn h + b_hn))") {
  // Gates r, z, n: w_ih [3,1], w_hh [3,1], b_ih, b_hh [3].
  HostTensor x = F64({2, 1, 1}, {0.7, -0.4}), h0 = F64({1, 1, 1}, {0.5});
  HostTensor wih = F64({3, 1}, {0.3, -0.6, 0.9}), whh = F64({3, 1}, {0.2, 0.4, -0.8});
  HostTensor bih = F64({3}, {0.05, -0.1, 0.15}), bhh = F64({3}, {0.0, 0.2, -0.3});
  double h = 0.5;
  std::vector<double> out;
  for (double xt : {0.7, -0.4}) {
    double r = Sig(0.3 * xt + 0.05 + 0.2 * h + 0.0);
    double z = Sig(-0.6 * xt - 0.1 + 0.4 * h + 0.2);
    double n = std::tanh(0.9 * xt + 0.15 + r * (-0.8 * h - 0.3));
    h = (1 - z) * n + z * h;
    out.push_back(h);
  }
  auto r = Run(OpKind::Rnn, {{"mode", std::string("gru")}, {"hidden_size", int64_t{1}}, {"has_initial_state", true}},
               {x, h0, wih, whh, bih, bhh});
  CheckTensor(r[0], DType::kF64, {2, 1, 1}, out, 1e-12);
  CheckTensor(r[1], DType::kF64, {1, 1, 1}, {h}, 1e-12);
}

TEST_CASE("lstm: gates i, f, g, o; zero initial state; no biases") {
  HostTensor x = F64({2, 1, 1}, {1.0, -0.5});
  HostTensor wih = F64({4, 1}, {0.5, -0.3, 0.8, 0.1}), whh = F64({4, 1}, {0.2, 0.6, -0.4, 0.9});
  double h = 0, c = 0;
  std::vector<double> out;
  for (double xt : {1.0, -0.5}) {
    double i = Sig(0.5 * xt + 0.2 * h), f = Sig(-0.3 * xt + 0.6 * h);
    double g = std::tanh(0.8 * xt - 0.4 * h), o = Sig(0.1 * xt + 0.9 * h);
    c = f * c + i * g;
    h = o * std::tanh(c);
    out.push_back(h);
  }
  auto r = Run(OpKind::Lstm, {{"hidden_size", int64_t{1}}, {"has_biases", false}}, {x, wih, whh});
  REQUIRE(r.size() == 3);
  CheckTensor(r[0], DType::kF64, {2, 1, 1}, out, 1e-12);
  CheckTensor(r[1], DType::kF64, {1, 1, 1}, {h}, 1e-12);
  CheckTensor(r[2], DType::kF64, {1, 1, 1}, {c}, 1e-12);
}

TEST_CASE("rnn: bidirectional, lengths, batch_first") {
  // Identity-like cell: h' = relu(x + h) (w_ih = w_hh = 1, no bias): a running sum of positives.
  HostTensor one = F64({1, 1}, {1});
  Attrs attrs{{"mode", std::string("rnn_relu")}, {"hidden_size", int64_t{1}}, {"has_biases", false},
              {"bidirectional", true}, {"batch_first", true}, {"has_lengths", true}};
  // x [N=2, T=3, 1]: row 0 = 1, 2, 3 (length 3); row 1 = 4, 5, 99 (length 2: 99 is padding).
  HostTensor x = F64({2, 3, 1}, {1, 2, 3, 4, 5, 99}), lengths = I64({2}, {3, 2});
  auto r = Run(OpKind::Rnn, attrs, {x, one, one, one, one, lengths});
  // Output [N, T, 2]: (forward running sum, reverse running sum from the row's own end).
  CheckTensor(r[0], DType::kF64, {2, 3, 2}, {1, 6, 3, 5, 6, 3, 4, 9, 9, 5, 0, 0}, 0);
  // h_n [2, N, 1]: forward after the last valid step, reverse after t = 0.
  CheckTensor(r[1], DType::kF64, {2, 2, 1}, {6, 9, 6, 9}, 0);
  // Length 0 keeps the initial (zero) state and writes nothing.
  auto z = Run(OpKind::Rnn, attrs, {x, one, one, one, one, I64({2}, {0, 1})});
  CheckTensor(z[0], DType::kF64, {2, 3, 2}, {0, 0, 0, 0, 0, 0, 4, 4, 0, 0, 0, 0}, 0);
  // A length beyond T is an error naming it.
  Status s = EvalError(OpKind::Rnn, attrs, {x, one, one, one, one, I64({2}, {4, 1})});
  CHECK(s.message().find("lengths[0] = 4") != std::string::npos);
}

TEST_CASE("rnn: two layers chain (layer 1 reads layer 0's output)") {
  // relu, w = 1, biases: layer 0 b_ih 1, layer 1 b_ih 10; T = 2, N = 1.
  HostTensor one = F32({1, 1}, {1}), zero = F32({1}, {0});
  HostTensor x = F32({2, 1, 1}, {1, 2});
  auto r = Run(OpKind::Rnn, {{"mode", std::string("rnn_relu")}, {"hidden_size", int64_t{1}}, {"num_layers", int64_t{2}}},
               {x, one, one, F32({1}, {1}), zero, one, one, F32({1}, {10}), zero});
  // Layer 0: h = 2, then 2 + 1 + 2 = 5. Layer 1: 2 + 10 = 12, then 5 + 10 + 12 = 27.
  CheckTensor(r[0], DType::kF32, {2, 1, 1}, {12, 27});
  CheckTensor(r[1], DType::kF32, {2, 1, 1}, {5, 27});
}

TEST_CASE("rnn/lstm shape rules reject bad operands") {
  HostTensor x = F32({2, 1, 3}, {0, 0, 0, 0, 0, 0});
  HostTensor wih = F32({4, 3}, std::vector<float>(12, 0)), whh = F32({4, 1}, std::vector<float>(4, 0));
  // Missing weights.
  auto r = EvaluateOp(OpKind::Lstm, {{"hidden_size", int64_t{1}}}, {x, wih, whh});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("expects 5 operands") != std::string::npos);
  // w_ih with the wrong input size.
  auto bad = EvaluateOp(OpKind::Lstm, {{"hidden_size", int64_t{1}}, {"has_biases", false}},
                        {F32({2, 1, 2}, {0, 0, 0, 0}), wih, whh});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("w_ih f32[4,3] of layer 0 must be [4,2]") != std::string::npos);
  // Unknown mode; lstm through rnn.
  CHECK_FALSE(EvaluateOp(OpKind::Rnn, {{"mode", std::string("gru2")}, {"hidden_size", int64_t{1}}}, {x, wih, whh}).ok());
  CHECK_FALSE(EvaluateOp(OpKind::Rnn, {{"mode", std::string("lstm")}, {"hidden_size", int64_t{1}}, {"has_biases", false}},
                         {x, wih, whh}).ok());
}
