"""The models' predictions for one check: a result kept from an earlier check on the same bytes,
features, fixtures and runtime (predictions.py), else a run in the bounded child (bounded.py).

Nothing is loaded before it is needed: the fixtures are read, and the child started, only for the
first model that must run; the child loads ONNX Runtime while the fixtures are read.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.modelcheck.fixtures import FINANCIAL_KEYS, MAIN_KEYS
from web_assets.modelcheck.predictions import PredictionStore, context_digest, result_key

# What predict_all runs: a label for messages, the model's SHA-256, its features' names, and a
# function that finds the model's file (None: it is nowhere to be run).
Job = tuple[str, str, list[str], Callable[[], Path | None]]


def fixture_keys(settings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The key columns of the main and financial CSVs the fixtures are picked and merged by."""
    main = settings.main_columns if len(settings.main_columns) == 3 else MAIN_KEYS
    financial = (
        settings.financial_columns if len(settings.financial_columns) == 3 else FINANCIAL_KEYS
    )
    return tuple(main), tuple(financial)


def fixture_context(settings, table, digests) -> dict[str, Any]:
    """What picks the fixtures and builds their features, besides a model and its bundle."""
    main_keys, financial_keys = fixture_keys(settings)
    financial = settings.financial_dataset
    return {
        "dataset": digests.digest(settings.dataset).sha256,
        "financial": digests.digest(financial).sha256 if financial is not None else None,
        "smoke_fixtures": settings.smoke_fixtures,
        "keys": [list(main_keys), list(financial_keys)],
        "derived": sorted([name, list(needs)] for name, needs in table.items()),
    }


class ModelRuns:
    """Predictions on the latest fixtures, by model digest and feature names; a context manager."""

    def __init__(self, settings, table, digests) -> None:
        self.settings, self.table = settings, table
        self.store = PredictionStore(settings.root)
        self.context = context_digest(fixture_context(settings, table, digests))
        self.count, self.season = 0, ""
        self.ran: list[str] = []  # the labels of the models loaded, in order
        self.kept = 0  # results kept from an earlier check
        self._runtime = None
        self._fixtures = None
        self._matrices: dict[tuple[str, ...], Any] = {}
        self._temp: tempfile.TemporaryDirectory | None = None
        self._writer: ThreadPoolExecutor | None = None

    def __enter__(self) -> ModelRuns:
        return self

    def __exit__(self, *exc) -> None:
        if self._runtime is not None:
            self._runtime.close()
        if self._temp is not None:
            self._temp.cleanup()
        if self._writer is not None:
            self._writer.shutdown()
        self.store.prune()

    def temp_folder(self) -> Path:
        """A folder for this check's temp files, removed at its end."""
        if self._temp is None:
            self._temp = tempfile.TemporaryDirectory(prefix="web-assets-published-")
        return Path(self._temp.name)

    def predict_all(self, jobs: list[Job]) -> Iterator[Any]:
        """For each job, in order: its model's probabilities float64 [fixtures, 3] (kept, or run),
        None when `locate()` finds no model, or the PublishError it failed with. The models that
        must run are sent to the child together."""
        kept: dict[int, Any] = {}
        to_run: list[tuple[int, str, str, Path, list[str]]] = []
        for index, (label, sha256, names, locate) in enumerate(jobs):
            key = result_key(self.context, sha256, names)
            cached = self.store.get(key)
            if cached is not None:
                self.kept += 1
                self.count, self.season = len(cached.probabilities), cached.season
                kept[index] = cached.probabilities
                continue
            model = locate()
            if model is not None:
                to_run.append((index, key, label, model, names))
        outcomes: Iterator[Any] = iter(())
        if to_run:
            requests = [(label, model, names) for _, _, label, model, names in to_run]
            self.ran.extend(label for _, _, label, _, _ in to_run)
            outcomes = self._run_all(requests)
        running = {index: key for index, key, _, _, _ in to_run}
        for index in range(len(jobs)):
            if index in kept:
                yield kept[index]
            elif index not in running:
                yield None
            else:
                outcome = next(outcomes)
                if not isinstance(outcome, PublishError):
                    self._in_thread(self.store.put, running[index], outcome, self.season)
                yield outcome

    def _in_thread(self, write: Callable[..., None], *args: Any) -> None:
        """Store in a thread of its own: the file is written while the child runs."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="web-assets-predictions")
        self._writer.submit(write, *args)

    def _matrix(self, names: list[str]):
        """The fixtures' features in the order `names` gives them, built once per order."""
        from web_assets.modelcheck.fixtures import feature_matrix

        if tuple(names) not in self._matrices:
            matrix = feature_matrix(self._latest_fixtures(), names, self.table)
            self._matrices[tuple(names)] = matrix
        return self._matrices[tuple(names)]

    def _run_all(self, requests: list[tuple[str, Path, list[str]]]) -> Iterator[Any]:
        """Each request's outcome, in order, from one child; a child that cannot start is every
        outcome. (Two children loading at once were slower here: a second start of Python and
        ONNX Runtime, on cores the machine shares.)"""
        from web_assets.modelcheck.bounded import BoundedRuntime, StartFailed

        if self._runtime is None:
            settings = self.settings
            self._runtime = BoundedRuntime(settings.model_time_limit, settings.model_memory_limit)
            # Not waited for: the child loads ONNX Runtime while the fixtures are read.
            self._runtime.start()
        try:
            fixtures = self._latest_fixtures()
            matrices = [(label, model, self._matrix(names)) for label, model, names in requests]
            return self._runtime.run_all(matrices, fixtures)
        except StartFailed as err:
            return itertools.repeat(err, len(requests))

    def fixture_keys(self):
        """The fixtures' keys, in the order of every model's predictions (read once, or kept)."""
        return self._latest_fixtures().keys

    def _latest_fixtures(self):
        """The last `smoke_fixtures` rows of the main CSV's latest season, read once per check."""
        if self._fixtures is None:
            self._fixtures = self.store.get_fixtures(self.context)
        if self._fixtures is None:
            from web_assets.modelcheck.fixtures import load_fixtures

            settings = self.settings
            main_keys, financial_keys = fixture_keys(settings)
            self._fixtures = load_fixtures(
                settings.dataset,
                settings.financial_dataset,
                settings.smoke_fixtures,
                main_keys=main_keys,
                financial_keys=financial_keys,
            )
            self._in_thread(self.store.put_fixtures, self.context, self._fixtures)
        self.count, self.season = len(self._fixtures.keys), self._fixtures.keys[0].season
        return self._fixtures
