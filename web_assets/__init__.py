"""web-asset-pipeline: publish a training run to the web app that serves its predictions.

`from web_assets import publish, PublishError` is the Python API. Importing the package loads
nothing else: each module, and doit, onnx or onnxruntime, loads when something needs it.
"""

from web_assets.errors import PublishError

__all__ = ["PublishError", "publish"]


def __getattr__(name: str):
    if name == "publish":
        # The one import of doit's side in the library, declared in pyproject.toml's import
        # contract: publish() runs doit, and training scripts know it as `web_assets.publish`.
        from web_assets_doit.api import publish

        return publish
    raise AttributeError(f"module 'web_assets' has no attribute {name!r}")
