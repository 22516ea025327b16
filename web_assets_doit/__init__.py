"""doit's side of web-asset-pipeline that must be importable from anywhere: the plugin commands
(`doit plan`, `doit serve`), the in-process runner behind `publish()`, and the console script."""
