#!/usr/bin/python3
"""Generates the golden data of kiln's built-in models: tests/golden/models/NAME.safetensors.

Run from the repository root with Debian's python3 (python3-torch 1.13, python3-torchvision 0.14):

    /usr/bin/python3 tests/golden/gen_models.py

The models are the PyTorch originals of frontend/models (mlp, lenet5, torchvision's resnet18 and
mobilenet_v2). Their real weights are megabytes, too big to commit, so every state_dict entry is
set to DETERMINISTIC FORMULA WEIGHTS that the C++ test (tests/frontend/models_golden_test.cc)
computes the same way — see formula_values(); keep the two in sync.

Each file holds
  - metadata "state_dict": JSON [[key, [shape...], dtype], ...] in state_dict order,
  - metadata "repr": print(model), "model", "torch", "torchvision", and "formula_checksum": the
    sum of |value| over every state_dict entry (in double) for the C++ side to check against,
  - tensor `input`: a small seeded input (mlp/lenet5 [3,1,28,28]; resnet18/mobilenet_v2
    [1,3,64,64] — torchvision's models take smaller images thanks to adaptive pooling),
  - tensor `expected.output`: model.eval()(input).
lenet5 also gets lenet5.input.safetensors, the input alone (for `kiln run --input`).
The output is deterministic (seeded input, integer-hash weights, single-threaded torch, the
safetensors writer of generate.py).
"""

import json
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import write_safetensors  # noqa: E402

MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")

_DTYPE_NAMES = {torch.float32: "F32", torch.int64: "I64"}


# ---------------------------------------------------------------------------------------------
# The PyTorch twins of kiln's own models (torchvision provides the other two).


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


MODELS = [
    # name, constructor, input shape
    ("mlp", mlp, [3, 1, 28, 28]),
    ("lenet5", LeNet5, [3, 1, 28, 28]),
    ("resnet18", torchvision.models.resnet18, [1, 3, 64, 64]),
    ("mobilenet_v2", torchvision.models.mobilenet_v2, [1, 3, 64, 64]),
]

# Models that also get NAME.input.safetensors (the input alone, for `kiln run --input` in
# tests/tools/export_test.sh).
INPUT_FILES = ["lenet5"]


# ---------------------------------------------------------------------------------------------
# Formula weights (tests/frontend/models_golden_test.cc: FormulaValues must agree).


_M64 = (1 << 64) - 1


def key_hash(key):
    """FNV-1a (64-bit) of the key's UTF-8 bytes."""
    h = 0xCBF29CE484222325
    for b in key.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & _M64
    return h


def formula_base(key, numel):
    """Uniform [-0.5, 0.5) values, one per flat index i: splitmix64(key_hash + (i + 1) * golden),
    top 53 bits as a fraction. Integer arithmetic, so Python and C++ agree bit for bit."""
    with np.errstate(over="ignore"):
        i = np.arange(1, numel + 1, dtype=np.uint64)
        z = np.uint64(key_hash(key)) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53 - 0.5


def formula_values(key, shape):
    """The value of state_dict entry `key` of `shape`, as a float64 numpy array (flat order),
    rounded to f32 by the caller. With base = formula_base(key, numel) (uniform [-0.5, 0.5),
    variance 1/12):
      rank >= 2 (conv/linear weights): base * sqrt(24 / fan_in), fan_in = numel / shape[0]
        (variance 2 / fan_in, as kaiming init: the signal neither dies nor explodes);
      *.running_mean: 0.2 * base;  *.running_var: 1 + 0.5 * (base + 0.5)  (in [1, 1.5));
      rank-1 *.weight (BatchNorm): 1 + 0.2 * base;  *.bias: 0.2 * base;
      *.num_batches_tracked: 0 (int64, handled by the caller).
    Random-like values matter: a smooth formula (sin of the index) makes every output channel
    the same pattern, the weights rank 2, and the output independent of the input.
    """
    numel = int(np.prod(shape)) if shape else 1
    base = formula_base(key, numel)
    if len(shape) >= 2:
        return base * math.sqrt(24.0 / (numel // shape[0]))
    if key.endswith("running_mean"):
        return 0.2 * base
    if key.endswith("running_var"):
        return 1.0 + 0.5 * (base + 0.5)
    if key.endswith(".weight"):
        return 1.0 + 0.2 * base
    if key.endswith(".bias"):
        return 0.2 * base
    raise ValueError("no formula for state_dict key %r" % key)


def formula_state_dict(model):
    out = {}
    for key, t in model.state_dict().items():
        shape = list(t.shape)
        if key.endswith("num_batches_tracked"):
            out[key] = torch.zeros(shape, dtype=torch.int64)
            continue
        assert t.dtype == torch.float32, key
        out[key] = torch.from_numpy(formula_values(key, shape).astype(np.float32)).reshape(shape)
    return out


def build(name, ctor, input_shape):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))
    model = ctor()
    model.load_state_dict(formula_state_dict(model), strict=True)
    model.eval()
    x = torch.randn(input_shape)
    with torch.no_grad():
        y = model(x)
    keys = [[k, list(t.shape), _DTYPE_NAMES[t.dtype]] for k, t in model.state_dict().items()]
    # Lets the C++ test check its formula weights directly, not only through the output.
    checksum = sum(t.double().abs().sum().item() for t in model.state_dict().values())
    metadata = {
        "model": name,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "state_dict": json.dumps(keys, separators=(",", ":")),
        "repr": repr(model),
        "formula_checksum": repr(checksum),
    }
    return {"input": x, "expected.output": y}, metadata, y


def main():
    torch.set_num_threads(1)
    os.makedirs(MODELS_DIR, exist_ok=True)
    for name, ctor, shape in MODELS:
        tensors, metadata, y = build(name, ctor, shape)
        path = os.path.join(MODELS_DIR, name + ".safetensors")
        write_safetensors(path, tensors, metadata)
        if name in INPUT_FILES:
            write_safetensors(os.path.join(MODELS_DIR, name + ".input.safetensors"), {"input": tensors["input"]},
                              {"model": name})
        print("%-14s %-18s output %s  mean %+.4f std %.4f  %d bytes" % (
            name, list(shape), list(y.shape), y.mean().item(), y.std().item(), os.path.getsize(path)))


if __name__ == "__main__":
    main()
