// nn::RNNCell, nn::LSTMCell, nn::GRUCell, as torch.nn's (torch 1.13): constructor arguments,
// parameters weight_ih, weight_hh, bias_ih, bias_hh (None when bias=false), gate order (LSTM
// i,f,g,o; GRU r,z,n), init U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), repr.
//
// Contract.
// - A cell is one time step, so it decomposes into existing ops (two `linear`s, `slice`s of the
//   gate blocks and elementwise math); no recurrent op is recorded. An omitted state is zeros
//   and is folded away (W_hh * 0 is not computed), so the batch dim may be symbolic.
// - Input [N, input_size] or unbatched [input_size]; hx (and cx) [N, hidden_size] or
//   [hidden_size]. Errors use torch's wording (input 3-D, inconsistent sizes, batch mismatch).
// - forward_tensors: {input, hx (, cx)} (undefined = zeros) -> {h'} or {h', c'}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of RNNCell: input_size, hidden_size, bias (true), nonlinearity ("tanh" | "relu").
struct RNNCellOptions {
  RNNCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  KILN_ARG(int64_t, input_size);
  KILN_ARG(int64_t, hidden_size);
  KILN_ARG(bool, bias) = true;
  KILN_ARG(std::string, nonlinearity) = "tanh";
};

/// Options of LSTMCell and GRUCell: input_size, hidden_size, bias (true).
struct LSTMCellOptions {
  LSTMCellOptions(int64_t input_size, int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  KILN_ARG(int64_t, input_size);
  KILN_ARG(int64_t, hidden_size);
  KILN_ARG(bool, bias) = true;
};
using GRUCellOptions = LSTMCellOptions;

namespace detail {

/// Parameters, init, checks and repr shared by the three cells.
class RNNCellImplBase : public Module {
 public:
  RNNCellImplBase(const std::string& type_name, int64_t input_size, int64_t hidden_size, bool bias, int64_t gates);
  void reset_parameters();
  std::string extra_repr() const override;

  const int64_t input_size, hidden_size;
  const bool bias;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  /// Checks input/state shapes; returns (input, state...) batched to 2-D (unbatched inputs get
  /// a batch of 1) and whether the input was batched.
  bool prepare(Tensor& input, std::vector<Tensor*> states) const;
  /// (W_ih x + b_ih, W_hh h + b_hh) — the second with h == 0 when h is undefined.
  std::pair<Tensor, Tensor> gate_inputs(const Tensor& x, const Tensor& h) const;
  /// Gate block k of [N, G*H] gates.
  Tensor gate(const Tensor& gates, int64_t k) const;
  virtual std::string nonlinearity_repr() const { return ""; }
};

}  // namespace detail

class RNNCellImpl : public detail::RNNCellImplBase {
 public:
  RNNCellImpl(int64_t input_size, int64_t hidden_size) : RNNCellImpl(RNNCellOptions(input_size, hidden_size)) {}
  explicit RNNCellImpl(const RNNCellOptions& options);
  /// h' = act(W_ih x + b_ih + W_hh h + b_hh); hx undefined (or omitted) = zeros.
  Tensor forward(const Tensor& input) override { return forward(input, Tensor()); }
  Tensor forward(const Tensor& input, const Tensor& hx);
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  RNNCellOptions options;

 private:
  std::string nonlinearity_repr() const override;
};

class LSTMCellImpl : public detail::RNNCellImplBase {
 public:
  LSTMCellImpl(int64_t input_size, int64_t hidden_size) : LSTMCellImpl(LSTMCellOptions(input_size, hidden_size)) {}
  explicit LSTMCellImpl(const LSTMCellOptions& options);
  /// (h', c'); hx = (h, c) or nullopt for zeros. (Returns a tuple, as libtorch's, so it hides
  /// Module's single-tensor forward on purpose.)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Woverloaded-virtual"
  std::tuple<Tensor, Tensor> forward(const Tensor& input,
                                     const std::optional<std::tuple<Tensor, Tensor>>& hx = std::nullopt);
#pragma clang diagnostic pop
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  LSTMCellOptions options;
};

class GRUCellImpl : public detail::RNNCellImplBase {
 public:
  GRUCellImpl(int64_t input_size, int64_t hidden_size) : GRUCellImpl(GRUCellOptions(input_size, hidden_size)) {}
  explicit GRUCellImpl(const GRUCellOptions& options);
  Tensor forward(const Tensor& input) override { return forward(input, Tensor()); }
  Tensor forward(const Tensor& input, const Tensor& hx);
  std::vector<Tensor> forward_tensors(const std::vector<Tensor>& inputs) override;
  GRUCellOptions options;
};

class RNNCell : public ModuleHolder<RNNCellImpl> {
 public:
  using ModuleHolder<RNNCellImpl>::ModuleHolder;
  Tensor operator()(const Tensor& input, const Tensor& hx = {}) const { return (*this)->forward(input, hx); }
};

class LSTMCell : public ModuleHolder<LSTMCellImpl> {
 public:
  using ModuleHolder<LSTMCellImpl>::ModuleHolder;
  std::tuple<Tensor, Tensor> operator()(const Tensor& input,
                                        const std::optional<std::tuple<Tensor, Tensor>>& hx = std::nullopt) const {
    return (*this)->forward(input, hx);
  }
};

class GRUCell : public ModuleHolder<GRUCellImpl> {
 public:
  using ModuleHolder<GRUCellImpl>::ModuleHolder;
  Tensor operator()(const Tensor& input, const Tensor& hx = {}) const { return (*this)->forward(input, hx); }
};

}  // namespace kiln::nn
