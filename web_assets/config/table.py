"""Every setting, declared once: its default and the converter that types it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web_assets.config.app import (
    env_name,
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
    run_id,
    text,
    timestamp,
    uri_template,
)
from web_assets.config.metric_gate import metric_gates
from web_assets.config.modelcheck import (
    feature_table,
    fraction,
    memory_size,
    time_limit,
    whole_number,
)
from web_assets.config.notify import notify_seconds, webhook_env
from web_assets.config.storage import (
    DEFAULT_PREFIX,
    checksums,
    http_url,
    prefix,
    storage,
)
from web_assets.release.app_rules import FINANCIAL_COLUMNS

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
    # The run's metrics against the live release's (web_assets/release/metrics.py).
    "max_metric_regression": ((), metric_gates),
    # A Markdown report of the release, for a pull request (web_assets/report/).
    "report": (None, input_path),
    # Each model's run, in a child process: a model past either is refused (modelcheck/bounded.py).
    "model_time_limit": (60.0, time_limit),
    "model_memory_limit": ("2GiB", memory_size),
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
    # Seconds one request may wait for the store's answer; two attempts, so a hung store fails
    # in about twice this.
    "s3_timeout": (20, positive_int),
    # `doit verify app=true`: ask the web app at app_url (web_assets/verify/app.py).
    "app": (False, boolean),
    "app_url": (None, http_url),
    "app_token_env": ("RELOAD_TOKEN", env_name),
    "app_wait": (600, seconds),
    "app_fixtures": ([], names),
    "app_parity_tolerance": (1e-4, tolerance),
    # Unset: the onnxruntime-node of web/package-lock.json (web_assets/modelcheck/ort_support.py).
    "app_onnxruntime": (None, runtime_version),
    # Pull-request mode (web_assets/git/pr.py): the release's commits on web-assets/v{version}.
    "pr": (False, boolean),
    # After a push, one POST to the webhook whose URL is in this variable (web_assets/notify/).
    "notify_url_env": (None, webhook_env),
    "notify_timeout": (5, notify_seconds),
}
DEFAULTS = {name: default for name, (default, _) in TABLE.items()}
CONVERTERS = {name: convert for name, (_, convert) in TABLE.items()}
