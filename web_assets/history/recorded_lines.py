"""What a publish recorded, as `doit releases` and `doit diff` print it: the run's metrics (a
headline; each metric's change), each changed model's prediction shift and missing features."""

from __future__ import annotations

from typing import Any

from web_assets.history.log import PastRelease
from web_assets.release.metrics import Metrics, metric_changes, recorded_metrics


def metrics_of(release: PastRelease | None) -> Metrics:
    """What the release's lock file records of its run's metrics, else its manifest's."""
    if release is None:
        return {}
    return recorded_metrics(release.lock) or recorded_metrics(release.manifest)


def headline(metrics: Metrics) -> str:
    """One metric for every model that states it: the first loss by name, else the first name."""
    names = sorted({name for values in metrics.values() for name in values})
    if not names:
        return ""
    name = next((n for n in names if "loss" in n.lower()), names[0])
    values = [f"{model} {values[name]:.4g}" for model, values in metrics.items() if name in values]
    return f"{name}: {', '.join(values)}"


def metric_lines(old: Metrics, new: Metrics) -> list[str]:
    """A line for each metric that differs between two releases, with the change."""
    lines = []
    for change in metric_changes(old, new):
        if change.old == change.new:
            continue
        before = "(absent)" if change.old is None else f"{change.old:g}"
        after = "(absent)" if change.new is None else f"{change.new:g}"
        delta = "" if change.delta is None else f" ({change.delta:+.4g})"
        lines.append(f"metric {change.model} {change.metric}: {before} -> {after}{delta}")
    return lines


def with_metric_lines(fields: list[str], older: PastRelease, newer: PastRelease) -> list[str]:
    """The manifest's field lines, each metric's change in place of "manifest metrics changed"."""
    metrics = metric_lines(metrics_of(older), metrics_of(newer))
    return [
        line for line in fields if not (metrics and line == "manifest metrics changed")
    ] + metrics


OUTCOMES = ("home", "draw", "away")


def shift_lines(lock: dict[str, Any] | None, changed: set[str]) -> list[str]:
    """The newer release's prediction shift and missing features, as its publish recorded them.

    Only for the `changed` models: an unchanged model's record describes an older publish.
    """
    lines = []
    for entry in (lock or {}).get("files") or []:
        if not isinstance(entry, dict) or entry.get("kind") != "model":
            continue
        if entry.get("id") not in changed:
            continue
        model = entry.get("id") or entry.get("path")
        shift = entry.get("prediction_shift")
        if isinstance(shift, dict):
            said = []
            # As modelcheck's Shift.record() writes it: the mean, then per outcome.
            mean, by = shift.get("mean_abs_dp"), shift.get("mean_abs_dp_by_outcome")
            if _number(mean):
                outcomes = by if isinstance(by, dict) else {}
                parts = [
                    f"{name} {outcomes[name]:.4f}"
                    for name in OUTCOMES
                    if _number(outcomes.get(name))
                ]
                said.append(
                    f"mean |dp| {mean:.4f}" + (f" ({', '.join(parts)})" if len(parts) == 3 else "")
                )
            if _number(shift.get("changed_picks")) and _number(shift.get("fixtures")):
                said.append(f"{shift['changed_picks']} of {shift['fixtures']} picks changed")
            if said:
                lines.append(f"{model} prediction shift (recorded at publish): {'; '.join(said)}")
        missing = entry.get("missing_features")
        if isinstance(missing, list) and missing:
            lines.append(f"{model} missing features: {', '.join(map(str, missing))}")
    return lines


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
