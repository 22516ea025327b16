"""`max_metric_regression`: how much worse than the live release a run's metric may be."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.errors import PublishError

DIRECTIONS = ("lower", "higher")
EXAMPLE = "log_loss:0.05 or accuracy:0.02:higher"


class MetricGate(NamedTuple):
    """A metric and how much worse it may get; `higher` says which way is better."""

    metric: str
    allowed: float
    higher: bool

    def spec(self) -> str:
        """As the setting takes it: `log_loss:0.05`, the direction only when not the default."""
        allowed = f"{self.allowed:g}"
        shown = f"{self.metric}:{allowed}"
        return shown if self.higher == higher_is_better(self.metric) else f"{shown}:{self.way}"

    @property
    def way(self) -> str:
        return "higher" if self.higher else "lower"


def higher_is_better(metric: str) -> bool:
    """A loss or an error is better lower; any other metric (accuracy, AUC) higher."""
    name = metric.lower()
    return not ("loss" in name or "error" in name)


def metric_gates(root: Path, name: str, value: Any) -> tuple[MetricGate, ...]:
    """`metric:allowed[:lower|higher]`, comma-separated (or a TOML list of them)."""
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    gates = []
    for item in items:
        text = str(item).strip()
        if text:
            gates.append(_gate(name, text))
    seen = [gate.metric for gate in gates]
    twice = sorted({metric for metric in seen if seen.count(metric) > 1})
    if twice:
        raise PublishError(
            f"Setting `{name}` names {', '.join(twice)} more than once: give each metric once."
        )
    return tuple(gates)


def _gate(name: str, text: str) -> MetricGate:
    parts = [part.strip() for part in text.split(":")]
    bad = PublishError(
        f"Setting `{name}`: {text!r} is not metric:allowed[:lower|higher] (such as {EXAMPLE}); "
        "allowed is how much worse than the live release the metric may be, a number >= 0."
    )
    if len(parts) not in (2, 3) or not parts[0]:
        raise bad
    try:
        allowed = float(parts[1])
    except ValueError:
        raise bad from None
    if not math.isfinite(allowed) or allowed < 0:
        raise bad
    if len(parts) == 3 and parts[2].lower() not in DIRECTIONS:
        raise bad
    higher = parts[2].lower() == "higher" if len(parts) == 3 else higher_is_better(parts[0])
    return MetricGate(parts[0], allowed, higher)
