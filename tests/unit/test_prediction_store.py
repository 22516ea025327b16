"""The kept results of the models' run: read back exactly as written, named by all they depend on,
bounded in number, never written through a symlink."""

from __future__ import annotations

import os

import numpy as np
import pytest

from web_assets.modelcheck import predictions
from web_assets.modelcheck.fixtures import Fixture, Fixtures
from web_assets.modelcheck.predictions import PredictionStore, context_digest, result_key

PROBABILITIES = np.array([[0.25, 0.25, 0.5], [0.5, 0.125, 0.375]])


def test_a_result_reads_back_bit_for_bit(tmp_path):
    store = PredictionStore(tmp_path)
    values = np.random.default_rng(1).dirichlet([1, 1, 1], size=200)
    store.put("k", values, "2024-2025")

    kept = store.get("k")

    assert kept is not None and kept.season == "2024-2025"
    assert kept.probabilities.tobytes() == values.astype("<f8").tobytes()
    assert store.get("other") is None


def test_a_result_filed_under_another_key_is_not_used(tmp_path):
    store = PredictionStore(tmp_path)
    store.put("a", PROBABILITIES, "2024-2025")
    (store.folder / "a").rename(store.folder / "b")

    assert store.get("b") is None


@pytest.mark.parametrize("part", ["context", "model", "names"])
def test_the_key_changes_with_each_thing_a_result_depends_on(part):
    base = {"context": "c" * 64, "model": "m" * 64, "names": ["a", "b"]}
    other = {**base, part: ["b", "a"] if part == "names" else "0" * 64}
    assert result_key(*base.values()) != result_key(*other.values())


@pytest.mark.parametrize("part", ["dataset", "financial", "smoke_fixtures", "derived"])
def test_the_context_changes_with_the_fixtures_and_their_features(part):
    base = {"dataset": "d", "financial": "f", "smoke_fixtures": 200, "derived": [["x", ["y"]]]}
    assert context_digest(base) != context_digest({**base, part: "changed"})


def test_the_context_changes_with_the_runtime(monkeypatch):
    parts = {"dataset": "d"}
    before = context_digest(parts)
    monkeypatch.setattr(predictions, "runtime_version", lambda: "onnxruntime 0.0.0")
    assert context_digest(parts) != before


def test_the_folder_keeps_at_most_max_files_newest_first(tmp_path, monkeypatch):
    monkeypatch.setattr(predictions, "MAX_FILES", 3)
    store = PredictionStore(tmp_path)
    for index in range(5):
        store.put(f"k{index}", PROBABILITIES, "s")
        path = store.folder / f"k{index}"
        os.utime(path, ns=(index * 10**9, index * 10**9))
    store.prune()

    assert sorted(path.name for path in store.folder.iterdir()) == ["k2", "k3", "k4"]


def test_a_symlinked_folder_is_neither_read_nor_written(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "project/.web-assets").mkdir(parents=True)
    (tmp_path / "project/.web-assets/predictions").symlink_to(elsewhere)
    store = PredictionStore(tmp_path / "project")

    store.put("k", PROBABILITIES, "s")
    assert list(elsewhere.iterdir()) == []

    PredictionStore(tmp_path).put("k", PROBABILITIES, "s")
    (tmp_path / ".web-assets/predictions/k").rename(elsewhere / "k")
    assert store.get("k") is None


def test_fixtures_read_back_as_they_were_picked(tmp_path):
    fixtures = Fixtures(
        (Fixture("2024-2025", "Home", "Away"), Fixture("2024-2025", "Away", "Home")),
        ("season", "home_team_name", "away_team_name", "x"),
        (("2024-2025", "Home", "Away", "1.5"), ("2024-2025", "Away", "Home", "")),
        ("season", "home_team", "away_team", "wage"),
        (("2024-2025", "home", "away", "3"), None),
    )
    store = PredictionStore(tmp_path)
    store.put_fixtures("c", fixtures)

    assert store.get_fixtures("c") == fixtures
    assert store.get_fixtures("other") is None
    path = store.folder / "fixtures-c"
    path.write_bytes(path.read_bytes().replace(b"1.5", b"2.5"))
    assert store.get_fixtures("c") is None
