"""The release history read from a real repository: listing, resolving, diffing, restoring."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import tracemalloc
from pathlib import Path

import pytest

from testing.gitrepo import git
from testing.history_repo import EXPORT, LOCK, MANIFEST, publish, write_json
from testing.project import retrain
from web_assets.errors import PublishError
from web_assets.git.objects import CHUNK, restore
from web_assets.history.diff import changes, diff_lines, release_line
from web_assets.history.log import list_releases
from web_assets.history.names import resolve


@pytest.fixture
def history(project: Path) -> dict[str, str]:
    """Releases 8 (in two commits), 9 (older lock format), 10 (merged from a branch), and others."""
    commits = {"7": git(project, "rev-parse", "fixture~1")}  # listed where its files went live
    commits["8"] = publish(project, 8, models=("performance_dense",), two_commits=True)
    commits["8 files"] = git(project, "rev-parse", "HEAD~1")
    (project / "NOTES.txt").write_text("not a release\n")
    git(project, "add", "NOTES.txt")
    git(project, "commit", "--quiet", "-m", "docs: notes")
    commits["notes"] = git(project, "rev-parse", "HEAD")
    commits["9"] = publish(
        project,
        9,
        models=("market_gradient_boost",),
        features={"market_gradient_boost": (["feature_900"], ["feature_056"])},
        dataset=True,
        release_section=False,
    )
    git(project, "checkout", "--quiet", "-b", "release-10")
    commits["10 branch"] = publish(
        project, 10, models=("performance_dense", "financial_lens"), shift=True
    )
    git(project, "checkout", "--quiet", "main")
    git(project, "merge", "--quiet", "--no-ff", "-m", "Merge release 10", "release-10")
    commits["10"] = git(project, "rev-parse", "HEAD")
    # The same lock written with another indent is the same release.
    lock = json.loads((project / LOCK).read_text())
    (project / LOCK).write_text(json.dumps(lock, indent=4) + "\n")
    git(project, "commit", "--quiet", "-am", "style: indent the lock file by four")
    commits["reformat"] = git(project, "rev-parse", "HEAD")
    return commits


def summary_lines(releases) -> list[str]:
    older = [*releases[1:], None]
    return [release_line(new, changes(old, new)) for new, old in zip(releases, older, strict=True)]


def blob(root: Path, commit: str, path: str) -> bytes:
    command = ["git", "cat-file", "blob", f"{commit}:{path}"]
    return subprocess.run(command, cwd=root, check=True, capture_output=True).stdout


def test_lists_releases_newest_first_with_what_changed(project, history):
    releases = list_releases(project)

    assert [r.version for r in releases] == ["10", "9", "8", "7"]
    assert [r.commit for r in releases] == [history[v] for v in ("10", "9", "8", "7")]
    assert all(r.has_lock for r in releases)
    lines = summary_lines(releases)
    assert lines[2] == (
        f"8  run_20251208-120000  2025-12-08T12:00:00Z  {history['8'][:8]}  "
        f"{releases[2].date[:10]}  models changed: performance_dense"
    )
    assert lines[0].endswith("models changed: financial_lens, performance_dense")
    assert lines[1].endswith("models changed: market_gradient_boost; datasets changed: main")
    assert "first release: models added: financial_lens, market_gradient_boost" in lines[3]
    model = f"{EXPORT}/performance_dense.onnx"
    assert (
        releases[2].files[model].sha256
        == hashlib.sha256(blob(project, history["8"], model)).hexdigest()
    )
    assert releases[2].files[model].kind == "model"


def test_equal_content_in_consecutive_commits_is_one_release_at_the_oldest(project, history):
    releases = list_releases(project)

    assert releases[0].commit == history["10"]
    assert resolve(releases, history["reformat"][:10]) == releases[0]
    assert resolve(releases, "HEAD") == releases[0]


def test_resolves_versions_and_commits(project, history):
    releases = list_releases(project)

    assert resolve(releases, "8").commit == history["8"]
    assert resolve(releases, history["9"][:7]).version == "9"
    assert resolve(releases, "HEAD~1").version == "10"
    assert resolve(releases, "main~2").version == "9"


def test_unknown_release_lists_the_known_versions(project, history):
    releases = list_releases(project)

    with pytest.raises(PublishError) as error:
        resolve(releases, "11")
    assert "10, 9, 8, 7" in str(error.value)
    assert "\n" not in str(error.value)
    with pytest.raises(PublishError, match="No release 'v-nine'"):
        resolve(releases, "v-nine")


@pytest.mark.parametrize("name", ["notes", "8 files", "10 branch"])
def test_a_commit_that_is_no_release_is_refused(project, history, name):
    releases = list_releases(project)

    with pytest.raises(PublishError, match=f"Commit {history[name][:8]} .* is not a release"):
        resolve(releases, history[name][:12])


def test_diff_names_changed_models_features_fields_and_shift(project, history):
    releases = list_releases(project)
    eight, nine, ten = resolve(releases, "8"), resolve(releases, "9"), resolve(releases, "10")

    to_ten = diff_lines(project, eight, ten)
    assert (
        to_ten[0]
        == f"from 8 ({history['8'][:8]}, run_20251208-120000) to 10 ({history['10'][:8]}, run_20251210-120000)"
    )
    changed = [line.split()[1] for line in to_ten if line.startswith("changed  ")]
    assert f"{EXPORT}/performance_dense.onnx" in changed
    assert f"{EXPORT}/financial_lens.onnx" in changed
    assert f"{EXPORT}/market_gradient_boost_preprocessing.json" in changed
    assert "web/public/data/Dataset_Version_7.csv" in changed
    assert f"{EXPORT}/market_gradient_boost.onnx" in changed
    assert "market_gradient_boost feature_names: added feature_900; removed feature_056" in to_ten
    assert 'manifest run_id: "run_20251208-120000" -> "run_20251210-120000"' in to_ten
    assert (
        "performance_dense prediction shift (recorded at publish): mean |dp| 0.0088 (home "
        "0.0125, draw 0.0040, away 0.0100); 12 of 200 picks changed"
    ) in to_ten
    assert "performance_dense missing features: feature_007" in to_ten

    to_nine = diff_lines(project, eight, nine)
    assert not any("performance_dense" in line for line in to_nine)
    assert not any("prediction shift" in line for line in to_nine)
    line = next(line for line in to_nine if "market_gradient_boost.onnx" in line)
    old, new = (
        eight.files[f"{EXPORT}/market_gradient_boost.onnx"],
        nine.files[f"{EXPORT}/market_gradient_boost.onnx"],
    )
    assert f"{old.sha256[:8]} " in line and f"-> {new.sha256[:8]} " in line


def test_a_restored_release_is_byte_identical_and_listed_again(project, history):
    releases = list_releases(project)
    eight = resolve(releases, "8")
    paths = [*eight.files, MANIFEST, LOCK]

    def write(path: str, chunks) -> None:
        with (project / path).open("wb") as out:
            for chunk in chunks:
                out.write(chunk)

    restore(project, eight.commit, paths, write)
    for path in paths:
        assert (project / path).read_bytes() == blob(project, history["8"], path)
    git(project, "commit", "--quiet", "-am", "chore: roll back web assets to version 8")

    again = list_releases(project)
    assert [r.version for r in again] == ["8", "10", "9", "8", "7"]
    assert resolve(again, "8").commit == git(project, "rev-parse", "HEAD")
    assert again[0].files == eight.files
    assert summary_lines(again)[0].endswith(
        "models changed: financial_lens, market_gradient_boost, performance_dense; "
        "datasets changed: main"
    )


def test_restore_streams_a_large_file_with_flat_memory(project, tmp_path):
    big = f"{EXPORT}/large_model.onnx"
    data = random.Random(12).randbytes(50 << 20)
    (project / big).write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    del data
    git(project, "-c", "core.compression=0", "add", big)
    git(project, "commit", "--quiet", "-m", "a large model")
    (project / big).unlink()
    sizes: list[int] = []
    out = tmp_path / "restored.onnx"

    def write(path: str, chunks) -> None:
        assert path == big
        with out.open("wb") as stream:
            for chunk in chunks:
                sizes.append(len(chunk))
                stream.write(chunk)

    tracemalloc.start()
    try:
        restore(project, "HEAD", [big], write)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert max(sizes) <= CHUNK
    assert peak < 8 * CHUNK


def test_restore_refuses_a_path_absent_from_the_commit(project):
    written = []

    with pytest.raises(PublishError, match=f"has no {EXPORT}/gone.onnx"):
        restore(project, "HEAD", [MANIFEST, f"{EXPORT}/gone.onnx"], lambda p, c: written.append(p))
    assert written == []


def test_releases_made_by_hand_are_listed_from_the_manifest(project):
    git(project, "checkout", "--quiet", "--orphan", "legacy")
    git(project, "rm", "--quiet", "--cached", LOCK)
    manifest = json.loads((project / MANIFEST).read_text())
    write_json(
        project / MANIFEST, manifest | {"run_id": "run_20251001-000000", "dataset_version": "6"}
    )
    git(project, "add", MANIFEST)
    git(project, "commit", "--quiet", "-m", "models, by hand")
    first = git(project, "rev-parse", "HEAD")
    git(project, "checkout", "--quiet", "main", "--", ".")
    git(project, "commit", "--quiet", "-m", "the lock file arrives")
    # By hand again: a retrained model whose new digest reaches the manifest but not the lock.
    retrain(project / EXPORT / "performance_dense.onnx", seed=5)
    data = (project / EXPORT / "performance_dense.onnx").read_bytes()
    manifest = json.loads((project / MANIFEST).read_text())
    manifest["models"][0].update(sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
    manifest["run_id"] = "run_20251120-000000"
    write_json(project / MANIFEST, manifest)
    git(project, "commit", "--quiet", "-am", "retrained performance_dense by hand")

    releases = list_releases(project, ref="legacy")

    assert [(r.version, r.run_id, r.has_lock) for r in releases] == [
        ("7", "run_20251120-000000", False),
        ("7", "run_20251117-032023", True),
        ("6", "run_20251001-000000", False),
    ]
    assert releases[0].lock is None and releases[2].commit == first
    assert {ref.kind for ref in releases[0].files.values()} == {"model", "preprocessing"}
    lines = summary_lines(releases)
    assert lines[0].endswith("models changed: performance_dense  (by hand, no lock file)")
    assert lines[1].endswith("  no published file changed")
    assert lines[2].endswith("(by hand, no lock file)")
    assert resolve(releases, "7") == releases[0]
    assert list_releases(project, ref="legacy~2") == releases[2:]


def test_restore_skips_what_a_writer_leaves_unread(project):
    big = f"{EXPORT}/large_model.onnx"
    (project / big).write_bytes(random.Random(3).randbytes(3 * CHUNK + 5))
    git(project, "add", big)
    git(project, "commit", "--quiet", "-m", "a model of several chunks")
    got: dict[str, bytes] = {}

    def write(path: str, chunks) -> None:
        got[path] = next(iter(chunks)) if path == big else b"".join(chunks)

    restore(project, "HEAD", [big, MANIFEST], write)

    assert got[big] == (project / big).read_bytes()[:CHUNK]
    assert got[MANIFEST] == (project / MANIFEST).read_bytes()
