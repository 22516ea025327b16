"""The report's one write: after the run, from the live release read when the run began."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.files.atomic import atomic_write_bytes
from web_assets.records.lockfile import read_lock
from web_assets.records.manifest import read_manifest
from web_assets.records.summary import Summary
from web_assets.report.facts import report_facts
from web_assets.report.render import render_report


@dataclass(frozen=True)
class ReportTarget:
    """Where the report goes, and the live release (manifest, lock) before anything was written."""

    path: Path
    manifest: Path
    lock_file: Path
    before: tuple[dict | None, dict | None]


def report_target(settings: Settings | None) -> ReportTarget | None:
    """With `report` set, the live release as it stands now: read before any step writes."""
    if settings is None or settings.report is None:
        return None
    try:
        before = (read_manifest(settings.manifest), read_lock(settings.lock_file))
    except PublishError:
        before = (None, None)  # the run refuses these files itself, naming them
    return ReportTarget(settings.report, settings.manifest, settings.lock_file, before)


def write_report(target: ReportTarget, summary: Summary) -> str:
    """Write the report atomically; the line that says where."""
    after = (read_manifest(target.manifest), read_lock(target.lock_file))
    text = render_report(report_facts(target.before, after, summary))
    target.path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target.path, text.encode("utf-8"))
    return f"Report: {target.path}"
