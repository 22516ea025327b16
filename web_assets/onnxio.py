"""Read an ONNX model's graph inputs and outputs straight from its protobuf bytes, skipping weights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from web_assets.errors import PublishError

# Protobuf field numbers of onnx.proto3: ModelProto.graph, GraphProto.input and .output.
MODEL_GRAPH, GRAPH_INPUT, GRAPH_OUTPUT = 7, 11, 12


def onnx_io(path: Path):
    """The graph's inputs and outputs (onnx ValueInfoProto), reading only their bytes.

    Nodes and initializers (the weights) are skipped by seeking, so a model of any size costs a
    few kilobytes of reading and no memory for its weights.
    """
    from onnx import ValueInfoProto

    inputs, outputs = [], []
    try:
        with path.open("rb") as stream:
            end = stream.seek(0, 2)
            stream.seek(0)
            for field, start, length in _fields(stream, end):
                if field != MODEL_GRAPH:
                    continue
                for inner, value_start, value_length in _fields(stream, start + length):
                    if inner in (GRAPH_INPUT, GRAPH_OUTPUT):
                        stream.seek(value_start)
                        info = ValueInfoProto.FromString(stream.read(value_length))
                        (inputs if inner == GRAPH_INPUT else outputs).append(info)
                        stream.seek(value_start + value_length)
                stream.seek(start + length)
    except (ValueError, OSError) as err:
        raise PublishError(
            f"{path} is not a readable ONNX model ({err}): export it again."
        ) from None
    if not inputs and not outputs:
        raise PublishError(
            f"{path} is not an ONNX model (no graph inputs or outputs): export it again."
        )
    return inputs, outputs


def _fields(stream: BinaryIO, end: int) -> Iterator[tuple[int, int, int]]:
    """The length-delimited fields of the protobuf message in [tell(), end): number, start, length."""
    while stream.tell() < end:
        key = _varint(stream)
        field, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _varint(stream)
        elif wire_type == 1:
            stream.seek(8, 1)
        elif wire_type == 5:
            stream.seek(4, 1)
        elif wire_type == 2:
            length = _varint(stream)
            start = stream.tell()
            if start + length > end:
                raise ValueError("a field runs past the end of the file")
            yield field, start, length
            stream.seek(start + length)
        else:
            raise ValueError(f"unexpected protobuf wire type {wire_type}")


def _varint(stream: BinaryIO) -> int:
    result = shift = 0
    while True:
        byte = stream.read(1)
        if not byte:
            raise ValueError("truncated")
        result |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return result
        shift += 7
        if shift > 63:
            raise ValueError("malformed varint")
