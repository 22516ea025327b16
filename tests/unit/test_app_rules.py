"""The web app's own rules: model format, and ONNX tensors kept in files beside the model."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from testing.project import REPO
from web_assets.errors import PublishError
from web_assets.modelcheck.onnxio import onnx_io
from web_assets.release.app_rules import external_data, format_problems, missing_external_data


def test_a_model_entry_not_exactly_onnx_is_named_with_the_fix():
    manifest = {
        "models": [
            {"id": "performance_dense", "format": "onnx"},
            {"id": "market_gradient_boost"},
            {"id": "financial_lens", "format": "heuristic"},
            {"id": "shouting", "format": "ONNX"},
        ],
        "preprocessing": [{"id": "financial_lens", "format": "json"}],
    }
    problems = format_problems(manifest)
    assert [line.split(":")[0] for line in problems] == ["models/financial_lens", "models/shouting"]
    assert '"format" is "heuristic"' in problems[0]
    assert "silently answer with its heuristic" in problems[0]
    assert 'Set "format": "onnx"' in problems[0] and "remove the entry" in problems[0]
    assert format_problems({"models": manifest["models"][:2]}) == []


def dense_model() -> onnx.ModelProto:
    """y = relu(x @ W + b) + c, with W an initializer and c a Constant node's tensor."""
    rng = np.random.default_rng(7)
    weights = numpy_helper.from_array(rng.standard_normal((64, 32)).astype(np.float32), "W")
    bias = numpy_helper.from_array(rng.standard_normal(32).astype(np.float32), "b")
    shift = numpy_helper.from_array(np.full((1, 32), 0.5, np.float32), "c")
    offsets = numpy_helper.from_array(rng.standard_normal((64, 32)).astype(np.float32), "d")
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "b"], ["z"]),
            helper.make_node("Relu", ["z"], ["r"]),
            helper.make_node("Constant", [], ["c"], value=shift),
            helper.make_node("Constant", [], ["d"], value=offsets),
            helper.make_node("Add", ["r", "c"], ["y"]),
        ],
        "dense",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 32])],
        [weights, bias],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_tensors_saved_beside_the_model_are_found_and_the_model_runs(tmp_path):
    import onnxruntime

    model = tmp_path / "dense.onnx"
    onnx.save_model(dense_model(), model, save_as_external_data=True, location="dense.weights")
    assert external_data(model) == ["dense.weights"]
    assert missing_external_data(model) == []
    # The file really depends on it: it runs with the weights beside it.
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    assert session.run(None, {"x": np.ones((1, 64), np.float32)})[0].shape == (1, 32)
    assert [value.name for value in onnx_io(model)[0]] == ["x"]

    (tmp_path / "dense.weights").unlink()
    assert missing_external_data(model) == ["dense.weights"]


def test_one_file_per_tensor_lists_each_file_including_a_constant_nodes(tmp_path):
    model = tmp_path / "split" / "dense.onnx"
    model.parent.mkdir()
    onnx.save_model(
        dense_model(),
        model,
        save_as_external_data=True,
        all_tensors_to_one_file=False,
        convert_attribute=True,
    )
    # W is an initializer and d a Constant node's attribute; b and c are under the 1 KiB threshold.
    assert sorted(external_data(model)) == ["W", "d"]
    assert sorted(path.name for path in model.parent.iterdir()) == ["W", "d", "dense.onnx"]


def test_the_sample_models_keep_their_weights_inside():
    models = sorted((REPO / "artifacts/run_export").glob("*.onnx"))
    assert len(models) == 3
    assert [external_data(model) for model in models] == [[], [], []]


@pytest.mark.parametrize("location", ["../shared/dense.weights", "/srv/dense.weights", "C:\\w.bin"])
def test_a_location_outside_the_models_folder_is_refused(tmp_path, location):
    model = tmp_path / "dense.onnx"
    onnx.save_model(dense_model(), model, save_as_external_data=True, location="dense.weights")
    proto = onnx.load(model, load_external_data=False)
    for tensor in proto.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    onnx.save_model(proto, model)

    with pytest.raises(PublishError) as refused:
        external_data(model)
    message = str(refused.value)
    assert str(model) in message and repr(location) in message
    assert "relative to the model" in message and "\n" not in message


def test_a_damaged_model_is_a_publish_error(tmp_path):
    model = tmp_path / "dense.onnx"
    onnx.save_model(dense_model(), model, save_as_external_data=True, location="dense.weights")
    model.write_bytes(model.read_bytes()[:-7])
    with pytest.raises(PublishError, match="is not a readable ONNX model"):
        external_data(model)


def test_tensors_inside_a_subgraph_are_found(tmp_path):
    rng = np.random.default_rng(3)
    inner = numpy_helper.from_array(rng.standard_normal(512).astype(np.float32), "branch_w")
    branch = helper.make_graph(
        [helper.make_node("Add", ["x", "branch_w"], ["out"])],
        "then",
        [],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [512])],
        [inner],
    )
    graph = helper.make_graph(
        [helper.make_node("If", ["flag"], ["y"], then_branch=branch, else_branch=branch)],
        "conditional",
        [
            helper.make_tensor_value_info("flag", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [512]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [512])],
    )
    model = tmp_path / "conditional.onnx"
    onnx.save_model(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
        model,
        save_as_external_data=True,
        location="conditional.data",
    )
    stored = onnx.load(model, load_external_data=False).graph.node[0].attribute[0].g
    assert stored.initializer[0].data_location == TensorProto.EXTERNAL  # the premise: it went out
    assert external_data(model) == ["conditional.data"]
