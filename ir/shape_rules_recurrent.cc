// Shape rules of the recurrent ops (issue 6): rnn (rnn_tanh, rnn_relu, gru) and lstm. The
// operand layout is documented in ir/ops.def. The sequence length T and the batch N may be
// symbolic (one node serves every length); the feature sizes (input_size, hidden_size) must
// be static, and every weight must have exactly torch's shape.
#include <string>
#include <vector>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

using Types = std::vector<TensorType>;
using Result = StatusOr<Types>;

std::string str(int64_t v) { return std::to_string(v); }

// Gates per cell: 1 (Elman), 3 (GRU: r, z, n), 4 (LSTM: i, f, g, o).
StatusOr<int64_t> gate_count(const std::string& mode) {
  if (mode == "rnn_tanh" || mode == "rnn_relu") return int64_t{1};
  if (mode == "gru") return int64_t{3};
  if (mode == "lstm") return int64_t{4};
  return InvalidArgument("mode must be rnn_tanh, rnn_relu or gru, got \"" + mode + "\"");
}

Result infer_recurrent(const Types& in, const Attrs& attrs, const std::string& mode) {
  KILN_ASSIGN_OR_RETURN(int64_t gates, gate_count(mode));
  const bool lstm = mode == "lstm";
  const int64_t hidden = attrs.i("hidden_size");
  const int64_t layers = attrs.i("num_layers");
  const int64_t dirs = attrs.b("bidirectional") ? 2 : 1;
  const bool batch_first = attrs.b("batch_first");
  const bool biases = attrs.b("has_biases");
  const bool state = attrs.b("has_initial_state");
  const bool lengths = attrs.b("has_lengths");
  if (hidden < 1) return InvalidArgument("hidden_size must be positive, got " + str(hidden));
  if (layers < 1) return InvalidArgument("num_layers must be positive, got " + str(layers));
  const size_t num_states = state ? (lstm ? 2 : 1) : 0;
  const size_t per_dir = biases ? 4 : 2;
  const size_t expected = 1 + num_states + static_cast<size_t>(layers * dirs) * per_dir + (lengths ? 1 : 0);
  if (in.size() != expected) {
    return InvalidArgument("expects " + str(static_cast<int64_t>(expected)) + " operands (input" +
                           (state ? (lstm ? ", h0, c0" : ", h0") : "") + ", " + str(layers * dirs) + " x (" +
                           (biases ? "w_ih, w_hh, b_ih, b_hh" : "w_ih, w_hh") + ")" + (lengths ? ", lengths" : "") +
                           "), got " + str(static_cast<int64_t>(in.size())));
  }
  const TensorType& x = in[0];
  if (!is_floating(x.dtype) || x.shape.rank() != 3) {
    return InvalidArgument("input must be a floating " + std::string(batch_first ? "[N, T, I]" : "[T, N, I]") +
                           " tensor, got " + x.str());
  }
  const Dim t = x.shape.dim(batch_first ? 1 : 0);
  const Dim n = x.shape.dim(batch_first ? 0 : 1);
  const Dim features = x.shape.dim(2);
  if (!features.is_static()) return Unimplemented("the feature dim of input " + x.str() + " must be static");
  for (size_t i = 1; i < in.size() - (lengths ? 1 : 0); ++i) {
    if (in[i].dtype != x.dtype) return InvalidArgument("operand " + str(static_cast<int64_t>(i)) + " " + in[i].str() +
                                                       " must have the dtype of input " + x.str());
  }
  const Shape state_shape({Dim(layers * dirs), n, Dim(hidden)});
  for (size_t i = 1; i <= num_states; ++i) {
    if (in[i].shape != state_shape) {
      return InvalidArgument(std::string(i == 1 ? "h0 " : "c0 ") + in[i].str() + " must be " + state_shape.str() +
                             " for input " + x.str());
    }
  }
  size_t w = 1 + num_states;
  for (int64_t l = 0; l < layers; ++l) {
    const int64_t layer_in = l == 0 ? features.size() : dirs * hidden;
    for (int64_t d = 0; d < dirs; ++d) {
      const std::string where = " of layer " + str(l) + (d ? " (reverse)" : "");
      const Shape want[4] = {Shape({Dim(gates * hidden), Dim(layer_in)}), Shape({Dim(gates * hidden), Dim(hidden)}),
                             Shape({Dim(gates * hidden)}), Shape({Dim(gates * hidden)})};
      const char* names[4] = {"w_ih ", "w_hh ", "b_ih ", "b_hh "};
      for (size_t k = 0; k < per_dir; ++k, ++w) {
        if (in[w].shape != want[k]) {
          return InvalidArgument(std::string(names[k]) + in[w].str() + where + " must be " + want[k].str());
        }
      }
    }
  }
  if (lengths) {
    const TensorType& len = in.back();
    if ((len.dtype != DType::kI64 && len.dtype != DType::kI32) || len.shape != Shape({n})) {
      return InvalidArgument("lengths must be i64 or i32 [" + n.str() + "] for input " + x.str() + ", got " + len.str());
    }
  }
  const Dim out_features(dirs * hidden);
  Shape out = batch_first ? Shape({n, t, out_features}) : Shape({t, n, out_features});
  Types result{TensorType{x.dtype, out}, TensorType{x.dtype, state_shape}};
  if (lstm) result.push_back(TensorType{x.dtype, state_shape});
  return result;
}

}  // namespace

Result infer_rnn(const Types& in, const Attrs& attrs) {
  const std::string mode = attrs.s("mode");
  if (mode == "lstm") return InvalidArgument("mode lstm is the op lstm (it has a third result, c_n)");
  return infer_recurrent(in, attrs, mode);
}

Result infer_lstm(const Types& in, const Attrs& attrs) { return infer_recurrent(in, attrs, "lstm"); }

}  // namespace kiln::ir
