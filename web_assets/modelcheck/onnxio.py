"""Read an ONNX model's graph inputs and outputs straight from its protobuf bytes, skipping weights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from web_assets.errors import PublishError

# Protobuf field numbers of onnx.proto3: ModelProto.graph, GraphProto.input and .output.
MODEL_GRAPH, GRAPH_INPUT, GRAPH_OUTPUT = 7, 11, 12

# Bounds on the work a file can cost, far above any model: a walk visits only the fields around
# the weights (nodes, attributes, tensor headers), a few per node, and names are short.
MAX_FIELDS = 1_000_000
MAX_STRING = 1 << 16


class ValueInfo(NamedTuple):
    """A graph input or output as the web app sees it (onnx's ValueInfoProto, the parts read)."""

    name: str
    elem_type: int  # TensorProto.DataType (1: float32); 0 when it is not a tensor
    dims: tuple[int | None, ...]  # None for a named or unknown dimension


class Reader:
    """A model file, read field by field within MAX_FIELDS."""

    __slots__ = ("fields_left", "read", "seek", "tell")

    def __init__(self, stream: BinaryIO) -> None:
        self.read, self.seek, self.tell = stream.read, stream.seek, stream.tell
        self.fields_left = MAX_FIELDS


def onnx_io(path: Path) -> tuple[list[ValueInfo], list[ValueInfo]]:
    """The graph's inputs and outputs, reading only their bytes.

    Nodes and initializers (the weights) are skipped by seeking, so a model of any size costs a
    few kilobytes of reading and no memory for its weights. Decoded here, not by the onnx
    package, whose import (with numpy) costs more than the rest of a publish's checks.
    """
    inputs, outputs = [], []
    try:
        with path.open("rb") as file:
            stream, end = Reader(file), file.seek(0, 2)
            stream.seek(0)
            for field, start, length in _fields(stream, end):
                if field != MODEL_GRAPH:
                    continue
                for inner, value_start, value_length in _fields(stream, start + length):
                    if inner in (GRAPH_INPUT, GRAPH_OUTPUT):
                        info = _value_info(stream, value_start + value_length)
                        (inputs if inner == GRAPH_INPUT else outputs).append(info)
    except (ValueError, OSError) as err:
        raise PublishError(
            f"{path} is not a readable ONNX model ({err or type(err).__name__}): export it again."
        ) from None
    if not inputs and not outputs:
        raise PublishError(
            f"{path} is not an ONNX model (no graph inputs or outputs): export it again."
        )
    return inputs, outputs


# onnx.proto3 field numbers: ValueInfoProto.name, .type; TypeProto.tensor_type;
# TypeProto.Tensor.elem_type, .shape; TensorShapeProto.dim; Dimension.dim_value, .dim_param.
INFO_NAME, INFO_TYPE, TYPE_TENSOR, TENSOR_ELEM_TYPE, TENSOR_SHAPE, SHAPE_DIM = 1, 2, 1, 1, 2, 1
DIM_VALUE = 1


def _value_info(stream: Reader, end: int) -> ValueInfo:
    """Decode the ValueInfoProto in [tell(), end); malformed bytes raise ValueError."""
    name, elem_type, dims = "", 0, ()
    for field, wire_type, value, length in _walk(stream, end):
        if field == INFO_NAME and wire_type == 2:
            name = _string(stream, length)
        elif field == INFO_TYPE and wire_type == 2:
            for inner, start, size in _fields(stream, value + length):
                if inner == TYPE_TENSOR:
                    elem_type, dims = _tensor_type(stream, start + size)
    return ValueInfo(name, elem_type, dims)


def _tensor_type(stream: Reader, end: int) -> tuple[int, tuple[int | None, ...]]:
    elem_type, dims = 0, []
    for field, wire_type, value, length in _walk(stream, end):
        if field == TENSOR_ELEM_TYPE and wire_type == 0:
            elem_type = value
        elif field == TENSOR_SHAPE and wire_type == 2:
            dims = []
            for inner, start, size in _fields(stream, value + length):
                if inner == SHAPE_DIM:
                    dims.append(_dimension(stream, start + size))
    return elem_type, tuple(dims)


# onnx.proto3: ModelProto.ir_version, .opset_import; OperatorSetIdProto.domain, .version.
IR_VERSION, OPSET_IMPORT, OPSET_DOMAIN, OPSET_VERSION = 1, 8, 1, 2


def model_versions(path: Path) -> tuple[int, dict[str, int]]:
    """The model's IR version and its opset per domain ("" read as ai.onnx), reading no weights."""
    ir, opsets = 0, {}
    try:
        with path.open("rb") as file:
            stream, end = Reader(file), file.seek(0, 2)
            stream.seek(0)
            for field, wire_type, value, length in _walk(stream, end):
                if field == IR_VERSION and wire_type == 0:
                    ir = value
                elif field == OPSET_IMPORT and wire_type == 2:
                    domain, version = _opset(stream, value + length)
                    opsets[domain] = version
    except (ValueError, OSError) as err:
        raise PublishError(
            f"{path} is not a readable ONNX model ({err or type(err).__name__}): export it again."
        ) from None
    return ir, opsets


def _opset(stream: Reader, end: int) -> tuple[str, int]:
    domain, version = "ai.onnx", 0
    for field, wire_type, value, length in _walk(stream, end):
        if field == OPSET_DOMAIN and wire_type == 2:
            stream.seek(value)
            domain = _string(stream, length) or "ai.onnx"
        elif field == OPSET_VERSION and wire_type == 0:
            version = value
    return domain, version


def _dimension(stream: Reader, end: int) -> int | None:
    found = None
    for field, wire_type, value, _ in _walk(stream, end):
        if field == DIM_VALUE and wire_type == 0:
            found = value
    return found


def _string(stream: Reader, length: int) -> str:
    """The UTF-8 string of `length` bytes at tell(); UnicodeDecodeError is a ValueError."""
    if length > MAX_STRING:
        raise ValueError(f"a name of {length:,} bytes (at most {MAX_STRING:,})")
    return stream.read(length).decode("utf-8")


def _fields(stream: Reader, end: int) -> Iterator[tuple[int, int, int]]:
    """The length-delimited fields of the protobuf message in [tell(), end): number, start, length."""
    for field, wire_type, value, length in _walk(stream, end):
        if wire_type == 2:
            yield field, value, length


# Bytes each skippable wire type takes after its key: fixed64, fixed32 (varint and
# length-delimited are read). Groups (3, 4) are deprecated, unused by onnx.proto and cannot be
# skipped without parsing them, so they are refused like the undefined wire types 6 and 7.
FIXED_SIZE = {1: 8, 5: 4}
MAX_FIELD_NUMBER = (1 << 29) - 1


def _walk(stream: Reader, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Every field in [tell(), end): number, wire type, start (or varint value), length (0).

    Refuses at once what protobuf itself refuses (field number 0, a wire type it cannot skip, a
    field past its message's end), and spends one of the reader's fields on each: a file of
    zeros would otherwise be 75 million empty fields per 150 MB.
    """
    while stream.tell() < end:
        stream.fields_left -= 1
        if stream.fields_left < 0:
            raise ValueError(f"more than {MAX_FIELDS:,} protobuf fields outside tensor data")
        key = _varint(stream)
        field, wire_type = key >> 3, key & 7
        if field == 0 or field > MAX_FIELD_NUMBER:
            raise ValueError(f"protobuf field number {field} before byte {stream.tell()}")
        if wire_type == 0:
            yield field, wire_type, _varint(stream), 0
            continue
        if wire_type == 2:
            length = _varint(stream)
        elif wire_type in FIXED_SIZE:
            length = FIXED_SIZE[wire_type]
        else:
            raise ValueError(f"unexpected protobuf wire type {wire_type}")
        start = stream.tell()
        if start + length > end:
            raise ValueError("a field runs past the end of its message")
        if wire_type == 2:
            yield field, wire_type, start, length
        stream.seek(start + length)
    if stream.tell() > end:
        raise ValueError("a field runs past the end of its message")


def _varint(stream: Reader) -> int:
    """A base-128 varint of at most 10 bytes, kept to 64 bits, as protobuf itself reads it."""
    result = shift = 0
    while True:
        byte = stream.read(1)
        if not byte:
            raise ValueError("truncated")
        result |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return result & 0xFFFF_FFFF_FFFF_FFFF
        shift += 7
        if shift > 63:
            raise ValueError("malformed varint")


# Where tensors can sit in a model, by onnx.proto field number: message -> {field: inner message}.
# Subgraphs (If, Loop, Scan) and functions can hold tensors too, so they are walked as well.
TENSOR_HOMES = {
    "model": {7: "graph", 20: "training", 25: "function"},
    "training": {1: "graph", 2: "graph"},
    "function": {7: "node"},
    "graph": {1: "node", 5: "tensor", 15: "sparse"},
    "node": {5: "attribute"},
    "attribute": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse"},
    "sparse": {1: "tensor", 2: "tensor"},
}
# TensorProto.external_data (StringStringEntryProto: key 1, value 2), .data_location, and EXTERNAL.
TENSOR_EXTERNAL_DATA, TENSOR_DATA_LOCATION, EXTERNAL = 13, 14, 1


# protobuf's own parser refuses messages nested deeper than this; subgraphs could nest forever.
MAX_DEPTH = 100


def external_locations(path: Path) -> list[str]:
    """The `location` of every tensor stored outside the model file, in order, each once.

    Walks the protobuf by seeking: no tensor's data is read, whatever the model's size.
    """
    found: dict[str, None] = {}
    try:
        with path.open("rb") as file:
            stream, end = Reader(file), file.seek(0, 2)
            stream.seek(0)
            _find_external(stream, end, "model", found, 0)
    except (ValueError, OSError) as err:
        raise PublishError(
            f"{path} is not a readable ONNX model ({err or type(err).__name__}): export it again."
        ) from None
    return list(found)


def _find_external(
    stream: Reader, end: int, message: str, found: dict[str, None], depth: int
) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"messages nested more than {MAX_DEPTH} deep")
    homes = TENSOR_HOMES[message]
    for field, start, length in _fields(stream, end):
        inner = homes.get(field)
        if inner == "tensor":
            location = _tensor_location(stream, start + length)
            if location is not None:
                found.setdefault(location)
        elif inner is not None:
            _find_external(stream, start + length, inner, found, depth + 1)


def _tensor_location(stream: Reader, end: int) -> str | None:
    """The external `location` of the TensorProto in [tell(), end), None if stored inside."""
    entries: dict[str, str] = {}
    external = False
    for field, wire_type, value, length in _walk(stream, end):
        if field == TENSOR_DATA_LOCATION and wire_type == 0:
            external = value == EXTERNAL
        elif field == TENSOR_EXTERNAL_DATA and wire_type == 2:
            entry = _fields(stream, value + length)
            pair = {number: _string(stream, size) for number, _, size in entry}
            entries[pair.get(1, "")] = pair.get(2, "")
    if not external:
        return None
    if not entries.get("location"):
        raise ValueError("a tensor is stored outside the file but names no location")
    return entries["location"]
