#!/usr/bin/python3
"""Golden data for the activation family (activations, dropout in eval, distances,
AdaptiveLogSoftmaxWithLoss): tests/golden/layers/activation_NAME.safetensors.

Run from the repository root with Debian's python3 (torch 1.13):

    /usr/bin/python3 tests/golden/gen_activation_layers.py

Each case builds one torch.nn module (tests/frontend/activation_layers_golden_test.cc builds the same
kiln::nn module: keep the two tables in step) and writes
  state.KEY            the module's state_dict,
  input / input0, input1   the input(s),  expected  the output (eval mode).
AdaptiveLogSoftmaxWithLoss cases write input, target, expected.log_prob, expected.predict,
expected.output, expected.loss. Training-mode masks are random (kiln matches torch's
distributions, not its streams), so dropout/RReLU have eval cases only; activations behave the
same in both modes. Deterministic: seeded from the case name, single-threaded torch.
"""

import os
import sys
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import finish_cases, write_safetensors  # noqa: E402

LAYERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")
PREFIX = "activation_"


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def randn(*shape, scale=1.0):
    return lambda: torch.randn(*shape) * scale


def extreme(*shape):
    """Random values with +-1e4, +-100 and 0 mixed in (softmax/softplus/sigmoid stability)."""
    def make():
        x = torch.randn(*shape) * 3
        flat = x.view(-1)
        specials = torch.tensor([1e4, -1e4, 100.0, -100.0, 0.0, 30.0, -30.0])
        flat[: min(flat.numel(), specials.numel())] = specials[: flat.numel()]
        return x
    return make


def with_zero_rows(*shape):
    def make():
        x = torch.randn(*shape)
        x[0].zero_()
        return x
    return make


def randomize_prelu(m):
    with torch.no_grad():
        m.weight.uniform_(-0.5, 0.5)
    return m


# name -> (module factory, [input factories]). The C++ side mirrors this table.
CASES = {
    "elu": (lambda: nn.ELU(), [randn(3, 7, scale=3)]),
    "elu_alpha_3d": (lambda: nn.ELU(0.5), [randn(2, 3, 4, scale=3)]),
    "celu": (lambda: nn.CELU(2.0), [randn(3, 7, scale=3)]),
    "selu": (lambda: nn.SELU(), [extreme(3, 7)]),
    "gelu": (lambda: nn.GELU(), [randn(3, 7, scale=3)]),
    "gelu_tanh": (lambda: nn.GELU("tanh"), [randn(2, 3, 4, scale=3)]),
    "hardshrink": (lambda: nn.Hardshrink(), [randn(3, 7)]),
    "hardshrink_1": (lambda: nn.Hardshrink(1.0), [randn(2, 3, 4, scale=2)]),
    "softshrink": (lambda: nn.Softshrink(0.3), [randn(3, 7)]),
    "hardtanh": (lambda: nn.Hardtanh(), [randn(3, 7, scale=2)]),
    "hardtanh_range": (lambda: nn.Hardtanh(-2.0, 3.0), [randn(1, 4, 5, scale=3)]),
    "leaky_relu": (lambda: nn.LeakyReLU(), [randn(3, 7, scale=3)]),
    "leaky_relu_02": (lambda: nn.LeakyReLU(0.2), [randn(2, 3, 2, 2, scale=3)]),
    "logsigmoid": (lambda: nn.LogSigmoid(), [extreme(3, 7)]),
    "prelu": (lambda: nn.PReLU(), [randn(2, 3, 4, scale=2)]),
    "prelu_channels": (lambda: randomize_prelu(nn.PReLU(3, 0.1)), [randn(2, 3, 5, scale=2)]),
    "prelu_channels_4d_batch1": (lambda: randomize_prelu(nn.PReLU(3)), [randn(1, 3, 4, 4, scale=2)]),
    "rrelu_eval": (lambda: nn.RReLU(), [randn(3, 7, scale=3)]),
    "rrelu_eval_range": (lambda: nn.RReLU(0.1, 0.3), [randn(2, 3, 4, scale=3)]),
    "softplus": (lambda: nn.Softplus(), [extreme(3, 7)]),
    "softplus_beta": (lambda: nn.Softplus(2.0, 10.0), [randn(3, 7, scale=6)]),
    "softsign": (lambda: nn.Softsign(), [extreme(3, 7)]),
    "tanhshrink": (lambda: nn.Tanhshrink(), [randn(3, 7, scale=2)]),
    "threshold": (lambda: nn.Threshold(0.1, 20.0), [randn(3, 7)]),
    "sigmoid_extreme": (lambda: nn.Sigmoid(), [extreme(3, 7)]),
    "tanh_extreme": (lambda: nn.Tanh(), [extreme(3, 7)]),
    "softmax_extreme": (lambda: nn.Softmax(dim=-1), [extreme(3, 7)]),
    "softmax_dim_none_3d": (lambda: nn.Softmax(), [randn(2, 3, 4, scale=3)]),
    "log_softmax_extreme": (lambda: nn.LogSoftmax(dim=1), [extreme(3, 7)]),
    "log_softmax_dim_none_4d": (lambda: nn.LogSoftmax(), [randn(2, 3, 2, 2, scale=3)]),
    "softmin": (lambda: nn.Softmin(dim=1), [extreme(3, 7)]),
    "softmin_dim_none_3d": (lambda: nn.Softmin(), [randn(2, 3, 4, scale=3)]),
    "softmax2d": (lambda: nn.Softmax2d(), [randn(2, 3, 4, 4, scale=3)]),
    "softmax2d_3d": (lambda: nn.Softmax2d(), [randn(3, 4, 5, scale=3)]),
    "dropout2d_eval": (lambda: nn.Dropout2d(0.3), [randn(2, 3, 4, 4)]),
    "dropout3d_eval": (lambda: nn.Dropout3d(), [randn(1, 2, 3, 2, 2)]),
    "alpha_dropout_eval": (lambda: nn.AlphaDropout(0.2), [randn(3, 7)]),
    "cosine_similarity": (lambda: nn.CosineSimilarity(), [randn(4, 8), randn(4, 8)]),
    "cosine_similarity_zeros": (lambda: nn.CosineSimilarity(), [with_zero_rows(3, 5), with_zero_rows(3, 5)]),
    "cosine_similarity_dim2_eps": (lambda: nn.CosineSimilarity(dim=2, eps=1e-3), [randn(2, 3, 4), randn(2, 3, 4)]),
    "cosine_similarity_broadcast": (lambda: nn.CosineSimilarity(dim=1), [randn(2, 3, 4), randn(3, 1)]),
    "cosine_similarity_batch1": (lambda: nn.CosineSimilarity(dim=1), [randn(1, 6), randn(1, 6)]),
    "pairwise_distance": (lambda: nn.PairwiseDistance(), [randn(4, 6), randn(4, 6)]),
    "pairwise_distance_p1_keepdim": (lambda: nn.PairwiseDistance(1.0, 1e-3, True), [randn(4, 6), randn(4, 6)]),
    "pairwise_distance_inf": (lambda: nn.PairwiseDistance(float("inf")), [randn(3, 5), randn(3, 5)]),
    "pairwise_distance_p3_broadcast": (lambda: nn.PairwiseDistance(3.0), [randn(2, 3, 5), randn(5)]),
    "pairwise_distance_p0": (lambda: nn.PairwiseDistance(0.0), [randn(3, 5), randn(3, 5)]),
}

# AdaptiveLogSoftmaxWithLoss: name -> (factory, batch).
ASM_CASES = {
    "adaptive_log_softmax": (lambda: nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10], div_value=2.0), 6),
    "adaptive_log_softmax_head_bias": (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3], head_bias=True), 1),
}


def state_tensors(m, prefix):
    return {prefix + k: v.detach().clone() for k, v in m.state_dict().items()}


def eval_case(name, factory, inputs):
    seed(name)
    m = factory()
    m.eval()
    xs = [make() for make in inputs]
    with torch.no_grad():
        y = m(*xs)
    tensors = state_tensors(m, "state.")
    if len(xs) == 1:
        tensors["input"] = xs[0]
    else:
        for i, x in enumerate(xs):
            tensors["input%d" % i] = x
    tensors["expected"] = y
    return tensors


def asm_case(name, factory, batch):
    seed(name)
    m = factory()
    m.eval()
    x = torch.randn(batch, m.in_features)
    # Every cluster is hit when the batch allows (the last target is in the last cluster).
    target = torch.randint(0, m.n_classes, (batch,))
    target[-1] = m.n_classes - 1
    with torch.no_grad():
        out = m(x, target)
        tensors = state_tensors(m, "state.")
        tensors.update({"input": x, "target": target, "expected.log_prob": m.log_prob(x),
                        "expected.predict": m.predict(x), "expected.output": out.output,
                        "expected.loss": out.loss})
    return tensors


def main():
    torch.set_num_threads(1)
    os.makedirs(LAYERS_DIR, exist_ok=True)
    written = set()
    for name, (factory, inputs) in CASES.items():
        write(name, eval_case(name, factory, inputs))
        written.add(PREFIX + name + ".safetensors")
    for name, (factory, batch) in ASM_CASES.items():
        write(name, asm_case(name, factory, batch))
        written.add(PREFIX + name + ".safetensors")
    finish_cases(LAYERS_DIR, written, lambda f: f.startswith(PREFIX))


def write(name, tensors):
    write_safetensors(os.path.join(LAYERS_DIR, PREFIX + name + ".safetensors"), tensors,
                      {"torch": torch.__version__, "case": name})


if __name__ == "__main__":
    main()
