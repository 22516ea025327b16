"""Bad input a publish refuses before writing: each case sets up the project, returns doit's
`name=value` arguments, and names what the one-line error must say."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from testing.project import EXPORT, MANIFEST

Case = tuple[Callable[[Path], list[str]], str]


def empty_run_dir(root: Path) -> list[str]:
    (root / "runs/empty").mkdir(parents=True)
    return ["run_dir=runs/empty"]


def clashing_ids(root: Path) -> list[str]:
    run_dir = root / "runs/clash"
    run_dir.mkdir(parents=True)
    model = (root / EXPORT / "performance_dense.onnx").read_bytes()
    (run_dir / "Performance_Dense.onnx").write_bytes(model)
    return ["run_dir=runs/clash"]


def dataset_with(content: bytes):
    def make(root: Path) -> list[str]:
        (root / "data/processed/bad.csv").write_bytes(content)
        return ["dataset=data/processed/bad.csv"]

    return make


def financial_with(content: bytes):
    def make(root: Path) -> list[str]:
        (root / "data/processed/bad_financial.csv").write_bytes(content)
        return ["financial_dataset=data/processed/bad_financial.csv"]

    return make


def manifest_with(content: str):
    def make(root: Path) -> list[str]:
        (root / MANIFEST).write_text(content)
        return []

    return make


def manifest_outside(root: Path) -> list[str]:
    return ["manifest=../dev.json"]


def data_dir_symlinked_out(root: Path) -> list[str]:
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (root / "public_data").symlink_to(outside)
    return ["data_dir=public_data"]


def given(*args: str):
    return lambda root: list(args)


# Settings a publish refuses as it reads them.
SETTINGS: dict[str, Case] = {
    "version zero": (given("version=0"), "positive whole number"),
    "version not a number": (given("version=v8"), "positive whole number"),
    "version negative": (given("version=-2"), "positive whole number"),
    "version in other digits": (given("version=٣"), "positive whole number"),
    "version superscript": (given("version=²"), "positive whole number"),
    "run dir empty": (given("run_dir="), "run_dir"),
    "trained_at out of range": (given("trained_at=9999-12-31T23:59:59-01:00"), "RFC 3339"),
    "uri template format spec": (given("uri_template=x/{filename:>99999999999}"), "plain"),
    "unknown setting": (given("verison=8"), "Unknown setting 'verison'"),
    "bad uri template": (given("uri_template=x/{name}"), "may only use"),
    "bad trained_at": (given("trained_at=yesterday"), "RFC 3339"),
    "output escapes by ..": (manifest_outside, "outside the project"),
    "output through a symlink": (data_dir_symlinked_out, "symlink"),
    "storage without bucket": (given("storage=s3"), "needs `s3_bucket`"),
    "storage without base url": (given("storage=s3", "s3_bucket=b"), "needs `public_base_url`"),
    "storage with a commit template": (
        given(
            "storage=s3",
            "s3_bucket=b",
            "public_base_url=https://x.example",
            "uri_template=x/{commit}",
        ),
        "does not need",
    ),
    "storage url with credentials": (
        given("storage=s3", "s3_bucket=b", "public_base_url=https://k:s@x.example"),
        "credentials",
    ),
    "key template without s3": (
        given("uri_template=https://x.example/{key}"),
        'only storage = "s3" gives',
    ),
    "unknown storage": (given("storage=s4"), "must be one of 'git', 's3'"),
}

# Inputs a publish refuses when the release loads: the files the settings name.
INPUTS: dict[str, Case] = {
    "run dir missing": (given("run_dir=runs/nope"), "does not exist"),
    "run dir without models": (empty_run_dir, "holds no *.onnx model"),
    "dataset missing": (given("dataset=data/processed/nope.csv"), "does not exist"),
    "dataset empty": (dataset_with(b""), "is empty"),
    "dataset without header": (dataset_with(b"1,2,3\r\n4,5,6\r\n"), "has no header row"),
    "dataset with BOM": (dataset_with(b"\xef\xbb\xbfseason,home\r\n"), "byte-order mark"),
    "financial dataset missing": (given("financial_dataset=nope.csv"), "does not exist"),
    "financial dataset empty": (financial_with(b"\n\n"), "is empty"),
    "financial dataset with BOM": (financial_with(b"\xff\xfes\x00"), "byte-order mark"),
    "manifest not JSON": (manifest_with('{"run_id": '), "is not valid JSON"),
    "manifest not an object": (manifest_with("[]"), "not an object"),
    "manifest models not a list": (manifest_with('{"models": {}}'), "must be a list"),
    "two files, one id": (clashing_ids, "same model id"),
}
