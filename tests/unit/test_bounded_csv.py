"""A CSV line too long for a row is refused while streaming: memory stays bounded."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from web_assets.errors import PublishError
from web_assets.modelcheck.fixtures import load_fixtures
from web_assets.release.checks import check_financial_keys
from web_assets.release.datasets import MAX_CSV_LINE

KEY = ("season", "home_team", "away_team")
GB = 1000 * 1000 * 1000


def with_huge_field(path: Path, header: bytes, rows: bytes) -> Path:
    """A CSV whose last line is one field of NUL bytes, 1 GB long: sparse, so no disk is used."""
    with path.open("wb") as out:
        out.write(header + rows)
        out.truncate(GB)
    return path


def peak_memory(work) -> tuple[BaseException, int]:
    """What `work` raised, and the most memory Python held for it at once."""
    tracemalloc.start()
    try:
        with pytest.raises(PublishError) as refused:
            work()
        return refused.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_financial_key_check_refuses_a_1_gb_field_holding_a_few_mb(tmp_path):
    main = tmp_path / "main.csv"
    main.write_text("season,home_team,away_team\n2024-2025,A,B\n")
    financial = with_huge_field(
        tmp_path / "financial.csv", b"season,home_team,away_team\n", b"2023-2024,C,D\n"
    )
    err, peak = peak_memory(lambda: check_financial_keys(main, KEY, financial, KEY))
    assert str(financial) in str(err) and "line 3 is longer than 1,048,576 characters" in str(err)
    assert peak < 8 * MAX_CSV_LINE


def test_the_model_check_fixtures_refuse_a_1_gb_field_holding_a_few_mb(tmp_path):
    main = with_huge_field(
        tmp_path / "main.csv", b"season,home_team_name,away_team_name\n", b"2024-2025,A,B\n2024-"
    )
    err, peak = peak_memory(lambda: load_fixtures(main, None))
    assert str(main) in str(err) and "line 3 is longer than" in str(err)
    assert "\n" not in str(err)
    assert peak < 8 * MAX_CSV_LINE


def test_a_line_at_the_limit_is_read(tmp_path):
    main = tmp_path / "main.csv"
    long_team = "x" * (MAX_CSV_LINE - len("2024-2025,A,\n"))
    main.write_text(f"season,home_team_name,away_team_name\n2024-2025,A,{long_team}\n")
    fixtures = load_fixtures(main, None)
    assert fixtures.keys[0].away == long_team
