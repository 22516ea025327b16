"""The workloads of one publish of a real-sized run: import time, W1 (a fresh publish against
its floors), W2 (the same publish again, nothing changed), W3 (every file touched, same bytes)."""

from __future__ import annotations

import sys
from pathlib import Path

from measure import Table, median_of, run, settled, shell, touch_all
from workspace import PUBLISHED, REPO, MiB, Workspace


def import_time(base: Path, repeat: int, table: Table) -> None:
    """What `import web_assets` adds to a bare interpreter's start. Run from a temp dir, so
    nothing of the repository's is on sys.path by accident (the package is installed)."""
    cwd = base / "import"
    cwd.mkdir()
    ours, bare = median_of(
        max(repeat, 10),
        lambda: run([sys.executable, "-c", "import web_assets"], cwd),
        lambda: run([sys.executable, "-c", "pass"], cwd),
    )
    table.add(
        "import web_assets, added to python's start (ms)",
        f"{ours * 1000:.0f} ms - {bare * 1000:.0f} ms",
        (ours - bare) * 1000,
        "<= 30",
    )


def w1_to_w3(base: Path, scale: float, repeat: int, table: Table) -> None:
    """W1 to W3 on one workspace, in an order where each starts from what the one before left."""
    ws, floor_script = w1_workspace(base, scale)
    floor_script += " && " + loads(sorted(ws.run_dir.glob("*.onnx")))
    w1_without_commit(ws, floor_script, repeat, table)
    w1_with_commit(ws, repeat, table)
    noop_t = w2_noop(ws, repeat, table)
    w3_touched(ws, repeat, noop_t, table)
    # Last, as it overwrites our publish.
    w2_naive(ws, repeat, noop_t, table)


def w1_workspace(base: Path, scale: float) -> tuple[Workspace, str]:
    """3 models of 200 MiB and 55 MiB of CSVs; the floor's shell script (cp, openssl) for them."""
    ws = Workspace(base, "w1")
    models = [ws.add_model(f"model_{i}", int(200 * MiB * scale)) for i in range(3)]
    ws.add_csvs(int(50 * MiB * scale), int(5 * MiB * scale))
    sources = [*models, *sorted(ws.run_dir.glob("*.json")), ws.dataset, ws.financial]
    floor_dir = base / "floor"
    copies = " && ".join(f"cp '{path}' '{floor_dir}/{path.name}'" for path in sources)
    hashes = " ".join(f"'{model}'" for model in models)
    floor_script = f"rm -rf '{floor_dir}' && mkdir '{floor_dir}' && {copies}"
    floor_script += f" && openssl dgst -sha256 {hashes} > /dev/null"
    return ws, floor_script


def loads(models: list[Path]) -> str:
    """The models' run's floor as a shell command: one ONNX Runtime session per model, once."""
    script = REPO / "bench" / "ort_loads.py"
    return f"'{sys.executable}' '{script}' " + " ".join(f"'{model}'" for model in models)


def w1_without_commit(ws: Workspace, floor_script: str, repeat: int, table: Table) -> None:
    def ours_without_commit() -> float:
        ws.clear_outputs()
        settled()
        return run(ws.doit(*ws.settings(commit=False)), ws.root)

    # The goal's floor: the same bytes, copied, hashed and each model loaded in ONNX Runtime
    # once, and on disk when it returns.
    def durable_floor() -> float:
        settled()
        return shell(f"{floor_script} && sync", ws.root)

    def floor() -> float:
        settled()
        return shell(floor_script, ws.root)

    ours, durable_t, floor_t = median_of(repeat, ours_without_commit, durable_floor, floor)
    table.add(
        "W1 publish, no commit / durable floor (cp + openssl + 3 loads + sync)",
        f"{ours:.2f}s / {durable_t:.2f}s",
        ours / durable_t,
        "<= 1.10",
    )
    table.add(
        "W1 publish, no commit / floor without sync (cp + openssl + 3 loads)",
        f"{ours:.2f}s / {floor_t:.2f}s",
        ours / floor_t,
        "(info)",
    )


def w1_with_commit(ws: Workspace, repeat: int, table: Table) -> None:
    def ours_with_commit() -> float:
        ws.clear_outputs()
        ws.reset_git()
        settled()
        return publish(ws)

    def naive_with_git() -> float:
        ws.clear_outputs()
        ws.reset_git()
        settled()
        commit = ["git", "commit", "--quiet", "-m", "publish"]
        return (
            run(ws.naive(), ws.root)
            + run(["git", "add", *PUBLISHED], ws.root)
            + run(commit, ws.root)
        )

    ours_c, naive_c = median_of(repeat, ours_with_commit, naive_with_git)
    table.add(
        "W1 publish with commit / naive + git",
        f"{ours_c:.2f}s / {naive_c:.2f}s",
        ours_c / naive_c,
        "<= 0.45",
    )


def publish(ws: Workspace) -> float:
    return run(ws.doit(*ws.settings(commit=True)), ws.root)


def w2_noop(ws: Workspace, repeat: int, table: Table) -> float:
    """The same publish again, nothing changed, against `doit list`; returns the no-op's time."""
    ws.clear_outputs()
    ws.reset_git()
    publish(ws)

    def listing() -> float:
        return run(ws.doit("list", *ws.settings(commit=True)), ws.root)

    noop_t, list_t = median_of(max(repeat, 5), lambda: publish(ws), listing)
    table.add("W2 no-op / doit list", f"{noop_t:.3f}s / {list_t:.3f}s", noop_t / list_t, "<= 1.2")
    return noop_t


def w3_touched(ws: Workspace, repeat: int, noop_t: float, table: Table) -> None:
    """Every file touched, bytes unchanged: the first run hashes once, the second not at all."""
    touch_all(ws.all_files())
    first = publish(ws)
    (second,) = median_of(max(repeat, 5), lambda: publish(ws))
    everything = " ".join(f"'{path}'" for path in ws.all_files())
    hash_floor = shell(f"openssl dgst -sha256 {everything} > /dev/null", ws.root)
    table.add(
        "W3 touched, 1st run / openssl of every file",
        f"{first:.2f}s / {hash_floor:.2f}s",
        first / hash_floor,
        "(info)",
    )
    table.add(
        "W3 touched, 2nd run / W2 no-op",
        f"{second:.3f}s / {noop_t:.3f}s",
        second / noop_t,
        "<= 1.3",
    )


def w2_naive(ws: Workspace, repeat: int, noop_t: float, table: Table) -> None:
    """W2 for the naive script, which redoes everything each run, against our no-op."""

    def naive_again() -> float:
        return run(ws.naive(), ws.root) + run(["git", "add", *PUBLISHED], ws.root)

    naive_again()
    run(["git", "commit", "--quiet", "-m", "naive manifest"], ws.root)
    (naive_t,) = median_of(repeat, naive_again)
    table.add(
        "W2 naive + git add / our no-op",
        f"{naive_t:.2f}s / {noop_t:.3f}s",
        naive_t / noop_t,
        ">= 4",
    )
