"""A publish reads nothing through a symlink that leaves the run folder (issue 20, item 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError
from web_assets.release.models import plan_export
from web_assets.release.run_files import with_extras

SAMPLE = Path(__file__).resolve().parents[2] / "artifacts" / "run_export"
TEMPLATE = "https://assets.example.invalid/{filename}"


def external_model(path: Path, location: str) -> None:
    """A model `y = x + W` whose W is kept in `location`, beside the model."""
    weights = numpy_helper.from_array(np.arange(3, dtype=np.float32), "W")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "W"], ["y"])],
        "add",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save_model(model, path, save_as_external_data=True, location=location, size_threshold=0)


@pytest.fixture
def layout(tmp_path):
    """A project folder, a run folder beside it holding the sample, and a secret elsewhere."""
    root, run = tmp_path / "project", tmp_path / "run"
    root.mkdir()
    shutil.copytree(SAMPLE, run)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "token.json").write_text('{"token": "do not publish"}')
    settings = resolve_settings(root, {"run_dir": str(run), "uri_template": TEMPLATE}, environ={})
    return settings, run, secret


def gather(settings):
    return with_extras(settings, plan_export(settings))


def test_a_json_symlink_leaving_the_run_is_refused_and_named(layout):
    settings, run, secret = layout
    (run / "metrics.json").symlink_to(secret / "token.json")
    with pytest.raises(PublishError, match=r"metrics\.json is a symlink .* outside the run") as err:
        gather(settings)
    assert "\n" not in str(err.value)


def test_an_external_data_symlink_leaving_the_run_is_refused(layout):
    settings, run, secret = layout
    external_model(secret / "held.onnx", "weights.data")  # writes secret/weights.data
    external_model(run / "dense_ext.onnx", "weights.data")
    (run / "weights.data").unlink()
    (run / "weights.data").symlink_to(secret / "weights.data")
    with pytest.raises(PublishError, match=r"weights\.data is a symlink .* outside the run"):
        gather(settings)


def test_external_data_in_a_symlinked_subfolder_leaving_the_run_is_refused(layout):
    settings, run, secret = layout
    (run / "sub").mkdir()
    external_model(run / "dense_ext.onnx", "sub/x.data")
    shutil.move(run / "sub" / "x.data", secret / "x.data")
    (run / "sub").rmdir()
    (run / "sub").symlink_to(secret)
    with pytest.raises(PublishError, match=r"sub/x\.data is a symlink .* outside the run"):
        gather(settings)


def test_a_model_symlink_leaving_the_run_is_refused(layout):
    settings, run, secret = layout
    shutil.copy(run / "financial_lens.onnx", secret / "other.onnx")
    (run / "other.onnx").symlink_to(secret / "other.onnx")
    with pytest.raises(PublishError, match=r"other\.onnx is a symlink"):
        gather(settings)


def test_a_symlink_that_stays_inside_the_run_is_the_runs_own_file(layout):
    settings, run, _ = layout
    (run / "metrics.json").write_text("{}")
    (run / "notes").mkdir()
    (run / "notes" / "summary.json").write_text("{}")
    (run / "summary.json").symlink_to(run / "notes" / "summary.json")
    plan, extras = gather(settings)
    assert {extra.path.name for extra in extras} == {"metrics.json", "summary.json"}
    assert len(plan.models) == 3
