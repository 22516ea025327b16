"""Will the web app really use what we publish? It logs and falls back to a heuristic when it
cannot, so a wrong publish is invisible there: these checks make it a clear error here instead.
Each can be relaxed in the settings.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.files.hashing import LineCount, TextProblem, scan
from web_assets.modelcheck.onnxio import onnx_io
from web_assets.records.jsonio import parse_json, read_limited
from web_assets.release.datasets import bounded_lines, leading_fields

MODEL_INPUT = "input"
CLASSES = 3  # home, draw, away
STALE_FINANCIAL = re.compile(r"^financial_dataset_v?\d+\.csv$")
ONNX_FLOAT = 1


def refuse_stale_financial(data_dir: Path) -> None:
    """The web app prefers a versioned financial dataset over financial_dataset.csv."""
    if not data_dir.is_dir():
        return
    stale = sorted(path.name for path in data_dir.iterdir() if STALE_FINANCIAL.match(path.name))
    if stale:
        raise PublishError(
            f"{data_dir} holds {', '.join(stale)}, which the web app loads instead of "
            "financial_dataset.csv: move it out of the data folder (or set "
            "check_stale_financial=false if that is what you want)."
        )


def require_columns(header: list[str], wanted: tuple[str, ...], path: Path, setting: str) -> None:
    missing = [name for name in wanted if name not in header]
    if missing:
        raise PublishError(
            f"{path} has no column {', '.join(map(repr, missing))}, which the web app reads: export "
            f"it with those columns, or change `{setting}` if the web app reads others."
        )


def _read_bundle(bundle: Path) -> Any:
    data = read_limited(bundle).decode("utf-8")
    return parse_json(data, str(bundle), "export the preprocessing bundle again.")


def feature_names(bundle: Path) -> list[str]:
    try:
        names = _read_bundle(bundle).get("feature_names")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        names = None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise PublishError(
            f"{bundle} has no `feature_names` list: export the preprocessing bundle again."
        )
    return names


def model_problems(model_id: str, model: Path, bundle: Path | None) -> list[str]:
    """What would make the web app fall back to its heuristic for this model."""
    if bundle is None:
        return [
            f"model {model_id} ({model.name}) has no preprocessing bundle "
            f"{model_id}_preprocessing.json in run_dir {model.parent} (a model is paired only with "
            "a bundle of its own run): export it with the model."
        ]
    width = len(feature_names(bundle))
    inputs, outputs = onnx_io(model)
    problems = []
    named = [info for info in inputs if info.name == MODEL_INPUT]
    if not named:
        found = ", ".join(repr(info.name) for info in inputs) or "none"
        problems.append(
            f"model {model_id}: its input is {found}; the web app feeds one named {MODEL_INPUT!r}. "
            "Export it with that input name."
        )
    else:
        tensor = named[0]
        dims = list(tensor.dims)
        if tensor.elem_type != ONNX_FLOAT:
            problems.append(f"model {model_id}: its input is not float32, which the web app feeds.")
        if not dims or dims[-1] != width:
            problems.append(
                f"model {model_id}: its input takes {dims[-1] if dims else 'no'} features but "
                f"{bundle.name} lists {width} feature_names: export both from the same run."
            )
    probabilities = [info for info in outputs if "prob" in info.name.lower()]
    shapes = [list(info.dims) for info in probabilities]
    if not any(shape and shape[-1] == CLASSES for shape in shapes):
        found = ", ".join(f"{info.name!r}" for info in outputs) or "none"
        problems.append(
            f"model {model_id}: no output named like 'probabilities' with {CLASSES} values "
            f"(home, draw, away); outputs: {found}. Export it without ZipMap (onnxmltools: "
            "zipmap=False)."
        )
    return problems


def check_models(models: list[tuple[str, Path, Path | None]]) -> None:
    """Every (id, model, bundle) the web app would load, or one error listing what it could not."""
    problems = [problem for item in models for problem in model_problems(*item)]
    if len(problems) == 1:
        raise PublishError(f"{problems[0]} (check_models=false publishes anyway)")
    if problems:
        raise PublishError(
            "The web app could not use this publish (set check_models=false to publish anyway):\n  "
            + "\n  ".join(problems)
        )


def check_financial_keys(
    main: Path, main_key: tuple[str, ...], financial: Path, financial_key: tuple[str, ...]
) -> None:
    """At least one (season, home, away) of the financial dataset must match a main row.

    The smaller file's keys are held in memory; the larger is read only up to the first match.
    """
    (small, small_key), (large, large_key) = sorted(
        [(main, main_key), (financial, financial_key)], key=lambda item: item[0].stat().st_size
    )
    keys = set(_keys(small, small_key))
    for key in _keys(large, large_key):
        if key in keys:
            return
    raise PublishError(
        f"No ({', '.join(financial_key)}) of {financial.name} matches a ({', '.join(main_key)}) "
        f"of {main.name}: the web app would show no financial data. Export both from the same "
        "season data (or set check_financial_keys=false)."
    )


def _keys(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            lines = bounded_lines(stream, path)
            header = next(csv.reader(lines), [])
            indexes = [header.index(name) for name in columns]
            last = max(indexes)
            # Only the key's fields are split out of each row: csv would parse all 200.
            for row, _ in leading_fields(lines, last + 1):
                if len(row) > last:
                    # Compared as the web app compares them: trimmed and lower-cased.
                    yield tuple(row[index].strip().lower() for index in indexes)
    except (UnicodeDecodeError, csv.Error) as err:
        raise PublishError(f"{path} {where_unreadable(path, err)}: {TextProblem.remedy}.") from None


def where_unreadable(path: Path, err: Exception) -> str:
    """Where the web app would stumble in `path`: the copy's own check, which names the line."""
    try:
        with path.open("rb") as stream:
            scan(stream, "checking", path.name, 0, LineCount(), hashing=False)
    except TextProblem as problem:
        return str(problem)
    return f"is not CSV the web app can read ({err})"
