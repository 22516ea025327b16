"""A release: the settings and every file they name, checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tasks.config import Settings, load_settings
from tasks.datasets import Copy, dataset_copies, read_csv_header
from tasks.manifest import read_manifest
from tasks.models import ExportPlan, plan_export


@dataclass(frozen=True)
class Release:
    settings: Settings
    datasets: list[Copy]
    export: ExportPlan

    def export_files(self) -> list[Path]:
        """Every file of the export folder that this release publishes."""
        paths = {copy.target for copy in self.export.gathered}
        paths |= {artefact.path for artefact in self.export.models + self.export.bundles}
        return sorted(paths)

    def output_folders(self) -> list[Path]:
        """Every folder the release writes files into."""
        settings = self.settings
        folders = {settings.export_dir, settings.manifest.parent}
        folders |= {copy.target.parent for copy in self.datasets}
        return sorted(folders)

    def published_files(self) -> list[Path]:
        """Every file the commit step commits."""
        datasets = [copy.target for copy in self.datasets]
        return [*datasets, *self.export_files(), self.settings.manifest]


def load_release(root: Path, overrides: dict[str, str] | None = None) -> Release:
    """Settings and inputs, every check that needs no large read done: a bad input stops here."""
    settings = load_settings(root, overrides)
    read_csv_header(settings.dataset, "dataset")
    read_csv_header(settings.financial_dataset, "financial_dataset")
    datasets = dataset_copies(settings)
    export = plan_export(settings)
    read_manifest(settings.manifest)
    return Release(settings, datasets, export)
