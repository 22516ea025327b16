"""Metrics a run states that no float holds: refused in one line naming the file, no traceback."""

from __future__ import annotations

import pytest

from web_assets.errors import PublishError
from web_assets.release.metrics import read_metrics


@pytest.mark.parametrize("number", ["1" + "0" * 400, "-" + "9" * 320, "NaN", "Infinity", "1e999"])
def test_a_metric_no_float_holds_is_one_line_naming_the_file(tmp_path, number):
    (tmp_path / "metrics.json").write_text(f'{{"dense": {{"log_loss": 0.9, "n": {number}}}}}')
    with pytest.raises(PublishError, match=r"metrics\.json: n is .*not a finite number"):
        read_metrics(tmp_path, ["dense"])
