"""The features the web app derives from the datasets, and which of a bundle's features it supplies.

The table maps each derived feature to the columns it needs. A need is a main-CSV column name, or
`financial:<name>` for a column of the financial CSV (merged by season, home and away team).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from web_assets.release.app_rules import FINANCIAL_COLUMNS

FINANCIAL = "financial:"
# The columns the app merges from financial_dataset.csv, in the app's order.
FINANCIAL_FEATURES: tuple[str, ...] = FINANCIAL_COLUMNS
SIDES = ("home", "away")
FORM_STATS = ("goals_for", "goals_against", "xg_for", "xg_against", "points")
SHOTS = ("home_shots_for", "away_shots_for")
ALWAYS_PRESENT = (
    "attGap",
    "defGap",
    "xgGap",
    "xgDefGap",
    "pointsGap",
    "wageGap",
    "netSpendGap",
    "valuationGap",
    "marketEdge",
    "volatility",
    "homeForm",
    "awayForm",
)


def _last5(stat: str) -> tuple[str, str]:
    return (f"home_{stat}_last_5", f"away_{stat}_last_5")


def _default_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {
        "prob_edge": ("forecast_home_win", "forecast_away_win"),
        "home_recent_games_frac": (),
        "away_recent_games_frac": (),
    }
    for side in SIDES:
        for stat in FORM_STATS:
            table[f"{side}_{stat}_avg5"] = (f"{side}_{stat}_last_5",)
    table["att_gap_avg5"] = _last5("goals_for")
    table["def_gap_avg5"] = _last5("goals_against")
    table["points_gap_avg5"] = _last5("points")
    table["xg_att_gap_avg5"] = _last5("xg_for")
    table["log_xg_ratio_avg5"] = _last5("xg_for")
    table["xg_def_gap_avg5"] = _last5("xg_against")
    for side in SIDES:
        for kind in ("for", "allowed"):
            for window in ("avg5", "avg3"):
                table[f"{side}_shots_{kind}_{window}"] = SHOTS
    for name in (
        "shot_vol_gap_avg5",
        "shot_suppress_gap_avg5",
        "log_shot_ratio_avg5",
        "shots_tempo_avg5",
    ):
        table[name] = SHOTS
    for name in FINANCIAL_FEATURES:
        table[name] = (FINANCIAL + name,)
    for name in ALWAYS_PRESENT:
        table[name] = ()
    return table


DERIVED: Mapping[str, tuple[str, ...]] = _default_table()


class Coverage(NamedTuple):
    """A bundle's features split into those the app supplies and those it fills with 0."""

    supplied: tuple[str, ...]
    missing: tuple[str, ...]


def derived_table(
    extra: dict[str, list[str]] | None = None, replace: bool = False
) -> dict[str, tuple[str, ...]]:
    """The table of derived features; `extra` (the setting `derived_features`) extends or replaces it."""
    table = {} if replace else dict(DERIVED)
    for name, needs in (extra or {}).items():
        table[name] = tuple(needs)
    return table


def coverage(
    feature_names: Iterable[str],
    main_columns: Iterable[str],
    financial_columns: Iterable[str],
    table: Mapping[str, tuple[str, ...]],
) -> Coverage:
    """Which features the app supplies, in feature order: CSV columns and fully supported derivations."""
    main = set(main_columns)
    available = main | {FINANCIAL + name for name in financial_columns}
    supplied, missing = [], []
    for name in feature_names:
        needs = table.get(name)
        if name in main or (needs is not None and available.issuperset(needs)):
            supplied.append(name)
        else:
            missing.append(name)
    return Coverage(tuple(supplied), tuple(missing))
