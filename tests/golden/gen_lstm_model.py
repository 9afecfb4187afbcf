#!/usr/bin/python3
"""Golden data of the built-in `lstm` model (frontend/models/lstm.h): tests/golden/models/lstm.safetensors.

Run from the repository root with Debian's python3 (python3-torch 1.13):

    /usr/bin/python3 tests/golden/gen_lstm_model.py

The model is Embedding(10000, 128) -> LSTM(128, 256, num_layers=2) (sequence first) ->
Linear(256, 10000). Its weights (5 M values) are not stored: every state_dict entry is set to the
DETERMINISTIC FORMULA WEIGHTS of gen_models.py (formula_values; rank >= 2 entries
base * sqrt(24 / fan_in)), plus one rule for the LSTM biases, whose keys (rnn.bias_ih_l0, ...)
do not end in ".bias": 0.2 * base. tests/frontend/recurrent_lstm_model_golden_test.cc computes the
same values.

The file holds, as gen_models.py's files do: metadata "state_dict" (JSON [[key, shape, dtype]]),
"repr", "model", "torch", "formula_checksum"; tensor `input` (tokens i64 [T=5, N=2], seeded) and
`expected.output` (logits f32 [5, 2, 10000]).
"""

import json
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_models import formula_base, formula_values  # noqa: E402
from generate import write_safetensors  # noqa: E402

MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")


class LSTMLanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10000, 128)
        self.rnn = nn.LSTM(128, 256, num_layers=2)
        self.head = nn.Linear(256, 10000)

    def forward(self, tokens):
        out, _ = self.rnn(self.embed(tokens))
        return self.head(out)


def lstm_formula_values(key, shape):
    if len(shape) == 1 and ".bias_" in key:  # rnn.bias_ih_l0, rnn.bias_hh_l1, ...
        return 0.2 * formula_base(key, int(np.prod(shape)))
    return formula_values(key, shape)


def main():
    torch.set_num_threads(1)
    name = "lstm"
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))
    model = LSTMLanguageModel()
    state = {k: torch.from_numpy(lstm_formula_values(k, list(t.shape)).astype(np.float32)).reshape(t.shape)
             for k, t in model.state_dict().items()}
    model.load_state_dict(state, strict=True)
    model.eval()
    tokens = torch.randint(0, 10000, (5, 2), dtype=torch.int64)
    with torch.no_grad():
        y = model(tokens)
    keys = [[k, list(t.shape), "F32"] for k, t in model.state_dict().items()]
    checksum = sum(t.double().abs().sum().item() for t in model.state_dict().values())
    metadata = {"model": name, "torch": torch.__version__, "state_dict": json.dumps(keys, separators=(",", ":")),
                "repr": repr(model), "formula_checksum": repr(checksum)}
    path = os.path.join(MODELS_DIR, name + ".safetensors")
    write_safetensors(path, {"input": tokens, "expected.output": y}, metadata)
    print("%s tokens %s -> logits %s  mean %+.4f std %.4f  %d bytes" % (
        name, list(tokens.shape), list(y.shape), y.mean().item(), y.std().item(), os.path.getsize(path)))


if __name__ == "__main__":
    main()
