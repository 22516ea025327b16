"""Which models the app's ONNX Runtime (onnxruntime-node) can load: IR version and opsets.

Rows 1.15 to 1.23 are measured: each runtime's own PyPI wheel (the core onnxruntime-node wraps)
loaded models stamped with rising IR versions and opsets, and the highest it accepted is the row
(1.23.2 refuses IR 12, opset 24 and ai.onnx.ml 6 at load). Older rows are ONNX Runtime's table,
"ONNX Runtime compatibility" (onnxruntime.ai/docs/reference/compatibility.html). A newer runtime
than the table knows takes the last row: it may refuse a model the runtime could load, never the
other way round.
"""

from __future__ import annotations

from pathlib import Path

from web_assets.errors import PublishError
from web_assets.modelcheck.onnxio import model_versions

# ONNX Runtime minor version -> (IR version, ai.onnx opset, ai.onnx.ml opset) it supports.
SUPPORT: dict[tuple[int, int], tuple[int, int, int]] = {
    (1, 23): (11, 23, 5),
    (1, 22): (10, 22, 5),
    (1, 21): (10, 22, 5),
    (1, 20): (10, 21, 5),
    (1, 19): (10, 21, 5),
    (1, 18): (10, 21, 5),
    (1, 17): (9, 20, 4),
    (1, 16): (9, 19, 3),
    (1, 15): (9, 18, 3),
    (1, 14): (8, 18, 3),
    (1, 13): (8, 17, 3),
    (1, 12): (8, 17, 3),
    (1, 11): (8, 16, 2),
    (1, 10): (8, 15, 2),
    (1, 9): (8, 15, 2),
    (1, 8): (7, 14, 2),
}


def limits(runtime: str) -> tuple[int, int, int]:
    """(IR version, ai.onnx opset, ai.onnx.ml opset) that ONNX Runtime `runtime` loads."""
    major, minor = (int(part) for part in runtime.split(".")[:2])
    if (major, minor) in SUPPORT:
        return SUPPORT[(major, minor)]
    if (major, minor) > max(SUPPORT):
        return SUPPORT[max(SUPPORT)]
    raise PublishError(f"app_onnxruntime {runtime} is older than 1.8: the table starts there.")


def unsupported(model_id: str, path: Path, runtime: str) -> str | None:
    """Why the app's runtime would not load the model (it would answer with its heuristic)."""
    ir_limit, onnx_limit, ml_limit = limits(runtime)
    ir, opsets = model_versions(path)
    found = [f"IR version {ir} (at most {ir_limit})"] if ir > ir_limit else []
    for domain, limit in (("ai.onnx", onnx_limit), ("ai.onnx.ml", ml_limit)):
        if opsets.get(domain, 0) > limit:
            found.append(f"{domain} opset {opsets[domain]} (at most {limit})")
    if not found:
        return None
    return (
        f"model {model_id} ({path}) needs {', '.join(found)}, newer than the app's ONNX Runtime "
        f"{runtime} loads: export it for that runtime, or set app_onnxruntime to the app's version"
    )
