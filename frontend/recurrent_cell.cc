#include "frontend/recurrent_cell.h"

#include <cmath>

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/init.h"

namespace kiln::nn {

namespace {

using kiln::detail::fail;

// a + b, where an undefined b is zero.
Tensor plus(const Tensor& a, const Tensor& b) { return b.defined() ? a + b : a; }

}  // namespace

namespace detail {

RNNCellImplBase::RNNCellImplBase(const std::string& type_name, int64_t input_size_, int64_t hidden_size_, bool bias_,
                                 int64_t gates)
    : Module(type_name), input_size(input_size_), hidden_size(hidden_size_), bias(bias_) {
  if (hidden_size <= 0) throw Error(type_name + ": hidden_size must be greater than zero, got " + std::to_string(hidden_size));
  if (input_size < 0) throw Error(type_name + ": input_size must be non-negative, got " + std::to_string(input_size));
  weight_ih = register_parameter("weight_ih", zeros({gates * hidden_size, input_size}));
  weight_hh = register_parameter("weight_hh", zeros({gates * hidden_size, hidden_size}));
  bias_ih = register_parameter("bias_ih", bias ? zeros({gates * hidden_size}) : Tensor());
  bias_hh = register_parameter("bias_hh", bias ? zeros({gates * hidden_size}) : Tensor());
  reset_parameters();
}

void RNNCellImplBase::reset_parameters() {
  const double stdv = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (Tensor* t : {&weight_ih, &weight_hh, &bias_ih, &bias_hh}) {
    if (t->defined()) init::uniform_(*t, -stdv, stdv);
  }
}

std::string RNNCellImplBase::extra_repr() const {
  std::string s = std::to_string(input_size) + ", " + std::to_string(hidden_size);
  if (!bias) s += ", bias=False";
  return s + nonlinearity_repr();
}

bool RNNCellImplBase::prepare(Tensor& input, std::vector<Tensor*> states) const {
  if (!input.defined()) fail(name() + ": input is undefined");
  if (input.dim() != 1 && input.dim() != 2) {
    fail(name() + ": Expected input to be 1-D or 2-D but received " + std::to_string(input.dim()) + "-D tensor " +
         input.type_str());
  }
  const bool batched = input.dim() == 2;
  const ir::Dim features = input.shape().dim(batched ? 1 : 0);
  if (features != ir::Dim(input_size)) {
    fail(name() + ": input has inconsistent input_size: got " + features.str() + " expected " + std::to_string(input_size));
  }
  if (!batched) input = input.unsqueeze(0);
  const ir::Dim batch = input.shape().dim(0);
  for (size_t k = 0; k < states.size(); ++k) {
    Tensor& s = *states[k];
    if (!s.defined()) continue;
    const std::string what = "hidden" + std::to_string(k);
    if (s.dim() != input.dim() - (batched ? 0 : 1)) {
      fail(name() + ": " + (batched ? "For batched 2-D input, hx and cx should also be 2-D but got "
                                    : "For unbatched 1-D input, hx and cx should also be 1-D but got ") +
           std::to_string(s.dim()) + "-D tensor " + s.type_str());
    }
    if (!batched) s = s.unsqueeze(0);
    if (s.shape().dim(0) != batch) {
      fail(name() + ": Input batch size " + batch.str() + " doesn't match " + what + " batch size " +
           s.shape().dim(0).str());
    }
    if (s.shape().dim(1) != ir::Dim(hidden_size)) {
      fail(name() + ": " + what + " has inconsistent hidden_size: got " + s.shape().dim(1).str() + ", expected " +
           std::to_string(hidden_size));
    }
  }
  return batched;
}

std::pair<Tensor, Tensor> RNNCellImplBase::gate_inputs(const Tensor& x, const Tensor& h) const {
  Tensor gi = F::linear(x, weight_ih, bias_ih);
  Tensor gh = h.defined() ? F::linear(h, weight_hh, bias_hh) : bias_hh;
  return {gi, gh};
}

Tensor RNNCellImplBase::gate(const Tensor& gates, int64_t k) const {
  if (!gates.defined()) return gates;
  return gates.slice(-1, k * hidden_size, (k + 1) * hidden_size);
}

}  // namespace detail

// ---- RNNCell ----

RNNCellImpl::RNNCellImpl(const RNNCellOptions& o)
    : RNNCellImplBase("RNNCell", o.input_size(), o.hidden_size(), o.bias(), 1), options(o) {
  if (o.nonlinearity() != "tanh" && o.nonlinearity() != "relu") {
    throw Error("RNNCell: Unknown nonlinearity: " + o.nonlinearity());
  }
}

std::string RNNCellImpl::nonlinearity_repr() const {
  return options.nonlinearity() != "tanh" ? ", nonlinearity=" + options.nonlinearity() : "";
}

Tensor RNNCellImpl::forward(const Tensor& input, const Tensor& hx) { return call({input, hx}).at(0); }

std::vector<Tensor> RNNCellImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.empty() || inputs.size() > 2) fail("RNNCell: expected 1 or 2 inputs (input, hx), got " + std::to_string(inputs.size()));
  Tensor x = inputs[0], h = inputs.size() > 1 ? inputs[1] : Tensor();
  const bool batched = prepare(x, {&h});
  auto [gi, gh] = gate_inputs(x, h);
  Tensor pre = plus(gi, gh);
  Tensor out = options.nonlinearity() == "relu" ? pre.relu() : pre.tanh();
  return {batched ? out : out.squeeze(0)};
}

// ---- LSTMCell ----

LSTMCellImpl::LSTMCellImpl(const LSTMCellOptions& o)
    : RNNCellImplBase("LSTMCell", o.input_size(), o.hidden_size(), o.bias(), 4), options(o) {}

std::tuple<Tensor, Tensor> LSTMCellImpl::forward(const Tensor& input,
                                                 const std::optional<std::tuple<Tensor, Tensor>>& hx) {
  std::vector<Tensor> r = call({input, hx ? std::get<0>(*hx) : Tensor(), hx ? std::get<1>(*hx) : Tensor()});
  return {r.at(0), r.at(1)};
}

std::vector<Tensor> LSTMCellImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.empty() || inputs.size() > 3) {
    fail("LSTMCell: expected 1 to 3 inputs (input, hx, cx), got " + std::to_string(inputs.size()));
  }
  Tensor x = inputs[0], h = inputs.size() > 1 ? inputs[1] : Tensor(), c = inputs.size() > 2 ? inputs[2] : Tensor();
  if (h.defined() != c.defined()) fail("LSTMCell: hx and cx must both be given or both be omitted");
  const bool batched = prepare(x, {&h, &c});
  auto [gi, gh] = gate_inputs(x, h);
  Tensor i = plus(gate(gi, 0), gate(gh, 0)).sigmoid();
  Tensor f = plus(gate(gi, 1), gate(gh, 1)).sigmoid();
  Tensor g = plus(gate(gi, 2), gate(gh, 2)).tanh();
  Tensor o = plus(gate(gi, 3), gate(gh, 3)).sigmoid();
  Tensor c_next = c.defined() ? f * c + i * g : i * g;
  Tensor h_next = o * c_next.tanh();
  if (!batched) return {h_next.squeeze(0), c_next.squeeze(0)};
  return {h_next, c_next};
}

// ---- GRUCell ----

GRUCellImpl::GRUCellImpl(const GRUCellOptions& o)
    : RNNCellImplBase("GRUCell", o.input_size(), o.hidden_size(), o.bias(), 3), options(o) {}

Tensor GRUCellImpl::forward(const Tensor& input, const Tensor& hx) { return call({input, hx}).at(0); }

std::vector<Tensor> GRUCellImpl::forward_tensors(const std::vector<Tensor>& inputs) {
  if (inputs.empty() || inputs.size() > 2) fail("GRUCell: expected 1 or 2 inputs (input, hx), got " + std::to_string(inputs.size()));
  Tensor x = inputs[0], h = inputs.size() > 1 ? inputs[1] : Tensor();
  const bool batched = prepare(x, {&h});
  auto [gi, gh] = gate_inputs(x, h);
  Tensor r = plus(gate(gi, 0), gate(gh, 0)).sigmoid();
  Tensor z = plus(gate(gi, 1), gate(gh, 1)).sigmoid();
  Tensor hn = gate(gh, 2);
  Tensor n = (hn.defined() ? gate(gi, 2) + r * hn : gate(gi, 2)).tanh();
  // h' = (1 - z) * n + z * h
  Tensor out = h.defined() ? (1.0 - z) * n + z * h : (1.0 - z) * n;
  return {batched ? out : out.squeeze(0)};
}

}  // namespace kiln::nn
