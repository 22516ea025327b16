"""The release history tells the truth: versions stay taken, rollbacks and kept datasets are said,
shifts are shown for changed models only, and a branch without (full) history is said in words.

Each test builds a small real git repository of releases, as the publish step commits them.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError
from web_assets.history.diff import diff_lines
from web_assets.history.listing import release_lines
from web_assets.history.log import list_releases
from web_assets.history.names import resolve
from web_assets.history.rollback import apply_rollback, plan_rollback
from web_assets.modelcheck.runtime import Shift
from web_assets.release.immutable import refuse_rewritten_version
from web_assets_doit.history_cmds import diff_text

MANIFEST = "web/public/fixtures/dev.json"
LOCK = "web-assets.lock.json"
DATA = "web/public/data"
MODELS = ("dense", "boost")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def dataset(version: int) -> bytes:
    return f"season,home_team_name,away_team_name\n2024,A{version},B\n".encode()


def publish(
    root: Path, version: int, models: dict[str, bytes], *, data: bytes | None = None
) -> str:
    """Commit release `version` as the tool makes it; every model entry records a shift."""
    files = {f"artifacts/run_export/{name}.onnx": ("model", name, b) for name, b in models.items()}
    files[f"{DATA}/Dataset_Version_{version}.csv"] = ("dataset", "main", data or dataset(version))
    entries = []
    for path, (kind, name, content) in files.items():
        write(root / path, content)
        entry = {"path": path, "kind": kind, "id": name, "size_bytes": len(content)}
        entry["sha256"] = hashlib.sha256(content).hexdigest()
        if kind == "model":
            entry["prediction_shift"] = Shift((0.1, 0.2, 0.3), 4, 9).record()
        entries.append(entry)
    run = {"run_id": f"run_{version}", "trained_at": f"2025-12-0{version % 10}T00:00:00Z"}
    fields = ("id", "path", "sha256", "size_bytes")
    models_section = [{k: e[k] for k in fields} for e in entries if e["kind"] == "model"]
    manifest = {**run, "dataset_version": str(version), "models": models_section}
    lock = {"lock_format": 1, "dataset_version": str(version), "release": run, "files": entries}
    write(root / MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
    write(root / LOCK, json.dumps(lock, indent=2).encode() + b"\n")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", f"chore: update web assets for version {version}")
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Releases 7 and 8 (8 retrains dense only; Dataset_Version_7.csv stays in the data folder)."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    write(
        root / "pyproject.toml", b'[tool.web-assets]\ndataset = "incoming/main.csv"\nversion = 7\n'
    )
    publish(root, 7, {"dense": b"dense-7", "boost": b"boost-7"})
    publish(root, 8, {"dense": b"dense-8", "boost": b"boost-7"})
    return root


def roll_back(root: Path, to: str) -> None:
    apply_rollback(plan_rollback(resolve_settings(root, {}, environ={}), to))


def refuse(root: Path, version: int, data: bytes) -> None:
    write(root / "incoming" / "main.csv", data)
    settings = resolve_settings(root, {"version": version}, environ={})
    target = settings.data_dir / f"Dataset_Version_{version}.csv"
    manifest = json.loads((root / MANIFEST).read_text())
    refuse_rewritten_version(settings, target, manifest, json.loads((root / LOCK).read_text()))


def test_a_version_rolled_back_from_keeps_its_dataset(repo):
    roll_back(repo, "7")
    assert not (repo / DATA / "Dataset_Version_8.csv").exists()
    with pytest.raises(PublishError, match=r"Dataset_Version_8\.csv is already published") as err:
        refuse(repo, 8, b"season,home_team_name,away_team_name\n2024,other,bytes\n")
    assert "Publish it as version 9" in str(err.value)
    refuse(repo, 8, dataset(8))  # the same bytes again: the same version 8


def test_releases_mark_a_rollback(repo):
    seven = git(repo, "rev-parse", "HEAD~1")
    roll_back(repo, "7")
    lines = release_lines(list_releases(repo))
    assert [line.split()[0] for line in lines] == ["7", "8", "7"]
    assert lines[0].endswith(f"(rollback to 7, commit {seven[:8]})")
    assert "rollback" not in lines[1] + lines[2]


def test_diff_shows_shifts_of_changed_models_only(repo):
    lines = diff_lines(repo, *reversed(list_releases(repo)))
    shifts = [line for line in lines if "prediction shift" in line]
    assert [line.split()[0] for line in shifts] == ["dense"]


def test_diff_keeps_an_older_dataset_that_stays_published(repo):
    lines = diff_lines(repo, *reversed(list_releases(repo)))
    assert any(line.startswith(f"kept     {DATA}/Dataset_Version_7.csv") for line in lines)
    assert not any(line.startswith("removed ") for line in lines)
    git(repo, "rm", "--quiet", f"{DATA}/Dataset_Version_8.csv")
    git(repo, "commit", "--quiet", "-m", "drop version 8's data")
    publish(repo, 9, {"dense": b"dense-8", "boost": b"boost-7"})
    lines = diff_lines(repo, *reversed(list_releases(repo)[:2]))
    assert any(line.startswith(f"removed  {DATA}/Dataset_Version_8.csv") for line in lines)


def test_an_orphan_branch_has_no_release(repo):
    git(repo, "checkout", "--quiet", "--orphan", "lonely")
    assert list_releases(repo) == []
    with pytest.raises(
        PublishError, match=r"^No release on this branch: there is nothing to compare"
    ):
        diff_text(repo, None, None)
    with pytest.raises(
        PublishError, match=r"^No release on branch lonely: there is nothing to roll"
    ):
        roll_back(repo, "7")


def test_outside_a_repository_the_history_is_said_missing(tmp_path):
    with pytest.raises(
        PublishError, match="is not in a git work tree: there is no release history"
    ):
        list_releases(tmp_path)


def test_a_shallow_clone_says_older_releases_are_not_in_it(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo}", str(clone))
    releases = list_releases(clone)
    assert [release.version for release in releases] == ["8"]
    (line,) = release_lines(releases)
    assert line.endswith("earliest in this shallow clone (`git fetch --unshallow` brings the rest)")
    with pytest.raises(PublishError, match="This clone is shallow: older releases are not in it"):
        resolve(releases, "7")
    with pytest.raises(PublishError, match="shallow"):
        diff_text(clone, None, None)


def test_releases_leave_out_commits_that_changed_only_the_lock_files_records(repo):
    lock = json.loads((repo / LOCK).read_text())
    lock["files"][0]["checks"] = {"fixtures": 19}
    write(repo / LOCK, json.dumps(lock, indent=2).encode() + b"\n")
    git(repo, "commit", "--quiet", "-am", "record the checks")
    quiet = git(repo, "rev-parse", "HEAD")
    lines = release_lines(list_releases(repo))
    assert [line.split()[0] for line in lines[:-1]] == ["8", "7"]
    assert lines[-1] == (
        f"(not listed: {quiet[:8]}, which changed the lock file's records only, no published "
        "file, version or run)"
    )
