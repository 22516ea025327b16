"""`doit verify app=true`: ask the web app itself whether it serves the release, and runs it.

Reload (when a token is set), wait until `/api/status` serves the manifest's run and version,
check where each model comes from, then predict fixtures of two kinds and compare what the app
answers with the published models run here on the app's own features. One line per problem.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from web_assets.verify.app_http import Answer, Unanswered, ask, printable
from web_assets.verify.app_judge import judge

# The longest single wait between two questions: short enough to notice an app that comes up.
MAX_BACKOFF = 30.0


@dataclass(frozen=True)
class Model:
    """A published model: its id, its manifest uri and path, the bundle's features, its file."""

    id: str
    uri: str
    path: str
    features: tuple[str, ...]
    file: Any


@dataclass(frozen=True)
class Fixture:
    """A pair to predict; `row` when it is a row of the dataset's latest season."""

    home: str
    away: str
    season: str
    row: bool

    def __str__(self) -> str:
        return f"{self.home} v {self.away}"

    @property
    def kind(self) -> str:
        return "dataset rows" if self.row else "upcoming fixtures"


@dataclass
class Report:
    """What the app answered: problems, lines to show, and what it serves."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    served: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    fallbacks: dict[str, int] = field(default_factory=dict)
    parity: float = 0.0


@dataclass(frozen=True)
class Target:
    """What the app should serve, and how long to wait for it."""

    url: str
    run_id: str
    version: str
    models: tuple[Model, ...]
    wait: float
    tolerance: float = 1e-4
    max_missing: int | None = None


class Clock:
    """Time and sleep, bounded by one deadline; every wait is said on one line."""

    def __init__(
        self, wait: float, say: Callable[[str], None], sleep=time.sleep, now=time.monotonic
    ):
        self.now, self.sleep, self.say = now, sleep, say
        self.deadline = now() + wait
        self.backoff = 1.0

    def left(self) -> float:
        return max(0.0, self.deadline - self.now())

    def pause(self, why: str) -> bool:
        """Wait before asking again; False when the deadline leaves no time for it."""
        left = self.left()
        if left <= 0:
            return False
        pause = min(self.backoff, left)
        self.say(f"app: {why}; asking again in {pause:.0f} s ({left:.0f} s left)")
        self.sleep(pause)
        self.backoff = min(self.backoff * 2, MAX_BACKOFF)
        return True


def check_app(
    target: Target,
    fixtures: list[Fixture],
    token: tuple[str, str | None],
    run: Callable[[Model, list[list[float]]], list[list[float]]],
    *,
    say: Callable[[str], None] = print,
    sleep=time.sleep,
    now=time.monotonic,
) -> Report:
    """Every problem the app shows with the release; `token` is (variable name, value or None).

    `run` runs a published model on rows of features and returns their normalised probabilities.
    """
    report = Report()
    name, secret = token

    def hide(text: str) -> str:
        return text.replace(secret, "***") if secret else text

    # Whatever the app sends back may echo the token: every line said goes through hide().
    clock = Clock(target.wait, lambda line: say(hide(line)), sleep, now)

    try:
        if secret:
            _reload(target, name, secret, clock, report, hide)
        else:
            say(f"app: ${name} is not set: not reloading; waiting for the app to serve the release")
        status = _served(target, clock, report, hide)
        if status is None:
            return report
        report.problems += [hide(line) for line in status_problems(target, status)]
        answers = _predict_all(target, fixtures, clock, report, hide)
    except Unanswered as err:
        report.problems.append(f"app: {target.url} {hide(str(err))}")
        return report
    if answers:
        judge(target, answers, run, report)
    report.problems = [hide(line) for line in report.problems]
    report.notes = [hide(line) for line in report.notes]
    return report


def _reload(target: Target, name: str, secret: str, clock: Clock, report: Report, hide) -> None:
    answer = _ask(target, clock, "POST", "/api/reload", token=secret)
    if answer.status == 401:
        report.problems.append(
            f"app: {target.url} refused the reload token from ${name} (401 Unauthorized): set "
            f"${name} to the RELOAD_TOKEN the app is deployed with"
        )
    elif answer.status == 501:
        report.notes.append(
            "the app has no RELOAD_TOKEN configured (501): it serves what it cached until it restarts"
        )
        clock.say(f"app: {report.notes[-1]}")
    elif answer.status != 200 or not _ok(answer):
        report.notes.append(f"reload answered {answer.status}: {hide(answer.error())}")
        clock.say(f"app: {report.notes[-1]}")
    else:
        clock.say(f"app: reloaded: run {printable(str(answer.document.get('run_id')))}")


def _ask(target: Target, clock: Clock, method: str, route: str, **options) -> Answer:
    left = clock.left()
    if left <= 0:
        raise Unanswered(f"did not answer within app_wait ({target.wait:g} s)")
    try:
        return ask(target.url, method, route, timeout=min(left, 60.0), **options)
    except Unanswered as err:
        if clock.left() <= 0:
            raise Unanswered(f"did not answer within app_wait ({target.wait:g} s): {err}") from None
        raise


def _ok(answer: Answer) -> bool:
    return isinstance(answer.document, dict) and answer.document.get("ok") is True


def _served(target: Target, clock: Clock, report: Report, hide) -> dict[str, Any] | None:
    """The app's status once it serves the release; None (with the problem) when it never does."""
    seen = "no answer"
    while True:
        try:
            answer = _ask(target, clock, "GET", "/api/status")
        except Unanswered as err:
            seen = f"no answer ({err})"
            answer = None
        if answer is not None:
            document = answer.document if isinstance(answer.document, dict) else {}
            if answer.status != 200 or not _ok(answer):
                seen = f"HTTP {answer.status}: {hide(answer.error())}"
            else:
                run, version = document.get("run_id"), document.get("dataset_version")
                report.served = document
                if str(run) == target.run_id and str(version) == target.version:
                    return document
                seen = f"run {printable(str(run))}, version {printable(str(version))}"
        waited = clock.pause(f"serves {seen}, not run {target.run_id} version {target.version}")
        if not waited or clock.left() <= 0:
            break
    why = f" ({'; '.join(report.notes)})" if report.notes else ""
    report.problems.append(
        f"app: after {target.wait:g} s {target.url} still serves {seen}, not run {target.run_id} "
        f"version {target.version}{why}: reload it (POST /api/reload with its RELOAD_TOKEN) or "
        "redeploy, or wait longer (app_wait)"
    )
    return None


def status_problems(target: Target, status: Mapping[str, Any]) -> list[str]:
    """What `/api/status` shows wrong: errors, models from elsewhere, an overriding version."""
    problems = [
        f"app: the app reports: {printable(str(error))}" for error in status.get("errors") or []
    ]
    served = {
        str(item.get("id")): item.get("location")
        for item in status.get("models") or []
        if isinstance(item, dict)
    }
    for model in target.models:
        if model.id not in served:
            problems.append(f"app: model {model.id} is published but the app does not serve it")
            continue
        location = served[model.id] if isinstance(served[model.id], dict) else {}
        if location.get("kind") == "local" and str(location.get("path", "")).endswith(model.path):
            continue
        if location.get("kind") == "remote" and location.get("uri") == model.uri:
            continue
        shown = printable(str(location.get("uri") or location.get("path") or "nowhere"))
        problems.append(
            f"app: model {model.id} is loaded from {shown}, not from its manifest uri {model.uri}"
        )
    env = status.get("env") if isinstance(status.get("env"), dict) else {}
    override = env.get("featureDatasetVersion")
    if override is not None and str(override) != target.version:
        problems.append(
            f"app: FEATURE_DATASET_VERSION={printable(str(override))} in the app's environment "
            f"overrides the manifest's dataset_version {target.version}: the published dataset is "
            "never used; unset it in the deployment"
        )
    return problems


def _predict_all(target, fixtures, clock, report, hide) -> list[tuple[Fixture, dict[str, Any]]]:
    answers = []
    for fixture in fixtures:
        body = {"homeTeam": fixture.home, "awayTeam": fixture.away, "season": fixture.season}
        while True:
            answer = _ask(target, clock, "POST", "/api/predict", body=body)
            if answer.status == 200 and _ok(answer):
                answers.append((fixture, answer.document))
                break
            said = hide(answer.error())
            # A manifest can switch before the deployment that ships its dataset is live.
            if "Dataset not found" in said and clock.pause(f"predict {fixture}: {said}"):
                continue
            report.problems.append(f"app: predict {fixture} answered HTTP {answer.status}: {said}")
            break
    return answers
