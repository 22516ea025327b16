"""The release checklist as a plain script: copy, rehash everything, rewrite the manifest.

The benchmark's baseline. It does no incremental work and no checking: every run copies and
hashes every file again. Usage: naive_publish.py ROOT RUN_DIR DATASET FINANCIAL VERSION
"""

import hashlib
import json
import shutil
import sys
from pathlib import Path

URI = "https://raw.githubusercontent.com/Beautiful-Game-Oracle/The-Beautiful-Game-Oracle/main/"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def entry(root: Path, path: Path, id_: str) -> dict:
    relative = path.relative_to(root).as_posix()
    return {
        "id": id_,
        "uri": URI + relative,
        "path": relative,
        "local_path": relative,
        "sha256": sha256_of(path),
        "size_bytes": path.stat().st_size,
    }


def main(root: Path, run_dir: Path, dataset: Path, financial: Path, version: str) -> None:
    data_dir = root / "web/public/data"
    export_dir = root / "artifacts/run_export"
    data_dir.mkdir(parents=True, exist_ok=True)
    export_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dataset, data_dir / f"Dataset_Version_{version}.csv")
    shutil.copyfile(financial, data_dir / "financial_dataset.csv")
    for source in sorted(run_dir.glob("*.onnx")) + sorted(run_dir.glob("*.json")):
        shutil.copyfile(source, export_dir / source.name)

    manifest_path = root / "web/public/fixtures/dev.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest["dataset_version"] = version
    manifest["models"] = [
        {**entry(root, path, path.stem), "format": "onnx"}
        for path in sorted(export_dir.glob("*.onnx"))
    ]
    manifest["preprocessing"] = [
        entry(root, path, path.name.removesuffix("_preprocessing.json"))
        for path in sorted(export_dir.glob("*_preprocessing.json"))
    ]
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    root, run_dir, dataset, financial, version = sys.argv[1:6]
    main(Path(root), Path(run_dir), Path(dataset), Path(financial), version)
