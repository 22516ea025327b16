"""The models' run's floor: one ONNX Runtime session per model, loaded once, as a bare script.

python bench/ort_loads.py MODEL_OR_FOLDER...   # a folder: its *.onnx, sorted
"""

import sys
from pathlib import Path

import onnxruntime


def main(paths: list[str]) -> None:
    for given in map(Path, paths):
        for model in sorted(given.glob("*.onnx")) if given.is_dir() else [given]:
            onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])


if __name__ == "__main__":
    main(sys.argv[1:])
