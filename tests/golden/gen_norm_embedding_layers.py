#!/usr/bin/python3
"""Golden data for issue 5's normalization, bilinear and embedding layers:
tests/golden/layers/norm_embedding_NAME.safetensors (only files with that prefix are touched).

Run from the repository root with Debian's python3 (which has torch 1.13):

    /usr/bin/python3 tests/golden/gen_norm_embedding_layers.py

Each case builds one torch.nn module (tests/frontend/norm_embedding_layers_golden_test.cc builds the same
kiln::nn module: keep the two tables in step), puts it in train or eval mode, and runs `steps`
forwards. Tensors written:
  state.KEY        the state_dict before the first forward (kiln loads exactly these),
  sS.inI           input I of step S (several inputs: Bilinear, EmbeddingBag with offsets;
                   a None input is left out),
  sS.expected      the output of step S,
  after.KEY        the state_dict after the last step (train-mode cases and max_norm cases:
                   running stats, num_batches_tracked, renormalized embedding rows).
Metadata: {"torch": version, "case": NAME, "mode": "train"|"eval", "steps": S}.
Output is deterministic (seeded from the case name, single-threaded torch).
"""

import os
import sys
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import finish_cases, write_safetensors  # noqa: E402  (the hand-written safetensors writer)

LAYERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")
PREFIX = "norm_embedding_"


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def randomize(m):
    """Non-trivial affine parameters and running stats for the norm layers."""
    with torch.no_grad():
        if getattr(m, "weight", None) is not None and isinstance(m, (nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm)):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
        if getattr(m, "running_mean", None) is not None:
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.num_batches_tracked.fill_(7)


def randn(*shape, scale=1.0, shift=0.0):
    return lambda step: torch.randn(*shape) * (scale * (1.0 + step)) + shift * (1 + step)


def zeros(*shape):
    return lambda step: torch.zeros(*shape)


def randint(high, *shape):
    return lambda step: torch.randint(0, high, shape)


def const(t):
    return lambda step: t.clone()


def none(step):
    return None


def per_step(*ts):
    return lambda step: ts[step].clone()


BN = nn.BatchNorm1d
E = torch.tensor

# name -> (factory, [input makers], mode, steps, write_after)
CASES = {
    # BatchNorm: eval uses running stats; [N, C] and [N, C, L] for 1d; 3d; zeros; no tracking.
    "batchnorm1d_2d_eval": (lambda: nn.BatchNorm1d(5), [randn(4, 5, shift=0.3)], "eval", 1, False),
    "batchnorm1d_3d_eval_noaffine": (lambda: nn.BatchNorm1d(3, eps=1e-3, affine=False), [randn(2, 3, 6)], "eval", 1, False),
    "batchnorm3d_eval": (lambda: nn.BatchNorm3d(3), [randn(2, 3, 2, 3, 4)], "eval", 1, False),
    "batchnorm2d_zeros_eval": (lambda: nn.BatchNorm2d(3), [zeros(2, 3, 2, 2)], "eval", 1, False),
    "batchnorm2d_notrack_eval": (lambda: nn.BatchNorm2d(3, track_running_stats=False), [randn(2, 3, 4, 4)], "eval", 1, False),
    # BatchNorm training: three steps update running stats and num_batches_tracked.
    "batchnorm1d_2d_train": (lambda: nn.BatchNorm1d(5, momentum=0.3), [randn(6, 5, shift=0.5)], "train", 3, True),
    "batchnorm1d_3d_train": (lambda: nn.BatchNorm1d(4), [randn(3, 4, 5, shift=-0.2)], "train", 3, True),
    "batchnorm2d_train_batch1": (lambda: nn.BatchNorm2d(3, eps=1e-3), [randn(1, 3, 4, 4)], "train", 3, True),
    "batchnorm3d_train": (lambda: nn.BatchNorm3d(3), [randn(2, 3, 2, 3, 3, shift=0.4)], "train", 3, True),
    "batchnorm3d_train_cumulative": (lambda: nn.BatchNorm3d(2, momentum=None), [randn(2, 2, 2, 2, 3)], "train", 3, True),
    "batchnorm2d_train_zeros": (lambda: nn.BatchNorm2d(2), [zeros(2, 2, 3, 3)], "train", 3, True),
    # GroupNorm.
    "groupnorm_2d": (lambda: nn.GroupNorm(2, 4), [randn(2, 4, 5, 5, shift=0.5)], "eval", 1, False),
    "groupnorm_1d_noaffine_eps": (lambda: nn.GroupNorm(3, 6, eps=1e-3, affine=False), [randn(1, 6, 7)], "eval", 1, False),
    "groupnorm_2d_input_one_group": (lambda: nn.GroupNorm(1, 4), [randn(3, 4, scale=2.0)], "train", 1, False),
    "groupnorm_3d_per_channel": (lambda: nn.GroupNorm(4, 4), [randn(2, 4, 3, 2, 2)], "eval", 1, False),
    "groupnorm_zeros": (lambda: nn.GroupNorm(2, 4), [zeros(2, 4, 3)], "eval", 1, False),
    # InstanceNorm.
    "instancenorm1d": (lambda: nn.InstanceNorm1d(3), [randn(2, 3, 7, shift=1.0)], "eval", 1, False),
    "instancenorm1d_unbatched": (lambda: nn.InstanceNorm1d(3), [randn(3, 7)], "train", 1, False),
    "instancenorm2d_affine": (lambda: nn.InstanceNorm2d(3, affine=True), [randn(2, 3, 4, 5)], "train", 1, False),
    "instancenorm3d_batch1": (lambda: nn.InstanceNorm3d(2, eps=1e-3), [randn(1, 2, 3, 3, 3)], "eval", 1, False),
    "instancenorm2d_zeros": (lambda: nn.InstanceNorm2d(2), [zeros(2, 2, 3, 3)], "eval", 1, False),
    "instancenorm2d_track_eval": (lambda: nn.InstanceNorm2d(3, track_running_stats=True), [randn(2, 3, 4, 4)], "eval", 1, False),
    "instancenorm1d_track_train": (lambda: nn.InstanceNorm1d(4, track_running_stats=True), [randn(3, 4, 6, shift=0.5)], "train", 3, True),
    "instancenorm2d_track_affine_train": (lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.4),
                                          [randn(2, 3, 3, 4)], "train", 3, True),
    "instancenorm3d_track_train": (lambda: nn.InstanceNorm3d(2, track_running_stats=True), [randn(2, 2, 2, 3, 2)], "train", 3, True),
    # LayerNorm.
    "layernorm_1d": (lambda: nn.LayerNorm(5), [randn(3, 5, shift=0.7)], "eval", 1, False),
    "layernorm_2d_eps": (lambda: nn.LayerNorm([3, 4], eps=1e-3), [randn(2, 3, 4)], "eval", 1, False),
    "layernorm_noaffine_3d": (lambda: nn.LayerNorm(6, elementwise_affine=False), [randn(2, 2, 6, scale=3.0)], "eval", 1, False),
    "layernorm_batch1_zeros": (lambda: nn.LayerNorm([2, 3, 4]), [zeros(1, 2, 3, 4)], "eval", 1, False),
    # LocalResponseNorm (3d, 4d, 5d inputs; odd and even sizes).
    "lrn_3d_even": (lambda: nn.LocalResponseNorm(2), [randn(2, 5, 4, scale=3.0)], "eval", 1, False),
    "lrn_4d_odd": (lambda: nn.LocalResponseNorm(3, alpha=0.5, beta=0.5, k=2.0), [randn(2, 6, 3, 4, scale=2.0)], "eval", 1, False),
    "lrn_5d_wide": (lambda: nn.LocalResponseNorm(4, alpha=0.3), [randn(1, 5, 2, 3, 2, scale=2.0)], "eval", 1, False),
    # Bilinear (two inputs).
    "bilinear": (lambda: nn.Bilinear(4, 3, 5), [randn(6, 4), randn(6, 3)], "eval", 1, False),
    "bilinear_nobias_3d": (lambda: nn.Bilinear(2, 3, 4, bias=False), [randn(2, 5, 2), randn(2, 5, 3)], "eval", 1, False),
    "bilinear_batch1": (lambda: nn.Bilinear(3, 3, 2), [randn(1, 3), randn(1, 3)], "eval", 1, False),
    "bilinear_unbatched": (lambda: nn.Bilinear(2, 3, 4), [randn(2), randn(3)], "eval", 1, False),
    # Embedding.
    "embedding": (lambda: nn.Embedding(10, 4), [randint(10, 3, 5)], "eval", 1, False),
    "embedding_padding_neg": (lambda: nn.Embedding(10, 3, padding_idx=-2), [const(E([[8, 1, 8, 0], [2, 8, 9, 3]]))], "train", 1, False),
    "embedding_1d_batch1": (lambda: nn.Embedding(6, 5, scale_grad_by_freq=True, sparse=True), [randint(6, 1)], "eval", 1, False),
    "embedding_max_norm": (lambda: nn.Embedding(8, 3, max_norm=1.0), [per_step(E([[1, 2, 2], [5, 7, 1]]), E([[0, 2, 3], [4, 6, 7]]))],
                           "eval", 2, True),
    "embedding_max_norm_l1": (lambda: nn.Embedding(8, 4, max_norm=0.5, norm_type=1.0), [randint(8, 2, 6)], "eval", 1, True),
    # EmbeddingBag.
    "embeddingbag_2d_mean": (lambda: nn.EmbeddingBag(10, 3), [randint(10, 4, 3)], "eval", 1, False),
    "embeddingbag_offsets_sum_weights": (lambda: nn.EmbeddingBag(9, 4, mode="sum"),
                                         [const(E([1, 2, 4, 5, 4, 3, 8])), const(E([0, 2, 2, 5])), randn(7)], "eval", 1, False),
    "embeddingbag_offsets_max_padding": (lambda: nn.EmbeddingBag(6, 2, mode="max", padding_idx=4),
                                         [const(E([1, 2, 4, 5, 4, 4, 3])), const(E([0, 2, 4, 6]))], "eval", 1, False),
    "embeddingbag_mean_last_offset": (lambda: nn.EmbeddingBag(7, 3, include_last_offset=True, padding_idx=-1),
                                      [const(E([6, 2, 6, 6, 1, 0])), const(E([0, 3, 3, 4, 6]))], "eval", 1, False),
    "embeddingbag_2d_sum_weights_batch1": (lambda: nn.EmbeddingBag(5, 3, mode="sum"), [randint(5, 1, 4), none, randn(1, 4)], "eval", 1, False),
    "embeddingbag_max_norm": (lambda: nn.EmbeddingBag(6, 3, max_norm=0.8, mode="sum"), [randint(6, 3, 2)], "eval", 1, True),
}


def state_tensors(m, prefix):
    return {prefix + k: v.detach().clone() for k, v in m.state_dict().items()}


def run_case(name, factory, makers, mode, steps, write_after):
    seed(name)
    m = factory()
    randomize(m)
    tensors = state_tensors(m, "state.")
    m.train(mode == "train")
    for step in range(steps):
        inputs = [make(step) for make in makers]
        with torch.no_grad():
            y = m(*inputs)
        for i, x in enumerate(inputs):
            if x is None:  # an omitted optional input (None); the C++ side passes an undefined Tensor
                continue
            tensors["s%d.in%d" % (step, i)] = x
        tensors["s%d.expected" % step] = y
    if write_after:
        tensors.update(state_tensors(m, "after."))
    return tensors


def main():
    torch.set_num_threads(1)
    os.makedirs(LAYERS_DIR, exist_ok=True)
    written = set()
    for name, (factory, makers, mode, steps, write_after) in CASES.items():
        full = PREFIX + name
        write_safetensors(os.path.join(LAYERS_DIR, full + ".safetensors"),
                          run_case(full, factory, makers, mode, steps, write_after),
                          {"torch": torch.__version__, "case": full, "mode": mode, "steps": steps})
        written.add(full + ".safetensors")
    finish_cases(LAYERS_DIR, written, lambda f: f.startswith(PREFIX))


if __name__ == "__main__":
    main()
