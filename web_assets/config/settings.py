"""Settings: defaults, then `[tool.web-assets]` in pyproject.toml, the recorded release, then what
the caller gives.

Each setting has one converter; `resolve_settings` runs them all once and returns typed values.
The recorded release is handed in as data: reading the lock file is the records' job.
Inputs (the run and its datasets) may live anywhere; outputs stay inside the project.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web_assets.config.app import (
    env_name,
    locked_onnxruntime,
    runtime_version,
    seconds,
    tolerance,
)
from web_assets.config.converters import (
    boolean,
    input_path,
    names,
    output_path,
    positive_int,
    require_addressing_template,
    run_id,
    source_date_epoch,
    text,
    timestamp,
    uri_template,
)
from web_assets.config.modelcheck import feature_table, fraction, whole_number
from web_assets.config.remote import github_template
from web_assets.config.storage import (
    DEFAULT_PREFIX,
    checksums,
    http_url,
    prefix,
    resolve_storage,
    storage,
)
from web_assets.errors import PublishError
from web_assets.release.app_rules import FINANCIAL_COLUMNS

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
    check_format: bool
    financial_app_columns: tuple[str, ...]
    live: bool
    derived_features: tuple[tuple[str, tuple[str, ...]], ...]
    replace_derived_features: bool
    smoke_fixtures: int
    max_missing_features: int | None
    max_prediction_shift: float | None
    replace_version: bool
    allow_downgrade: bool
    # Where models go (README "When models outgrow git"); credentials never appear here.
    storage: str = "git"
    s3_bucket: str | None = None
    s3_prefix: str = DEFAULT_PREFIX
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    public_base_url: str | None = None
    s3_datasets: bool = False
    s3_checksums: str = "sha256"
    s3_threads: int = 4
    # The web app itself (README "The app"): the token's variable name, never the token.
    app: bool = False
    app_url: str | None = None
    app_token_env: str = "RELOAD_TOKEN"
    app_wait: float = 600.0
    app_fixtures: tuple[str, ...] = ()
    app_parity_tolerance: float = 1e-4
    app_onnxruntime: str | None = None
    s3_timeout: int = 20

    def relative(self, path: Path) -> str:
        """The repo-relative POSIX path the manifest and git use (for a path inside the project)."""
        return relative_path(self.root, path)

    def shown(self, path: Path) -> str:
        """How the lock file names a source: relative inside the project, absolute outside."""
        return shown_path(self.root, path)

    def require_inputs(self) -> None:
        """Refuse, in one line, a publish whose inputs were never given."""
        for name in REQUIRED:
            if getattr(self, name) is None:
                raise PublishError(
                    f"No {name} given: set `{name}` in [tool.web-assets] of pyproject.toml "
                    f"or pass `{name}=...` on the command line."
                )
        self.require_uri_template()

    def require_uri_template(self) -> None:
        """Refuse, in one line, URIs that no setting and no GitHub push remote can name."""
        if not self.uri_template:
            raise PublishError(
                f"No uri_template given, and the push remote `{self.remote}` is not a github.com "
                "repository to derive one from: set `uri_template` in [tool.web-assets] of "
                "pyproject.toml (such as https://cdn.example.com/models/{filename}, or "
                "https://raw.githubusercontent.com/OWNER/REPO/{commit}/artifacts/run_export/"
                "{filename}), or add a GitHub remote."
            )


def relative_path(root: Path, path: Path) -> str:
    """`path` below `root` as a POSIX path, as the manifest, the lock file and git name it."""
    # String work, not pathlib: it runs several times for each file of a release.
    text, prefix = str(path), f"{root}{os.sep}"
    if os.sep == "/" and text.startswith(prefix):
        return text[len(prefix) :]
    return path.relative_to(root).as_posix()


def shown_path(root: Path, path: Path) -> str:
    """How the lock file names a source: relative inside the project, absolute outside."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


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
    recorded: Mapping[str, Any] | None = None,
    source: str = "the command line",
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, pyproject.toml, the `recorded` release's inputs and `given`, converting once.

    Relative input paths are taken from the project root; a caller that means the current folder
    (the script, `publish()`) makes them absolute first.
    """
    root = root.resolve()
    from_file, given = _named(root, given, source)
    # The last release is remembered: a plain `doit` publishes it again, never other inputs.
    raw = {**DEFAULTS, **from_file, **(recorded or {}), **given}
    for name in OUTPUTS:
        if _unset(raw[name]):
            raise PublishError(f"Setting `{name}` is empty: name a path inside the project.")
    values = {name: _convert(root, name, raw[name]) for name in CONVERTERS}
    if values["app_onnxruntime"] is None:
        values["app_onnxruntime"] = locked_onnxruntime(root)
    if values["uri_template"] is None:
        # Not configured: a GitHub clone's URIs name its own repo; "" is refused at publish.
        git = values["storage"] == "git"
        values["uri_template"] = (
            github_template(root, values["remote"], values["export_dir"]) if git else ""
        )
    resolve_storage(values, template_given=not _unset({**from_file, **given}.get("uri_template")))
    if values["uri_template"]:
        require_addressing_template(values["uri_template"])
    environ = os.environ if environ is None else environ
    return Settings(
        root=root,
        source_date_epoch=source_date_epoch(environ.get("SOURCE_DATE_EPOCH")),
        **values,
    )


def lock_file_setting(
    root: Path, given: Mapping[str, Any] | None = None, *, source: str = "the command line"
) -> Path | None:
    """The lock file the settings name (None when unset): where the recorded release is read."""
    root = root.resolve()
    from_file, given = _named(root, given, source)
    value = {**DEFAULTS, **from_file, **given}["lock_file"]
    return None if _unset(value) else output_path(root, "lock_file", value)


def _named(
    root: Path, given: Mapping[str, Any] | None, source: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """pyproject.toml's settings and the given ones, once every name in them is known."""
    from_file = read_pyproject_settings(root)
    given = dict(given or {})
    for where, values in (("pyproject.toml [tool.web-assets]", from_file), (source, given)):
        unknown = sorted(set(values) - set(CONVERTERS))
        if unknown:
            raise PublishError(
                f"Unknown setting {', '.join(map(repr, unknown))} in {where}. "
                f"Known settings: {', '.join(CONVERTERS)}."
            )
    return from_file, given


def _convert(root: Path, name: str, value: Any) -> Any:
    convert = CONVERTERS[name]
    if _unset(value):
        # An empty list setting (`financial_app_columns=`) is an empty list, not "unset".
        return () if convert is names else None
    return convert(root, name, value)


def _unset(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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
    # Unset: derived from the push remote when it is on GitHub (config/remote.py).
    "uri_template": (None, uri_template),
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
    "check_format": (True, boolean),
    # The columns the web app merges from financial_dataset.csv into each fixture.
    "financial_app_columns": (list(FINANCIAL_COLUMNS), names),
    # `doit verify live=true`: fetch every uri as the web app would.
    "live": (False, boolean),
    # The models run before a publish (web_assets/modelcheck/check.py); see README "What the checks run".
    "derived_features": ({}, feature_table),
    "replace_derived_features": (False, boolean),
    "smoke_fixtures": (200, whole_number),
    "max_missing_features": (None, whole_number),
    "max_prediction_shift": (None, fraction),
    # Published versions are immutable (web_assets/release/immutable.py); each can be overridden on purpose.
    "replace_version": (False, boolean),
    "allow_downgrade": (False, boolean),
    # "s3": models and bundles go to an S3-compatible object store, not to git.
    "storage": ("git", storage),
    "s3_bucket": (None, text),
    "s3_prefix": (DEFAULT_PREFIX, prefix),
    "s3_endpoint_url": (None, http_url),
    "s3_region": (None, text),
    "public_base_url": (None, http_url),
    "s3_datasets": (False, boolean),
    "s3_checksums": ("sha256", checksums),
    "s3_threads": (4, positive_int),
    # `doit verify app=true`: ask the web app at app_url (web_assets/verify/app.py).
    "app": (False, boolean),
    "app_url": (None, http_url),
    "app_token_env": ("RELOAD_TOKEN", env_name),
    "app_wait": (600, seconds),
    "app_fixtures": ([], names),
    "app_parity_tolerance": (1e-4, tolerance),
    # Unset: the onnxruntime-node of web/package-lock.json (web_assets/modelcheck/ort_support.py).
    "app_onnxruntime": (None, runtime_version),
    # Seconds one request may wait for the store's answer; two attempts, so a hung store fails
    # in about twice this.
    "s3_timeout": (20, positive_int),
}
DEFAULTS = {name: default for name, (default, _) in TABLE.items()}
CONVERTERS = {name: convert for name, (_, convert) in TABLE.items()}
