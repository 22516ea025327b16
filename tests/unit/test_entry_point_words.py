"""Each entry point's messages name settings as that entry point takes them, and say only what is true."""

from __future__ import annotations

import io

import pytest
from doit.task import Task

from tasks.reporter import SummaryReporter
from web_assets.config.settings import resolve_settings
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.history.log import PastRelease
from web_assets.history.rollback import Rollback
from web_assets.records.summary import Summary
from web_assets.release.datasets import read_csv_header
from web_assets_doit.history_cmds import rollback_line

TEMPLATE = "https://assets.example.invalid/{filename}"


@pytest.fixture
def root(tmp_path):
    (tmp_path / "pyproject.toml").write_text(f'[tool.web-assets]\nuri_template = "{TEMPLATE}"\n')
    return tmp_path


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        (Entry.DOIT, "pass `dataset=...` on the command line"),
        (Entry.FLAGS, "pass `--dataset ...`"),
        (Entry.PUBLISH, "pass the keyword argument `dataset=...` to publish()"),
    ],
)
def test_a_missing_input_is_asked_for_in_the_entry_points_words(root, entry, said):
    settings = resolve_settings(root, {}, source=entry, environ={})
    with pytest.raises(PublishError, match="No ") as refused:
        settings.require_inputs()
    assert said in str(refused.value)


def test_a_bad_flag_is_named_as_the_flag(root):
    with pytest.raises(PublishError, match="`--version` must be a positive whole number"):
        resolve_settings(root, {"version": "seven"}, source=Entry.FLAGS, environ={})


def test_a_folder_given_as_a_dataset_is_called_a_folder(tmp_path):
    with pytest.raises(PublishError) as refused:
        read_csv_header(tmp_path, "financial_dataset", Entry.FLAGS)
    message = str(refused.value)
    assert "is a folder, not a file" in message and "does not exist" not in message
    assert "`--financial-dataset PATH`" in message


def committed(pushed: str = "") -> dict:
    sha = "ab" * 20
    return {"commit": sha, "reason": "", "pushed": pushed, "branch": "main", "remote": "origin"}


def test_the_summary_names_the_commit_and_whether_it_is_live():
    local = Summary(ran=["commit"], commit_step=committed())
    assert (local.commit, local.pushed, local.live) == ("ab" * 20, None, False)
    pushed = Summary(ran=["commit"], commit_step=committed("origin main"))
    assert (pushed.commit, pushed.pushed, pushed.live) == ("ab" * 20, "origin main", True)
    assert Summary().commit is None and not Summary().live


@pytest.mark.parametrize(
    ("entry", "said"),
    [(Entry.DOIT, "push=true"), (Entry.FLAGS, "--push"), (Entry.PUBLISH, "push=True")],
)
def test_the_summary_says_how_to_push_in_the_entry_points_words(entry, said):
    lines = Summary(ran=["commit"], commit_step=committed(), entry=entry).lines()
    assert lines[-1].endswith(f"or publish with {said}).")


def nothing() -> None:
    """A step's action: the reporter reads only the steps' names."""


def reported(selected: list[str]) -> str:
    """What the reporter prints when doit stops a run of `selected` with a runtime error."""
    out = io.StringIO()
    reporter = SummaryReporter(out, {})
    steps = {name: Task(name, [(nothing, [])]) for name in ("verify", "check:models", "manifest")}
    reporter.initialize(steps, selected)
    reporter.runtime_error("doit stopped")
    reporter.complete_run()
    return out.getvalue()


def test_a_read_only_run_never_speaks_of_half_written_files():
    assert "Stopped: a step failed" in reported(["verify"])
    assert "half-written" not in reported(["verify"])
    assert "half-written" not in reported(["check:models"])
    assert "Every file is intact: old or new, never half-written." in reported(["manifest"])


def rollback(root, *, pushed: str, commit: str = "cd" * 20) -> str:
    settings = resolve_settings(root, {}, environ={})
    releases = [
        PastRelease(version, "run", "", sha, "", "", True, {}, {}, None)
        for version, sha in (("8", "12" * 20), ("9", "34" * 20))
    ]
    plan = Rollback(settings, releases[0], releases[1], "main", "34" * 20, [], [])
    return rollback_line(plan, {"commit": commit, "pushed": pushed}, "8")


def test_a_rollback_says_whether_it_is_live(root):
    assert rollback(root, pushed="origin main").endswith("pushed to origin main: live.")
    local = rollback(root, pushed="")
    assert "locally only" in local and "still loads version 9 until you push" in local
    assert "`doit rollback to=8 push=true`" in local
