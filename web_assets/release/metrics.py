"""The run's metrics and the gate on them.

A run states its models' evaluation metrics in `metrics.json` keyed by model id
(`{"performance_dense": {"log_loss": 0.98, "accuracy": 0.51}}`; one keyed by no model id is read
past), or in `{model_id}_metrics.json`,
one per model. Upstream's trainers write the latter's shape: numbers beside the run's notes
(`trainer`, `feature_cols`) and one level of splits (`{"test": {"logloss": 1.01}}`, read as
`test.logloss`); only numbers are metrics, the rest is read past.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.config.metric_gate import MetricGate
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.records.jsonio import read_json
from web_assets.release.contained import refuse_outside_run

METRICS_FILE = "metrics.json"
MODEL_SUFFIX = "_metrics.json"
Metrics = dict[str, dict[str, float]]


def read_metrics(run_dir: Path, model_ids: Iterable[str], entry: Entry = Entry.DOIT) -> Metrics:
    """Each model's metrics by name, both sorted; empty when the run states none."""
    ids = sorted(set(model_ids))
    remedy = (
        f"fix it or move it out of the run folder ({entry.name_of('run_dir')}); a run without "
        "metrics publishes without them."
    )
    found: dict[str, tuple[Path, dict[str, float]]] = {}
    shared = run_dir / METRICS_FILE
    document = _document(run_dir, shared, remedy)
    # One that names no model is the run's own (`{"accuracy": 0.5}`): published, as any file of
    # the run, but no model's metrics.
    if document is not None and document.keys() & set(ids):
        unknown = sorted(set(document) - set(ids))
        if unknown:
            raise PublishError(
                f"Metrics file {shared} names {', '.join(map(repr, unknown))}, no model of the "
                f"run ({', '.join(ids)}): key it by model id, as in "
                '{"performance_dense": {"log_loss": 0.98}}, or name one model\'s metrics '
                f"MODEL{MODEL_SUFFIX}; {remedy}"
            )
        for model_id, values in document.items():
            if not isinstance(values, dict):
                raise PublishError(
                    f"Metrics file {shared}: {model_id!r} holds a JSON "
                    f"{type(values).__name__}, not an object of metrics such as "
                    f'{{"log_loss": 0.98}}: {remedy}'
                )
            found[model_id] = (shared, _numbers(values, shared, remedy))
    for model_id in ids:
        path = run_dir / f"{model_id}{MODEL_SUFFIX}"
        values = _document(run_dir, path, remedy)
        if values is None:
            continue
        if model_id in found:
            raise PublishError(
                f"Metrics of model {model_id} are in both {shared} and {path}: keep them in one; "
                f"{remedy}"
            )
        found[model_id] = (path, _numbers(values, path, remedy))
    return {model_id: values for model_id, (_, values) in sorted(found.items()) if values}


def _document(run_dir: Path, path: Path, remedy: str) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    refuse_outside_run(run_dir, path)
    document = read_json(path, "Metrics file", remedy)
    if not isinstance(document, dict):
        raise PublishError(
            f"Metrics file {path} holds a JSON {type(document).__name__}, not an object: {remedy}"
        )
    return document


def _numbers(values: Mapping[str, Any], path: Path, remedy: str) -> dict[str, float]:
    """The numbers of `values`, and of its objects one level down as `outer.inner`."""
    found: dict[str, float] = {}
    for name, value in values.items():
        inner = value.items() if isinstance(value, dict) else [("", value)]
        for sub, number in inner:
            if not _is_number(number):
                continue
            metric = f"{name}.{sub}" if sub else name
            if not _finite(number):
                shown = str(number) if len(str(number)) <= 24 else f"{str(number)[:20]}..."
                raise PublishError(
                    f"Metrics file {path}: {metric} is {shown}, not a finite number the web "
                    f"app's JSON can hold: {remedy}"
                )
            found[metric] = number
    return dict(sorted(found.items()))


def _finite(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # a whole number past any float's range
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def recorded_metrics(document: Mapping[str, Any] | None) -> Metrics:
    """The metrics a lock file (or a manifest) records, by model: numbers only, whatever else."""
    metrics = (document or {}).get("metrics")
    if not isinstance(metrics, dict):
        return {}
    return {
        str(model): {str(name): value for name, value in values.items() if _is_number(value)}
        for model, values in metrics.items()
        if isinstance(values, dict)
    }


class MetricChange(NamedTuple):
    """One model's metric in the live release and in this one (None where it has none)."""

    model: str
    metric: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


def metric_changes(old: Metrics, new: Metrics) -> list[MetricChange]:
    """Every metric either release states, by model and name; equal ones too."""
    return [
        MetricChange(model, metric, old.get(model, {}).get(metric), new.get(model, {}).get(metric))
        for model in sorted(old.keys() | new.keys())
        for metric in sorted(old.get(model, {}).keys() | new.get(model, {}).keys())
    ]


def refuse_regression(
    gates: Iterable[MetricGate], live: Metrics, run: Metrics, entry: Entry = Entry.DOIT
) -> None:
    """Refuse, in one line, a run whose metric is worse than the live release's by more than its
    gate allows, on any model; a metric either lacks is not compared."""
    stated = sorted({name for values in (*live.values(), *run.values()) for name in values})
    for gate in gates:
        if run and gate.metric not in stated:
            # Misspelt, the gate would never compare anything, and every release would pass.
            raise PublishError(
                f"{entry.given('max_metric_regression', gate.spec())}: no model states "
                f"{gate.metric}, in this run or the live release (they state "
                f"{', '.join(stated)}): spell the metric as the run's metrics files do."
            )
    for gate in gates:
        for model in sorted(run.keys() & live.keys()):
            old, new = live[model].get(gate.metric), run[model].get(gate.metric)
            if old is None or new is None:
                continue
            worse = old - new if gate.higher else new - old
            if worse > gate.allowed + 1e-12:
                setting = entry.given("max_metric_regression", gate.spec())
                raise PublishError(
                    f"model {model}: {gate.metric} {new:g} is worse than the live release's "
                    f"{old:g} by {worse:.6g} ({gate.way} is better), more than {setting} allows: "
                    "check the new model, or raise the allowed worsening."
                )
