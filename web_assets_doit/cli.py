"""`update-web-assets` and scripts/update_web_assets.py: publish with the original plan's flags."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.release.recorded import resolve_run
from web_assets_doit.api import from_here


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="update-web-assets",
        description="Publish a training run to the web app (the project's doit graph, in-process).",
        epilog="Settings not given here come from [tool.web-assets] in pyproject.toml.",
    )
    parser.add_argument(
        "--root",
        default=None,
        help="the project (the folder with dodo.py; default: the current one)",
    )
    parser.add_argument("--run-dir", help="folder the run exported its *.onnx to")
    parser.add_argument("--dataset", help="main dataset CSV (Dataset_Version_N.csv)")
    parser.add_argument("--financial-dataset", help="financial dataset CSV")
    parser.add_argument("--version", help="dataset version N")
    parser.add_argument("--uri-template", help="how the web app reaches each file (see README)")
    parser.add_argument("--push", action="store_true", default=None, help="push after committing")
    parser.add_argument(
        "--pr",
        action="store_true",
        default=None,
        help="commit on the branch web-assets/vVERSION (pushed with --push), not the current one",
    )
    parser.add_argument(
        "--max-metric-regression",
        help="metric:allowed[:lower|higher], comma-separated: refuse a run worse than the live one",
    )
    parser.add_argument("--report", help="write a Markdown report of the release to this file")
    parser.add_argument(
        "--no-commit", dest="commit", action="store_false", default=None, help="do not commit"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # The script beside a project publishes that project unless --root names another.
    root = (Path(args.root) if args.root is not None else root or Path()).resolve()
    # Flags name files the shell way, relative to where the command runs.
    given = from_here(
        {
            "run_dir": args.run_dir,
            "dataset": args.dataset,
            "financial_dataset": args.financial_dataset,
            "version": args.version,
            "push": args.push,
            "pr": args.pr,
            "commit": args.commit,
            "uri_template": args.uri_template,
            "max_metric_regression": args.max_metric_regression,
            "report": args.report,
        }
    )
    try:
        # Resolved once, here: a bad flag stops before doit starts.
        run = resolve_run(root, given, source=Entry.FLAGS)
        if run.problem:
            raise PublishError(run.problem)
        from web_assets_doit.runner import run_resolved

        status, _ = run_resolved(root, [], run)
    except PublishError as err:
        # The prefix doit gives a refusal: one word for an error, whichever way in.
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return status
