"""web-asset-pipeline: publish a training run to the web app that serves its predictions."""
