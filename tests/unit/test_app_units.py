"""Pure parts of the app check: escaping, the runtime table, a model's IR version and opsets."""

from __future__ import annotations

import onnx
from onnx import helper

from web_assets.modelcheck.onnxio import model_versions
from web_assets.modelcheck.ort_support import limits, unsupported
from web_assets.verify.app_http import printable


def model(path, ir: int, opset: int, ml: int | None = None):
    node = helper.make_node("Identity", ["input"], ["probabilities"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, [1, 3])],
    )
    opsets = [helper.make_opsetid("", opset)] + (
        [helper.make_opsetid("ai.onnx.ml", ml)] if ml else []
    )
    built = helper.make_model(graph, opset_imports=opsets)
    built.ir_version = ir
    path.write_bytes(built.SerializeToString())
    return path


def test_server_text_is_escaped_and_cut():
    assert printable("bad\x1b[31m\x00 text\nhere") == "bad\\x1b[31m\\x00 text here"
    assert len(printable("x" * 1000, 50)) == 50


def test_the_table_names_the_app_runtime_and_newer_runtimes_take_the_last_row():
    assert limits("1.23.2") == (11, 23, 5)
    assert limits("1.17.0") == (9, 20, 4)
    assert limits("1.40.0") == limits("1.23.0")


def test_a_model_reads_its_ir_version_and_opsets_per_domain(tmp_path):
    path = model(tmp_path / "m.onnx", 9, 17, ml=3)
    assert model_versions(path) == (9, {"ai.onnx": 17, "ai.onnx.ml": 3})
    assert unsupported("m", path, "1.23.2") is None


def test_a_model_newer_than_the_app_runtime_is_named_with_both_versions(tmp_path):
    path = model(tmp_path / "m.onnx", 10, 21, ml=5)
    line = unsupported("m", path, "1.17.0")
    assert line is not None
    assert "IR version 10 (at most 9)" in line and "ai.onnx opset 21 (at most 20)" in line
    assert "ai.onnx.ml opset 5 (at most 4)" in line and "1.17.0" in line
