"""web-asset-pipeline: publish a training run to the web app that serves its predictions."""

from web_assets.errors import PublishError
from tasks.runner import publish

__all__ = ["PublishError", "publish"]
