"""A release: the settings and every file they name, checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from web_assets.config.settings import Settings
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.git.commit import refuse_unsafe_state, repair_after_kill
from web_assets.git.run import is_work_tree
from web_assets.records.lockfile import read_lock
from web_assets.records.manifest import read_manifest, run_id_from_path
from web_assets.records.uris import pins
from web_assets.release.app_rules import format_problems
from web_assets.release.checks import refuse_stale_financial, require_columns
from web_assets.release.datasets import Copy, dataset_copies, read_csv_header
from web_assets.release.immutable import refuse_rewritten_version
from web_assets.release.metrics import (
    Metrics,
    read_metrics,
    recorded_metrics,
    refuse_regression,
)
from web_assets.release.models import ExportPlan, plan_export
from web_assets.release.run_files import Extra, stale_files, with_extras
from web_assets.release.size_limits import refuse_oversized
from web_assets.release.space import refuse_short_space
from web_assets.report.target import refuse_report_path


@dataclass(frozen=True)
class Release:
    settings: Settings
    datasets: list[Copy]
    export: ExportPlan
    columns: dict[str, list[str]]
    # External data and other gathered files (run_files.py), locked beside models and bundles.
    extras: tuple[Extra, ...] = ()
    # The previous release's export files this run lacks: removed after the checks, and committed so.
    removed: tuple[Path, ...] = ()
    # Files a git host would warn about (storage = "git"), told in the summary of a commit.
    size_warnings: tuple[str, ...] = ()
    # Each model's metrics as the run states them (release/metrics.py); empty when it states none.
    metrics: Metrics = field(default_factory=dict)

    @cached_property
    def sources(self) -> dict[Path, Path]:
        """Each model's and bundle's source: the run's file it is gathered from, else itself."""
        gathered = {copy.target: copy.source for copy in self.export.gathered}
        artefacts = self.export.models + self.export.bundles
        return {artefact.path: gathered.get(artefact.path, artefact.path) for artefact in artefacts}

    @property
    def run_id(self) -> str | None:
        """The run id this release states: given, else the run folder's `run_YYYYMMDD-HHMMSS` name."""
        return self.settings.run_id or run_id_from_path(self.settings.run_dir.as_posix())

    def export_files(self) -> list[Path]:
        """Every file of the export folder that this release publishes."""
        paths = {copy.target for copy in self.export.gathered}
        paths |= {artefact.path for artefact in self.export.models + self.export.bundles}
        paths |= {extra.path for extra in self.extras}
        return sorted(paths, key=str)

    def published_files(self) -> list[Path]:
        """Every file the commit step commits: with storage = "s3", not the stored objects."""
        datasets = [copy.target for copy in self.datasets]
        files = [*datasets, *self.export_files(), self.settings.manifest, self.settings.lock_file]
        stored = set(self.object_files())
        return [path for path in files if path not in stored]

    def object_files(self) -> list[Path]:
        """The files uploaded to the object store (storage = "s3"), each to its own key."""
        if self.settings.storage != "s3":
            return []
        files = [artefact.path for artefact in self.export.models + self.export.bundles]
        if self.settings.s3_datasets:
            files = [copy.target for copy in self.datasets] + files
        return files


def load_release(settings: Settings) -> Release:
    """The files the settings name, every check that needs no large read done: bad input stops here.

    Checks that need only a stat (sizes, GitHub's limits, free space) come before any model is
    parsed, so a file too large to publish costs a stat, whatever its bytes.
    """
    settings.require_inputs()
    refuse_report_path(settings)
    columns = _dataset_columns(settings)
    datasets = dataset_copies(settings)
    models = plan_export(settings)
    size_warnings = refuse_oversized(settings, datasets, models)
    refuse_short_space(settings.root, [*datasets, *models.gathered], settings.commit)
    export, extras = with_extras(settings, models)
    if export.gathered != models.gathered:
        # Tensor data stored beside a model is published too: its sizes, checked the same way.
        size_warnings = refuse_oversized(settings, datasets, export)
    manifest = read_manifest(settings.manifest)
    if settings.check_format and manifest is not None:
        problems = format_problems(manifest)
        if problems:
            raise PublishError(
                f"{settings.manifest}: " + " ".join(problems) + " (or set check_format=false)."
            )
    lock = read_lock(settings.lock_file)
    refuse_rewritten_version(settings, datasets[0].target, manifest, lock)
    metrics = read_metrics(settings.run_dir, [model.id for model in models.models], settings.entry)
    live = recorded_metrics(lock)
    refuse_regression(settings.max_metric_regression, live, metrics, settings.entry)
    if settings.check_stale_financial:
        refuse_stale_financial(settings.data_dir)
    _refuse_git_state(settings)
    if export.gathered != models.gathered:
        refuse_short_space(settings.root, [*datasets, *export.gathered], settings.commit)
    release = Release(settings, datasets, export, columns, tuple(extras))
    removed = stale_files(settings, release.export_files(), manifest, lock)
    return Release(
        settings, datasets, export, columns, tuple(extras), tuple(removed), size_warnings, metrics
    )


def _dataset_columns(settings: Settings) -> dict[str, list[str]]:
    """Both datasets' header rows, each holding the columns the web app reads."""
    columns = {
        "main": read_csv_header(settings.dataset, "dataset", settings.entry),
        "financial": read_csv_header(
            settings.financial_dataset, "financial_dataset", settings.entry
        ),
    }
    require_columns(columns["main"], settings.main_columns, settings.dataset, "main_columns")
    financial = (
        ("financial_columns", settings.financial_columns),
        ("financial_app_columns", settings.financial_app_columns),
    )
    for setting, required in financial:
        require_columns(columns["financial"], required, settings.financial_dataset, setting)
    return columns


def _refuse_git_state(settings: Settings) -> None:
    """Refuse a commit that cannot be made, or a pinned URI without one, before any write."""
    if pins(settings.uri_template) and not settings.commit:
        entry = settings.entry
        raise PublishError(
            "uri_template pins each URI to the commit that holds the file ({commit}), and "
            f"{entry.given('commit', False)} makes no commit: publish "
            f"{'without `--no-commit`' if entry is Entry.FLAGS else 'with ' + entry.given('commit', True)}"
            ", or give "
            f"{entry.name_of('uri_template')} without {{commit}} (one on a branch, which a CDN "
            "may serve stale)."
        )
    if settings.commit and pins(settings.uri_template) and not is_work_tree(settings.root):
        raise PublishError(
            f"{settings.root} is not a git work tree, and uri_template pins each URI to the commit "
            "that holds the file ({commit}): publish from a git clone, or give a uri_template "
            "without {commit}."
        )
    if settings.commit and is_work_tree(settings.root):
        # A merge, rebase, detached HEAD or missing identity is refused before anything is written.
        repair_after_kill(settings.root)
        refuse_unsafe_state(settings.root, settings.branch)
