"""Atomic writes and hashed copies on real files."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from web_assets.errors import PublishError
from web_assets.files.atomic import WriteBatch, atomic_write_bytes, atomic_writer
from web_assets.files.hashed_copy import copy_file
from web_assets.files.hashing import LineCount, hash_file


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


# Many files written as one batch, with one durability barrier.


def test_a_batch_changes_no_target_until_it_commits(tmp_path):
    targets = [tmp_path / "export" / f"model_{i}.onnx" for i in range(3)]
    targets[0].parent.mkdir()
    targets[0].write_bytes(b"old")
    batch = WriteBatch()
    for index, target in enumerate(targets):
        with batch.writer(target) as stream:
            stream.write(b"new %d" % index)
    # Written, not yet in place: a reader still sees the old file, or none.
    assert targets[0].read_bytes() == b"old"
    assert not targets[1].exists() and not targets[2].exists()
    batch.commit()
    assert [target.read_bytes() for target in targets] == [b"new 0", b"new 1", b"new 2"]
    assert sorted(os.listdir(targets[0].parent)) == [target.name for target in targets]


def test_a_failed_batch_leaves_every_target_as_it_was_and_no_temp(tmp_path):
    sources = [tmp_path / "run" / f"model_{i}.onnx" for i in range(3)]
    sources[0].parent.mkdir()
    for source in sources:
        source.write_bytes(b"season,home\n" * 100)
    sources[2].write_bytes(b"season,home\n\xff\xfe\n")
    export = tmp_path / "export"
    export.mkdir()
    (export / "model_0.onnx").write_bytes(b"published")
    batch = WriteBatch()
    with pytest.raises(PublishError, match="not UTF-8"):
        try:
            copy_file(sources[0], export / "model_0.onnx", batch=batch)
            copy_file(sources[1], export / "model_1.onnx", batch=batch)
            # The third is checked as text and is not: the whole batch is dropped.
            copy_file(sources[2], export / "model_2.onnx", lines=LineCount(), batch=batch)
            batch.commit()
        except BaseException:
            batch.abort()
            raise
    assert (export / "model_0.onnx").read_bytes() == b"published"
    assert sorted(os.listdir(export)) == ["model_0.onnx"]


def test_a_large_batch_is_flushed_by_file_system_and_lands_whole(tmp_path):
    from web_assets.files.atomic import SYNCFS_MIN_FILES

    targets = [tmp_path / "export" / f"model_{i:03d}.onnx" for i in range(SYNCFS_MIN_FILES + 36)]
    batch = WriteBatch()
    for index, target in enumerate(targets):
        with batch.writer(target) as stream:
            stream.write(b"model %d" % index)
    batch.commit()
    assert [target.read_bytes() for target in targets] == [
        b"model %d" % index for index in range(len(targets))
    ]
    assert sorted(os.listdir(tmp_path / "export")) == [target.name for target in targets]


def test_a_source_changed_since_its_digest_was_looked_up_is_hashed_as_copied(tmp_path):
    source = tmp_path / "model.onnx"
    source.write_bytes(b"a" * 1000)
    looked_up, known = source.stat(), hash_file(source)
    # Retrained in place, same size: only the stat tells.
    source.write_bytes(b"b" * 1000)
    os.utime(source, ns=(looked_up.st_atime_ns, looked_up.st_mtime_ns + 10**9))
    target = tmp_path / "export" / "model.onnx"
    digest = copy_file(source, target, known=known, known_at=looked_up)
    assert target.read_bytes() == b"b" * 1000
    assert digest == hash_file(target) != known
