"""The release the app should serve, read from the manifest and the published files, and the run
that checks it: what `doit verify app=true` and a publish with `app_url` call."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.modelcheck.fixtures import Fixtures, load_fixtures
from web_assets.records.manifest import read_manifest
from web_assets.verify.app import Fixture, Model, Report, Target, check_app
from web_assets.verify.app_judge import coverage_lines

KINDS = 3
SEPARATOR = " v "


def target_of(settings: Settings, manifest: Mapping[str, Any]) -> Target:
    """What the app should serve: the manifest's run and version, its models and their features."""
    bundles = {
        str(entry.get("id")): entry
        for entry in manifest.get("preprocessing", [])
        if isinstance(entry, dict)
    }
    models = []
    for entry in manifest.get("models", []):
        if not isinstance(entry, dict):
            continue
        model_id, bundle = str(entry.get("id")), bundles.get(str(entry.get("id")))
        features: tuple[str, ...] = ()
        if bundle is not None:
            path = settings.root / str(bundle.get("path"))
            try:
                features = tuple(json.loads(path.read_text(encoding="utf-8"))["feature_names"])
            except (OSError, ValueError, KeyError, TypeError) as err:
                raise PublishError(
                    f"cannot read the bundle {path} ({err}): run `doit` again."
                ) from None
        model_path = str(entry.get("path"))
        models.append(
            Model(model_id, str(entry.get("uri")), model_path, features, settings.root / model_path)
        )
    return Target(
        url=str(settings.app_url),
        run_id=str(manifest.get("run_id")),
        version=str(manifest.get("dataset_version")),
        models=tuple(models),
        wait=settings.app_wait,
        tolerance=settings.app_parity_tolerance,
        max_missing=settings.max_missing_features,
    )


def app_fixtures(settings: Settings, version: str) -> list[Fixture]:
    """The fixtures to predict: `app_fixtures` when given, else 3 rows of the latest season and
    3 pairs of its teams that are not rows (an upcoming match, the app's main use)."""
    dataset = settings.data_dir / f"Dataset_Version_{version}.csv"
    if not dataset.is_file():
        raise PublishError(f"{settings.relative(dataset)} is missing: run `doit` to publish it.")
    season = load_fixtures(dataset, None, 1).keys[0].season
    rows = load_fixtures(dataset, None, 1 << 20)
    pairs = {(key.home, key.away) for key in rows.keys}
    if settings.app_fixtures:
        return [_given(text, season, pairs) for text in settings.app_fixtures]
    chosen = [Fixture(key.home, key.away, season, True) for key in rows.keys[-KINDS:]]
    teams = sorted({key.home for key in rows.keys} | {key.away for key in rows.keys})
    upcoming = [
        Fixture(home, away, season, False)
        for home in teams
        for away in teams
        if home != away and (home, away) not in pairs
    ]
    return chosen + upcoming[:KINDS]


def _given(text: str, season: str, pairs: set[tuple[str, str]]) -> Fixture:
    home, sep, away = text.partition(SEPARATOR)
    if not sep or not home.strip() or not away.strip():
        raise PublishError(
            f"app_fixtures: {text!r} is not 'Home v Away': name each fixture as "
            "'Arsenal v Chelsea', comma-separated."
        )
    home, away = home.strip(), away.strip()
    return Fixture(home, away, season, (home, away) in pairs)


def run_published(model: Model, vectors: list[list[float]]) -> list[list[float]]:
    """The published model's probabilities on `vectors`, as the app computes them."""
    import numpy as np

    from web_assets.modelcheck.runtime import run_model

    keys = tuple(f"app fixture {index + 1}" for index in range(len(vectors)))
    named = Fixtures(keys, (), (), (), ())  # type: ignore[arg-type]
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), len(model.features))
    return run_model(model.id, Path(model.file), matrix, named).tolist()


def verify_app(
    settings: Settings, environ: Mapping[str, str] | None = None, say: Callable[[str], None] = print
) -> tuple[Report, list[str]]:
    """Ask the app at `app_url` about the published release: its report and the lines to show."""
    if not settings.app_url:
        raise PublishError(
            "app=true needs app_url: set app_url=https://... (the web app's address)."
        )
    manifest = read_manifest(settings.manifest)
    if manifest is None:
        raise PublishError(f"{settings.relative(settings.manifest)} is missing: run `doit` first.")
    target = target_of(settings, manifest)
    fixtures = app_fixtures(settings, target.version)
    environ = os.environ if environ is None else environ
    token = (settings.app_token_env, environ.get(settings.app_token_env) or None)
    report = check_app(target, fixtures, token, run_published, say=say)
    return report, coverage_lines(report, target.models)


def live_line(report: Report, models: int, tolerance: float) -> str:
    """The summary's confirmation: what the app serves, from where, and how close it runs."""
    served = report.served
    return (
        f"live in the app: run {served.get('run_id')}, version {served.get('dataset_version')}, "
        f"{models} models {_sources(served)}, parity within {gap(tolerance)}"
    )


def _sources(served: Mapping[str, Any]) -> str:
    """Where the app loads the models from, as its status says: the app prefers a local file at
    the manifest's path (under LOCAL_ARTEFACT_ROOT) to the pinned uri."""
    kinds = [
        item.get("location", {}).get("kind")
        for item in served.get("models") or []
        if isinstance(item, dict) and isinstance(item.get("location"), dict)
    ]
    local = kinds.count("local")
    if not local:
        return "from their pinned URIs"
    if local == len(kinds):
        return "from the app's local files at their manifest paths"
    return f"({len(kinds) - local} from their pinned URIs, {local} from the app's local files)"


def gap(number: float) -> str:
    """A tolerance as a person writes it: 1e-4, 0.01."""
    if number == 0 or number >= 1e-3:
        return f"{number:g}"
    mantissa, exponent = f"{number:e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def pushed_but(settings: Settings, problems: list[str]) -> str:
    """The summary's last line when the app does not serve what was pushed: the first problem,
    and the way back to the release before it."""
    first = problems[0].removeprefix("app: ")
    more = f" (and {len(problems) - 1} more above)" if len(problems) > 1 else ""
    return (
        f"Pushed, but the app at {settings.app_url} does not serve it as published: {first}{more}. "
        f"{_way_back(settings)}"
    )


def _way_back(settings: Settings) -> str:
    from web_assets.history.log import list_releases

    try:
        releases = list_releases(settings.root)
    except PublishError:
        releases = []
    if len(releases) < 2:
        return "No earlier release to roll back to: fix the app, then `doit verify app=true`."
    before = releases[1]
    return (
        f"The way back: `doit rollback to={before.commit[:10]} push=true` (version "
        f"{before.version}, run {before.run_id}), or fix the app and run `doit` again."
    )
