"""The run's metrics in `doit releases` (a headline) and `doit diff` (each metric's change)."""

from __future__ import annotations

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
