"""Publish a training run with the flags of the original plan; runs the same doit graph as `doit`.

    python scripts/update_web_assets.py --run-dir ./experiments/run_20251128/export \\
        --dataset ./data/processed/Dataset_Version_8.csv \\
        --financial-dataset ./data/processed/financial_dataset.csv --version 8
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tasks.runner import run_doit, setting_args
from web_assets.errors import PublishError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Publish a training run to the web app (the `doit` graph, in-process).",
        epilog="Settings not given here come from [tool.web-assets] in pyproject.toml.",
    )
    parser.add_argument("--run-dir", type=Path, help="folder the run exported its *.onnx to")
    parser.add_argument("--dataset", type=Path, help="main dataset CSV (Dataset_Version_N.csv)")
    parser.add_argument("--financial-dataset", type=Path, help="financial dataset CSV")
    parser.add_argument("--version", type=int, help="dataset version N")
    parser.add_argument("--push", action="store_true", default=None, help="push after committing")
    parser.add_argument(
        "--no-commit", dest="commit", action="store_false", default=None, help="do not commit"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Flags name files the shell way, relative to where the command runs.
    paths = {
        name: getattr(args, name).resolve() if getattr(args, name) else None
        for name in ("run_dir", "dataset", "financial_dataset")
    }
    settings = {**paths, "version": args.version, "push": args.push, "commit": args.commit}
    try:
        status, _ = run_doit(PROJECT_ROOT, setting_args(settings))
    except PublishError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
