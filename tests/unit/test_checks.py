"""Will the web app use what we publish? Each way it would silently fall back is an error here."""

from __future__ import annotations

import json
import os
import random
import re
import tracemalloc

import pytest
from onnx import TensorProto, helper

from testing.project import EXPORT, make_sample
from web_assets.errors import PublishError
from web_assets.release.checks import check_financial_keys, check_models, onnx_io


def model_file(tmp_path, name="m", *, width=4, input_name="input", probabilities=True, weights=0):
    """A classifier like the real exports, with the given deviations."""
    outputs = [helper.make_tensor_value_info("label", TensorProto.INT64, [1])]
    if probabilities:
        outputs.append(helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3]))
    else:  # what onnxmltools gives with ZipMap: a sequence of maps, no tensor
        outputs.append(
            helper.make_value_info(
                "output_probability",
                helper.make_sequence_type_proto(
                    helper.make_map_type_proto(
                        TensorProto.INT64, helper.make_tensor_type_proto(1, [])
                    )
                ),
            )
        )
    initializers = []
    if weights:
        initializers.append(
            helper.make_tensor(
                "weights", TensorProto.UINT8, [weights], os.urandom(weights), raw=True
            )
        )
    node = helper.make_node("Identity", [input_name], ["label"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, [1, width])],
        outputs,
        initializer=initializers,
    )
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(helper.make_model(graph).SerializeToString())
    bundle = tmp_path / f"{name}_preprocessing.json"
    bundle.write_text(json.dumps({"feature_names": [f"f{i}" for i in range(4)]}))
    return path, bundle


def test_the_sample_models_are_what_the_web_app_loads():
    from testing.project import REPO

    inputs, outputs = onnx_io(REPO / EXPORT / "performance_dense.onnx")
    assert [info.name for info in inputs] == ["input"]
    assert inputs[0].dims == (1, 24) and inputs[0].elem_type == 1  # float32
    assert [info.name for info in outputs] == ["label", "probabilities"]


def test_a_good_model_passes(tmp_path):
    path, bundle = model_file(tmp_path)
    check_models([("m", path, bundle)])


@pytest.mark.parametrize(
    ("deviation", "message"),
    [
        ({"input_name": "float_input"}, "feeds one named 'input'"),
        ({"width": 5}, "takes 5 features but m_preprocessing.json lists 4"),
        ({"probabilities": False}, "no output named like 'probabilities' with 3 values"),
    ],
)
def test_a_model_the_web_app_would_skip_is_refused(tmp_path, deviation, message):
    path, bundle = model_file(tmp_path, **deviation)
    with pytest.raises(PublishError, match=message):
        check_models([("m", path, bundle)])


def test_a_model_without_bundle_is_refused(tmp_path):
    path, _ = model_file(tmp_path)
    with pytest.raises(
        PublishError, match=re.escape("has no preprocessing bundle m_preprocessing.json")
    ):
        check_models([("m", path, None)])


@pytest.mark.parametrize("content", [b"", b"not a model at all", os.urandom(2048)])
def test_a_file_that_is_not_onnx_is_refused(tmp_path, content):
    path = tmp_path / "broken.onnx"
    path.write_bytes(content)
    with pytest.raises(PublishError, match="ONNX model"):
        onnx_io(path)


def test_reading_the_signature_skips_the_weights(tmp_path):
    path, _ = model_file(tmp_path, weights=32 << 20)
    tracemalloc.start()
    inputs, outputs = onnx_io(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [info.name for info in inputs] == ["input"] and len(outputs) == 2
    assert peak < 1 << 20


def csv_file(path, header, rows):
    path.write_text("\n".join([",".join(header), *(",".join(row) for row in rows)]) + "\n")
    return path


def test_financial_keys_must_meet_the_main_dataset(tmp_path):
    main = csv_file(
        tmp_path / "main.csv", ["season", "home_team_name", "away_team_name"], [["2024", "A", "B"]]
    )
    good = csv_file(
        tmp_path / "fin.csv", ["season", "home_team", "away_team"], [["2024", "A", "B"]]
    )
    bad = csv_file(tmp_path / "bad.csv", ["season", "home_team", "away_team"], [["2023", "A", "B"]])
    main_key = ("season", "home_team_name", "away_team_name")
    financial_key = ("season", "home_team", "away_team")
    check_financial_keys(main, main_key, good, financial_key)
    with pytest.raises(
        PublishError, match=re.escape("No (season, home_team, away_team) of bad.csv matches")
    ):
        check_financial_keys(main, main_key, bad, financial_key)


def test_random_models_are_real_onnx(tmp_path):
    model = make_sample.tree_ensemble(6, random.Random(1))
    path = tmp_path / "x.onnx"
    path.write_bytes(model.SerializeToString())
    inputs, _ = onnx_io(path)
    assert inputs[0].dims[1] == 6
