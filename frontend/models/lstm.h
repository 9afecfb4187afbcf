// The built-in `lstm`: a word-level LSTM language model. Its PyTorch original
// (tests/golden/gen_lstm_model.py):
//
//   class LSTMLanguageModel(nn.Module):
//       def __init__(self):
//           super().__init__()
//           self.embed = nn.Embedding(10000, 128)
//           self.rnn = nn.LSTM(128, 256, num_layers=2)
//           self.head = nn.Linear(256, 10000)
//       def forward(self, tokens):                  # i64 [T, N] (sequence first)
//           out, _ = self.rnn(self.embed(tokens))
//           return self.head(out)                   # logits [T, N, 10000]
//
// state_dict keys embed.weight, rnn.{weight_ih,weight_hh,bias_ih,bias_hh}_l{0,1},
// head.{weight,bias}. Traced with symbolic T and N, the two-layer LSTM is one `lstm` node, so
// one graph serves every sequence length.
#pragma once

#include "frontend/linear.h"
#include "frontend/module.h"
#include "frontend/recurrent.h"
#include "frontend/sparse.h"

namespace kiln::models {

class LSTMLanguageModelImpl : public nn::Module {
 public:
  LSTMLanguageModelImpl();
  Tensor forward(const Tensor& tokens) override;

  nn::Embedding embed{nullptr};
  nn::LSTM rnn{nullptr};
  nn::Linear head{nullptr};
};
KILN_MODULE(LSTMLanguageModel);

}  // namespace kiln::models
