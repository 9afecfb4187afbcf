// nn::RNN, nn::LSTM, nn::GRU, as torch.nn's (torch 1.13): constructor arguments, defaults,
// parameter names (weight_ih_l{k}{_reverse}, weight_hh_l{k}..., bias_ih_l{k}..., bias_hh_l{k}...,
// in torch's registration order), gate order (LSTM i,f,g,o; GRU r,z,n), init
// U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every weight, and repr. The cells are in
// recurrent_cell.h, the packed-sequence utilities in rnn_utils.h.
//
// Contract.
// - The whole recurrence is ONE graph node (IR ops `rnn` for RNN/GRU and `lstm`, ir/ops.def)
//   whose sequence length is a run-time value: a graph traced with symbolic T and N serves
//   every length and batch. Eager calls run the same op on the reference kernels.
// - Inputs: [T, N, input_size] ([N, T, input_size] with batch_first) or unbatched [T,
//   input_size]; optional initial state h0 (and c0) [num_layers * D, N, hidden_size] ([num_layers
//   * D, hidden_size] unbatched), zeros when absent. Outputs: output [T, N, D * hidden_size]
//   (batch_first: [N, T, ...]), h_n (and c_n) [num_layers * D, N, hidden_size].
// - Packed input: forward_with_packed_input(PackedSequence, ...) returns a PackedSequence of the
//   same structure; each sequence runs at its own length (the op's `lengths` operand). It works
//   eagerly and traces with the lengths baked in. For lengths as a run-time graph input, call
//   the padded form through forward_tensors: {input, h0, (c0,) lengths} with input padded,
//   lengths i64 [N] (a symbolic tensor while tracing); output rows past a length are 0.
//   Undefined entries of forward_tensors' inputs mean "absent".
// - dropout (between layers, not after the last) applies in training mode only, as torch:
//   then the frontend records one node per layer with F::dropout in between (the op itself
//   has no dropout). In eval mode, or with dropout 0, one node runs all layers.
// - proj_size != 0 (LSTM projections) is rejected with a kiln::Error; dropout outside [0, 1]
//   is an error, as torch.
// - Forward hooks and pre-hooks run through call()/forward_tensors (the typed forwards and the
//   holders' operator() go through call()); forward_with_packed_input runs no hooks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"
#include "frontend/rnn_utils.h"

namespace kiln::nn {

/// Options of RNN: input_size, hidden_size, num_layers (1), nonlinearity ("tanh" | "relu"),
/// bias (true), batch_first (false), dropout (0), bidirectional (false).
struct RNNOptions {
  RNNOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  KILN_ARG(int64_t, input_size);
  KILN_ARG(int64_t, hidden_size);
  KILN_ARG(int64_t, num_layers) = 1;
  KILN_ARG(std::string, nonlinearity) = "tanh";
  KILN_ARG(bool, bias) = true;
  KILN_ARG(bool, batch_first) = false;
  KILN_ARG(double, dropout) = 0.0;
  KILN_ARG(bool, bidirectional) = false;
};

/// Options of LSTM: as RNNOptions without nonlinearity, plus proj_size (0; others rejected).
struct LSTMOptions {
  LSTMOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  KILN_ARG(int64_t, input_size);
  KILN_ARG(int64_t, hidden_size);
  KILN_ARG(int64_t, num_layers) = 1;
  KILN_ARG(bool, bias) = true;
  KILN_ARG(bool, batch_first) = false;
  KILN_ARG(double, dropout) = 0.0;
  KILN_ARG(bool, bidirectional) = false;
  KILN_ARG(int64_t, proj_size) = 0;
};

/// Options of GRU: as RNNOptions without nonlinearity.
struct GRUOptions {
  GRUOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  KILN_ARG(int64_t, input_size);
  KILN_ARG(int64_t, hidden_size);
  KILN_ARG(int64_t, num_layers) = 1;
  KILN_ARG(bool, bias) = true;
  KILN_ARG(bool, batch_first) = false;
  KILN_ARG(double, dropout) = 0.0;
  KILN_ARG(bool, bidirectional) = false;
};

namespace detail {

/// What RNN, LSTM and GRU share: the flat weights and the recorded op.
class RNNImplBase : public Module {
 public:
  /// mode: "rnn_tanh", "rnn_relu", "lstm" or "gru".
  RNNImplBase(const std::string& type_name, std::string mode, int64_t input_size, int64_t hidden_size,
              int64_t num_layers, bool bias, bool batch_first, double dropout, bool bidirectional);
  /// Redraws every weight from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
  void reset_parameters();
  /// The weights in the op's order (w_ih, w_hh[, b_ih, b_hh] per layer and direction).
  std::vector<Tensor> all_weights() const;
  /// inputs {input, h0, (c0,) lengths} (undefined = absent) -> {output, h_n(, c_n)}.
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  /// "10, 20, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True" (torch's order).
  std::string extra_repr() const override;

  const std::string mode;
  const int64_t input_size, hidden_size, num_layers;
  const bool bias, batch_first;
  const double dropout;
  const bool bidirectional;

 protected:
  /// Runs the recurrence: input padded or not; state/lengths may be undefined;
  /// batch_first_layout says how a 3-D input is laid out.
  std::vector<Tensor> run(const Tensor& input, const Tensor& h0, const Tensor& c0, const Tensor& lengths,
                          bool batch_first_layout);
  /// Packed input: pads, runs with lengths, packs the output like the input.
  std::vector<Tensor> run_packed(const utils::rnn::PackedSequence& input, const Tensor& h0, const Tensor& c0,
                                 utils::rnn::PackedSequence& output);

 private:
  std::vector<Tensor> record(const Tensor& input, const Tensor& h0, const Tensor& c0, const std::vector<Tensor>& weights,
                             const Tensor& lengths, int64_t layers, bool batch_first);
  bool lstm() const { return mode == "lstm"; }
  int64_t dirs() const { return bidirectional ? 2 : 1; }
  std::vector<std::vector<Tensor*>> flat_;  // per layer*dir: the registered weight handles
};

}  // namespace detail

// The typed forwards return tuples, as libtorch's, so they hide Module's single-tensor forward
// on purpose (module(x) / call() still work through forward_tensors).
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Woverloaded-virtual"

/// Elman RNN with tanh or ReLU.
class RNNImpl : public detail::RNNImplBase {
 public:
  RNNImpl(int64_t input_size, int64_t hidden_size) : RNNImpl(RNNOptions(input_size, hidden_size)) {}
  explicit RNNImpl(const RNNOptions& options);
  /// (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(const utils::rnn::PackedSequence& input,
                                                                           const Tensor& hx = {});
  RNNOptions options;
};

/// Long short-term memory (proj_size 0).
class LSTMImpl : public detail::RNNImplBase {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size) : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options);
  /// (output, (h_n, c_n)); hx = (h0, c0) or nullopt for zeros.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(
      const Tensor& input, const std::optional<std::tuple<Tensor, Tensor>>& hx = std::nullopt);
  std::tuple<utils::rnn::PackedSequence, std::tuple<Tensor, Tensor>> forward_with_packed_input(
      const utils::rnn::PackedSequence& input, const std::optional<std::tuple<Tensor, Tensor>>& hx = std::nullopt);
  LSTMOptions options;
};

/// Gated recurrent unit.
class GRUImpl : public detail::RNNImplBase {
 public:
  GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions& options);
  /// (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});
  std::tuple<utils::rnn::PackedSequence, Tensor> forward_with_packed_input(const utils::rnn::PackedSequence& input,
                                                                           const Tensor& hx = {});
  GRUOptions options;
};

#pragma clang diagnostic pop

/// Holders whose call operator returns the typed forward (through call(), so hooks run).
class RNN : public ModuleHolder<RNNImpl> {
 public:
  using ModuleHolder<RNNImpl>::ModuleHolder;
  std::tuple<Tensor, Tensor> operator()(const Tensor& input, const Tensor& hx = {}) const {
    return (*this)->forward(input, hx);
  }
};

class LSTM : public ModuleHolder<LSTMImpl> {
 public:
  using ModuleHolder<LSTMImpl>::ModuleHolder;
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> operator()(
      const Tensor& input, const std::optional<std::tuple<Tensor, Tensor>>& hx = std::nullopt) const {
    return (*this)->forward(input, hx);
  }
};

class GRU : public ModuleHolder<GRUImpl> {
 public:
  using ModuleHolder<GRUImpl>::ModuleHolder;
  std::tuple<Tensor, Tensor> operator()(const Tensor& input, const Tensor& hx = {}) const {
    return (*this)->forward(input, hx);
  }
};

}  // namespace kiln::nn
