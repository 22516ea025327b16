"""web-asset-pipeline: publish a training run to the web app that serves its predictions."""

from tasks.runner import publish
from web_assets.errors import PublishError

__all__ = ["PublishError", "publish"]
