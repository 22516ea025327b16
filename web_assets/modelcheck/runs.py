"""The models' predictions for one check: a result kept from an earlier check on the same bytes,
features, fixtures and runtime (predictions.py), else a run in the bounded child (bounded.py).

Nothing is loaded before it is needed: the fixtures are read, and the child started, only for the
first model that must run; the child loads ONNX Runtime while the fixtures are read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web_assets.modelcheck.fixtures import FINANCIAL_KEYS, MAIN_KEYS
from web_assets.modelcheck.predictions import PredictionStore, context_digest, result_key


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

    def __enter__(self) -> ModelRuns:
        return self

    def __exit__(self, *exc) -> None:
        if self._runtime is not None:
            self._runtime.close()
        if self._temp is not None:
            self._temp.cleanup()
        self.store.prune()

    def temp_folder(self) -> Path:
        """A folder for this check's temp files, removed at its end."""
        if self._temp is None:
            self._temp = tempfile.TemporaryDirectory(prefix="web-assets-published-")
        return Path(self._temp.name)

    def predict(self, label: str, sha256: str, names: list[str], locate: Callable[[], Path | None]):
        """The model's probabilities float64 [fixtures, 3]: kept, or run on the model `locate()`
        finds (None when it finds none). A model that fails raises PublishError."""
        key = result_key(self.context, sha256, names)
        cached = self.store.get(key)
        if cached is not None:
            self.kept += 1
            self.count, self.season = len(cached.probabilities), cached.season
            return cached.probabilities
        model = locate()
        if model is None:
            return None
        runtime = self._started()
        fixtures = self._latest_fixtures()
        matrix = self._matrices.get(tuple(names))
        if matrix is None:
            from web_assets.modelcheck.fixtures import feature_matrix

            matrix = self._matrices[tuple(names)] = feature_matrix(fixtures, names, self.table)
        self.ran.append(label)
        probabilities = runtime.run(label, model, matrix, fixtures)
        self.store.put(key, probabilities, self.season)
        return probabilities

    def _started(self):
        if self._runtime is None:
            from web_assets.modelcheck.bounded import BoundedRuntime

            settings = self.settings
            self._runtime = BoundedRuntime(settings.model_time_limit, settings.model_memory_limit)
            self._runtime.start()
        return self._runtime

    def _latest_fixtures(self):
        """The last `smoke_fixtures` rows of the main CSV's latest season, read once per check."""
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
            self.count, self.season = len(self._fixtures.keys), self._fixtures.keys[0].season
        return self._fixtures
