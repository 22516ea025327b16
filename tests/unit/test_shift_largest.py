"""The prediction shift names the fixtures a new model moves most, and keeps every point."""

from __future__ import annotations

import json

from web_assets.modelcheck.runtime import prediction_shift, shift_points
from web_assets.modelcheck.shift_points import write_shift_points

OLD = [[0.5, 0.3, 0.2]] * 7
NEW = [
    [0.5, 0.3, 0.2],  # unmoved
    [0.4, 0.3, 0.3],  # 0.2
    [0.1, 0.3, 0.6],  # 0.8, a new pick
    [0.4, 0.3, 0.3],  # 0.2, ties with the second: after it
    [0.3, 0.3, 0.4],  # 0.4, a new pick
    [0.45, 0.3, 0.25],  # 0.1
    [0.2, 0.5, 0.3],  # 0.6, a new pick
]
LABELS = [f"2024-2025 Home{i} v Away{i}" for i in range(7)]


def test_the_five_largest_moves_by_summed_change_ties_in_fixture_order():
    shift = prediction_shift(OLD, NEW, LABELS)
    assert [move["fixture"] for move in shift.largest] == [LABELS[i] for i in (2, 6, 4, 1, 3)]
    assert shift.largest[0] == {
        "fixture": LABELS[2],
        "old": [0.5, 0.3, 0.2],
        "new": [0.1, 0.3, 0.6],
    }
    assert shift.changed_picks == 3
    assert shift.record()["largest"] == list(shift.largest)


def test_without_labels_the_record_is_as_before():
    record = prediction_shift(OLD, NEW).record()
    assert "largest" not in record
    assert record["changed_picks"] == 3 and record["fixtures"] == 7


def test_every_point_goes_to_the_state_folder_in_its_shape(tmp_path):
    points = shift_points(LABELS, OLD, [[1 / 3, 1 / 3, 1 / 3]] * 7)
    path = write_shift_points(tmp_path, 8, {"b": points, "a": points})
    document = json.loads(path.read_text())
    assert path == tmp_path / ".web-assets/shift-points.json"
    assert list(document) == ["version", "models"] and document["version"] == 8
    assert list(document["models"]) == ["a", "b"]
    assert document["models"]["a"]["fixtures"] == LABELS
    assert document["models"]["a"]["old"][0] == [0.5, 0.3, 0.2]
    assert document["models"]["a"]["new"][0] == [0.333333, 0.333333, 0.333333]
