"""What the live web app loads: URIs pinned to the commit that holds each file, checked live."""

from __future__ import annotations

import json
import subprocess

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import EXPORT, MANIFEST, retrain

TEMPLATE = "{base}/owner/repo/{{commit}}/artifacts/run_export/{{filename}}"


def entries(root):
    document = json.loads((root / MANIFEST).read_text())
    return {
        f"{section}/{e['id']}": e
        for section in ("models", "preprocessing")
        for e in document[section]
    }


def blob(repo, commit, path) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "blob", f"{commit}:{path}"], cwd=repo, capture_output=True, check=True
    ).stdout


def test_a_pushed_publish_pins_every_uri_to_a_remote_commit_holding_those_bytes(
    project,
    remote,
    raw_server,
):
    base = raw_server(remote)
    template = TEMPLATE.format(base=base)
    retrain(project / EXPORT / "performance_dense.onnx", seed=3)
    result = run_doit(project, f"uri_template={template}", "push=true")
    assert result.status == 0, result.text
    assert "pushed to origin main: live" in result.out
    pins = {}
    for label, entry in entries(project).items():
        commit = entry["uri"].split("/")[5]
        assert len(commit) == 40
        assert blob(remote, commit, entry["path"]) == (project / entry["path"]).read_bytes(), label
        pins[label] = commit
    subjects = git(project, "log", "-2", "--format=%s").splitlines()
    assert subjects == [
        "chore: update web assets for version 7",
        "chore: add web assets for version 7",
    ]
    assert pins["models/performance_dense"] == git(project, "rev-parse", "HEAD~1")
    assert run_doit(project, "verify", "live=true", f"uri_template={template}").status == 0

    # A second publish that changes one model re-pins only that model.
    retrain(project / EXPORT / "market_gradient_boost.onnx", seed=4)
    assert run_doit(project, f"uri_template={template}", "push=true").status == 0
    repinned = {label: entry["uri"].split("/")[5] for label, entry in entries(project).items()}
    changed = {label for label in pins if pins[label] != repinned[label]}
    assert changed == {"models/market_gradient_boost"}
    assert git(project, "status", "--porcelain") == ""


def test_verify_live_names_a_stale_a_truncated_and_a_missing_file(project, remote, raw_server):
    assert run_doit(project, "push=true").status == 0
    stale = raw_server(remote, "--stale")
    branch = "{base}/owner/repo/main/artifacts/run_export/{{filename}}"
    retrain(project / EXPORT / "performance_dense.onnx", seed=6)
    assert run_doit(project, f"uri_template={branch.format(base=stale)}", "push=true").status == 0
    result = run_doit(project, "verify", "live=true", f"uri_template={branch.format(base=stale)}")
    assert result.status != 0
    assert "models/performance_dense" in result.out, result.out

    truncated = raw_server(remote, "--truncate", "100")
    assert (
        run_doit(project, f"uri_template={branch.format(base=truncated)}", "push=true").status == 0
    )
    result = run_doit(
        project, "verify", "live=true", f"uri_template={branch.format(base=truncated)}"
    )
    assert result.status != 0 and "truncated" in result.out

    manifest = project / MANIFEST
    document = json.loads(manifest.read_text())
    document["models"][0]["uri"] = document["models"][0]["uri"].replace(".onnx", "_gone.onnx")
    manifest.write_text(json.dumps(document, indent=2) + "\n")
    result = run_doit(
        project, "verify", "live=true", f"uri_template={branch.format(base=truncated)}"
    )
    assert "404" in result.out


def test_an_unpushed_publish_says_the_web_app_still_loads_the_old_release(project):
    retrain(project / EXPORT / "performance_dense.onnx", seed=9)
    result = run_doit(project, "version=8")
    assert result.status == 0, result.text
    assert "locally only: the web app still loads version 7 until you push" in result.out
