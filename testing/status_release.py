"""A release the status page shows in full: published by doit with run metrics, and shift points.

The metrics go in the run's `metrics.json`, as training writes them; a publish that does not
record them itself yet has them written into its manifest and lock file (the commit amended), as
a publish that does will. The shift points are kept when the publish wrote them for its version;
else `write_shift_points` writes some.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import LOCK, MANIFEST
from testing.published_history import run_args

SHIFT_POINTS = ".web-assets/shift-points.json"
METRICS = {
    "financial_lens": {"accuracy": 0.5132, "log_loss": 0.9917},
    "market_gradient_boost": {"accuracy": 0.5261, "log_loss": 0.9764},
    "performance_dense": {"accuracy": 0.5079, "log_loss": 1.0038},
}


def publish_with_metrics(root: Path, version: int, metrics=METRICS) -> str:
    """Publish `version` with doit from a new run that states `metrics`; the release's commit."""
    arguments = run_args(root, version)
    run_dir = root / arguments[0].removeprefix("run_dir=")
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    result = doit_here(root, *arguments)
    assert result.status == 0, result.text
    lock = json.loads((root / LOCK).read_text())
    if not any("metrics" in entry for entry in lock["files"]):
        for entry in lock["files"]:
            if entry["kind"] == "model" and entry["id"] in metrics:
                entry["metrics"] = metrics[entry["id"]]
        manifest = json.loads((root / MANIFEST).read_text())
        manifest["metrics"] = metrics
        for path, document in ((LOCK, lock), (MANIFEST, manifest)):
            (root / path).write_text(json.dumps(document, indent=2) + "\n")
        git(root, "commit", "--quiet", "--amend", "--no-edit", "--", MANIFEST, LOCK)
    return git(root, "rev-parse", "HEAD")


def shift_points(labels: list[str], models: list[str], seed: int = 0) -> dict[str, dict]:
    """Old and new [home, draw, away] per fixture for each model, the new ones moved a little."""
    rng = random.Random(seed)

    def probabilities(weights: list[float]) -> list[float]:
        total = sum(weights)
        return [round(w / total, 6) for w in weights]

    points = {}
    for model in models:
        old = [
            probabilities([rng.uniform(0.2, 1.6), rng.uniform(0.3, 0.9), rng.uniform(0.2, 1.4)])
            for _ in labels
        ]
        new = [probabilities([max(0.01, p + rng.gauss(0, 0.08)) for p in row]) for row in old]
        points[model] = {"fixtures": list(labels), "old": old, "new": new}
    return points


def write_shift_points(root: Path, version, points: dict[str, dict]) -> Path:
    """`.web-assets/shift-points.json` in the shape the publish writes."""
    path = root / SHIFT_POINTS
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"version": version, "models": points}, indent=2) + "\n")
    return path


def fixture_labels(root: Path, dataset: str, count: int) -> list[str]:
    """The last `count` rows of a dataset as labels: season, date, home v away."""
    rows = (root / dataset).read_text().splitlines()[1:][-count:]
    return [
        f"{season} {date} {home} v {away}"
        for season, home, away, date, *_ in (row.split(",") for row in rows)
    ]
