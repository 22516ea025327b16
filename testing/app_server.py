"""A stand-in for the web app's API over HTTP, and the servers of a test: POST /api/reload, GET /api/status,
POST /api/predict, GET /api/teams as the app's route handlers define them (web/src/app/api/*).

It caches the manifest until a reload, loads each model and bundle from its manifest `uri` (the
test's raw server over a bare remote) and runs the models in onnxruntime. Faults are flags:

    python testing/app_server.py --manifest PATH --data DIR [--token T] [--fallback ID]
        [--omit FEATURE] [--swap ID=MODEL.onnx] [--feature-dataset-version N] [--slow] [--cors]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import signal
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the server's own process
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testing.app_vectors import ALWAYS, DERIVED, financial, numbers, synthetic
from testing.servers import ServerProcesses

FALLBACK = "Heuristic fallback (model export not available)."


def fetch(uri: str) -> bytes:
    with urllib.request.urlopen(uri, timeout=10) as response:
        return response.read()


class App:
    """The loader's state (models/loader.ts) and the predictions (predict/*.ts)."""

    def __init__(self, options: argparse.Namespace):
        self.options = options
        self.manifest: dict | None = None
        self.loaded_at: str | None = None
        self.sessions: dict[str, object] = {}
        self.lock = threading.Lock()

    def ensure_loaded(self, force: bool = False) -> dict:
        with self.lock:
            if self.manifest is None or force:
                source = self.options.manifest
                text = fetch(source) if source.startswith("http") else Path(source).read_bytes()
                self.manifest = json.loads(text)
                self.loaded_at = datetime.now(UTC).isoformat()
            return self.manifest

    def status(self) -> dict:
        manifest = self.ensure_loaded()
        return {
            "ok": True,
            "run_id": manifest.get("run_id"),
            "dataset_version": manifest.get("dataset_version"),
            "trained_at": manifest.get("trained_at"),
            "loaded_at": self.loaded_at,
            "models": [
                {"id": e["id"], "format": e.get("format"), "location": self.location(e)}
                for e in manifest["models"]
            ],
            "errors": [],
            "env": {
                "reloadTokenConfigured": self.options.token is not None,
                "featureDatasetVersion": self.options.feature_dataset_version,
            },
        }

    def location(self, entry: dict) -> dict:
        swapped = dict(self.options.swap).get(entry["id"])
        if swapped:
            return {"kind": "local", "path": swapped}
        return {"kind": "remote", "uri": entry["uri"]}

    def rows(self) -> list[dict]:
        manifest = self.ensure_loaded()
        version = self.options.feature_dataset_version or str(manifest["dataset_version"])
        dataset = Path(self.options.data) / f"Dataset_Version_{version}.csv"
        if not dataset.is_file():
            raise ValueError(
                f"Dataset not found at {dataset}. Run build_dataset_version{version}.py"
            )
        with dataset.open(encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream))

    def features(self, home: str, away: str, season: str | None) -> dict:
        data = Path(self.options.data)
        rows = self.rows()
        season = season or rows[-1]["season"]
        key = (season, home, away)
        found = (r for r in rows if (r["season"], r["home_team_name"], r["away_team_name"]) == key)
        row = next(found, None)
        if row is not None:
            values = numbers(row)
            values.update(financial(data, (season, home, away)))
        else:
            values = synthetic(rows, season, home, away)
        for name in ALWAYS:
            values.setdefault(name, 0)
        for name in DERIVED:
            values.setdefault(name, 0)
        for name in self.options.omit:
            values.pop(name, None)
        return values

    def teams(self) -> dict:
        rows = self.rows()
        season = rows[-1]["season"]
        sides = ("home_team_name", "away_team_name")
        names = sorted({r[side] for r in rows if r["season"] == season for side in sides})
        teams = [{"name": name, "canonical": name, "shortName": name[:3]} for name in names]
        return {"ok": True, "league": "EPL", "season": season, "teams": teams}

    def predict(self, body: dict) -> dict:
        home, away = str(body["homeTeam"]), str(body["awayTeam"])
        if home.strip().lower() == away.strip().lower():
            raise ValueError("Home and away teams must be different.")
        vector = self.features(home, away, body.get("season"))
        manifest = self.ensure_loaded()
        bundles = {entry["id"]: entry for entry in manifest.get("preprocessing", [])}
        models = [self.run(entry, bundles.get(entry["id"]), vector) for entry in manifest["models"]]
        return {
            "ok": True,
            "fixture": {"home": home, "away": away},
            "features": vector,
            "models": models,
        }

    def run(self, entry: dict, bundle: dict | None, vector: dict) -> dict:
        try:
            if entry["id"] in self.options.fallback or bundle is None:
                raise RuntimeError("no export")
            probs = self.onnx(entry, json.loads(fetch(bundle["uri"]))["feature_names"], vector)
            note = "Inference via onnxruntime-node"
        except Exception:
            score = max(min(sum(vector.get(k, 0) for k in ALWAYS) * 0.1, 6), -6)
            exps = [math.exp(v) for v in (score, -abs(score), -score)]
            probs = [value / sum(exps) for value in exps]
            note = FALLBACK
        return {
            "id": entry["id"],
            "probs": dict(zip(("home", "draw", "away"), probs, strict=False)),
            "note": note,
        }

    def onnx(self, entry: dict, names: list[str], vector: dict) -> list[float]:
        import numpy as np
        import onnxruntime

        location = self.location(entry)
        key = location.get("uri") or location["path"]
        if key not in self.sessions:
            data = fetch(key) if "uri" in location else Path(key).read_bytes()
            self.sessions[key] = onnxruntime.InferenceSession(
                data, providers=["CPUExecutionProvider"]
            )
        session = self.sessions[key]
        row = np.array([[vector.get(name, 0) for name in names]], dtype=np.float32)
        outputs = session.run(None, {"input": row})
        named = dict(zip((o.name for o in session.get_outputs()), outputs, strict=False))
        chosen = next((v for k, v in named.items() if "prob" in k.lower()), outputs[0])
        values = [float(v) for v in np.asarray(chosen).reshape(-1)[:3]]
        total = sum(values) or 1
        return [value / total for value in values]


class Handler(BaseHTTPRequestHandler):
    app: App

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        if route == "/api/teams":
            return self.guarded(self.app.teams)
        if route != "/api/status":
            return self.answer(404, {"ok": False, "error": "Not found"})
        self.guarded(self.app.status)

    def do_POST(self) -> None:
        route = self.path.split("?")[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if route == "/api/reload":
            return self.reload()
        if route == "/api/predict":
            return self.guarded(lambda: self.app.predict(json.loads(body)), failure=400)
        self.answer(404, {"ok": False, "error": "Not found"})

    def reload(self) -> None:
        configured = self.app.options.token
        if configured is None:
            return self.answer(501, {"ok": False, "error": "Reload token not configured"})
        given = self.headers.get("x-reload-token")
        if given is None and (self.headers.get("authorization") or "").startswith("Bearer "):
            given = self.headers["authorization"][len("Bearer ") :]
        if given != configured:
            return self.answer(401, {"ok": False, "error": "Unauthorized"})
        manifest = self.app.ensure_loaded(force=True)
        self.answer(
            200,
            {
                "ok": True,
                "run_id": manifest.get("run_id"),
                "reloaded_at": self.app.loaded_at,
                "models": len(manifest["models"]),
            },
        )

    def guarded(self, make, failure: int = 500) -> None:
        try:
            document = make()
        except Exception as err:
            return self.answer(failure, {"ok": False, "error": str(err)})
        self.answer(200, document)

    def answer(self, status: int, document: dict) -> None:
        if self.app.options.slow:
            time.sleep(3600)  # never answers within a test's app_wait; the fixture kills it
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.app.options.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        pass


class AppServers(ServerProcesses):
    """App servers a test starts: `start(manifest, data_dir, "--token", "T", ...)` -> base url."""

    def __init__(self, logs: Path):
        # SIGKILL: a server made to hang (--slow) would not stop on a polite signal.
        super().__init__(__file__, logs, signal.SIGKILL)

    def start(self, manifest: Path | str, data: Path, *flags: str) -> str:
        return super().start("--manifest", str(manifest), "--data", str(data), *flags)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True, help="MODEL_MANIFEST_SOURCE: a path or URL")
    parser.add_argument("--data", required=True, help="the app's public/data folder")
    parser.add_argument("--token", help="RELOAD_TOKEN; without it a reload answers 501")
    for flag, what in (
        ("--fallback", "a model id that falls back"),
        ("--omit", "a feature left out"),
    ):
        parser.add_argument(flag, action="append", default=[], help=what)
    swap = lambda text: tuple(text.split("=", 1))  # noqa: E731
    parser.add_argument("--swap", action="append", default=[], type=swap, help="ID=MODEL.onnx")
    parser.add_argument("--feature-dataset-version", help="FEATURE_DATASET_VERSION")
    parser.add_argument("--slow", action="store_true", help="never answer")
    parser.add_argument("--cors", action="store_true", help="let a browser page read the answers")
    options = parser.parse_args()
    Handler.app = App(options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
