"""Timing for the benchmark: a command's time, medians of alternating variants, the goals table."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from workspace import REPO

# The row of a bench/ script that printed no result: its value is NaN, so its goal reads NO.
FAILED = "failed: see stderr"


def run(command: list[str], cwd: Path, check: bool = True) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def settled() -> None:
    """Flush every dirty page, untimed: a variant must not pay for the writes of the one before."""
    subprocess.run(["sync"], check=True)


def median_of(repeat: int, *variants: Callable[[], float]) -> list[float]:
    """Run the variants alternately `repeat` times; the median time of each."""
    times: list[list[float]] = [[] for _ in variants]
    for _ in range(repeat):
        for index, variant in enumerate(variants):
            times[index].append(variant())
    return [statistics.median(each) for each in times]


def shell(script: str, cwd: Path) -> float:
    return run(["bash", "-c", script], cwd)


def touch_all(paths: list[Path]) -> None:
    now = time.time_ns()
    for path in paths:
        os.utime(path, ns=(now, now))


def bench_script(name: str, *args: str) -> str:
    """What one of bench/'s scripts prints, run in its own process; on failure, shown too."""
    command = [sys.executable, str(REPO / "bench" / name), *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"bench/{name} failed:\n{result.stdout}\n{result.stderr}", file=sys.stderr)
    return result.stdout


def meets(ratio: float, goal: str) -> str:
    """`yes` or `NO` for goals written as `<= 1.15`, `< 1`, `>= 4`; `-` for information only."""
    operator, _, bound = goal.partition(" ")
    checks = {"<=": ratio <= float(bound or 0), "<": ratio < float(bound or 0)} if bound else {}
    if operator == ">=":
        return "yes" if ratio >= float(bound) else "NO"
    if operator in checks:
        return "yes" if checks[operator] else "NO"
    return "-"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, workload: str, measured: str, ratio: float, goal: str) -> None:
        met = meets(ratio, goal)
        self.rows.append((workload, measured, f"{ratio:.2f}", goal, met))
        print(f"  {workload}: {measured} -> {ratio:.2f} (goal {goal}: {met})", file=sys.stderr)

    def print(self) -> None:
        headers = ("workload", "measured", "ratio", "goal", "met")
        widths = [max(len(row[i]) for row in [headers, *self.rows]) for i in range(5)]
        for row in [headers, tuple("-" * w for w in widths), *self.rows]:
            print(
                "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
            )
