"""Where `report=PATH` may write: a file of its own, never one the publish reads or writes."""

from __future__ import annotations

from pathlib import Path

from web_assets.config.settings import Settings
from web_assets.errors import PublishError

# Folders whose files a publish reads or writes, by the setting that names them.
FOLDERS = ("export_dir", "data_dir", "run_dir", "team_cache")
FILES = {
    "manifest": "the manifest",
    "lock_file": "the lock file",
    "dataset": "the dataset",
    "financial_dataset": "the financial dataset",
}


def refuse_report_path(settings: Settings) -> None:
    """Refuse, before any write, a report that would replace a file of the release or project."""
    path = settings.report
    if path is None:
        return
    why = _clash(settings, path)
    if why:
        raise PublishError(
            f"Setting `{settings.entry.name_of('report')}` names {path}, {why}: the report "
            "would replace it. Name a file of its own, such as release-report.md. Nothing was "
            "written."
        )


def _clash(settings: Settings, path: Path) -> str:
    if path.is_dir():
        return "a folder"
    if path.exists() and not path.is_file():
        return "not a plain file"
    root = settings.root
    own = {label: getattr(settings, name) for name, label in FILES.items()}
    own |= {f"the project's {name}": root / name for name in ("dodo.py", "pyproject.toml")}
    for label, file in own.items():
        if file is not None and path == file:
            return label
    folders = {name: getattr(settings, name) for name in FOLDERS}
    folders |= {"git": root / ".git", "state": root / ".web-assets"}
    for name, folder in folders.items():
        if folder is not None and path.is_relative_to(folder):
            return f"inside {folder} ({name}), whose files a publish reads or writes"
    return ""
