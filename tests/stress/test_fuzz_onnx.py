"""Fuzzed ONNX files get one PublishError line from the model check, never another exception."""

from __future__ import annotations

import random

from testing.project import EXPORT, REPO
from web_assets.errors import PublishError
from web_assets.release.checks import model_problems


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Flipped, deleted and inserted bytes, sometimes a truncation: what a bad copy does."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(out))
        roll = rng.random()
        if roll < 0.6:
            out[position] = rng.randrange(256)
        elif roll < 0.8:
            del out[position : position + rng.randint(1, 64)]
        else:
            out[position:position] = rng.randbytes(rng.randint(1, 16))
    if rng.random() < 0.1:
        out = out[: rng.randrange(len(out))]
    return bytes(out)


def test_three_thousand_mutations_of_a_model_each_pass_or_fail_in_one_line(tmp_path):
    source = (REPO / EXPORT / "performance_dense.onnx").read_bytes()
    bundle = REPO / EXPORT / "performance_dense_preprocessing.json"
    model = tmp_path / "performance_dense.onnx"
    rng = random.Random(2026)
    refused = 0
    for _ in range(3000):
        model.write_bytes(mutate(source, rng))
        try:
            model_problems("performance_dense", model, bundle)
        except PublishError as err:
            assert "\n" not in str(err) and str(model) in str(err)
            refused += 1
    assert refused > 0
