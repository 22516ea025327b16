"""Settings: defaults, then `[tool.web-assets]` in pyproject.toml, the recorded release, then what
the caller gives.

Each setting has one converter; `resolve_settings` runs them all once and returns typed values.
The recorded release is handed in as data: reading the lock file is the records' job.
Inputs (the run and its datasets) may live anywhere; outputs stay inside the project.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from web_assets.config.app import locked_onnxruntime
from web_assets.config.converters import (
    names,
    output_path,
    require_addressing_template,
    source_date_epoch,
)
from web_assets.config.metric_gate import MetricGate, metric_gates
from web_assets.config.remote import github_template
from web_assets.config.spelling import Entry
from web_assets.config.storage import DEFAULT_PREFIX, resolve_storage
from web_assets.config.table import CONVERTERS, DEFAULTS
from web_assets.errors import PublishError

INPUTS = ("run_dir", "dataset", "financial_dataset", "team_cache")
REQUIRED = ("run_dir", "dataset", "financial_dataset", "version")
OUTPUTS = ("export_dir", "data_dir", "manifest", "lock_file")
# Paths the script and publish() take relative to the current folder.
FROM_HERE = (*INPUTS, "report")


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
    model_time_limit: float
    model_memory_limit: int
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
    # Pull-request mode and the webhook (its variable's name, never the URL).
    pr: bool = False
    notify_url_env: str | None = None
    notify_timeout: float = 5.0
    max_metric_regression: tuple[MetricGate, ...] = ()
    report: Path | None = None
    # How the person gave these settings: messages name a setting in the entry point's words.
    entry: Entry = Entry.DOIT

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
                how = self.entry.pass_(name, "...")
                raise PublishError(
                    f"No {self.entry.name_of(name)} given: {how}, or set `{name}` in "
                    "[tool.web-assets] of pyproject.toml."
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
    source: Entry = Entry.DOIT,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, pyproject.toml, the `recorded` release's inputs and `given`, converting once.

    Relative input paths are taken from the project root; a caller that means the current folder
    (the script, `publish()`) makes them absolute first.
    """
    root, source = root.resolve(), Entry(source)
    from_file, given = _named(root, given, source)
    # The last release is remembered: a plain `doit` publishes it again, never other inputs.
    raw = {**DEFAULTS, **from_file, **(recorded or {}), **given}
    for name in OUTPUTS:
        if _unset(raw[name]):
            raise PublishError(f"Setting `{name}` is empty: name a path inside the project.")
    # A bad value is named as it was given: `--version` for the script's flag.
    values = {
        name: _convert(root, name, source.name_of(name) if name in given else name, raw[name])
        for name in CONVERTERS
    }
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
        entry=source,
        **values,
    )


def lock_file_setting(
    root: Path, given: Mapping[str, Any] | None = None, *, source: Entry = Entry.DOIT
) -> Path | None:
    """The lock file the settings name (None when unset): where the recorded release is read."""
    root = root.resolve()
    from_file, given = _named(root, given, source)
    value = {**DEFAULTS, **from_file, **given}["lock_file"]
    return None if _unset(value) else output_path(root, "lock_file", value)


def _named(
    root: Path, given: Mapping[str, Any] | None, source: Entry
) -> tuple[dict[str, Any], dict[str, Any]]:
    """pyproject.toml's settings and the given ones, once every name in them is known."""
    from_file = read_pyproject_settings(root)
    given = dict(given or {})
    for where, values in (("pyproject.toml [tool.web-assets]", from_file), (source, given)):
        unknown = sorted(set(values) - set(CONVERTERS))
        if unknown:
            near = [match for name in unknown for match in get_close_matches(name, CONVERTERS, 1)]
            hint = f"Did you mean {', '.join(map(repr, near))}? " if near else ""
            raise PublishError(
                f"Unknown setting {', '.join(map(repr, unknown))} in {where}. {hint}"
                f"Known settings: {', '.join(CONVERTERS)}."
            )
    return from_file, given


def _convert(root: Path, name: str, label: str, value: Any) -> Any:
    convert = CONVERTERS[name]
    if _unset(value):
        # An empty list setting (`financial_app_columns=`) is an empty list, not "unset".
        return () if convert in (names, metric_gates) else None
    return convert(root, label, value)


def _unset(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
