"""`doit verify` prints what a manifest carries with its control characters escaped."""

from __future__ import annotations

import json
import subprocess
import sys

MANIFEST = "web/public/fixtures/dev.json"


def test_a_uri_with_terminal_escapes_is_printed_escaped(project):
    manifest_path = project / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["models"][0]["uri"] = "https://example.org/\x1b]0;owned\x07\x1b[2J.onnx"
    manifest_path.write_text(json.dumps(manifest, indent=2))
    result = subprocess.run(
        [sys.executable, "-m", "doit", "verify"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert "\x1b" not in text and "\x07" not in text
    assert "https://example.org/\\x1b]0;owned\\x07\\x1b[2J.onnx" in result.stdout
