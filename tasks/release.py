"""A release: the settings and every file they name, checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tasks.checks import refuse_stale_financial, require_columns
from tasks.config import Settings, load_settings
from tasks.datasets import Copy, dataset_copies, read_csv_header
from tasks.lockfile import read_lock
from tasks.manifest import read_manifest
from tasks.models import ExportPlan, plan_export


@dataclass(frozen=True)
class Release:
    settings: Settings
    datasets: list[Copy]
    export: ExportPlan
    columns: dict[str, list[str]]

    @cached_property
    def sources(self) -> dict[Path, Path]:
        """Each model's and bundle's source: the run's file it is gathered from, else itself."""
        gathered = {copy.target: copy.source for copy in self.export.gathered}
        artefacts = self.export.models + self.export.bundles
        return {artefact.path: gathered.get(artefact.path, artefact.path) for artefact in artefacts}

    def export_files(self) -> list[Path]:
        """Every file of the export folder that this release publishes."""
        paths = {copy.target for copy in self.export.gathered}
        paths |= {artefact.path for artefact in self.export.models + self.export.bundles}
        return sorted(paths, key=str)

    def published_files(self) -> list[Path]:
        """Every file the commit step commits."""
        datasets = [copy.target for copy in self.datasets]
        return [*datasets, *self.export_files(), self.settings.manifest, self.settings.lock_file]


def load_release(root: Path, overrides: dict[str, str] | None = None) -> Release:
    """Settings and inputs, every check that needs no large read done: a bad input stops here."""
    settings = load_settings(root, overrides)
    columns = {
        "main": read_csv_header(settings.dataset, "dataset"),
        "financial": read_csv_header(settings.financial_dataset, "financial_dataset"),
    }
    require_columns(columns["main"], settings.main_columns, settings.dataset, "main_columns")
    require_columns(
        columns["financial"],
        settings.financial_columns,
        settings.financial_dataset,
        "financial_columns",
    )
    datasets = dataset_copies(settings)
    export = plan_export(settings)
    read_manifest(settings.manifest)
    read_lock(settings.lock_file)
    if settings.check_stale_financial:
        refuse_stale_financial(settings.data_dir)
    return Release(settings, datasets, export, columns)
