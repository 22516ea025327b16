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
from web_assets.features import FINANCIAL, FORM_STATS, SIDES

MAIN_KEYS = ("season", "home_team_name", "away_team_name")
FINANCIAL_KEYS = ("season", "home_team", "away_team")
# Keeps the log ratios finite when a side has no shots or no xG.
EPS = 1e-6


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
            return read(csv.reader(stream))
    except UnicodeDecodeError as err:
        raise PublishError(f"{path} is not UTF-8 text ({err}): save the {what} as UTF-8.") from None
    except csv.Error as err:
        raise PublishError(
            f"{path} is not a readable CSV ({err}): export the {what} again."
        ) from None
    except OSError as err:
        raise PublishError(f"cannot read the {what} {path}: {err.strerror or err}.") from None


def load_fixtures(
    main_csv: Path,
    financial_csv: Path | None,
    limit: int = 200,
    *,
    main_keys: Sequence[str] = MAIN_KEYS,
    financial_keys: Sequence[str] = FINANCIAL_KEYS,
) -> Fixtures:
    """The last `limit` rows of the latest season in `main_csv`, streamed, with their financial rows."""

    def latest(reader):
        header = [name.strip() for name in next(reader, [])]
        season, home, away = _indexes(header, main_keys, main_csv, "main_columns")
        width = len(header)
        best = None
        # Only the latest season seen so far is kept, at most `limit` rows of it: memory stays flat.
        kept: deque[list[str]] = deque(maxlen=max(limit, 0))
        for row in reader:
            if not row or len(row) <= max(season, home, away):
                continue
            key = season_key(row[season].strip())
            if best is None or key[0] > best[0]:
                best = key
                kept.clear()
            if key[0] == best[0]:
                kept.append(row + [""] * (width - len(row)) if len(row) < width else row)
        return tuple(header), tuple(tuple(row[:width]) for row in kept), (season, home, away)

    columns, rows, (season, home, away) = _read(main_csv, "main dataset", latest)
    if not rows:
        raise PublishError(
            f"{main_csv} has no fixtures to run the models on: publish a dataset with rows."
        )
    keys = tuple(Fixture(row[season].strip(), row[home].strip(), row[away].strip()) for row in rows)
    financial_columns: tuple[str, ...] = ()
    financial: tuple[tuple[str, ...] | None, ...] = (None,) * len(rows)
    if financial_csv is not None:
        wanted = {_key(*key) for key in keys}

        def matching(reader):
            header = [name.strip() for name in next(reader, [])]
            indexes = _indexes(header, financial_keys, financial_csv, "financial_columns")
            found = {}
            for row in reader:
                if len(row) > max(indexes):
                    key = _key(*(row[index] for index in indexes))
                    if key in wanted:
                        found[key] = tuple(row) + ("",) * (len(header) - len(row))
            return tuple(header), found

        financial_columns, found = _read(financial_csv, "financial dataset", matching)
        financial = tuple(found.get(_key(*key)) for key in keys)
    return Fixtures(keys, columns, rows, financial_columns, financial)


def _number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


def _formulas() -> dict[str, Callable]:
    """How each derived feature is computed from its columns (`col` gives zeros for an absent one).

    The `_last_5` columns are taken as sums over the last five matches, so `_avg5` divides by 5.
    Shots: one side's shots allowed are the other side's shots for; the 3-match and 5-match
    averages both use the latest figure, which is all the main CSV holds.
    """
    import numpy as np

    def avg5(side, stat):
        return lambda col: col(f"{side}_{stat}_last_5") / 5.0

    def gap(stat):
        return lambda col: (col(f"home_{stat}_last_5") - col(f"away_{stat}_last_5")) / 5.0

    def log_ratio(home, away):
        return lambda col: np.log(
            (np.maximum(col(home), 0) + EPS) / (np.maximum(col(away), 0) + EPS)
        )

    def diff(home, away):
        return lambda col: col(home) - col(away)

    shots = ("home_shots_for", "away_shots_for")
    formulas: dict[str, Callable] = {
        "prob_edge": diff("forecast_home_win", "forecast_away_win"),
        # The app counts a team's games this season; a full window is what the models saw most.
        "home_recent_games_frac": lambda col: np.ones_like(col("season")),
        "away_recent_games_frac": lambda col: np.ones_like(col("season")),
        "att_gap_avg5": gap("goals_for"),
        "def_gap_avg5": gap("goals_against"),
        "points_gap_avg5": gap("points"),
        "xg_att_gap_avg5": gap("xg_for"),
        "xg_def_gap_avg5": gap("xg_against"),
        "log_xg_ratio_avg5": log_ratio("home_xg_for_last_5", "away_xg_for_last_5"),
        "shot_vol_gap_avg5": diff(*shots),
        "shot_suppress_gap_avg5": diff(*shots),
        "log_shot_ratio_avg5": log_ratio(*shots),
        "shots_tempo_avg5": lambda col: col(shots[0]) + col(shots[1]),
        "volatility": lambda col: np.zeros_like(col("season")),
    }
    for side, other in zip(SIDES, reversed(SIDES), strict=True):
        for stat in FORM_STATS:
            formulas[f"{side}_{stat}_avg5"] = avg5(side, stat)
        for window in ("avg5", "avg3"):
            formulas[f"{side}_shots_for_{window}"] = lambda col, s=side: col(f"{s}_shots_for")
            formulas[f"{side}_shots_allowed_{window}"] = lambda col, o=other: col(f"{o}_shots_for")
    for camel, name in {
        "attGap": "att_gap_avg5",
        "defGap": "def_gap_avg5",
        "xgGap": "xg_att_gap_avg5",
        "xgDefGap": "xg_def_gap_avg5",
        "pointsGap": "points_gap_avg5",
        "marketEdge": "prob_edge",
        "homeForm": "home_points_avg5",
        "awayForm": "away_points_avg5",
    }.items():
        formulas[camel] = formulas[name]
    for camel, name in {
        "wageGap": "wage_bill_diff",
        "netSpendGap": "net_spend_diff",
        "valuationGap": "squad_value_diff",
    }.items():
        formulas[camel] = lambda col, n=name: col(FINANCIAL + n)
    return formulas


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
                index = main[name]
                values[:] = [_number(row[index]) for row in fixtures.rows]
            cache[name] = values
        return cache[name]

    def present(need: str) -> bool:
        if need.startswith(FINANCIAL):
            return need[len(FINANCIAL) :] in financial
        return need in main

    formulas = _formulas()
    matrix = np.zeros((count, len(names)), dtype=np.float32)
    for position, name in enumerate(names):
        needs = table.get(name)
        if name in main:
            matrix[:, position] = col(name)
        elif needs is None or not all(present(need) for need in needs):
            continue
        elif name in formulas:
            matrix[:, position] = formulas[name](col)
        elif len(needs) == 1:
            matrix[:, position] = col(needs[0])
    return matrix
