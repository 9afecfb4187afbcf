// Conformance cases: rnn (rnn_tanh, rnn_relu, gru) and lstm (issue 6). T and N are symbolic
// in every case (the CPU backend binds T at compile time, N stays a run-time batch). Lengths
// are constants (random lengths could exceed T).
#include <string>

#include "tests/conformance/conformance.h"

namespace kiln::conformance {

namespace {

// "  param %w_ih_l0 : f32[G*H,I]\n ..." for one (layer, direction); names get `suffix`.
std::string WeightParams(const std::string& suffix, int64_t gh, int64_t in, int64_t hidden, bool biases) {
  std::string s = "  param %w_ih" + suffix + " : f32[" + std::to_string(gh) + "," + std::to_string(in) + "]\n" +
                  "  param %w_hh" + suffix + " : f32[" + std::to_string(gh) + "," + std::to_string(hidden) + "]\n";
  if (biases) {
    s += "  param %b_ih" + suffix + " : f32[" + std::to_string(gh) + "]\n" + "  param %b_hh" + suffix + " : f32[" +
         std::to_string(gh) + "]\n";
  }
  return s;
}

std::string WeightOperands(const std::string& suffix, bool biases) {
  std::string s = ", %w_ih" + suffix + ", %w_hh" + suffix;
  if (biases) s += ", %b_ih" + suffix + ", %b_hh" + suffix;
  return s;
}

}  // namespace

void AddRecurrentCases(std::vector<Case>& cases) {
  // Elman tanh, one layer, no initial state.
  cases.push_back({"rnn_tanh_1layer",
                   "graph g {\n  input %x : f32[T,N,3]\n" + WeightParams("", 4, 3, 4, true) +
                       "  %0, %1 = rnn(%x" + WeightOperands("", true) +
                       ") {hidden_size=4, mode=\"rnn_tanh\"} : f32[T,N,4], f32[1,N,4]\n"
                       "  output out = %0\n  output h_n = %1\n}\n",
                   {{"T", 5}, {"N", 2}}, -1.0, 1.0});
  // Elman relu, two layers, batch_first, initial state, no biases.
  cases.push_back({"rnn_relu_2layer_batch_first_h0_nobias",
                   "graph g {\n  input %x : f32[N,T,3]\n  input %h0 : f32[2,N,4]\n" +
                       WeightParams("_l0", 4, 3, 4, false) + WeightParams("_l1", 4, 4, 4, false) +
                       "  %0, %1 = rnn(%x, %h0" + WeightOperands("_l0", false) + WeightOperands("_l1", false) +
                       ") {batch_first=true, has_biases=false, has_initial_state=true, hidden_size=4, num_layers=2, "
                       "mode=\"rnn_relu\"} : f32[N,T,4], f32[2,N,4]\n"
                       "  output out = %0\n  output h_n = %1\n}\n",
                   {{"T", 4}, {"N", 3}}, -1.0, 1.0});
  // GRU, bidirectional, two layers.
  cases.push_back({"gru_2layer_bidirectional",
                   "graph g {\n  input %x : f32[T,N,3]\n" + WeightParams("_l0", 12, 3, 4, true) +
                       WeightParams("_l0r", 12, 3, 4, true) + WeightParams("_l1", 12, 8, 4, true) +
                       WeightParams("_l1r", 12, 8, 4, true) + "  %0, %1 = rnn(%x" + WeightOperands("_l0", true) +
                       WeightOperands("_l0r", true) + WeightOperands("_l1", true) + WeightOperands("_l1r", true) +
                       ") {bidirectional=true, hidden_size=4, mode=\"gru\", num_layers=2} : f32[T,N,8], f32[4,N,4]\n"
                       "  output out = %0\n  output h_n = %1\n}\n",
                   {{"T", 6}, {"N", 2}}, -1.0, 1.0});
  // LSTM, one layer, initial state.
  cases.push_back({"lstm_1layer_h0_c0",
                   "graph g {\n  input %x : f32[T,N,5]\n  input %h0 : f32[1,N,3]\n  input %c0 : f32[1,N,3]\n" +
                       WeightParams("", 12, 5, 3, true) + "  %0, %1, %2 = lstm(%x, %h0, %c0" +
                       WeightOperands("", true) +
                       ") {has_initial_state=true, hidden_size=3} : f32[T,N,3], f32[1,N,3], f32[1,N,3]\n"
                       "  output out = %0\n  output h_n = %1\n  output c_n = %2\n}\n",
                   {{"T", 7}, {"N", 2}}, -1.0, 1.0});
  // LSTM, bidirectional, batch_first, T = 1.
  cases.push_back({"lstm_bidirectional_batch_first_t1",
                   "graph g {\n  input %x : f32[N,T,2]\n" + WeightParams("", 8, 2, 2, true) +
                       WeightParams("_r", 8, 2, 2, true) + "  %0, %1, %2 = lstm(%x" + WeightOperands("", true) +
                       WeightOperands("_r", true) +
                       ") {batch_first=true, bidirectional=true, hidden_size=2} : f32[N,T,4], f32[2,N,2], f32[2,N,2]\n"
                       "  output out = %0\n  output h_n = %1\n  output c_n = %2\n}\n",
                   {{"T", 1}, {"N", 3}}, -1.0, 1.0});
  // Packed sequences: LSTM and GRU with per-row lengths (bidirectional: the reverse direction
  // starts at each row's own last step).
  cases.push_back({"lstm_bidirectional_lengths",
                   "graph g {\n  input %x : f32[5,3,2]\n" + WeightParams("", 12, 2, 3, true) +
                       WeightParams("_r", 12, 2, 3, true) +
                       "  %len = constant() {dtype=i64, shape=[3], value=[5.0,2.0,3.0]} : i64[3]\n"
                       "  %0, %1, %2 = lstm(%x" +
                       WeightOperands("", true) + WeightOperands("_r", true) +
                       ", %len) {bidirectional=true, has_lengths=true, hidden_size=3} : f32[5,3,6], f32[2,3,3], "
                       "f32[2,3,3]\n"
                       "  output out = %0\n  output h_n = %1\n  output c_n = %2\n}\n",
                   {}, -1.0, 1.0});
  cases.push_back({"gru_lengths_h0",
                   "graph g {\n  input %x : f32[4,3,2]\n  input %h0 : f32[1,3,3]\n" +
                       WeightParams("", 9, 2, 3, true) +
                       "  %len = constant() {dtype=i64, shape=[3], value=[1.0,4.0,2.0]} : i64[3]\n"
                       "  %0, %1 = rnn(%x, %h0" +
                       WeightOperands("", true) +
                       ", %len) {has_initial_state=true, has_lengths=true, hidden_size=3, mode=\"gru\"} : "
                       "f32[4,3,3], f32[1,3,3]\n"
                       "  output out = %0\n  output h_n = %1\n}\n",
                   {}, -1.0, 1.0});
}

}  // namespace kiln::conformance
