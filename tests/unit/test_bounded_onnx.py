"""Malformed protobuf is refused at once: bounded reading, one line naming the file."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from google.protobuf.message import DecodeError

from web_assets.errors import PublishError
from web_assets.modelcheck import onnxio
from web_assets.modelcheck.onnxio import external_locations, onnx_io

READERS = [onnx_io, external_locations]


def bytes_read() -> int:
    """Bytes this process has read through system calls so far (Linux task accounting)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def key(field: int, wire_type: int) -> bytes:
    return varint(field << 3 | wire_type)


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        out.append(value & 0x7F | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


def message(field: int, payload: bytes) -> bytes:
    return key(field, 2) + varint(len(payload)) + payload


@pytest.mark.parametrize("read", READERS)
def test_a_150_mb_file_of_zeros_is_refused_after_a_few_bytes(tmp_path, read):
    zeros = tmp_path / "zeros.onnx"
    with zeros.open("wb") as sparse:
        sparse.truncate(150 * 1000 * 1000)  # sparse: no disk
    before = bytes_read()
    with pytest.raises(PublishError, match="protobuf field number 0") as refused:
        read(zeros)
    # One buffer of the file at most, not 150 MB walked two bytes at a time.
    assert bytes_read() - before < 1 << 20
    assert str(zeros) in str(refused.value) and "\n" not in str(refused.value)


MALFORMED = {
    "field number 0": (b"\x00\x00", "field number 0"),
    "group start": (key(1, 3), "wire type 3"),
    "group end": (key(1, 4), "wire type 4"),
    "wire type 6": (key(1, 6), "wire type 6"),
    "wire type 7": (key(1, 7), "wire type 7"),
    "varint over 10 bytes": (key(1, 0) + b"\xff" * 10 + b"\x01", "malformed varint"),
    "varint cut short": (key(1, 0) + b"\xff", "truncated"),
    "length past the end": (key(7, 2) + varint(16) + b"\x00", "past the end"),
    "fixed64 past the end": (key(1, 1) + b"\x00", "past the end"),
    "fixed32 past the end": (key(1, 5) + b"\x00", "past the end"),
    "inner field past its message": (message(7, key(1, 2) + varint(4)) + b"abcd", "past the end"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
@pytest.mark.parametrize("read", READERS)
def test_malformed_protobuf_is_one_line_and_onnx_refuses_it_too(tmp_path, read, case):
    data, reason = MALFORMED[case]
    model = tmp_path / "bad.onnx"
    model.write_bytes(data)
    with pytest.raises(DecodeError):
        onnx.ModelProto().ParseFromString(data)
    with pytest.raises(PublishError, match=reason) as refused:
        read(model)
    assert str(model) in str(refused.value) and "\n" not in str(refused.value)


def test_a_varint_of_ten_bytes_reads_as_protobuf_reads_it(tmp_path):
    data = key(1, 0) + b"\xff" * 9 + b"\x7f"  # 70 bits written, 64 kept
    model = tmp_path / "wide.onnx"
    model.write_bytes(data)
    assert onnx.ModelProto.FromString(data).ir_version == -1
    assert external_locations(model) == []


@pytest.mark.parametrize("read", READERS)
def test_more_fields_than_the_budget_are_refused(tmp_path, monkeypatch, read):
    monkeypatch.setattr(onnxio, "MAX_FIELDS", 1000)
    model = tmp_path / "chatty.onnx"
    model.write_bytes((key(1, 0) + b"\x00") * 1001)  # valid protobuf: ir_version, again and again
    with pytest.raises(PublishError, match="more than 1,000 protobuf fields"):
        read(model)


def test_a_long_name_is_refused_without_reading_it(tmp_path):
    value_info = message(1, b"x" * (onnxio.MAX_STRING + 1))
    model = tmp_path / "long.onnx"
    model.write_bytes(message(7, message(11, value_info)))
    with pytest.raises(PublishError, match="a name of 65,537 bytes"):
        onnx_io(model)


def test_subgraphs_nested_past_protobufs_limit_are_refused(tmp_path):
    graph = b""
    for _ in range(1000):  # graph > node > attribute > graph ...
        graph = message(1, message(5, message(6, graph)))
    model = tmp_path / "deep.onnx"
    model.write_bytes(message(7, graph))
    with pytest.raises(PublishError, match="nested more than 100 deep"):
        external_locations(model)
