"""What the app's predictions show: models that did not run, features it fills with 0, and
parity with the published models run here on the app's own features."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from web_assets.verify.app_http import printable

if TYPE_CHECKING:
    from web_assets.verify.app import Fixture, Model, Report, Target

FALLBACK = "Heuristic fallback"
OUTCOMES = ("home", "draw", "away")


def judge(target: Target, answers, run, report: Report) -> None:
    """Every problem the app's predictions show; fills the report's coverage and parity."""
    by_id = {model.id: model for model in target.models}
    rows: dict[str, list[tuple[Fixture, list[float], list[float]]]] = {}
    for fixture, document in answers:
        for model_id, row in _ran(target, fixture, document, report):
            rows.setdefault(model_id, []).append(row)
    for model_id, count in report.fallbacks.items():
        report.problems.append(
            f"app: model {model_id} did not run in the app: heuristic fallback on {count} of "
            f"{len(answers)} fixtures (the app could not load or run its ONNX file)"
        )
    report.problems += _over_missing(report, target.max_missing)
    for model_id, found in rows.items():
        _parity(by_id[model_id], found, run, target.tolerance, report)


def _ran(target: Target, fixture: Fixture, document: dict[str, Any], report: Report):
    """(model id, (fixture, the app's features for it, the app's probabilities)) per model that
    ran in the app on this fixture; the missing features and fallbacks go to the report."""
    features = document.get("features") if isinstance(document.get("features"), dict) else {}
    given = {
        str(item.get("id")): item for item in document.get("models") or [] if isinstance(item, dict)
    }
    for model in target.models:
        item = given.get(model.id)
        if item is None:
            report.problems.append(f"app: predict {fixture}: no answer from model {model.id}")
            continue
        missing = [name for name in model.features if not _number(features.get(name))]
        kinds = report.missing.setdefault(model.id, {})
        kinds[fixture.kind] = sorted(set(kinds.get(fixture.kind, [])) | set(missing))
        if FALLBACK in str(item.get("note", "")):
            report.fallbacks[model.id] = report.fallbacks.get(model.id, 0) + 1
            continue
        probs = item.get("probs") if isinstance(item.get("probs"), dict) else {}
        values = [probs.get(outcome) for outcome in OUTCOMES]
        if not all(_number(value) and math.isfinite(value) for value in values):
            report.problems.append(
                f"app: model {model.id} gave {printable(str(values))} for {fixture}: not finite"
            )
            continue
        # The app fills a feature it lacks with 0: the published model runs on the same vector.
        vector = [
            float(features[name]) if _number(features.get(name)) else 0.0 for name in model.features
        ]
        yield model.id, (fixture, vector, values)


def _over_missing(report: Report, limit: int | None) -> list[str]:
    """The max_missing_features rule of the offline check, per model and kind of fixture."""
    if limit is None:
        return []
    return [
        f"app: model {model_id} on {kind}: the app fills {len(names)} feature(s) with 0, "
        f"more than max_missing_features={limit}: {', '.join(names)}"
        for model_id, kinds in report.missing.items()
        for kind, names in kinds.items()
        if len(names) > limit
    ]


def _parity(model: Model, found, run, tolerance: float, report: Report) -> None:
    expected = run(model, [vector for _, vector, _ in found])
    worst, where = 0.0, None
    for (fixture, _, values), ours in zip(found, expected, strict=True):
        gap = max(abs(a - b) for a, b in zip(values, ours, strict=True))
        if gap > worst:
            worst, where = gap, fixture
    report.parity = max(report.parity, worst)
    if worst > tolerance:
        report.problems.append(
            f"app: parity {model.id}: the app's probabilities differ from the published model's by "
            f"{worst:.3g} on {where} (app_parity_tolerance {tolerance:g}): the app is not running "
            "what was published"
        )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def coverage_lines(report: Report, models: tuple[Model, ...]) -> list[str]:
    """Per model and kind of fixture: how many of its features the app supplied."""
    lines = []
    for model in models:
        for kind, names in sorted(report.missing.get(model.id, {}).items()):
            supplied = len(model.features) - len(names)
            tail = f"; filled with 0: {', '.join(names)}" if names else ""
            lines.append(
                f"app coverage {model.id} on {kind}: {supplied} of {len(model.features)} features{tail}"
            )
    return lines
