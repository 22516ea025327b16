"""Settings: defaults, then `[tool.web-assets]` in pyproject.toml, then what the caller gives.

Each setting has one converter; `resolve_settings` runs them all once and returns typed values.
Inputs (the run and its datasets) may live anywhere; outputs stay inside the project.
"""

from __future__ import annotations

import os
import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.model_settings import feature_table, fraction, whole_number

DEFAULT_URI_TEMPLATE = (
    "https://raw.githubusercontent.com/Beautiful-Game-Oracle/The-Beautiful-Game-Oracle"
    "/main/artifacts/run_export/{filename}"
)
URI_FIELDS = frozenset({"filename", "version", "id"})
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RUN_ID_CHARS = frozenset(string.ascii_letters + string.digits + "._-")
INPUTS = ("run_dir", "dataset", "financial_dataset", "team_cache")
REQUIRED = ("run_dir", "dataset", "financial_dataset", "version")
OUTPUTS = ("export_dir", "data_dir", "manifest", "lock_file")


@dataclass(frozen=True)
class Settings:
    """Every setting, resolved: output paths absolute and inside `root`, values typed.

    Inputs that were not given (no `dataset`, say) are None; `require_inputs` says so in one line.
    """

    root: Path
    run_dir: Path | None
    dataset: Path | None
    financial_dataset: Path | None
    team_cache: Path | None
    version: int | None
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
    derived_features: tuple[tuple[str, tuple[str, ...]], ...]
    replace_derived_features: bool
    smoke_fixtures: int
    max_missing_features: int | None
    max_prediction_shift: float | None

    def relative(self, path: Path) -> str:
        """The repo-relative POSIX path the manifest and git use (for a path inside the project)."""
        # String work, not pathlib: it runs several times for each file of a release.
        text, prefix = str(path), f"{self.root}{os.sep}"
        if os.sep == "/" and text.startswith(prefix):
            return text[len(prefix) :]
        return path.relative_to(self.root).as_posix()

    def shown(self, path: Path) -> str:
        """How the lock file names a source: relative inside the project, absolute outside."""
        return self.relative(path) if path.is_relative_to(self.root) else str(path)

    def require_inputs(self) -> None:
        """Refuse, in one line, a publish whose inputs were never given."""
        for name in REQUIRED:
            if getattr(self, name) is None:
                raise PublishError(
                    f"No {name} given: set `{name}` in [tool.web-assets] of pyproject.toml "
                    f"or pass `{name}=...` on the command line."
                )


def read_pyproject_settings(root: Path) -> dict[str, Any]:
    """The `[tool.web-assets]` table of the project's pyproject.toml (empty when absent)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise PublishError(f"{pyproject} is not valid TOML ({err}): fix the file.") from None
    table = data.get("tool", {}).get("web-assets", {})
    if not isinstance(table, dict):
        raise PublishError(f"{pyproject}: [tool.web-assets] must be a table of settings.")
    return table


def resolve_settings(
    root: Path,
    given: Mapping[str, Any] | None = None,
    *,
    source: str = "the command line",
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, pyproject.toml and `given`, converting every value once.

    Relative input paths are taken from the project root; a caller that means the current folder
    (the script, `publish()`) makes them absolute first.
    """
    root = root.resolve()
    from_file = read_pyproject_settings(root)
    given = dict(given or {})
    for where, values in (("pyproject.toml [tool.web-assets]", from_file), (source, given)):
        unknown = sorted(set(values) - set(CONVERTERS))
        if unknown:
            raise PublishError(
                f"Unknown setting {', '.join(map(repr, unknown))} in {where}. "
                f"Known settings: {', '.join(CONVERTERS)}."
            )
    recorded = _recorded_inputs(root, {**DEFAULTS, **from_file, **given}["lock_file"])
    # The last release is remembered: a plain `doit` publishes it again, never other inputs.
    raw = {**DEFAULTS, **from_file, **recorded, **given}
    for name in OUTPUTS:
        if _unset(raw[name]):
            raise PublishError(f"Setting `{name}` is empty: name a path inside the project.")
    values = {
        name: None if _unset(raw[name]) else convert(root, name, raw[name])
        for name, convert in CONVERTERS.items()
    }
    environ = os.environ if environ is None else environ
    return Settings(
        root=root,
        source_date_epoch=_source_date_epoch(environ.get("SOURCE_DATE_EPOCH")),
        **values,
    )


def _recorded_inputs(root: Path, lock_file: Any) -> dict[str, Any]:
    from web_assets.lockfile import read_lock, recorded_inputs

    if _unset(lock_file):
        return {}
    return recorded_inputs(read_lock(output_path(root, "lock_file", lock_file)))


def _unset(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def input_path(root: Path, name: str, value: Any) -> Path:
    """A file the publish reads: anywhere readable; `~` expanded, relative to the project root."""
    if not isinstance(value, str | os.PathLike):
        raise PublishError(f"Setting `{name}` must be a path, got {value!r}.")
    text = os.fspath(value)
    if "\x00" in text:
        raise PublishError(f"Setting `{name}` holds a NUL character: give a real path.")
    return Path(os.path.abspath(root / Path(text).expanduser()))


def output_path(root: Path, name: str, value: Any) -> Path:
    """A file the publish writes: inside the project, and never through a symlink."""
    path = input_path(root, name, value)
    if not path.is_relative_to(root):
        raise PublishError(
            f"Setting `{name}={value}` is {path}, outside the project {root}: the web app is "
            "served from the project, so name a path inside it."
        )
    for parent in [path, *path.parents]:
        if parent == root:
            break
        if parent.is_symlink():
            raise PublishError(
                f"Setting `{name}={value}`: {parent} is a symlink, and a publish never writes "
                "through one. Replace the symlink by a real folder or file."
            )
    return path


def positive_int(root: Path, name: str, value: Any) -> int:
    text = str(value).strip()
    # isdigit() alone accepts '²' and '٣': only ASCII digits name a version.
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise PublishError(
            f"Setting `{name}` must be a positive whole number such as 8, got {value!r}."
        )
    return int(text)


def boolean(root: Path, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise PublishError(f"Setting `{name}` must be true or false, got {value!r}.")


def text(root: Path, name: str, value: Any) -> str:
    return str(value)


def names(root: Path, name: str, value: Any) -> tuple[str, ...]:
    """A list of column names: a TOML array or a Python list, or comma-separated on the command line."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise PublishError(f"Setting `{name}` must be a list of column names, got {value!r}.")
    return tuple(item.strip() for item in value if item.strip())


def uri_template(root: Path, name: str, value: Any) -> str:
    template = str(value)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise PublishError(f"Setting `{name}={template}` is not a valid template: {err}.") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in URI_FIELDS or spec or conversion:
            raise PublishError(
                f"Setting `{name}` uses {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}}: it may only use plain "
                f"{', '.join('{' + known + '}' for known in sorted(URI_FIELDS))}."
            )
    return template


def run_id(root: Path, name: str, value: Any) -> str:
    result = str(value)
    if not set(result) <= RUN_ID_CHARS:
        raise PublishError(
            f"Setting `{name}={result}` may only hold letters, digits, '.', '_' and '-' "
            "(the web app's schema)."
        )
    return result


def timestamp(root: Path, name: str, value: Any) -> str:
    return parse_timestamp(name, str(value))


def parse_timestamp(name: str, value: str) -> str:
    """An RFC 3339 timestamp, normalised to UTC with a `Z`, to the second."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("no zone")
        return format_timestamp(moment)
    except (ValueError, OverflowError):
        raise PublishError(
            f"Setting `{name}={value}` is not an RFC 3339 timestamp with a zone between the years "
            "1 and 9999 in UTC, such as 2025-11-28T10:15:00Z."
        ) from None


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def _source_date_epoch(value: str | None) -> str | None:
    if not value:
        return None
    try:
        if not (value.strip().isascii() and value.strip().isdigit()):
            raise ValueError
        return format_timestamp(datetime.fromtimestamp(int(value), UTC))
    except (ValueError, OverflowError, OSError):
        raise PublishError(
            f"SOURCE_DATE_EPOCH={value!r} must be whole seconds since 1970 (for example "
            "`date +%s`), or unset."
        ) from None


Converter = Callable[[Path, str, Any], Any]

# name -> (default, converter): the one place a setting is declared.
TABLE: dict[str, tuple[Any, Converter]] = {
    "run_dir": ("artifacts/run_export", input_path),
    "dataset": (None, input_path),
    "financial_dataset": (None, input_path),
    "version": (None, positive_int),
    "team_cache": (None, input_path),
    "export_dir": ("artifacts/run_export", output_path),
    "data_dir": ("web/public/data", output_path),
    "manifest": ("web/public/fixtures/dev.json", output_path),
    "uri_template": (DEFAULT_URI_TEMPLATE, uri_template),
    "commit": (True, boolean),
    "push": (False, boolean),
    "remote": ("origin", text),
    "branch": (None, text),
    "run_id": (None, run_id),
    "trained_at": (None, timestamp),
    "lock_file": ("web-assets.lock.json", output_path),
    "hash_threads": (min(os.cpu_count() or 1, 4), positive_int),
    # What the web app needs, checked before anything is published; each can be relaxed.
    "check_models": (True, boolean),
    "main_columns": (["season", "home_team_name", "away_team_name"], names),
    "financial_columns": (["season", "home_team", "away_team"], names),
    "check_financial_keys": (True, boolean),
    "check_stale_financial": (True, boolean),
    # The models run before a publish (web_assets/smoke_check.py); see README "What the checks run".
    "derived_features": ({}, feature_table),
    "replace_derived_features": (False, boolean),
    "smoke_fixtures": (200, whole_number),
    "max_missing_features": (None, whole_number),
    "max_prediction_shift": (None, fraction),
}
DEFAULTS = {name: default for name, (default, _) in TABLE.items()}
CONVERTERS = {name: convert for name, (_, convert) in TABLE.items()}
