"""The digest cache and content checker: each changed byte read once, unchanged bytes never."""

from __future__ import annotations

import hashlib
import io
import os
import pty
import sys
import time

import pytest

from tasks.checker import ContentChecker
from web_assets.files.digests import RACY_NS, DigestCache, close_cache
from web_assets.files.hashed_copy import copy_file
from web_assets.files.hashing import hash_file
from web_assets.files.progress import PROGRESS_MIN_SIZE


def settle() -> None:
    """Let files written just now age past the racy window, so their digests may be saved."""
    time.sleep(RACY_NS / 1e9 * 1.5)


def touch(path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(os.urandom(1 << 20))
    settle()
    return path


def test_a_touched_unchanged_file_is_hashed_once_then_never(tmp_path, model):
    first = DigestCache(tmp_path)
    expected = first.digest(model)
    first.save()

    touch(model)
    settle()
    second = DigestCache(tmp_path)  # each run reads the cache afresh
    assert second.digest(model) == expected
    assert second.bytes_hashed == model.stat().st_size
    second.save()

    third = DigestCache(tmp_path)
    assert third.digest(model) == expected
    assert third.bytes_hashed == 0


def test_a_same_size_change_is_seen(tmp_path, model):
    cache = DigestCache(tmp_path)
    cache.digest(model)
    cache.save()
    data = bytearray(model.read_bytes())
    data[100] ^= 0xFF
    model.write_bytes(bytes(data))
    assert DigestCache(tmp_path).digest(model).sha256 == hashlib.sha256(data).hexdigest()


def test_a_digest_taken_right_after_a_write_is_not_saved(tmp_path):
    fresh = tmp_path / "fresh.onnx"
    fresh.write_bytes(b"written this instant")
    cache = DigestCache(tmp_path)
    cache.digest(fresh)
    assert cache.digest(fresh) and cache.bytes_hashed == fresh.stat().st_size  # reused in the run
    cache.save()
    again = DigestCache(tmp_path)
    again.digest(fresh)
    assert again.bytes_hashed == fresh.stat().st_size


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1, "entries": [1, 2]}', b"[]"])
def test_a_damaged_cache_is_rebuilt_never_trusted(tmp_path, model, damage):
    cache_file = tmp_path / ".web-assets/digests.json"
    cache_file.parent.mkdir()
    cache_file.write_bytes(damage)
    cache = DigestCache(tmp_path)
    assert cache.digest(model).sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert cache.bytes_hashed == model.stat().st_size
    cache.save()
    assert DigestCache(tmp_path).digest(model) == cache.digest(model)


def test_copy_records_both_files_so_neither_is_read_again(tmp_path, model):
    cache = DigestCache(tmp_path)
    before, started = model.stat(), time.time_ns() - 10 * RACY_NS
    digest = copy_file(model, tmp_path / "copy.onnx")
    cache.record_read(model, digest, before, started)
    cache.record_written(tmp_path / "copy.onnx", digest)
    assert cache.digest(model) == cache.digest(tmp_path / "copy.onnx") == digest
    assert cache.bytes_hashed == 0


def test_checker_judges_by_content(tmp_path, model):
    os.chdir(tmp_path)
    try:
        checker = ContentChecker()
        state = checker.get_state("model.onnx", None)
        touch(model)
        assert not checker.check_modified("model.onnx", os.stat("model.onnx"), state)
        model.write_bytes(model.read_bytes()[::-1])
        assert checker.check_modified("model.onnx", os.stat("model.onnx"), state)
    finally:
        close_cache(tmp_path)


def test_progress_shows_on_a_terminal_only(tmp_path, monkeypatch):
    big = tmp_path / "big.onnx"
    with big.open("wb") as stream:
        stream.truncate(PROGRESS_MIN_SIZE)

    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    hash_file(big)
    copy_file(big, tmp_path / "copy.onnx")
    assert quiet.getvalue() == ""

    leader, follower = pty.openpty()
    with open(follower, "w") as terminal:
        monkeypatch.setattr(sys, "stderr", terminal)
        hash_file(big, label="big.onnx")
        copy_file(big, tmp_path / "copy2.onnx", label="copy2.onnx")
    shown = os.read(leader, 65536).decode()
    os.close(leader)
    assert "hashing big.onnx: " in shown and "copying copy2.onnx: " in shown
    assert "/64 MiB" in shown and "MB/s" in shown
