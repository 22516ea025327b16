"""The benchmark's project: dodo.py, pyproject.toml and git, with a run exported outside its export
folder, and the synthetic models and CSVs the workloads publish."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MiB = 1 << 20
PUBLISHED = ["artifacts", "web"]
FEATURES = b",".join(b"feature_%03d" % i for i in range(204))
MAIN_HEADER = b"season,home_team_name,away_team_name,match_date,result," + FEATURES
FINANCIAL_HEADER = b"season,home_team,away_team,match_date,result," + FEATURES


class Workspace:
    """A project (dodo.py, pyproject.toml, git) with a run exported outside its export folder."""

    def __init__(self, base: Path, name: str):
        self.root = base / name
        self.root.mkdir()
        for file in ("dodo.py", "pyproject.toml"):
            shutil.copy2(REPO / file, self.root / file)
        # dodo.py's wiring lives beside it (not installed).
        shutil.copytree(
            REPO / "tasks", self.root / "tasks", ignore=shutil.ignore_patterns("__pycache__")
        )
        (self.root / ".gitignore").write_text(".doit.db\n.web-assets/\nruns/\nsources/\n")
        self.run_dir = self.root / "runs/run_20251128-101500"
        self.run_dir.mkdir(parents=True)
        (self.root / "sources").mkdir()
        self.dataset = self.root / "sources/Dataset_Version_9.csv"
        self.financial = self.root / "sources/financial_dataset.csv"
        self.reset_git()

    def add_model(self, name: str, size: int) -> Path:
        path = self.run_dir / f"{name}.onnx"
        write_model(path, size)
        (self.run_dir / f"{name}_preprocessing.json").write_text(
            json.dumps(
                {
                    "feature_names": ["feature_000", "feature_001"],
                    "feature_schema_version": "v7",
                    "trainer": "xgb",
                }
            )
        )
        return path

    def add_csvs(self, main_size: int, financial_size: int) -> None:
        write_csv(self.dataset, main_size, b"\r\n", MAIN_HEADER)
        write_csv(self.financial, financial_size, b"\n", FINANCIAL_HEADER)

    def settings(self, commit: bool) -> list[str]:
        return [
            "version=9",
            f"run_dir={self.run_dir.relative_to(self.root)}",
            f"dataset={self.dataset.relative_to(self.root)}",
            f"financial_dataset={self.financial.relative_to(self.root)}",
            f"commit={str(commit).lower()}",
            # Branch URIs, as the floors publish: pinning adds a files commit, measured in W1.
            "uri_template=https://assets.example.invalid/{filename}",
            # The synthetic financial CSV carries only the keys.
            "financial_app_columns=",
        ]

    def doit(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "doit", *args]

    def naive(self, root: Path | None = None) -> list[str]:
        """The naive script, publishing into `root` (default: this project) from this run."""
        paths = [root or self.root, self.run_dir, self.dataset, self.financial]
        return [sys.executable, str(REPO / "bench/naive_publish.py"), *map(str, paths), "9"]

    def clear_outputs(self) -> None:
        for name in ("artifacts", "web", ".web-assets", ".doit.db"):
            path = self.root / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def reset_git(self) -> None:
        shutil.rmtree(self.root / ".git", ignore_errors=True)
        for args in (
            ["init", "--quiet", "--initial-branch=main"],
            ["add", "dodo.py", "tasks", "pyproject.toml", ".gitignore"],
            ["commit", "--quiet", "-m", "project"],
        ):
            git(self.root, *args)

    def all_files(self) -> list[Path]:
        return [
            path for path in self.root.rglob("*") if path.is_file() and ".git" not in path.parts
        ]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def write_model(path: Path, size: int, seed: int = 0) -> None:
    """A real ONNX classifier (input `input` [N, 2], output `probabilities` [N, 3], softmax of
    the input times a 2 x 3 matrix) whose weights include `size` random bytes the graph reads,
    as large models' weights are: ONNX Runtime loads them all."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed or None)
    weights = helper.make_tensor("weights", TensorProto.UINT8, [size], os.urandom(size), raw=True)
    matrix = numpy_helper.from_array(rng.normal(size=(2, 3)).astype(np.float32), "matrix")
    picks = numpy_helper.from_array(np.array([0, 1, 2], dtype=np.int64), "picks")
    nodes = [
        # Three of the weights, scaled to nothing: the graph needs the whole tensor loaded.
        helper.make_node("Gather", ["weights", "picks"], ["picked"]),
        helper.make_node("Cast", ["picked"], ["bias"], to=TensorProto.FLOAT),
        helper.make_node("MatMul", ["input", "matrix"], ["scores"]),
        helper.make_node("Mul", ["bias", "tiny"], ["offset"]),
        helper.make_node("Add", ["scores", "offset"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
    ]
    tiny = numpy_helper.from_array(np.array(1e-6, dtype=np.float32), "tiny")
    graph = helper.make_graph(
        nodes,
        "bench",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3])],
        initializer=[weights, matrix, picks, tiny],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())


def write_csv(path: Path, size: int, line_end: bytes, header: bytes) -> None:
    rows = [
        b"2024-2025,Team %d,Team %d,2024-01-01,H," % (i, i + 1)
        + b",".join(b"%.4f" % ((i * 7919 + j) % 1000 / 7.0) for j in range(204))
        for i in range(500)
    ]
    block = line_end.join(rows) + line_end
    with path.open("wb") as stream:
        stream.write(header + line_end)
        written = 0
        while written < size:
            stream.write(block)
            written += len(block)
