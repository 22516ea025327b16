"""A gate on a metric no model states, in the run or the live release: a typo, refused."""

from __future__ import annotations

import pytest

from web_assets.config.metric_gate import metric_gates
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.release.metrics import refuse_regression

LIVE = {"performance_dense": {"log_loss": 0.90}}
WORSE = {"performance_dense": {"log_loss": 1.50}}


def test_a_gate_on_a_metric_nobody_states_is_refused_naming_those_stated(tmp_path):
    gates = metric_gates(tmp_path, "--max-metric-regression", "logloss:0.05")
    with pytest.raises(PublishError) as caught:
        refuse_regression(gates, LIVE, WORSE, Entry.FLAGS)
    said = str(caught.value)
    assert "`--max-metric-regression logloss:0.05`" in said
    assert "no model states logloss" in said and "log_loss" in said
    assert "\n" not in said


def test_a_metric_one_side_lacks_is_not_compared(tmp_path):
    gates = metric_gates(tmp_path, "max_metric_regression", "log_loss:0.05")
    refuse_regression(gates, {}, WORSE)  # the first release with metrics
    refuse_regression(gates, LIVE, {"performance_dense": {"accuracy": 0.5}})
    refuse_regression(gates, {}, {})  # a run without metrics
