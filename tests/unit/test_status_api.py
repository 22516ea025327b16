"""The status page's JSON answers: the release history's bound, metrics, and the shift points' shape."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

from testing.servers import serve_in_thread
from web_assets.history.log import PastRelease
from web_assets_doit.serve import make_server
from web_assets_doit.status_api import (
    MAX_POINTS,
    MAX_RELEASES,
    answer,
    release_count,
    release_metrics,
    shift_points,
)

POINTS = ".web-assets/shift-points.json"


@pytest.mark.parametrize(
    ("query", "count"),
    [("", 10), ("n=3", 3), ("n=1", 1), (f"n={MAX_RELEASES + 900}", MAX_RELEASES)],
)
def test_the_number_of_releases_is_ten_by_default_and_capped(query, count):
    assert release_count(query) == count


@pytest.mark.parametrize("given", ["0", "-2", "ten", "\u0663", "1e3", "2&n=x"])
def test_a_number_of_releases_that_is_not_a_count_is_a_400_in_one_line(tmp_path, given):
    status, body = answer(tmp_path, "/_status/history", f"n={given}")
    assert status == 400
    assert json.loads(body)["error"].endswith("say how many releases to list, 1 to 50")


def release(lock: dict | None, manifest: dict) -> PastRelease:
    fields = dict.fromkeys(("version", "run_id", "trained_at", "commit", "date", "subject"), "")
    return PastRelease(**fields, has_lock=lock is not None, files={}, manifest=manifest, lock=lock)


def test_metrics_come_from_the_lock_file_first_and_only_numbers_are_kept():
    lock = {
        "files": [
            {"kind": "model", "id": "a", "metrics": {"log_loss": 0.98, "note": "x", "ok": True}},
            {"kind": "preprocessing", "id": "b", "metrics": {"log_loss": 5}},
        ]
    }
    manifest = {
        "metrics": {"a": {"log_loss": 9.0}, "b": {"accuracy": 0.5, "bad": float("nan")}},
        "models": [{"id": "c", "metrics": {"accuracy": 0.4}}],
    }
    assert release_metrics(release(lock, manifest)) == {
        "a": {"log_loss": 0.98},
        "b": {"accuracy": 0.5},
        "c": {"accuracy": 0.4},
    }
    assert release_metrics(release(None, {"metrics": {"accuracy": 0.5}})) == {}


def write_points(root, document) -> None:
    (root / ".web-assets").mkdir(exist_ok=True)
    (root / POINTS).write_text(json.dumps(document))


def good(fixtures: int = 2) -> dict:
    return {
        "fixtures": ["x v y"] * fixtures,
        "old": [[0.5, 0.3, 0.2]] * fixtures,
        "new": [[0.2, 0.3, 0.5]] * fixtures,
    }


def test_points_of_the_right_shape_are_answered_with_their_version_as_text(tmp_path):
    write_points(tmp_path, {"version": 8, "models": {"m2": good(), "m1": good(1)}})
    found = shift_points(tmp_path)
    assert (found["version"], found["problem"]) == ("8", None)
    assert list(found["models"]) == ["m1", "m2"]
    assert found["models"]["m2"] == good()


def test_no_points_file_is_no_version_and_no_problem(tmp_path):
    assert shift_points(tmp_path) == {
        "file": POINTS,
        "version": None,
        "models": {},
        "problem": None,
    }


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ([], "is not a JSON object"),
        ({"version": True, "models": {}}, 'has no "version"'),
        ({"version": 8}, 'has no "models" object'),
        (
            {"version": 8, "models": {"m": {"fixtures": [1], "old": [], "new": []}}},
            '"fixtures" list',
        ),
        ({"version": 8, "models": {"m": {**good(), "old": [[0.5, 0.5]] * 2}}}, '["old"] is not'),
        (
            {"version": 8, "models": {"m": {**good(), "new": [[0.5, 0.5, 0.0]]}}},
            '"new" list, one per',
        ),
        ({"version": 8, "models": {"m": good(MAX_POINTS + 1)}}, "over the 20,000 a page draws"),
    ],
)
def test_points_of_another_shape_are_a_problem_naming_the_file(tmp_path, document, said):
    write_points(tmp_path, document)
    found = shift_points(tmp_path)
    assert found["version"] is None and found["models"] == {}
    assert found["problem"].startswith(f"{POINTS} ") and said in found["problem"]


def test_a_fifo_or_broken_json_as_the_points_file_is_a_problem_not_a_hang(tmp_path):
    (tmp_path / ".web-assets").mkdir()
    os.mkfifo(tmp_path / POINTS)
    assert "is not a regular file" in shift_points(tmp_path)["problem"]
    (tmp_path / POINTS).unlink()
    (tmp_path / POINTS).write_text('{"version": 8, "models": ')
    assert shift_points(tmp_path)["problem"].startswith(f"{POINTS} cannot be read: ")


def fetch(url: str, host: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read()


def test_the_server_answers_the_history_to_its_own_address_only(project):
    for url in serve_in_thread(make_server(project)):
        status, body = fetch(f"{url}/_status/history?n=5")
        foreign, _ = fetch(f"{url}/_status/history", host="rebound.example:80")
        shift, points = fetch(f"{url}/_status/shift")
    assert status == 200 and foreign == 403 and shift == 200
    history = json.loads(body)
    assert [row["version"] for row in history["releases"]] == ["7"]
    assert history["releases"][0]["changes"].startswith("first release")
    assert json.loads(points)["version"] is None


def test_a_folder_without_git_has_no_history_in_one_line(tmp_path):
    status, body = answer(tmp_path, "/_status/history", "")
    history = json.loads(body)
    assert status == 200 and history["releases"] == []
    assert "is not in a git work tree" in history["error"] and "\n" not in history["error"]
