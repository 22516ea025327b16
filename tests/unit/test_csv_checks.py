"""CSVs are checked while they are copied: UTF-8 throughout, no line ended by a CR alone."""

from __future__ import annotations

import pytest

from web_assets.files.hashing import LineCount, TextProblem


def fed(data: bytes, chunk_size: int) -> LineCount:
    """A LineCount fed `data` as scan feeds it: a buffer of `chunk_size`, refilled."""
    lines, buffer = LineCount(), bytearray(chunk_size)
    for start in range(0, len(data), chunk_size):
        piece = data[start : start + chunk_size]
        buffer[: len(piece)] = piece
        lines.add(buffer, len(piece))
    lines.finish()
    return lines


def problem(data: bytes, chunk_size: int) -> TextProblem:
    with pytest.raises(TextProblem) as raised:
        fed(data, chunk_size)
    return raised.value


GOOD = [
    b"a,b\r\n1,2\r\n",
    b"a,b\n1,2\n",
    b"a,b\r\n1,2\n3,4\r\n",  # mixed LF and CRLF: the web app splits on LF either way
    "name,city\r\nJos\u00e9,M\u00fcnchen\r\n\u4e1c\u4eac,\U0001f600\r\n".encode(),
    b"a,b\r\n1,2",  # no line end at the end
    b"",
]


@pytest.mark.parametrize("data", GOOD)
def test_good_text_passes_whatever_the_chunk_boundaries(data):
    for size in range(1, len(data) + 2):
        assert fed(data, size).lines == fed(data, 1 << 20).lines


BAD = [
    # (bytes, what, offset of the first bad byte, its line)
    (b"a,b\r1,2\r", "CR alone", 3, 1),
    (b"a,b\r\n1,2\r3,4\r\n", "CR alone", 8, 2),
    (b"a,b\n1,2\n3,4\r", "CR alone", 11, 3),
    (b"a,b\r\n\r\r\n", "CR alone", 5, 2),
    (b"a,b\r\n1,M\xe9xico\r\n", "byte 0xe9", 8, 2),
    (b"a,b\n1,2\n3,\xff\n", "byte 0xff", 10, 3),
    ("a,b\n1,é".encode()[:-1], "ends inside a character", 6, 2),
    (b"a,b\n\xe2\x82x\n", "byte 0xe2", 4, 2),
]


@pytest.mark.parametrize(("data", "what", "offset", "line"), BAD)
def test_the_first_bad_byte_is_named_whatever_the_chunk_boundaries(data, what, offset, line):
    for size in range(1, len(data) + 2):
        found = problem(data, size)
        assert what in found.problem, size
        assert (found.offset, found.line) == (offset, line), size
