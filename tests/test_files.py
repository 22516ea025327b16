"""Atomic writes and hashed copies on real files."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from web_assets.atomic import atomic_write_bytes, atomic_writer
from web_assets.copying import copy_file
from web_assets.hashing import hash_file


def test_copy_is_byte_for_byte_and_its_digest_is_the_copys(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(b"season,home\r\n" + os.urandom(3 << 20) + b"\r\n")
    target = tmp_path / "out" / "copy.csv"
    digest = copy_file(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert digest.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert digest.size == source.stat().st_size
    assert hash_file(target) == digest


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "dev.json"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(target) as stream:
        stream.write(b"half of the new")
        raise RuntimeError("crash")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["dev.json"]


def test_a_write_reuses_what_an_interrupted_one_left(tmp_path):
    target = tmp_path / "dev.json"
    (tmp_path / ".dev.json.partial").write_bytes(b"half of an older write, longer than the new")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["dev.json"]


def test_rewrite_keeps_the_files_mode(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_files_are_readable_like_any_other(tmp_path):
    target = tmp_path / "new.csv"
    atomic_write_bytes(target, b"x")
    reference = tmp_path / "reference"
    reference.write_bytes(b"x")
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(reference.stat().st_mode)
