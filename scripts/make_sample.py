"""Build the bundled sample run: small but real ONNX models, their bundles, and sample CSVs.

The files are committed; run this only to change the sample:

    python scripts/make_sample.py && doit

The models mirror the real release (XGBoost exported by onnxmltools): a TreeEnsembleClassifier
with one float32 input `input` of shape [1, n] and outputs `label` and `probabilities` [1, 3].
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from pathlib import Path

import onnx
from onnx import TensorProto, helper

from web_assets.modelcheck.features import FINANCIAL_FEATURES

ROOT = Path(__file__).resolve().parent.parent
TEAMS = [
    "Arsenal", "Aston Villa", "Bournemouth", "Brentford", "Brighton", "Chelsea", "Crystal Palace",
    "Everton", "Fulham", "Liverpool", "Manchester City", "Manchester United", "Newcastle United",
    "Nottingham Forest", "Tottenham Hotspur", "West Ham United", "Wolverhampton Wanderers",
]  # fmt: skip
SEASONS = ["2023-2024", "2024-2025"]
KEY_COLUMNS = ["season", "home_team_name", "away_team_name", "match_date", "result"]
MAIN_COLUMNS = 209
MODELS = {"performance_dense": 24, "market_gradient_boost": 12, "financial_lens": 8}
# The four figures drawn per fixture; the app's financial columns are computed from them.
FINANCIAL_DRAWS = [
    "home_squad_value_m",
    "away_squad_value_m",
    "home_wage_bill_m",
    "away_wage_bill_m",
]


def tree_ensemble(n_features: int, rng: random.Random, rounds: int = 12, depth: int = 3):
    """A boosted-tree classifier over 3 classes (home, draw, away), one tree per class per round."""
    node = helper.make_node(
        "TreeEnsembleClassifier",
        inputs=["input"],
        outputs=["label", "probabilities"],
        domain="ai.onnx.ml",
        classlabels_int64s=[0, 1, 2],
        post_transform="SOFTMAX",
        base_values=[0.5, 0.5, 0.5],
        **_trees(n_features, rng, rounds * 3, depth),
    )
    graph = helper.make_graph(
        [node],
        "xgboost_classifier",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, n_features])],
        [
            helper.make_tensor_value_info("label", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3]),
        ],
    )
    model = helper.make_model(
        graph,
        producer_name="web-asset-pipeline sample",
        opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)],
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _trees(n_features: int, rng: random.Random, trees: int, depth: int) -> dict[str, list]:
    """The classifier's attributes for `trees` full binary trees; tree t votes for class t % 3."""
    attrs: dict[str, list] = {key: [] for key in (
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
        "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
        "class_treeids", "class_nodeids", "class_ids", "class_weights",
    )}  # fmt: skip
    for tree in range(trees):
        for node in range(2 ** (depth + 1) - 1):
            attrs["nodes_treeids"].append(tree)
            attrs["nodes_nodeids"].append(node)
            attrs["nodes_missing_value_tracks_true"].append(1)
            if node < 2**depth - 1:
                feature, value = rng.randrange(n_features), round(rng.uniform(-1.0, 1.0), 4)
                _node(attrs, "BRANCH_LT", feature, value, (2 * node + 1, 2 * node + 2))
            else:
                _node(attrs, "LEAF", 0, 0.0, (0, 0))
                attrs["class_treeids"].append(tree)
                attrs["class_nodeids"].append(node)
                attrs["class_ids"].append(tree % 3)
                attrs["class_weights"].append(round(rng.gauss(0.0, 0.3), 4))
    return attrs


def _node(attrs: dict[str, list], mode: str, feature: int, value: float, children) -> None:
    """A node's test (`feature` < `value`) and its true and false children; a leaf has (0, 0)."""
    attrs["nodes_modes"].append(mode)
    attrs["nodes_featureids"].append(feature)
    attrs["nodes_values"].append(value)
    attrs["nodes_truenodeids"].append(children[0])
    attrs["nodes_falsenodeids"].append(children[1])


def main_dataset(rng: random.Random, rows: int) -> tuple[list[str], list[list[str]]]:
    features = [f"feature_{index:03d}" for index in range(MAIN_COLUMNS - len(KEY_COLUMNS))]
    table = []
    for _ in range(rows):
        home, away = rng.sample(TEAMS, 2)
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        result = rng.choice(["H", "D", "A"])
        values = [f"{rng.uniform(-3, 3):.4f}" for _ in features]
        table.append([rng.choice(SEASONS), home, away, day, result, *values])
    return KEY_COLUMNS + features, table


def financial_columns(values: list[float]) -> list[str]:
    """The app's 8 financial columns (FINANCIAL_FEATURES order) from one fixture's four draws."""
    home_value, away_value, home_wages, away_wages = values
    # Squads of 25: the average player value and salary follow the squad value and wage bill.
    return [
        f"{home_value / away_value:.4f}",
        f"{home_value - away_value:.1f}",
        f"{home_value / away_value:.4f}",
        f"{(home_value - away_value) / 25:.2f}",
        f"{home_wages / away_wages:.4f}",
        f"{home_wages - away_wages:.1f}",
        f"{home_wages / away_wages:.4f}",
        f"{(home_wages - away_wages) / 25:.2f}",
    ]


def csv_bytes(header: list[str], rows: list[list[str]], line_end: str) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator=line_end).writerows([header, *rows])
    return text.getvalue().encode("utf-8")


def write_sample(
    root: Path, run_dir: Path, *, version: int = 7, seed: int = 7, rows: int = 40
) -> None:
    """Write a run's models and bundles into `run_dir` and its CSVs into `root`/data/processed."""
    rng = random.Random(seed)
    header, rows_main = main_dataset(rng, rows)
    processed = root / "data" / "processed"
    processed.mkdir(parents=True, exist_ok=True)
    # The real exports: the main dataset with CRLF line ends, the financial one with LF.
    main_csv = processed / f"Dataset_Version_{version}.csv"
    main_csv.write_bytes(csv_bytes(header, rows_main, "\r\n"))
    # Four draws per row whatever the columns: the models are drawn next from the same generator,
    # so a change to the financial columns leaves them as they are.
    financial_rows = [
        [
            season,
            home,
            away,
            *financial_columns([round(rng.uniform(50, 1200), 1) for _ in FINANCIAL_DRAWS]),
        ]
        for season, home, away, *_ in rows_main[: rows // 2]
    ]
    financial_header = ["season", "home_team", "away_team", *FINANCIAL_FEATURES]
    (processed / "financial_dataset.csv").write_bytes(
        csv_bytes(financial_header, financial_rows, "\n")
    )

    run_dir.mkdir(parents=True, exist_ok=True)
    for model_id, n_features in MODELS.items():
        names = rng.sample(header[len(KEY_COLUMNS) :], n_features)
        if model_id == "financial_lens":
            # A lens on both datasets: half the app's financial columns, half the main CSV's.
            names[: len(FINANCIAL_DRAWS)] = FINANCIAL_FEATURES[: len(FINANCIAL_DRAWS)]
        model = tree_ensemble(n_features, rng, rounds=4 + n_features // 2)
        (run_dir / f"{model_id}.onnx").write_bytes(model.SerializeToString())
        bundle = {"feature_names": names, "feature_schema_version": "v7", "trainer": "xgboost"}
        # The training notebooks write bundles without a trailing newline.
        (run_dir / f"{model_id}_preprocessing.json").write_text(json.dumps(bundle, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project root to write into")
    parser.add_argument("--seed", type=int, default=7, help="change to get different models")
    args = parser.parse_args()
    write_sample(args.root, args.root / "artifacts" / "run_export", seed=args.seed)


if __name__ == "__main__":
    main()
