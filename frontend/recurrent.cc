#include "frontend/recurrent.h"

#include <cmath>

#include "frontend/dispatch.h"
#include "frontend/functional.h"
#include "frontend/init.h"

namespace kiln::nn {

namespace {

using kiln::detail::fail;
using utils::rnn::PackedSequence;

}  // namespace

namespace detail {

RNNImplBase::RNNImplBase(const std::string& type_name, std::string mode_, int64_t input_size_, int64_t hidden_size_,
                         int64_t num_layers_, bool bias_, bool batch_first_, double dropout_, bool bidirectional_)
    : Module(type_name),
      mode(std::move(mode_)),
      input_size(input_size_),
      hidden_size(hidden_size_),
      num_layers(num_layers_),
      bias(bias_),
      batch_first(batch_first_),
      dropout(dropout_),
      bidirectional(bidirectional_) {
  if (!(dropout >= 0 && dropout <= 1)) {
    throw Error(type_name + ": dropout should be a number in range [0, 1] representing the probability of an element "
                "being zeroed, got " + py_float(dropout));
  }
  if (hidden_size <= 0) throw Error(type_name + ": hidden_size must be greater than zero, got " + std::to_string(hidden_size));
  if (num_layers <= 0) throw Error(type_name + ": num_layers must be greater than zero, got " + std::to_string(num_layers));
  if (input_size < 0) throw Error(type_name + ": input_size must be non-negative, got " + std::to_string(input_size));
  const int64_t gates = mode == "lstm" ? 4 : mode == "gru" ? 3 : 1;
  for (int64_t l = 0; l < num_layers; ++l) {
    const int64_t layer_in = l == 0 ? input_size : hidden_size * dirs();
    for (int64_t d = 0; d < dirs(); ++d) {
      const std::string suffix = "_l" + std::to_string(l) + (d ? "_reverse" : "");
      std::vector<Tensor*> w;
      w.push_back(&register_parameter("weight_ih" + suffix, zeros({gates * hidden_size, layer_in})));
      w.push_back(&register_parameter("weight_hh" + suffix, zeros({gates * hidden_size, hidden_size})));
      if (bias) {
        w.push_back(&register_parameter("bias_ih" + suffix, zeros({gates * hidden_size})));
        w.push_back(&register_parameter("bias_hh" + suffix, zeros({gates * hidden_size})));
      }
      flat_.push_back(w);
    }
  }
  reset_parameters();
}

void RNNImplBase::reset_parameters() {
  const double stdv = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (const auto& w : flat_) {
    for (Tensor* t : w) init::uniform_(*t, -stdv, stdv);
  }
}

std::vector<Tensor> RNNImplBase::all_weights() const {
  std::vector<Tensor> out;
  for (const auto& w : flat_) {
    for (Tensor* t : w) out.push_back(*t);
  }
  return out;
}

std::string RNNImplBase::extra_repr() const {
  std::string s = std::to_string(input_size) + ", " + std::to_string(hidden_size);
  if (num_layers != 1) s += ", num_layers=" + std::to_string(num_layers);
  if (!bias) s += ", bias=False";
  if (batch_first) s += ", batch_first=True";
  if (dropout != 0) s += ", dropout=" + py_float(dropout);
  if (bidirectional) s += ", bidirectional=True";
  return s;
}

std::vector<Tensor> RNNImplBase::record(const Tensor& input, const Tensor& h0, const Tensor& c0,
                                        const std::vector<Tensor>& weights, const Tensor& lengths, int64_t layers,
                                        bool batch_first_) {
  ir::Attrs attrs{{"hidden_size", hidden_size},
                  {"num_layers", layers},
                  {"bidirectional", bidirectional},
                  {"batch_first", batch_first_},
                  {"has_biases", bias},
                  {"has_initial_state", h0.defined()},
                  {"has_lengths", lengths.defined()}};
  if (!lstm()) attrs.set("mode", mode);
  std::vector<Tensor> operands{input};
  if (h0.defined()) {
    operands.push_back(h0);
    if (lstm()) operands.push_back(c0);
  }
  operands.insert(operands.end(), weights.begin(), weights.end());
  if (lengths.defined()) operands.push_back(lengths);
  return kiln::detail::apply(lstm() ? ir::OpKind::Lstm : ir::OpKind::Rnn, operands, attrs);
}

std::vector<Tensor> RNNImplBase::run(const Tensor& input_, const Tensor& h0_, const Tensor& c0_,
                                     const Tensor& lengths, bool batch_first_layout) {
  if (!input_.defined()) fail("input is undefined");
  if (input_.dim() != 2 && input_.dim() != 3) {
    fail(name() + ": Expected input to be 2-D or 3-D but received " + std::to_string(input_.dim()) + "-D tensor " +
         input_.type_str());
  }
  if (lstm() && (h0_.defined() != c0_.defined())) fail(name() + ": h0 and c0 must both be given or both be omitted");
  const bool batched = input_.dim() == 3;
  if (!batched && lengths.defined()) fail(name() + ": lengths need a batched 3-D input, got " + input_.type_str());
  const ir::Dim features = input_.shape().dim(-1 + static_cast<int>(input_.dim()));
  if (features != ir::Dim(input_size)) {
    fail(name() + ": input.size(-1) must be equal to input_size. Expected " + std::to_string(input_size) + ", got " +
         features.str());
  }
  // Unbatched: a batch of one in the time-major layout.
  Tensor input = batched ? input_ : input_.unsqueeze(1);
  const bool bf = batched && batch_first_layout;
  const ir::Dim batch = input.shape().dim(bf ? 0 : 1);
  std::vector<Tensor> states{h0_, c0_};
  for (Tensor& s : states) {
    if (!s.defined()) continue;
    if (!batched) {
      if (s.dim() != 2) fail(name() + ": For unbatched 2-D input, hx should also be 2-D but got " + std::to_string(s.dim()) + "-D tensor");
      s = s.unsqueeze(1);
    } else if (s.dim() != 3) {
      fail(name() + ": For batched 3-D input, hx should also be 3-D but got " + std::to_string(s.dim()) + "-D tensor");
    }
    ir::Shape want({ir::Dim(num_layers * dirs()), batch, ir::Dim(hidden_size)});
    if (s.shape() != want) fail(name() + ": Expected hidden size " + want.str() + ", got " + s.shape().str());
  }
  std::vector<Tensor> out;
  const std::vector<Tensor> weights = all_weights();
  if (!is_training() || dropout == 0 || num_layers == 1) {
    out = record(input, states[0], states[1], weights, lengths, num_layers, bf);
  } else {
    // Training with dropout between layers: one node per layer, dropout on all but the last output.
    const size_t per_layer = (bias ? 4 : 2) * static_cast<size_t>(dirs());
    Tensor x = input;
    std::vector<std::vector<Tensor>> finals(lstm() ? 2 : 1);
    for (int64_t l = 0; l < num_layers; ++l) {
      std::vector<Tensor> w(weights.begin() + static_cast<std::ptrdiff_t>(l * per_layer),
                            weights.begin() + static_cast<std::ptrdiff_t>((l + 1) * per_layer));
      Tensor h = states[0].defined() ? states[0].slice(0, l * dirs(), (l + 1) * dirs()) : Tensor();
      Tensor c = states[1].defined() ? states[1].slice(0, l * dirs(), (l + 1) * dirs()) : Tensor();
      std::vector<Tensor> r = record(x, h, c, w, lengths, 1, bf);
      x = l + 1 < num_layers ? F::dropout(r[0], dropout, true) : r[0];
      for (size_t k = 0; k < finals.size(); ++k) finals[k].push_back(r[k + 1]);
    }
    out.push_back(x);
    for (const auto& f : finals) out.push_back(cat(f, 0));
  }
  if (!batched) {
    for (Tensor& t : out) t = t.squeeze(1);
  }
  return out;
}

std::vector<Tensor> RNNImplBase::run_packed(const PackedSequence& input, const Tensor& h0, const Tensor& c0,
                                            PackedSequence& output) {
  auto [padded, lengths] = utils::rnn::pad_packed_sequence(input, false);
  // The padded form is time-major whatever batch_first says (as torch's packed path).
  std::vector<Tensor> out = run(padded, h0, c0, lengths, /*batch_first_layout=*/false);
  output = utils::rnn::pack_like(out[0], input);
  return out;
}

std::vector<Tensor> RNNImplBase::forward_tensors(const std::vector<Tensor>& inputs) {
  const size_t max_inputs = lstm() ? 4 : 3;
  if (inputs.empty() || inputs.size() > max_inputs) {
    fail(name() + ": expected 1 to " + std::to_string(max_inputs) + " inputs (input, h0" + (lstm() ? ", c0" : "") +
         ", lengths), got " + std::to_string(inputs.size()));
  }
  auto at = [&](size_t i) { return i < inputs.size() ? inputs[i] : Tensor(); };
  return lstm() ? run(at(0), at(1), at(2), at(3), batch_first) : run(at(0), at(1), Tensor(), at(2), batch_first);
}

}  // namespace detail

// ---- RNN ----

RNNImpl::RNNImpl(const RNNOptions& o)
    : RNNImplBase("RNN", o.nonlinearity() == "relu" ? "rnn_relu" : "rnn_tanh", o.input_size(), o.hidden_size(),
                  o.num_layers(), o.bias(), o.batch_first(), o.dropout(), o.bidirectional()),
      options(o) {
  if (o.nonlinearity() != "tanh" && o.nonlinearity() != "relu") {
    throw Error("RNN: Unknown nonlinearity '" + o.nonlinearity() + "'. Select from 'tanh' or 'relu'.");
  }
}

std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor& input, const Tensor& hx) {
  std::vector<Tensor> r = call({input, hx});
  return {r.at(0), r.at(1)};
}

std::tuple<PackedSequence, Tensor> RNNImpl::forward_with_packed_input(const PackedSequence& input, const Tensor& hx) {
  PackedSequence out;
  kiln::detail::ModuleScope scope(this);
  std::vector<Tensor> r = run_packed(input, hx, Tensor(), out);
  return {out, r.at(1)};
}

// ---- LSTM ----

LSTMImpl::LSTMImpl(const LSTMOptions& o)
    : RNNImplBase("LSTM", "lstm", o.input_size(), o.hidden_size(), o.num_layers(), o.bias(), o.batch_first(),
                  o.dropout(), o.bidirectional()),
      options(o) {
  if (o.proj_size() != 0) {
    throw Error("LSTM: proj_size=" + std::to_string(o.proj_size()) +
                " is not supported by kiln (LSTM projections are not implemented); use proj_size=0");
  }
}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward(const Tensor& input,
                                                                 const std::optional<std::tuple<Tensor, Tensor>>& hx) {
  Tensor h0 = hx ? std::get<0>(*hx) : Tensor(), c0 = hx ? std::get<1>(*hx) : Tensor();
  std::vector<Tensor> r = call({input, h0, c0});
  return {r.at(0), {r.at(1), r.at(2)}};
}

std::tuple<PackedSequence, std::tuple<Tensor, Tensor>> LSTMImpl::forward_with_packed_input(
    const PackedSequence& input, const std::optional<std::tuple<Tensor, Tensor>>& hx) {
  PackedSequence out;
  kiln::detail::ModuleScope scope(this);
  std::vector<Tensor> r = run_packed(input, hx ? std::get<0>(*hx) : Tensor(), hx ? std::get<1>(*hx) : Tensor(), out);
  return {out, {r.at(1), r.at(2)}};
}

// ---- GRU ----

GRUImpl::GRUImpl(const GRUOptions& o)
    : RNNImplBase("GRU", "gru", o.input_size(), o.hidden_size(), o.num_layers(), o.bias(), o.batch_first(),
                  o.dropout(), o.bidirectional()),
      options(o) {}

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input, const Tensor& hx) {
  std::vector<Tensor> r = call({input, hx});
  return {r.at(0), r.at(1)};
}

std::tuple<PackedSequence, Tensor> GRUImpl::forward_with_packed_input(const PackedSequence& input, const Tensor& hx) {
  PackedSequence out;
  kiln::detail::ModuleScope scope(this);
  std::vector<Tensor> r = run_packed(input, hx, Tensor(), out);
  return {out, r.at(1)};
}

}  // namespace kiln::nn
