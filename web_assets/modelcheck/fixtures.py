"""Feature vectors built from real rows: the latest season's fixtures, as the web app sees them."""

from __future__ import annotations

import csv
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from web_assets.errors import PublishError
from web_assets.files.hashing import TextProblem
from web_assets.modelcheck.derive import formulas
from web_assets.modelcheck.features import FINANCIAL
from web_assets.release.checks import where_unreadable
from web_assets.release.datasets import bounded_lines, leading_fields

MAIN_KEYS = ("season", "home_team_name", "away_team_name")
FINANCIAL_KEYS = ("season", "home_team", "away_team")


class Fixture(NamedTuple):
    """A fixture's key as the main CSV spells it, for messages."""

    season: str
    home: str
    away: str

    def __str__(self) -> str:
        return f"{self.season} {self.home} v {self.away}"


class Fixtures(NamedTuple):
    """The rows of up to `limit` fixtures, with the financial row merged into each when there is one."""

    keys: tuple[Fixture, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    financial_columns: tuple[str, ...]
    financial: tuple[tuple[str, ...] | None, ...]


def season_key(season: str) -> tuple[tuple[int, ...], str]:
    """Order seasons by their numbers, so "2024-2025", "2024/2025" and "2024/25" all sort right."""
    return tuple(int(number) for number in re.findall(r"\d+", season)), season


def _key(season: str, home: str, away: str) -> tuple[str, str, str]:
    # The app matches the financial rows on trimmed, lower-cased names.
    return season.strip().lower(), home.strip().lower(), away.strip().lower()


def _indexes(header: Sequence[str], names: Sequence[str], path: Path, setting: str) -> list[int]:
    absent = [name for name in names if name not in header]
    if absent:
        raise PublishError(
            f"{path} has no column {', '.join(absent)}: add it, or name the key columns in {setting}."
        )
    return [header.index(name) for name in names]


def _read(path: Path, what: str, read: Callable):
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return read(bounded_lines(stream, path))
    except UnicodeDecodeError as err:
        # The same words, byte and line as the copy's own check gives.
        raise PublishError(f"{path} {where_unreadable(path, err)}: {TextProblem.remedy}.") from None
    except csv.Error as err:
        raise PublishError(
            f"{path} is not a readable CSV ({err}): export the {what} again."
        ) from None
    except OSError as err:
        raise PublishError(f"cannot read the {what} {path}: {err.strerror or err}.") from None


def _fields(record: str | list[str], width: int) -> tuple[str, ...]:
    row = record.rstrip("\r\n").split(",") if isinstance(record, str) else record
    return tuple(row[:width]) + ("",) * (width - len(row))


def load_fixtures(
    main_csv: Path,
    financial_csv: Path | None,
    limit: int = 200,
    *,
    main_keys: Sequence[str] = MAIN_KEYS,
    financial_keys: Sequence[str] = FINANCIAL_KEYS,
) -> Fixtures:
    """The last `limit` rows of the latest season in `main_csv`, streamed, with their financial rows."""
    columns, rows, (season, home, away) = _read(
        main_csv,
        "main dataset",
        lambda stream: _latest_season(stream, main_csv, main_keys, limit),
    )
    if not rows:
        raise PublishError(
            f"{main_csv} has no fixtures to run the models on: publish a dataset with rows."
        )
    keys = tuple(Fixture(row[season].strip(), row[home].strip(), row[away].strip()) for row in rows)
    financial_columns: tuple[str, ...] = ()
    financial: tuple[tuple[str, ...] | None, ...] = (None,) * len(rows)
    if financial_csv is not None:
        wanted = {_key(*key) for key in keys}
        financial_columns, found = _read(
            financial_csv,
            "financial dataset",
            lambda stream: _matching_rows(stream, financial_csv, financial_keys, wanted),
        )
        financial = tuple(found.get(_key(*key)) for key in keys)
    return Fixtures(keys, columns, rows, financial_columns, financial)


def _latest_season(stream: Iterable[str], path: Path, names: Sequence[str], limit: int):
    """The header, the last `limit` rows of the latest season, and the key columns' indexes."""
    lines = iter(stream)
    header = [name.strip() for name in next(csv.reader(lines), [])]
    season, home, away = _indexes(header, names, path, "main_columns")
    last = max(season, home, away)
    keys: dict[str, tuple[int, ...]] = {}
    best = None
    # Only the latest season seen so far is kept, at most `limit` rows of it: memory stays flat.
    kept: deque[str | list[str]] = deque(maxlen=max(limit, 0))
    for row, record in leading_fields(lines, last + 1):
        if len(row) <= last:
            continue
        name = row[season]
        key = keys.get(name)
        if key is None:
            key = keys[name] = season_key(name.strip())[0]
        if best is None or key > best:
            best = key
            kept.clear()
        if key == best:
            kept.append(record)
    width = len(header)
    return tuple(header), tuple(_fields(record, width) for record in kept), (season, home, away)


def _matching_rows(stream: Iterable[str], path: Path, names: Sequence[str], wanted: set):
    """The financial CSV's header, and its rows whose key is `wanted`, by key."""
    lines = iter(stream)
    header = [name.strip() for name in next(csv.reader(lines), [])]
    indexes = _indexes(header, names, path, "financial_columns")
    found = {}
    for row, record in leading_fields(lines, max(indexes) + 1):
        if len(row) > max(indexes):
            key = _key(*(row[index] for index in indexes))
            if key in wanted:
                found[key] = _fields(record, len(header))
    return tuple(header), found


def _numbers(cells: Sequence[str]):
    """A column as float64, 0 where a cell is not a finite number (the app's fill)."""
    import numpy as np

    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        values = np.array([_number(cell) for cell in cells], dtype=np.float64)
    values[~np.isfinite(values)] = 0.0
    return values


def _number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


def feature_matrix(
    fixtures: Fixtures, feature_names: Iterable[str], table: Mapping[str, tuple[str, ...]]
):
    """float32 [fixtures, features]: CSV columns as numbers, derived features, financial columns.

    A feature the app cannot supply, or whose columns are absent, is 0, as the app fills it. A
    derived feature with no known formula takes the value of its column when it needs exactly one.
    """
    import numpy as np

    names = list(feature_names)
    main = {name: index for index, name in enumerate(fixtures.columns)}
    financial = {name: index for index, name in enumerate(fixtures.financial_columns)}
    count = len(fixtures.rows)
    cells = list(zip(*fixtures.rows, strict=True))
    cache: dict[str, np.ndarray] = {}

    def col(name: str) -> np.ndarray:
        if name not in cache:
            values = np.zeros(count)
            if name.startswith(FINANCIAL) and name[len(FINANCIAL) :] in financial:
                index = financial[name[len(FINANCIAL) :]]
                for row, merged in enumerate(fixtures.financial):
                    if merged is not None:
                        values[row] = _number(merged[index])
            elif name in main:
                values = _numbers(cells[main[name]])
            cache[name] = values
        return cache[name]

    def present(need: str) -> bool:
        if need.startswith(FINANCIAL):
            return need[len(FINANCIAL) :] in financial
        return need in main

    known = formulas()
    matrix = np.zeros((count, len(names)), dtype=np.float32)
    for position, name in enumerate(names):
        needs = table.get(name)
        if name in main:
            matrix[:, position] = col(name)
        elif needs is None or not all(present(need) for need in needs):
            continue
        elif name in known:
            matrix[:, position] = known[name](col)
        elif len(needs) == 1:
            matrix[:, position] = col(needs[0])
    return matrix
