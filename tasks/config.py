"""Settings: defaults, then `[tool.web-assets]` in pyproject.toml, then doit command-line variables."""

from __future__ import annotations

import os
import string
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError

DEFAULT_URI_TEMPLATE = (
    "https://raw.githubusercontent.com/Beautiful-Game-Oracle/The-Beautiful-Game-Oracle"
    "/main/artifacts/run_export/{filename}"
)
URI_FIELDS = frozenset({"filename", "version", "id"})

DEFAULTS: dict[str, Any] = {
    "run_dir": "artifacts/run_export",
    "dataset": None,
    "financial_dataset": None,
    "version": None,
    "team_cache": None,
    "export_dir": "artifacts/run_export",
    "data_dir": "web/public/data",
    "manifest": "web/public/fixtures/dev.json",
    "uri_template": DEFAULT_URI_TEMPLATE,
    "commit": True,
    "push": False,
    "remote": "origin",
    "branch": None,
    "run_id": None,
    "trained_at": None,
    "lock_file": "web-assets.lock.json",
    "hash_threads": min(os.cpu_count() or 1, 4),
    # What the web app needs, checked before anything is published; each can be relaxed.
    "check_models": True,
    "main_columns": ["season", "home_team_name", "away_team_name"],
    "financial_columns": ["season", "home_team", "away_team"],
    "check_financial_keys": True,
    "check_stale_financial": True,
}
INPUT_PATHS = ("run_dir", "dataset", "financial_dataset", "team_cache")
OUTPUT_PATHS = ("export_dir", "data_dir", "manifest", "lock_file")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RUN_ID_CHARS = frozenset(string.ascii_letters + string.digits + "._-")


@dataclass(frozen=True)
class Settings:
    """Every setting, resolved: paths absolute and inside `root`, values typed."""

    root: Path
    run_dir: Path
    dataset: Path
    financial_dataset: Path
    team_cache: Path | None
    version: int
    export_dir: Path
    data_dir: Path
    manifest: Path
    uri_template: str
    commit: bool
    push: bool
    remote: str
    branch: str | None
    run_id: str | None
    trained_at: str | None
    source_date_epoch: str | None
    lock_file: Path
    hash_threads: int
    check_models: bool
    main_columns: tuple[str, ...]
    financial_columns: tuple[str, ...]
    check_financial_keys: bool
    check_stale_financial: bool

    def relative(self, path: Path) -> str:
        """The repo-relative POSIX path the manifest and git use."""
        # String work, not pathlib: it runs several times for each file of a release.
        text, prefix = str(path), f"{self.root}{os.sep}"
        if os.sep == "/" and text.startswith(prefix):
            return text[len(prefix) :]
        return path.relative_to(self.root).as_posix()


def read_pyproject_settings(root: Path) -> dict[str, Any]:
    """The `[tool.web-assets]` table of the project's pyproject.toml (empty when absent)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise PublishError(f"{pyproject} is not valid TOML ({err}): fix the file.") from None
    table = data.get("tool", {}).get("web-assets", {})
    if not isinstance(table, dict):
        raise PublishError(f"{pyproject}: [tool.web-assets] must be a table of settings.")
    return table


def load_settings(
    root: Path, overrides: dict[str, str] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Merge defaults, pyproject.toml and `overrides` (doit variables), then check every value."""
    root = root.resolve()
    from_file = read_pyproject_settings(root)
    overrides = overrides or {}
    environ = os.environ if environ is None else environ
    for source, values in (
        ("pyproject.toml [tool.web-assets]", from_file),
        ("the command line", overrides),
    ):
        unknown = sorted(set(values) - set(DEFAULTS))
        if unknown:
            raise PublishError(
                f"Unknown setting {', '.join(map(repr, unknown))} in {source}. "
                f"Known settings: {', '.join(DEFAULTS)}."
            )
    raw = {**DEFAULTS, **from_file, **overrides}

    for name in ("dataset", "financial_dataset", "version"):
        if raw[name] in (None, ""):
            raise PublishError(
                f"No {name} given: set `{name}` in [tool.web-assets] of pyproject.toml "
                f"or pass `{name}=...` on the command line."
            )
    paths = {
        name: _project_path(root, name, raw[name])
        for name in INPUT_PATHS + OUTPUT_PATHS
        if raw[name] not in (None, "")
    }
    return Settings(
        root=root,
        run_dir=paths["run_dir"],
        dataset=paths["dataset"],
        financial_dataset=paths["financial_dataset"],
        team_cache=paths.get("team_cache"),
        version=_positive_int("version", raw["version"]),
        export_dir=paths["export_dir"],
        data_dir=paths["data_dir"],
        manifest=paths["manifest"],
        uri_template=_uri_template(raw["uri_template"]),
        commit=_boolean("commit", raw["commit"]),
        push=_boolean("push", raw["push"]),
        remote=str(raw["remote"]),
        branch=str(raw["branch"]) if raw["branch"] else None,
        run_id=_run_id(raw["run_id"]) if raw["run_id"] else None,
        trained_at=parse_timestamp("trained_at", str(raw["trained_at"]))
        if raw["trained_at"]
        else None,
        source_date_epoch=_source_date_epoch(environ.get("SOURCE_DATE_EPOCH")),
        lock_file=paths["lock_file"],
        hash_threads=_positive_int("hash_threads", raw["hash_threads"]),
        check_models=_boolean("check_models", raw["check_models"]),
        main_columns=_names("main_columns", raw["main_columns"]),
        financial_columns=_names("financial_columns", raw["financial_columns"]),
        check_financial_keys=_boolean("check_financial_keys", raw["check_financial_keys"]),
        check_stale_financial=_boolean("check_stale_financial", raw["check_stale_financial"]),
    )


def _project_path(root: Path, name: str, value: Any) -> Path:
    if not isinstance(value, str):
        raise PublishError(f"Setting `{name}` must be a path, got {value!r}.")
    path = (root / value).resolve()
    if not path.is_relative_to(root):
        raise PublishError(
            f"Setting `{name}={value}` resolves to {path}, outside the project {root} "
            "(through `..` or a symlink). Put the file inside the project and name it by a path "
            "relative to the project root."
        )
    return path


def _positive_int(name: str, value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise PublishError(
            f"Setting `{name}` must be a positive whole number such as 8, got {value!r}."
        )
    return int(text)


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise PublishError(f"Setting `{name}` must be true or false, got {value!r}.")


def _names(name: str, value: Any) -> tuple[str, ...]:
    """A list of column names: a TOML array, or comma-separated on the command line."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise PublishError(f"Setting `{name}` must be a list of column names, got {value!r}.")
    return tuple(item.strip() for item in value if item.strip())


def _uri_template(value: Any) -> str:
    template = str(value)
    try:
        fields = {
            field for _, field, _, _ in string.Formatter().parse(template) if field is not None
        }
    except ValueError as err:
        raise PublishError(
            f"Setting `uri_template={template}` is not a valid template: {err}."
        ) from None
    unknown = fields - URI_FIELDS
    if unknown:
        raise PublishError(
            f"Setting `uri_template` uses {', '.join(sorted(map(repr, unknown)))}: "
            f"it may only use {{filename}}, {{version}} and {{id}}."
        )
    return template


def _run_id(value: Any) -> str:
    text = str(value)
    if not set(text) <= RUN_ID_CHARS:
        raise PublishError(
            f"Setting `run_id={text}` may only hold letters, digits, '.', '_' and '-' "
            "(the web app's schema)."
        )
    return text


def parse_timestamp(name: str, text: str) -> str:
    """An RFC 3339 timestamp, normalised to UTC with a `Z`, to the second."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PublishError(
            f"Setting `{name}={text}` is not an RFC 3339 timestamp with a zone, "
            "such as 2025-11-28T10:15:00Z."
        )
    return format_timestamp(moment)


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def _source_date_epoch(value: str | None) -> str | None:
    if not value:
        return None
    if not value.strip().isdigit():
        raise PublishError(
            f"SOURCE_DATE_EPOCH={value!r} must be whole seconds since 1970 (for example "
            "`date +%s`), or unset."
        )
    return format_timestamp(datetime.fromtimestamp(int(value), UTC))
