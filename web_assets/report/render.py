"""The report as Markdown: the same facts give the same bytes."""

from __future__ import annotations

from web_assets.report.facts import ModelShift, ReportFacts


def render_report(facts: ReportFacts) -> str:
    sections = [
        [f"## Release: {facts.title}", "", f"**Live:** {facts.live}"],
        ["### Summary", "", "```text", *facts.summary, "```"],
        _diff(facts),
        _shifts(facts.shifts),
        _coverage(facts),
        _metrics(facts),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


def _cell(text: object) -> str:
    """A table cell: a `|` or a line break in a team's name must not end the cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _row(*cells: object) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    return [_row(*header), "|" + "---|" * len(header), *(_row(*row) for row in rows)]


def _diff(facts: ReportFacts) -> list[str]:
    if facts.changes is None:
        return ["### Changes", "", "The first release: nothing is live to compare with."]
    lines = [f"### Changes against the live release ({facts.live_release})", ""]
    changes = facts.changes
    groups = [
        ("models added", changes.models_added),
        ("models removed", changes.models_removed),
        ("models changed", changes.models_changed),
        ("datasets added", changes.datasets_added),
        ("datasets removed", changes.datasets_removed),
        ("datasets changed", changes.datasets_changed),
        ("other files changed", changes.others_changed),
    ]
    rows = [(label, ", ".join(names)) for label, names in groups if names]
    lines += _table(("change", "which"), rows) if rows else ["No published file changed."]
    if facts.fields:
        lines += ["", *_table(("manifest field", "live", "this release"), list(facts.fields))]
    return lines


def _shifts(shifts: tuple[ModelShift, ...]) -> list[str]:
    if not shifts:
        return ["### Prediction shift", "", "No model changed."]
    rows = [
        (
            shift.model,
            f"{shift.mean:.3f}" if shift.mean is not None else "-",
            f"{shift.changed_picks} of {shift.fixtures}" if shift.fixtures else "-",
            shift.note,
        )
        for shift in shifts
    ]
    lines = ["### Prediction shift", ""]
    lines += _table(("model", "mean |dp|", "picks changed", "note"), rows)
    for shift in shifts:
        if shift.largest:
            lines += ["", f"Largest moves, {shift.model} (home, draw, away):", ""]
            lines += _table(
                ("fixture", "live model", "new model"),
                [
                    (move["fixture"], _probs(move["old"]), _probs(move["new"]))
                    for move in shift.largest
                ],
            )
    return lines


def _probs(values: object) -> str:
    if not isinstance(values, list):
        return "-"
    return ", ".join(f"{value:.3f}" if isinstance(value, int | float) else "?" for value in values)


def _coverage(facts: ReportFacts) -> list[str]:
    lines = ["### Feature coverage", ""]
    if facts.checked:
        lines += [facts.checked + ".", ""]
    rows = [
        (model, f"{len(names)}: {', '.join(names)}" if names else "none")
        for model, names in facts.missing
    ]
    lines += _table(("model", "features the app fills with 0 (offline)"), rows)
    app = (
        facts.app or "not asked (set app_url and publish with push=true, or `doit verify app=true`)"
    )
    return [*lines, "", f"The app: {app}"]


def _metrics(facts: ReportFacts) -> list[str]:
    if not facts.metrics:
        return ["### Metrics", "", "The run states no metrics."]
    rows = [
        (
            change.model,
            change.metric,
            "-" if change.old is None else f"{change.old:g}",
            "-" if change.new is None else f"{change.new:g}",
            "-" if change.delta is None else f"{change.delta:+.4g}",
        )
        for change in facts.metrics
    ]
    return ["### Metrics", "", *_table(("model", "metric", "live", "this release", "change"), rows)]
