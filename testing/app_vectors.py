"""The feature vector the web app builds for a fixture (predict/feature-store.ts, dataset-store.ts),
as far as the test app server needs it."""

from __future__ import annotations

import csv
import math
from pathlib import Path

# The vector's keys the app always sets, and the four it derives when absent.
ALWAYS = ("attGap", "defGap", "xgGap", "xgDefGap", "pointsGap", "wageGap", "netSpendGap")
ALWAYS += ("valuationGap", "marketEdge", "volatility", "homeForm", "awayForm")
DERIVED = ("shot_vol_gap_avg5", "shot_suppress_gap_avg5", "log_shot_ratio_avg5", "shots_tempo_avg5")
KEYS = ("season", "home_team", "away_team")


def numbers(row: dict) -> dict:
    values = {}
    for key, text in row.items():
        try:
            value = float(text)
        except (TypeError, ValueError):
            continue
        if not math.isnan(value):
            values[key] = value
    return values


def synthetic(rows: list[dict], season: str, home: str, away: str) -> dict:
    """An upcoming match from team snapshots: side-prefixed columns of each team's latest game."""
    played = [r for r in rows if r["season"] == season]
    home_row = latest(played, home, "home_team_name", "away_team_name")
    away_row = latest(played, away, "away_team_name", "home_team_name")
    if home_row is None or away_row is None:
        raise ValueError(f"Fixture {home} vs {away} ({season}) not found.")
    values = {k: v for k, v in numbers(home_row).items() if k.startswith("home_")}
    values.update({k: v for k, v in numbers(away_row).items() if k.startswith("away_")})
    return values


def latest(rows: list[dict], team: str, side: str, other: str) -> dict | None:
    """The team's latest game on its side, else on the other (findTeamSnapshot's fallback)."""
    found = next((r for r in reversed(rows) if r[side] == team), None)
    return found or next((r for r in reversed(rows) if r[other] == team), None)


def financial(data: Path, key: tuple[str, str, str]) -> dict:
    path = data / "financial_dataset.csv"
    if not path.is_file():
        return {}
    wanted = tuple(part.strip().lower() for part in key)
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if tuple(row[k].strip().lower() for k in KEYS) == wanted:
                return {k: v for k, v in numbers(row).items() if k not in KEYS}
    return {}
