"""`doit verify` on the published sample: clean, then each kind of tampering caught and named."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from testing.doit import doit_here
from testing.project import MANIFEST, REPO

LOCK = "web-assets.lock.json"
MODEL = "artifacts/run_export/market_gradient_boost.onnx"


def edit_json(path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2) + "\n")


def model_entry(document):
    return next(item for item in document["models"] if item["id"] == "market_gradient_boost")


def lock_entry(document):
    return next(item for item in document["files"] if item["path"] == MODEL)


def test_the_published_sample_verifies_clean(project):
    result = doit_here(project, "verify")
    assert result.status == 0, result.text
    assert "verify: 8 files match the manifest and the lock file." in result.out


def flip_a_byte(root):
    path = root / MODEL
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(root):
    path = root / MODEL
    path.write_bytes(path.read_bytes()[:-100])


def remove(root):
    (root / MODEL).unlink()


def stale_size(root):
    edit_json(root / MANIFEST, lambda doc: model_entry(doc).update(size_bytes=1))


def wrong_uri(root):
    edit_json(
        root / MANIFEST, lambda doc: model_entry(doc).update(uri="https://elsewhere.invalid/m.onnx")
    )


def lock_disagrees(root):
    edit_json(root / LOCK, lambda doc: lock_entry(doc).update(sha256="0" * 64))


def bad_integrity(root):
    edit_json(root / MANIFEST, lambda doc: model_entry(doc).update(integrity="sha256-AAAA"))


def dataset_tampered(root):
    path = root / "web/public/data/financial_dataset.csv"
    path.write_bytes(path.read_bytes() + b"2099,X,Y,1,2,3,4\n")


CASES = {
    "tampered byte": (
        flip_a_byte,
        [
            f"models/market_gradient_boost: {MODEL}: sha256: expected",
            f"lock/market_gradient_boost: {MODEL}: sha256",
        ],
    ),
    "truncated file": (
        truncate,
        [f"models/market_gradient_boost: {MODEL}: size_bytes: expected 14630, found 14530"],
    ),
    "missing file": (
        remove,
        [f"models/market_gradient_boost: {MODEL}: file: expected present, found missing"],
    ),
    "stale size": (
        stale_size,
        [f"models/market_gradient_boost: {MODEL}: size_bytes: expected 1, found 14630"],
    ),
    "wrong uri": (
        wrong_uri,
        [
            f"models/market_gradient_boost: {MODEL}: uri: expected https://raw.githubusercontent.com/"
        ],
    ),
    "lock disagrees": (
        lock_disagrees,
        [f"models/market_gradient_boost: {MODEL}: lock sha256 agrees with manifest"],
    ),
    "bad integrity": (
        bad_integrity,
        [f"models/market_gradient_boost: {MODEL}: integrity: expected sha256-"],
    ),
    "dataset tampered": (
        dataset_tampered,
        ["lock/financial: web/public/data/financial_dataset.csv: size_bytes"],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_tampering_is_caught_and_named(project, case):
    tamper, expected_lines = CASES[case]
    tamper(project)
    result = doit_here(project, "verify")
    assert result.status != 0
    lines = [line for line in result.out.splitlines() if line.startswith("verify: ")]
    for expected in expected_lines:
        assert any(expected in line for line in lines), f"{expected!r} not in {lines}"
    assert any("problem(s) in" in line for line in lines)
    assert "Traceback" not in result.text


def test_integrity_is_the_sri_form_of_the_digest():
    manifest = json.loads((REPO / MANIFEST).read_text())
    for section in ("models", "preprocessing"):
        for item in manifest[section]:
            digest = hashlib.sha256((REPO / item["path"]).read_bytes()).digest()
            assert item["integrity"] == "sha256-" + base64.b64encode(digest).decode()


def test_the_lock_file_records_every_published_file_and_its_source(project):
    from testing.project import make_sample

    run_dir = project / "runs/run_20251128-101500"
    make_sample.write_sample(project, run_dir, version=9, seed=9)
    args = [
        "version=9",
        "run_dir=runs/run_20251128-101500",
        "dataset=data/processed/Dataset_Version_9.csv",
    ]
    assert doit_here(project, *args).status == 0
    lock = json.loads((project / LOCK).read_text())
    by_path = {entry["path"]: entry for entry in lock["files"]}
    assert lock["dataset_version"] == "9"
    assert list(by_path) == sorted(by_path)

    main = by_path["web/public/data/Dataset_Version_9.csv"]
    assert main["source"]["path"] == "data/processed/Dataset_Version_9.csv"
    assert main["rows"] == 40 and len(main["columns"]) == 209
    assert main["columns"][:3] == ["season", "home_team_name", "away_team_name"]
    assert by_path["web/public/data/financial_dataset.csv"]["rows"] == 20

    model = by_path["artifacts/run_export/performance_dense.onnx"]
    assert model["kind"] == "model" and model["id"] == "performance_dense"
    assert model["source"] == {
        "path": "runs/run_20251128-101500/performance_dense.onnx",
        "sha256": hashlib.sha256((run_dir / "performance_dense.onnx").read_bytes()).hexdigest(),
    }
    assert model["sha256"] == model["source"]["sha256"]
    assert {entry["kind"] for entry in lock["files"]} == {"dataset", "model", "preprocessing"}
    assert doit_here(project, "verify").status == 0
