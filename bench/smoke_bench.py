"""Time what the model checks add to a publish: coverage, fixtures, smoke test and shift.

    python bench/smoke_bench.py

Three tree ensembles the size of the real exports (200-330 KB), a 3.4 MB 209-column main CSV
whose latest season ends it, 200 fixtures. Each figure is the median of 3 runs; the end-to-end
figure runs in a fresh interpreter, so it includes importing numpy and onnxruntime.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from web_assets.modelcheck.features import FINANCIAL_FEATURES, FORM_STATS, coverage, derived_table
from web_assets.modelcheck.fixtures import feature_matrix, load_fixtures
from web_assets.modelcheck.runtime import prediction_shift, run_model

REPO = Path(__file__).resolve().parent.parent

SEASONS = [f"{year}-{year + 1}" for year in range(2016, 2025)]
NAMED = ["forecast_home_win", "forecast_away_win", "home_shots_for", "away_shots_for"]
NAMED += [f"{side}_{stat}_last_5" for side in ("home", "away") for stat in FORM_STATS]
# Depth 5 as XGBoost exports; the rounds give 200, 260 and 330 KB.
MODELS = {
    "performance_dense": (120, 35),
    "market_gradient_boost": (90, 45),
    "financial_lens": (60, 56),
}
FIXTURES = 200
REPEAT = 3


def sample_script():
    """scripts/make_sample.py, imported only to build the workload: it imports onnx, a publish does not."""
    sys.path.insert(0, str(REPO / "scripts"))
    import make_sample

    return make_sample


def write_dataset(folder: Path, size: int = 3_400_000) -> tuple[Path, Path]:
    make_sample = sample_script()
    rng = random.Random(11)
    header = [*make_sample.KEY_COLUMNS, *NAMED]
    header += [f"feature_{index:03d}" for index in range(make_sample.MAIN_COLUMNS - len(header))]
    main, financial = folder / "Dataset_Version_9.csv", folder / "financial_dataset.csv"
    with main.open("w", newline="") as stream, financial.open("w", newline="") as fin:
        rows, money = csv.writer(stream, lineterminator="\r\n"), csv.writer(fin)
        rows.writerow(header)
        money.writerow(["season", "home_team", "away_team", *FINANCIAL_FEATURES])
        count = 0
        while stream.tell() < size:
            season = SEASONS[min(count * len(SEASONS) * 1650 // size, len(SEASONS) - 1)]
            home, away = rng.sample(make_sample.TEAMS, 2)
            values = [f"{rng.uniform(0, 3):.4f}" for _ in header[len(make_sample.KEY_COLUMNS) :]]
            rows.writerow([season, home, away, "2025-01-01", "H", *values])
            money.writerow([season, home, away, *(f"{rng.uniform(-50, 50):.2f}" for _ in range(8))])
            count += 1
    return main, financial


def write_models(folder: Path, header: list[str], suffix: str, seed: int) -> dict[str, list[str]]:
    make_sample = sample_script()
    rng = random.Random(seed)
    derived = [name for name in derived_table() if name[0].islower()]
    bundles = {}
    for model_id, (width, rounds) in MODELS.items():
        names = random.Random(width).sample(header[5:] + derived, width)
        model = make_sample.tree_ensemble(width, rng, rounds=rounds, depth=5)
        (folder / f"{model_id}{suffix}.onnx").write_bytes(model.SerializeToString())
        bundles[model_id] = names
    return bundles


def publish_checks(folder: Path) -> dict[str, float]:
    """One publish's checks, each step timed: returns seconds per step."""
    times = {}
    start = time.perf_counter()
    main, financial = folder / "Dataset_Version_9.csv", folder / "financial_dataset.csv"
    bundles = json.loads((folder / "bundles.json").read_text())
    main_columns = main.open(encoding="utf-8").readline().rstrip("\r\n").split(",")
    financial_columns = financial.open(encoding="utf-8").readline().rstrip("\n").split(",")
    table = derived_table()
    for names in bundles.values():
        coverage(names, main_columns, financial_columns, table)
    times["coverage"] = time.perf_counter() - start
    start = time.perf_counter()
    fixtures = load_fixtures(main, financial, FIXTURES)
    matrices = {
        model_id: feature_matrix(fixtures, names, table) for model_id, names in bundles.items()
    }
    times["fixtures"] = time.perf_counter() - start
    start = time.perf_counter()
    new = {
        model_id: run_model(model_id, folder / f"{model_id}.onnx", matrix, fixtures)
        for model_id, matrix in matrices.items()
    }
    times["smoke"] = time.perf_counter() - start
    start = time.perf_counter()
    for model_id, matrix in matrices.items():
        old = run_model(model_id, folder / f"{model_id}_published.onnx", matrix, fixtures)
        prediction_shift(old, new[model_id]).line(model_id)
    times["shift"] = time.perf_counter() - start
    return times


def fresh(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per figure (median)")
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        main_csv, _ = write_dataset(folder)
        header = main_csv.open().readline().rstrip("\r\n").split(",")
        bundles = write_models(folder, header, "", 1)
        write_models(folder, header, "_published", 2)
        (folder / "bundles.json").write_text(json.dumps(bundles))
        sizes = sorted((folder / f"{model_id}.onnx").stat().st_size // 1024 for model_id in MODELS)
        print(f"main CSV {main_csv.stat().st_size / 1e6:.1f} MB, {len(header)} columns; ", end="")
        print(f"models {sizes} KB; {FIXTURES} fixtures; median of {repeat}")
        runs = [publish_checks(folder) for _ in range(repeat)]
        for step in runs[0]:
            print(
                f"{step:>9}: {statistics.median(run[step] for run in runs) * 1000:7.1f} ms (warm)"
            )
        print(
            f"{'total':>9}: {statistics.median(sum(run.values()) for run in runs) * 1000:7.1f} ms"
        )

        def median(code: str) -> str:
            return f"{statistics.median(fresh(code) for _ in range(repeat)) * 1000:7.1f} ms"

        clock = "import time; {}; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
        work = (
            f"import sys; sys.path.insert(0, {str(REPO / 'bench')!r}); import smoke_bench; "
            f"smoke_bench.publish_checks(__import__('pathlib').Path({temp!r}))"
        )
        # A publish whose models changed has imported onnx (and numpy) for the signature check.
        print("fresh interpreter:")
        print(
            f"  import numpy                         {median(clock.format('pass', 'import numpy'))}"
        )
        print(
            f"  import onnxruntime                   {median(clock.format('pass', 'import onnxruntime'))}"
        )
        print(
            f"  import onnxruntime after onnx        {median(clock.format('import onnx', 'import onnxruntime'))}"
        )
        print(f"  checks, imports included             {median(clock.format('pass', work))}")
        print(f"  checks after onnx (added to publish) {median(clock.format('import onnx', work))}")


if __name__ == "__main__":
    main()
