#include "frontend/models/lstm.h"

namespace kiln::models {

LSTMLanguageModelImpl::LSTMLanguageModelImpl() : Module("LSTMLanguageModel") {
  embed = register_module("embed", nn::Embedding(10000, 128));
  rnn = register_module("rnn", nn::LSTM(nn::LSTMOptions(128, 256).num_layers(2)));
  head = register_module("head", nn::Linear(256, 10000));
}

Tensor LSTMLanguageModelImpl::forward(const Tensor& tokens) {
  auto [out, state] = rnn(embed(tokens));
  return head(out);
}

}  // namespace kiln::models
