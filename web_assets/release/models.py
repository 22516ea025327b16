"""The run's models and preprocessing bundles: which files, and the id each one publishes under."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.release.contained import refuse_outside_run
from web_assets.release.datasets import Copy

MODEL_SUFFIX = ".onnx"
BUNDLE_SUFFIX = "_preprocessing.json"
GATHERED_SUFFIXES = (MODEL_SUFFIX, ".json")


class Artefact(NamedTuple):
    """A model or preprocessing bundle as it will stand in the export folder."""

    id: str
    path: Path


class ExportPlan(NamedTuple):
    gathered: list[Copy]
    models: list[Artefact]
    bundles: list[Artefact]


def model_id(name: str) -> str | None:
    """`performance_dense.onnx` -> `performance_dense`; None for any other file."""
    return name[: -len(MODEL_SUFFIX)] if name.lower().endswith(MODEL_SUFFIX) else None


def bundle_id(name: str) -> str | None:
    """`performance_dense_preprocessing.json` -> `performance_dense`; None for any other file."""
    return name[: -len(BUNDLE_SUFFIX)] if name.lower().endswith(BUNDLE_SUFFIX) else None


def plan_export(settings: Settings) -> ExportPlan:
    """What the export folder will hold once the run is gathered into it."""
    run_dir, export_dir = settings.run_dir, settings.export_dir
    if not run_dir.is_dir():
        entry = settings.entry
        state = "is a file, not a folder" if run_dir.exists() else "does not exist"
        raise PublishError(
            f"{entry.name_of('run_dir')} {run_dir} {state}: {entry.pass_('run_dir', 'PATH')} "
            "naming the folder the training run exported its *.onnx models to."
        )
    run_files = _files_with_suffix(run_dir, GATHERED_SUFFIXES)
    if not any(model_id(path.name) for path in run_files):
        raise PublishError(
            f"run_dir {run_dir} holds no *.onnx model: point `run_dir` at the training run's "
            "export folder."
        )
    for path in run_files:
        refuse_outside_run(run_dir, path)
    gathered = (
        [Copy(path.name, path, export_dir / path.name) for path in run_files]
        if run_dir != export_dir
        else []
    )
    # A release is the run's files, exactly: a file the export folder keeps from an earlier release
    # is not the run's (a stale bundle must not be paired with a new model); see run_files.py.
    present = {path.name for path in _files_with_suffix(export_dir, GATHERED_SUFFIXES)}
    names = {copy.target.name for copy in gathered} if gathered else present
    if gathered:
        # A kept file whose id differs only in case would be the run's file on a case-insensitive
        # disk, and its removal would remove the run's: refused like a clash within the run.
        for id_of, kind in ((model_id, "model"), (bundle_id, "preprocessing bundle")):
            _artefacts(export_dir, sorted(names | present), id_of, kind)
    models = _artefacts(export_dir, sorted(names), model_id, "model")
    bundles = _artefacts(export_dir, sorted(names), bundle_id, "preprocessing bundle")
    return ExportPlan(gathered, models, bundles)


def _files_with_suffix(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    # scandir knows each entry's type without a stat; names sort faster than Paths.
    with os.scandir(folder) as entries:
        names = sorted(
            entry.name
            for entry in entries
            if entry.name.lower().endswith(suffixes) and entry.is_file()
        )
    return [folder / name for name in names]


def _artefacts(export_dir: Path, names: list[str], id_of, kind: str) -> list[Artefact]:
    artefacts = [Artefact(id_, export_dir / name) for name in names if (id_ := id_of(name))]
    by_id: dict[str, list[str]] = defaultdict(list)
    for artefact in artefacts:
        by_id[artefact.id.casefold()].append(artefact.path.name)
    clashes = [files for files in by_id.values() if len(files) > 1]
    if clashes:
        listed = "; ".join(" and ".join(files) for files in clashes)
        raise PublishError(
            f"Two files in {export_dir} give the same {kind} id ({listed}): ids ignore case, so "
            "rename or remove one of each pair."
        )
    return artefacts
