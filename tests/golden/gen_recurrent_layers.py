#!/usr/bin/python3
"""Golden data for issue 6's recurrent layers: tests/golden/layers/recurrent_NAME.safetensors
(only files with that prefix are touched).

Run from the repository root with Debian's python3 (which has torch 1.13):

    /usr/bin/python3 tests/golden/gen_recurrent_layers.py

Each case builds one torch.nn module (RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell) from the
constructor arguments in its row; those arguments are also written as metadata, and
tests/frontend/recurrent_layers_golden_test.cc builds the kiln module from them (so the two
sides cannot drift). Weights are torch's own seeded init. Tensors written:
  state.KEY        the state_dict,
  in0              the input (padded [T, B, I] / [B, T, I] for packed cases),
  in1, in2         h0 (hx) and c0 (cx) when the case passes an initial state,
  lengths          packed cases: the lengths given to pack_padded_sequence,
  out0             output (packed cases: pad_packed_sequence(output)[0] with the layout of in0),
  out1, out2       h_n, c_n (cells: out0 = h', out1 = c'),
  packed.data, packed.batch_sizes, packed.sorted_indices   packed cases: the packed output.
Metadata: torch version, case, module, repr, state_dict_keys (comma-separated, torch's order), and the constructor arguments (input_size,
hidden_size, num_layers, bias, batch_first, dropout, bidirectional, nonlinearity) as strings,
mode ("eval"/"train": dropout is only tested in eval), packed ("1"/"0"), enforce_sorted.
Output is deterministic (seeded from the case name, single-threaded torch).
"""

import os
import sys
import zlib

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import finish_cases, write_safetensors  # noqa: E402  (the hand-written safetensors writer)

LAYERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")
PREFIX = "recurrent_"

MODULES = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU, "RNNCell": nn.RNNCell, "LSTMCell": nn.LSTMCell,
           "GRUCell": nn.GRUCell}


def case(module, input_size=4, hidden_size=3, T=5, N=3, state=False, lengths=None, enforce_sorted=True,
         unbatched=False, **kwargs):
    return dict(module=module, input_size=input_size, hidden_size=hidden_size, T=T, N=N, state=state,
                lengths=lengths, enforce_sorted=enforce_sorted, unbatched=unbatched, kwargs=kwargs)


CASES = {}
for m in ["RNN", "LSTM", "GRU"]:
    k = m.lower()
    extra = {"nonlinearity": "relu"} if m == "RNN" else {}
    CASES[k + "_1layer"] = case(m)
    CASES[k + "_1layer_h0"] = case(m, state=True)
    CASES[k + "_3layer"] = case(m, num_layers=3)
    CASES[k + "_3layer_bidirectional_h0"] = case(m, num_layers=3, bidirectional=True, state=True, **extra)
    CASES[k + "_1layer_bidirectional_batch_first"] = case(m, bidirectional=True, batch_first=True)
    CASES[k + "_3layer_batch_first_h0"] = case(m, num_layers=3, batch_first=True, state=True, T=4, N=2)
    CASES[k + "_seq_len_1"] = case(m, T=1, N=2, num_layers=2, bidirectional=True)
    CASES[k + "_seq_len_1_batch1_h0"] = case(m, T=1, N=1, state=True, **extra)
    CASES[k + "_nobias_dropout_eval"] = case(m, num_layers=2, bias=False, dropout=0.25, **extra)
    CASES[k + "_unbatched_h0"] = case(m, num_layers=2, state=True, unbatched=True)
    CASES[k + "_packed_sorted"] = case(m, T=5, N=3, lengths=[5, 3, 2], num_layers=2)
    CASES[k + "_packed_unsorted_bidirectional_h0"] = case(m, T=6, N=4, lengths=[2, 6, 1, 4], enforce_sorted=False,
                                                          num_layers=3, bidirectional=True, state=True)
    CASES[k + "_packed_batch_first_bidirectional"] = case(m, T=4, N=3, lengths=[3, 4, 1], enforce_sorted=False,
                                                          bidirectional=True, batch_first=True)
CASES["rnn_relu_1layer"] = case("RNN", nonlinearity="relu")
CASES["rnn_tanh_explicit_2layer_bidirectional"] = case("RNN", nonlinearity="tanh", num_layers=2, bidirectional=True)
for m in ["RNNCell", "LSTMCell", "GRUCell"]:
    k = m.lower()
    CASES[k] = case(m, N=4)
    CASES[k + "_hx"] = case(m, N=4, state=True)
    CASES[k + "_nobias_hx"] = case(m, N=2, state=True, bias=False)
    CASES[k + "_unbatched_hx"] = case(m, state=True, unbatched=True)
CASES["rnncell_relu_hx"] = case("RNNCell", N=3, state=True, nonlinearity="relu")


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def run_case(name, c):
    seed(name)
    m = MODULES[c["module"]](c["input_size"], c["hidden_size"], **c["kwargs"])
    m.eval()
    cell = c["module"].endswith("Cell")
    kw = c["kwargs"]
    bf = kw.get("batch_first", False)
    layers_dirs = kw.get("num_layers", 1) * (2 if kw.get("bidirectional", False) else 1)
    lstm = c["module"].startswith("LSTM")
    T, N, H = c["T"], c["N"], c["hidden_size"]
    tensors = {"state." + k: v.detach().clone() for k, v in m.state_dict().items()}
    if cell:
        x = torch.randn(N, c["input_size"]) if not c["unbatched"] else torch.randn(c["input_size"])
        state_shape = [N, H] if not c["unbatched"] else [H]
    else:
        shape = [N, T, c["input_size"]] if bf else [T, N, c["input_size"]]
        x = torch.randn(*shape) if not c["unbatched"] else torch.randn(T, c["input_size"])
        state_shape = [layers_dirs, N, H] if not c["unbatched"] else [layers_dirs, H]
    tensors["in0"] = x
    hx = None
    if c["state"]:
        hx = [torch.randn(*state_shape) * 0.5 for _ in range(2 if lstm else 1)]
        for i, h in enumerate(hx):
            tensors["in%d" % (i + 1)] = h
        hx = tuple(hx) if lstm else hx[0]
    with torch.no_grad():
        if c["lengths"] is not None:
            lengths = torch.tensor(c["lengths"], dtype=torch.int64)
            packed = pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=c["enforce_sorted"])
            out = m(packed, hx)
            po = out[0]
            tensors["lengths"] = lengths
            tensors["packed.data"] = po.data
            tensors["packed.batch_sizes"] = po.batch_sizes
            if po.sorted_indices is not None:
                tensors["packed.sorted_indices"] = po.sorted_indices
            padded, _ = pad_packed_sequence(po, batch_first=bf, total_length=T)
            outs = [padded] + (list(out[1]) if lstm else [out[1]])
        else:
            out = m(x, hx)
            if cell:
                outs = list(out) if lstm else [out]
            else:
                outs = [out[0]] + (list(out[1]) if lstm else [out[1]])
    for i, o in enumerate(outs):
        tensors["out%d" % i] = o
    meta = {"torch": torch.__version__, "case": name, "module": c["module"], "repr": repr(m),
            "input_size": str(c["input_size"]), "hidden_size": str(H),
            "num_layers": str(kw.get("num_layers", 1)), "bias": str(int(kw.get("bias", True))),
            "batch_first": str(int(bf)), "dropout": repr(float(kw.get("dropout", 0.0))),
            "bidirectional": str(int(kw.get("bidirectional", False))),
            "nonlinearity": kw.get("nonlinearity", "tanh"), "mode": "eval",
            "packed": str(int(c["lengths"] is not None)), "enforce_sorted": str(int(c["enforce_sorted"])),
            "state": str(int(c["state"])), "state_dict_keys": ",".join(m.state_dict().keys())}
    return tensors, meta


def main():
    torch.set_num_threads(1)
    os.makedirs(LAYERS_DIR, exist_ok=True)
    written = set()
    for name, c in CASES.items():
        full = PREFIX + name
        tensors, meta = run_case(full, c)
        write_safetensors(os.path.join(LAYERS_DIR, full + ".safetensors"), tensors, meta)
        written.add(full + ".safetensors")
    finish_cases(LAYERS_DIR, written, lambda f: f.startswith(PREFIX))


if __name__ == "__main__":
    main()
