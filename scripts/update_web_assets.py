"""Publish a training run with the flags of the original plan; runs the same doit graph as `doit`.

    python scripts/update_web_assets.py --run-dir ./experiments/run_20251128/export \\
        --dataset ./data/processed/Dataset_Version_8.csv \\
        --financial-dataset ./data/processed/financial_dataset.csv --version 8

The installed command `update-web-assets` takes the same flags (and `--root`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from web_assets_doit.cli import main, parse_args

PROJECT_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["main", "parse_args"]

if __name__ == "__main__":
    sys.exit(main(root=PROJECT_ROOT))
