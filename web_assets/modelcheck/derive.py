"""How the web app's derived features are computed from the columns they need."""

from __future__ import annotations

from collections.abc import Callable

from web_assets.modelcheck.features import FINANCIAL, FORM_STATS, SIDES

# Keeps the log ratios finite when a side has no shots or no xG.
EPS = 1e-6


# A declarative table, one entry per derived feature with its few builders beside it, so it is
# longer than 50 lines by design: split, a formula would no longer sit next to its siblings.
def formulas() -> dict[str, Callable]:
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

    def constant(value):
        # `season` is a key column, always there: it gives an array as long as the fixtures.
        return lambda col: np.full_like(col("season"), value)

    shots = ("home_shots_for", "away_shots_for")
    formulas: dict[str, Callable] = {
        "prob_edge": diff("forecast_home_win", "forecast_away_win"),
        # The app counts a team's games this season; a full window is what the models saw most.
        "home_recent_games_frac": constant(1.0),
        "away_recent_games_frac": constant(1.0),
        "att_gap_avg5": gap("goals_for"),
        "def_gap_avg5": gap("goals_against"),
        "points_gap_avg5": gap("points"),
        "xg_att_gap_avg5": gap("xg_for"),
        "xg_def_gap_avg5": gap("xg_against"),
        "log_xg_ratio_avg5": log_ratio("home_xg_for_last_5", "away_xg_for_last_5"),
        "shot_vol_gap_avg5": diff(*shots),
        # Away's shots allowed minus home's: the same difference of shots for.
        "shot_suppress_gap_avg5": diff(*shots),
        "log_shot_ratio_avg5": log_ratio(*shots),
        "shots_tempo_avg5": lambda col: col(shots[0]) + col(shots[1]),
        "volatility": constant(0.0),
        # No financial column carries net spend: the app's value for it is not reproduced.
        "netSpendGap": constant(0.0),
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
        "valuationGap": "squad_value_diff",
    }.items():
        formulas[camel] = lambda col, n=name: col(FINANCIAL + n)
    return formulas
