"""Converters of the settings that govern the models' run before a publish (see modelcheck/check.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from web_assets.config.converters import number_within
from web_assets.errors import PublishError
from web_assets.records.jsonio import parse_json

SIZE = re.compile(r"(\d+)\s*(MiB|M|GiB|G)?", re.IGNORECASE)
# Below this, Python and ONNX Runtime alone do not fit in the child that runs the models.
SMALLEST_MEMORY = 256 << 20
LARGEST_MEMORY = 1 << 40


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


time_limit = number_within(0, 86400, "seconds", "60", above=True)


def memory_size(root: Path, name: str, value: Any) -> int:
    """Bytes, from MiB (a whole number, or `512MiB`) or GiB (`2GiB`); 256 MiB to 1024 GiB."""
    found = None if isinstance(value, bool) else SIZE.fullmatch(str(value).strip())
    size = 0
    if found:
        unit = (found.group(2) or "MiB")[0].upper()
        size = int(found.group(1)) << (30 if unit == "G" else 20)
    if not SMALLEST_MEMORY <= size <= LARGEST_MEMORY:
        raise PublishError(
            f"Setting `{name}` must be a memory size from 256MiB to 1024GiB such as 2GiB or 512MiB "
            f"(a whole number is MiB), got {value!r}."
        )
    return size
