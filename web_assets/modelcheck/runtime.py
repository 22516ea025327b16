"""Run a model in ONNX Runtime as the web app does, and measure how much a new model moves predictions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.errors import PublishError
from web_assets.modelcheck.fixtures import Fixture, Fixtures

OUTCOMES = ("home", "draw", "away")
# How many of the fixtures a new model moves most the lock file and the report name.
LARGEST = 5
ZIPMAP = (
    "it outputs a sequence of maps (ZipMap), which the app's ONNX Runtime cannot read: "
    "export it again with zipmap=False so it outputs a tensor of probabilities"
)


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _fail(model_id: str, model: Path, fixture: Fixture | None, reason: str) -> PublishError:
    where = f"on fixture {fixture}" if fixture is not None else "when loading"
    return PublishError(f"model {model_id} ({model}) fails in ONNX Runtime {where}: {reason}")


def _session(model_id: str, model: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    # One fixture is a few microseconds of work: a thread pool only adds start-up time.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
    except Exception as err:  # onnxruntime's errors share no base class but Exception
        raise _fail(model_id, model, None, f"{_one_line(err)}; export it again") from None
    inputs = session.get_inputs()
    if [arg.name for arg in inputs] != ["input"]:
        names = ", ".join(f"{arg.name} {arg.type} {arg.shape}" for arg in inputs)
        raise _fail(
            model_id,
            model,
            None,
            f"the app feeds one input named 'input' (float32 [1, n]) but it takes {names}; "
            "export it with that input",
        )
    return session


def _probabilities(outputs, values) -> tuple[object | None, str | None]:
    """The output the app reads: a tensor of 3 values per row, preferring one named like 'prob'."""
    import numpy as np

    for arg, value in zip(outputs, values, strict=True):
        if not isinstance(value, np.ndarray):
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return None, ZIPMAP
            return None, f"its output {arg.name} is a {arg.type}, not a tensor the app can read"
    for index in sorted(range(len(outputs)), key=lambda i: "prob" not in outputs[i].name.lower()):
        value = values[index]
        if value.ndim and value.shape[-1] == 3 and np.issubdtype(value.dtype, np.floating):
            return value.reshape(-1, 3), None
    described = ", ".join(f"{arg.name} {arg.type} {arg.shape}" for arg in outputs)
    return (
        None,
        f"no output is a tensor of 3 probabilities (home, draw, away); outputs: {described}",
    )


def _first_bad(rows) -> tuple[int, str] | None:
    """The first row the app cannot use, and why."""
    import numpy as np

    finite = np.isfinite(rows).all(axis=1)
    negative = (rows < 0).any(axis=1)
    bad = ~finite | negative | ~(rows.sum(axis=1) > 0)
    if not bad.any():
        return None
    index = int(bad.argmax())
    row = rows[index].tolist()
    if not finite[index]:
        return index, f"probabilities {row} are not all finite"
    if negative[index]:
        return index, f"probabilities {row} include a negative value"
    return index, f"probabilities {row} do not sum to a positive number"


def _batchable(session, count: int) -> bool:
    first = session.get_inputs()[0].shape
    return bool(first) and (not isinstance(first[0], int) or first[0] == count)


def run_model(model_id: str, model: Path, matrix, fixtures: Fixtures):
    """Each fixture's (home, draw, away) probabilities, normalized by their sum: float64 [k, 3].

    Raises PublishError naming the model, the fixture and the runtime's error when the model
    does not load, does not run, or does not return 3 finite non-negative values with a positive sum.
    """
    import numpy as np

    session = _session(model_id, model)
    outputs = session.get_outputs()
    data = np.ascontiguousarray(matrix, dtype=np.float32)
    count = data.shape[0]
    results = None
    if count > 1 and _batchable(session, count):
        try:
            rows, _ = _probabilities(outputs, session.run(None, {"input": data}))
        except Exception:  # rerun one at a time below, to name the fixture that fails
            rows = None
        if rows is not None and rows.shape[0] == count:
            results = rows.astype(np.float64)
    if results is None:
        results = np.zeros((count, 3))
        for index in range(count):
            fixture = fixtures.keys[index]
            try:
                values = session.run(None, {"input": data[index : index + 1]})
            except Exception as err:
                raise _fail(model_id, model, fixture, _one_line(err)) from None
            rows, reason = _probabilities(outputs, values)
            if rows is not None and rows.shape[0] != 1:
                reason = f"it returns {rows.shape[0]} rows of probabilities for one fixture"
            if reason:
                raise _fail(model_id, model, fixture, reason)
            results[index] = rows[0]
    bad = _first_bad(results)
    if bad is not None:
        raise _fail(model_id, model, fixtures.keys[bad[0]], bad[1])
    return results / results.sum(axis=1, keepdims=True)


class Shift(NamedTuple):
    """How much a new model moves the predictions of the model it replaces, on the same fixtures."""

    mean_abs: tuple[float, float, float]
    changed_picks: int
    fixtures: int
    # The fixtures moved most: {"fixture": LABEL, "old": [h, d, a], "new": [h, d, a]}, rounded.
    largest: tuple[dict[str, Any], ...] = ()

    @property
    def mean(self) -> float:
        return sum(self.mean_abs) / 3

    def line(self, model_id: str) -> str:
        return (
            f"{model_id}: mean |dp| {self.mean:.3f}; {self.changed_picks} of {self.fixtures} "
            "fixtures change their pick"
        )

    def record(self) -> dict:
        """For the lock file: JSON numbers rounded to 6 digits, so equal runs write equal bytes."""
        return {
            "mean_abs_dp": round(self.mean, 6),
            "mean_abs_dp_by_outcome": {
                outcome: round(value, 6)
                for outcome, value in zip(OUTCOMES, self.mean_abs, strict=True)
            },
            "changed_picks": self.changed_picks,
            "fixtures": self.fixtures,
            **({"largest": list(self.largest)} if self.largest else {}),
        }


def prediction_shift(old, new, fixtures: Sequence[str] = ()) -> Shift:
    """Mean |new - old| per outcome, how many fixtures change their most likely outcome, and,
    given the fixtures' labels, the LARGEST moves (by sum |dp|; ties in fixture order)."""
    import numpy as np

    old, new = np.asarray(old, dtype=np.float64), np.asarray(new, dtype=np.float64)
    if old.shape != new.shape or old.ndim != 2 or old.shape[1] != 3:
        raise ValueError(f"shift needs two [k, 3] arrays, got {old.shape} and {new.shape}")
    if not len(old):
        return Shift((0.0, 0.0, 0.0), 0, 0)
    moved = np.abs(new - old)
    changed = int(np.count_nonzero(old.argmax(axis=1) != new.argmax(axis=1)))
    largest: tuple[dict[str, Any], ...] = ()
    if len(fixtures) == len(old):
        order = np.argsort(-moved.sum(axis=1), kind="stable")[:LARGEST]
        largest = tuple(
            {"fixture": str(fixtures[i]), "old": rounded(old[i]), "new": rounded(new[i])}
            for i in order.tolist()
        )
    mean_abs = moved.mean(axis=0)
    return Shift(tuple(float(value) for value in mean_abs), changed, len(old), largest)


def rounded(row) -> list[float]:
    """Probabilities as the lock file and the state folder hold them: 6 digits, equal bytes."""
    return [round(float(value), 6) for value in row]


def shift_points(fixtures: Sequence[str], old, new) -> dict[str, list]:
    """Every fixture's old and new (home, draw, away), for the status page's plot."""
    return {
        "fixtures": [str(label) for label in fixtures],
        "old": [rounded(row) for row in old],
        "new": [rounded(row) for row in new],
    }
