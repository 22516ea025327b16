"""Converters of the settings that govern the models' run before a publish (see modelcheck/check.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web_assets.config.converters import number_within
from web_assets.errors import PublishError
from web_assets.records.jsonio import parse_json


def whole_number(root: Path, name: str, value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        raise PublishError(
            f"Setting `{name}` must be a whole number such as 0 or 200, got {value!r}."
        )
    return int(text)


fraction = number_within(0, 1, "a probability change", "0.05")


def feature_table(root: Path, name: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Derived feature -> the columns it needs: a TOML table, or JSON on the command line.

    A need is a main-CSV column, or `financial:<column>` for a column of the financial CSV.
    """
    if isinstance(value, str):
        try:
            value = parse_json(value, f"`{name}`") if value.strip() else {}
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, dict) or not all(
        isinstance(needs, list | tuple) and all(isinstance(need, str) for need in needs)
        for needs in value.values()
    ):
        raise PublishError(
            f"Setting `{name}` must map each derived feature to the columns it needs, such as "
            f'{name} = {{ form_gap = ["home_points_last_5", "away_points_last_5"] }} in '
            f'pyproject.toml, or {name}=\'{{"form_gap": ["home_points_last_5"]}}\' on the '
            f"command line; got {value!r}."
        )
    return tuple((str(key), tuple(needs)) for key, needs in value.items())
