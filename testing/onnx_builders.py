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


def endless_loop(n_features: int, trips: int = 10**12):
    """A valid model whose `Loop` passes the first 3 features through `trips` times: days of work."""
    carried = [
        helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 3])
        for name in ("carried_in", "carried_out")
    ]
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Identity", ["carried_in"], ["carried_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            carried[0],
        ],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []), carried[1]],
    )
    nodes = [
        helper.make_node("Slice", ["input", "starts", "ends", "axes"], ["first"]),
        helper.make_node("Loop", ["trips", "keep_going", "first"], ["probabilities"], body=body),
    ]
    model = _graph(n_features, nodes, [1.0, 1.0, 1.0])
    model.graph.initializer.extend(
        [
            helper.make_tensor("trips", TensorProto.INT64, [], [trips]),
            helper.make_tensor("keep_going", TensorProto.BOOL, [], [True]),
            *(
                helper.make_tensor(name, TensorProto.INT64, [1], [value])
                for name, value in (("starts", 0), ("ends", 3), ("axes", 1))
            ),
        ]
    )
    return model


def huge_constant(n_features: int, side: int = 35000):
    """A model of a few hundred bytes that fills a side x side float32 tensor (4.9 GB at 35000)."""
    nodes = [
        helper.make_node(
            "ConstantOfShape",
            ["shape"],
            ["square"],
            value=helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0]),
        ),
        helper.make_node("Slice", ["square", "starts", "ends"], ["corner"]),
        helper.make_node("ReduceSum", ["input"], ["total"], keepdims=1),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["corner", "nothing"], ["probabilities"]),
    ]
    model = _graph(n_features, nodes, [1.0, 1.0, 1.0])
    model.graph.initializer.extend(
        [
            helper.make_tensor("shape", TensorProto.INT64, [2], [side, side]),
            helper.make_tensor("starts", TensorProto.INT64, [2], [0, 0]),
            helper.make_tensor("ends", TensorProto.INT64, [2], [1, 3]),
            helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]),
        ]
    )
    return model
