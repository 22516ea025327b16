"""What the report states, gathered from documents alone: the live release's manifest and lock
file, this release's, and the run's summary. No I/O, no clock."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from web_assets.history.diff import Changes, changes
from web_assets.history.log import release_of
from web_assets.records.summary import Summary
from web_assets.release.metrics import MetricChange, metric_changes, recorded_metrics

# Manifest fields the report shows apart (the entries, the metrics) or that name no release.
APART = {"models", "preprocessing", "attribution", "metrics"}


@dataclass(frozen=True)
class ModelShift:
    """How far a changed model moves the predictions of the one it replaces, as recorded."""

    model: str
    mean: float | None
    changed_picks: int | None
    fixtures: int | None
    largest: tuple[dict[str, Any], ...]
    note: str = ""


@dataclass(frozen=True)
class ReportFacts:
    title: str
    live: str
    summary: tuple[str, ...]
    live_release: str  # how the live release is named, "" when there is none
    changes: Changes | None
    fields: tuple[tuple[str, str, str], ...]  # manifest field, live value, this release's
    shifts: tuple[ModelShift, ...]
    missing: tuple[tuple[str, tuple[str, ...]], ...]  # model, features the app fills with 0
    checked: str  # what the models ran on, "" when they did not run
    app: str  # the app's answer, "" when it was not asked
    metrics: tuple[MetricChange, ...]


def report_facts(
    before: tuple[dict | None, dict | None],
    after: tuple[dict | None, dict | None],
    summary: Summary,
) -> ReportFacts:
    """The report's facts: `before` is the live release (manifest, lock), `after` this one."""
    (old_manifest, old_lock), (manifest, lock) = before, after
    manifest = manifest or {}
    new = release_of(manifest, lock)
    old = release_of(old_manifest, old_lock) if old_manifest is not None else None
    changed = changes(old, new) if old is not None else None
    touched = set(changed.models_added + changed.models_changed) if changed else set(_ids(lock))
    return ReportFacts(
        title=f"dataset version {new.version or '?'}, run {new.run_id or '?'}",
        live=live_state(summary),
        # Datasets are copied in threads and reported as they finish: in path order here.
        summary=tuple(replace(summary, datasets=sorted(summary.datasets, key=_target)).lines()),
        live_release=f"version {old.version}, run {old.run_id or '?'}" if old else "",
        changes=changed,
        fields=_fields(old_manifest or {}, manifest),
        shifts=tuple(
            _shift(model, entry) for model, entry in _ids(lock).items() if model in touched
        ),
        missing=tuple(
            (model, tuple(map(str, entry.get("missing_features") or ())))
            for model, entry in _ids(lock).items()
        ),
        checked=_checked(summary.checks),
        app=(summary.app or {}).get("line", "") or (summary.app_problem or ""),
        metrics=tuple(metric_changes(recorded_metrics(old_lock), recorded_metrics(lock))),
    )


def live_state(summary: Summary) -> str:
    """Whether the web app loads this release: it loads what is pushed."""
    step = summary.commit_step or {}
    if summary.live:
        return f"yes: pushed to {summary.pushed}"
    pr = step.get("pr")
    if summary.commit and pr:
        made = f"committed {summary.commit[:10]} on branch {pr['branch']}"
        base = pr.get("base") or "main"
        if summary.pushed:
            return f"not yet: {made}, pushed to {summary.pushed}; live once merged into {base}"
        return f"not yet: {made} locally only; live once pushed and merged into {base}"
    if summary.commit:
        return f"not yet: committed {summary.commit[:10]} locally only, live once pushed"
    if step:
        return f"no: not committed ({step.get('reason') or 'commit=false'})"
    return "unchanged: this run published nothing new"


def _target(dataset: dict[str, Any]) -> str:
    return str(dataset.get("target"))


def _ids(lock: dict | None) -> dict[str, dict[str, Any]]:
    return {
        str(entry.get("id")): entry
        for entry in (lock or {}).get("files") or []
        if isinstance(entry, dict) and entry.get("kind") == "model"
    }


def _shift(model: str, entry: dict[str, Any]) -> ModelShift:
    shift = entry.get("prediction_shift")
    if not isinstance(shift, dict):
        return ModelShift(model, None, None, None, (), "no published model to compare with")
    largest = shift.get("largest")
    return ModelShift(
        model,
        shift.get("mean_abs_dp"),
        shift.get("changed_picks"),
        shift.get("fixtures"),
        tuple(move for move in largest if isinstance(move, dict))
        if isinstance(largest, list)
        else (),
    )


def _fields(old: dict[str, Any], new: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    def shown(document: dict[str, Any], key: str) -> str:
        return json.dumps(document[key], ensure_ascii=False) if key in document else "(absent)"

    return tuple(
        (key, shown(old, key), shown(new, key))
        for key in sorted((old.keys() | new.keys()) - APART)
        if old.get(key) != new.get(key) or (key in old) != (key in new)
    )


def _checked(checks: dict[str, Any] | None) -> str:
    if not checks or not checks.get("fixtures"):
        return ""
    count = len(checks.get("models") or {})
    return f"{count} model(s) ran in ONNX Runtime on {checks['fixtures']} fixtures of {checks['season']}"
