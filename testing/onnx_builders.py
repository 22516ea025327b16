"""Real ONNX models that break in the web app's runtime in the ways exports do."""

from __future__ import annotations

import random
from pathlib import Path

import onnx
from onnx import TensorProto, helper

from testing.project import make_sample


def save(model, path: Path) -> Path:
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


def load(path: Path):
    return onnx.load(path)


def good(n_features: int, seed: int = 1):
    return make_sample.tree_ensemble(n_features, random.Random(seed))


def zipmap(n_features: int, seed: int = 1):
    """A tree classifier as onnxmltools exports it with zipmap on: probabilities as a sequence of maps."""
    model = good(n_features, seed)
    graph = model.graph
    graph.node[0].output[1] = "probability_tensor"
    graph.node.append(
        helper.make_node(
            "ZipMap",
            ["probability_tensor"],
            ["probabilities"],
            domain="ai.onnx.ml",
            classlabels_int64s=[0, 1, 2],
        )
    )
    maps = helper.make_sequence_type_proto(
        helper.make_map_type_proto(TensorProto.INT64, helper.make_tensor_type_proto(1, []))
    )
    del graph.output[1]
    graph.output.append(helper.make_value_info("probabilities", maps))
    return model


def _graph(n_features: int, nodes, constant: list[float], input_name: str = "input"):
    base = helper.make_tensor("base", TensorProto.FLOAT, [1, len(constant)], constant)
    graph = helper.make_graph(
        nodes,
        "probe",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, [1, n_features])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, len(constant)])],
        initializer=[base],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    return model


def constant(n_features: int, values: list[float], function: str = "Identity", name="input"):
    """probabilities = function(values + 0 * sum(input)): the input is read, the output fixed."""
    nodes = [
        helper.make_node("ReduceSum", [name], ["total"], keepdims=1),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["base", "nothing"], ["raw"]),
        helper.make_node(function, ["raw"], ["probabilities"]),
    ]
    model = _graph(n_features, nodes, values, name)
    model.graph.initializer.append(helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]))
    return model


def nan(n_features: int):
    """A model whose draw probability is the square root of -1: NaN on every fixture."""
    return constant(n_features, [0.5, -1.0, 0.25], "Sqrt")


def batched(model):
    """The same model taking any number of rows at once, as some exporters declare it."""
    for value in (*model.graph.input, *model.graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "N"
    return model


def sqrt_of_inputs(n_features: int):
    """probabilities = sqrt(first 3 features), any number of rows: NaN where a feature is negative."""
    nodes = [
        helper.make_node("Slice", ["input", "starts", "ends", "axes"], ["first"]),
        helper.make_node("Sqrt", ["first"], ["probabilities"]),
    ]
    graph = helper.make_graph(
        nodes,
        "sqrt",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", n_features])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3])],
        initializer=[
            helper.make_tensor(name, TensorProto.INT64, [1], [value])
            for name, value in (("starts", 0), ("ends", 3), ("axes", 1))
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    return model
