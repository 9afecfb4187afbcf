#!/usr/bin/python3
"""Generates golden data for kiln::nn layers with PyTorch: tests/golden/layers/NAME.safetensors.

Run from the repository root with Debian's python3 (which has torch 1.13):

    /usr/bin/python3 tests/golden/gen_layers.py

Each case builds one torch.nn module (the C++ test tests/frontend/layers_golden_test.cc builds
the same kiln::nn module: keep the two tables in step) and writes
  state.KEY       the module's state_dict (so kiln loads exactly these weights and buffers),
  input           the input, expected  the module's output (eval mode unless noted);
BatchNorm training cases run three training steps and write input0..2 / expected0..2 and the
state after the third step as after.KEY. Metadata: {"torch": version, "case": NAME}.
Output is deterministic (seeded from the case name, single-threaded torch).
"""

import os
import sys
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import LAYER_FAMILY_PREFIXES, finish_cases, write_safetensors  # noqa: E402  (the hand-written safetensors writer)

LAYERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def randomize_bn(m):
    """BatchNorm with non-trivial affine parameters and running stats."""
    with torch.no_grad():
        if m.weight is not None:
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
        if m.running_mean is not None:
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.num_batches_tracked.fill_(7)


# name -> (module factory, input shape, input scale). The C++ side mirrors this table.
CASES = {
    "linear": (lambda: nn.Linear(20, 8), [4, 20], 1.0),
    "linear_nobias_3d": (lambda: nn.Linear(6, 3, bias=False), [2, 5, 6], 1.0),
    "conv2d_basic": (lambda: nn.Conv2d(3, 4, 3), [2, 3, 8, 8], 1.0),
    "conv2d_stride_pad_nobias": (lambda: nn.Conv2d(3, 6, (3, 5), stride=2, padding=(1, 2), bias=False), [2, 3, 9, 11], 1.0),
    "conv2d_dilation_groups": (lambda: nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2), [1, 4, 9, 9], 1.0),
    "conv2d_depthwise": (lambda: nn.Conv2d(4, 4, 3, stride=2, padding=1, groups=4, bias=False), [2, 4, 7, 7], 1.0),
    "conv2d_same": (lambda: nn.Conv2d(2, 3, 3, padding="same"), [1, 2, 6, 5], 1.0),
    "conv1d": (lambda: nn.Conv1d(3, 5, 3, stride=2, padding=1), [2, 3, 10], 1.0),
    "conv3d": (lambda: nn.Conv3d(2, 3, (1, 2, 3), stride=(1, 2, 1)), [1, 2, 3, 6, 6], 1.0),
    "maxpool2d_stem": (lambda: nn.MaxPool2d(3, stride=2, padding=1), [2, 3, 9, 9], 1.0),
    "maxpool2d_ceil": (lambda: nn.MaxPool2d(2, ceil_mode=True), [1, 2, 7, 7], 1.0),
    "maxpool2d_dilation": (lambda: nn.MaxPool2d((2, 3), stride=(1, 2), dilation=(2, 1)), [1, 2, 8, 9], 1.0),
    "maxpool1d": (lambda: nn.MaxPool1d(3, stride=2, padding=1), [2, 3, 10], 1.0),
    "avgpool2d": (lambda: nn.AvgPool2d(2), [2, 3, 8, 8], 1.0),
    "avgpool2d_pad_ceil": (lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), [1, 2, 8, 8], 1.0),
    "avgpool2d_divisor": (lambda: nn.AvgPool2d(2, padding=1, divisor_override=3), [1, 2, 5, 5], 1.0),
    "avgpool1d": (lambda: nn.AvgPool1d(3, stride=2, padding=1), [2, 3, 10], 1.0),
    "adaptive_avgpool2d_1x1": (lambda: nn.AdaptiveAvgPool2d((1, 1)), [2, 8, 5, 5], 1.0),
    "adaptive_avgpool2d_7_from_10": (lambda: nn.AdaptiveAvgPool2d(7), [2, 3, 10, 10], 1.0),
    "adaptive_avgpool2d_divisible": (lambda: nn.AdaptiveAvgPool2d((4, 2)), [1, 2, 8, 8], 1.0),
    "adaptive_avgpool2d_none": (lambda: nn.AdaptiveAvgPool2d((None, 3)), [1, 2, 5, 7], 1.0),
    "batchnorm2d_eval": (lambda: nn.BatchNorm2d(4), [2, 4, 5, 5], 1.0),
    "relu": (lambda: nn.ReLU(), [3, 7], 4.0),
    "relu6": (lambda: nn.ReLU6(), [3, 7], 4.0),
    "sigmoid": (lambda: nn.Sigmoid(), [3, 7], 3.0),
    "tanh": (lambda: nn.Tanh(), [3, 7], 2.0),
    "softmax_dim1": (lambda: nn.Softmax(dim=1), [2, 5, 3], 3.0),
    "log_softmax_dim1": (lambda: nn.LogSoftmax(dim=1), [3, 7], 3.0),
    "flatten": (lambda: nn.Flatten(), [2, 3, 4, 5], 1.0),
    "flatten_1_2": (lambda: nn.Flatten(1, 2), [2, 3, 4, 5], 1.0),
}

# BatchNorm training: three steps from a randomized state; name -> (factory, input shape).
TRAIN_CASES = {
    "batchnorm2d_train": (lambda: nn.BatchNorm2d(4), [2, 4, 5, 5]),
    "batchnorm1d_train_cumulative": (lambda: nn.BatchNorm1d(5, momentum=None), [6, 5]),
}


def state_tensors(m, prefix):
    return {prefix + k: v.detach().clone() for k, v in m.state_dict().items()}


def eval_case(name, factory, shape, scale):
    seed(name)
    m = factory()
    if isinstance(m, nn.modules.batchnorm._BatchNorm):
        randomize_bn(m)
    m.eval()
    x = torch.randn(*shape) * scale
    with torch.no_grad():
        y = m(x)
    tensors = state_tensors(m, "state.")
    tensors["input"] = x
    tensors["expected"] = y
    return tensors


def train_case(name, factory, shape):
    seed(name)
    m = factory()
    randomize_bn(m)
    tensors = state_tensors(m, "state.")
    m.train()
    for step in range(3):
        x = torch.randn(*shape) * (1.0 + step) + 0.5 * step
        with torch.no_grad():
            y = m(x)
        tensors["input%d" % step] = x
        tensors["expected%d" % step] = y
    tensors.update(state_tensors(m, "after."))
    return tensors


def main():
    torch.set_num_threads(1)
    os.makedirs(LAYERS_DIR, exist_ok=True)
    written = set()
    for name, (factory, shape, scale) in CASES.items():
        write(name, eval_case(name, factory, shape, scale))
        written.add(name + ".safetensors")
    for name, (factory, shape) in TRAIN_CASES.items():
        write(name, train_case(name, factory, shape))
        written.add(name + ".safetensors")
    # The family generators (gen_spatial_layers.py, ...) own the files with their prefix.
    finish_cases(LAYERS_DIR, written, lambda f: not f.startswith(LAYER_FAMILY_PREFIXES))


def write(name, tensors):
    write_safetensors(os.path.join(LAYERS_DIR, name + ".safetensors"), tensors,
                      {"torch": torch.__version__, "case": name})


if __name__ == "__main__":
    main()
