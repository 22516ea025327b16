"""CSVs checked while a publish copies them: one line for the first bad byte, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import NO_COMMIT, snapshot
from web_assets.files.hashing import CHUNK_SIZE

MAIN = "data/processed/Dataset_Version_7.csv"
FINANCIAL = "data/processed/financial_dataset.csv"
PUBLISHED_MAIN = "web/public/data/Dataset_Version_7.csv"


def rows_of(path: Path) -> tuple[bytes, list[bytes]]:
    header, *rows = path.read_bytes().split(b"\r\n")
    return header + b"\r\n", [row + b"\r\n" for row in rows if row]


def main_with(project: Path, body: bytes) -> list[str]:
    (project / "data/processed/new.csv").write_bytes(body)
    # Other bytes as version 7 on purpose: the copy's own checks are under test.
    return ["dataset=data/processed/new.csv", "replace_version=true"]


def thousand_rows(project: Path, last: bytes) -> bytes:
    """The sample's header and rows, repeated to 999 rows, then `last` as row 1000."""
    header, rows = rows_of(project / MAIN)
    return header + b"".join(rows[i % len(rows)] for i in range(999)) + last


def assert_refused(result, before, after, head, project, *said: str) -> None:
    assert result.status != 0
    assert "Traceback" not in result.text
    lines = [line for line in result.text.splitlines() if all(text in line for text in said)]
    assert len(lines) == 1, result.text
    assert "UTF-8 with LF or CRLF line ends" in lines[0]
    assert after == before
    assert git(project, "rev-parse", "HEAD") == head


def test_a_cr_only_main_csv_is_refused_in_one_line(tmp_path, project):
    header, rows = rows_of(project / MAIN)
    args = main_with(project, b"".join(line.replace(b"\r\n", b"\r") for line in [header, *rows]))
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")
    result = run_doit(project, *args)
    assert_refused(result, before, snapshot(tmp_path), head, project, "new.csv", "CR alone")


def test_cr_only_rows_after_a_crlf_header_are_refused_while_copying(tmp_path, project):
    header, rows = rows_of(project / MAIN)
    body = header + b"".join(row.replace(b"\r\n", b"\r") for row in rows)
    args = main_with(project, body)
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")
    result = run_doit(project, *args)
    offset = len(header) + len(rows[0]) - 2
    said = ("new.csv ends a line with a CR alone", f"at byte {offset} (line 2)")
    assert_refused(result, before, snapshot(tmp_path), head, project, *said)
    assert "was left as it was" in result.text


def test_latin1_in_the_main_csvs_1000th_row_is_refused_while_copying(tmp_path, project):
    _, rows = rows_of(project / MAIN)
    last = rows[0].replace(b",", b",M\xe9xico ", 1)
    body = thousand_rows(project, last)
    args = main_with(project, body)
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")
    result = run_doit(project, *args)
    offset = body.index(b"\xe9")
    said = ("new.csv is not UTF-8 text (byte 0xe9)", f"at byte {offset} (line 1001)")
    assert_refused(result, before, snapshot(tmp_path), head, project, *said)
    assert not list((project / "web/public/data").glob(".*.partial"))


def test_latin1_in_a_financial_row_is_refused_in_one_line(tmp_path, project):
    financial = project / FINANCIAL
    lines = financial.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b",", b",M\xfcnchen ", 1)
    bad = project / "data/processed/bad_financial.csv"
    bad.write_bytes(b"\n".join(lines))
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")
    result = run_doit(project, "financial_dataset=data/processed/bad_financial.csv")
    offset = bad.read_bytes().index(b"\xfc")
    said = ("bad_financial.csv is not UTF-8 text (byte 0xfc)", f"at byte {offset} (line 6)")
    assert_refused(result, before, snapshot(tmp_path), head, project, *said)


def test_latin1_in_a_large_csv_is_refused_and_the_copy_thrown_away(tmp_path, project):
    # Above 8 MiB the kernel copies in a second thread while the source is checked.
    header, rows = rows_of(project / MAIN)
    good = b"".join(rows[i % len(rows)] for i in range((9 << 20) // len(rows[0])))
    body = header + good + rows[0].replace(b",", b",\xe9", 1)
    args = main_with(project, body)
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")
    result = run_doit(project, *args, "check_financial_keys=false")
    offset = body.index(b"\xe9")
    said = ("new.csv is not UTF-8 text (byte 0xe9)", f"at byte {offset} ")
    assert_refused(result, before, snapshot(tmp_path), head, project, *said)


def padded_across_the_first_chunk(project: Path, end: bytes, before: int) -> bytes:
    """The sample's rows, one of them padded and ending in `end`, of which `before` bytes come
    before the first chunk's end and the rest after it."""
    header, rows = rows_of(project / MAIN)
    body = header
    i = 0
    while len(body) + len(rows[i % len(rows)]) + len(rows[0]) < CHUNK_SIZE - 8:
        body += rows[i % len(rows)]
        i += 1
    # The padding goes into the last field, which the publish does not read.
    row = rows[0].removesuffix(b"\r\n")
    body += row + b" " * (CHUNK_SIZE - before - len(body) - len(row)) + end
    assert len(body) > CHUNK_SIZE
    return body + b"".join(rows[:5])


@pytest.mark.parametrize(
    ("end", "before"),
    [(b"\r\n", 1), ("\u00e9\r\n".encode(), 1), ("\u20ac\r\n".encode(), 2)],
    ids=["CR | LF", "2-byte character", "3-byte character"],
)
def test_a_line_end_or_character_cut_by_a_chunk_boundary_is_published(project, end, before):
    body = padded_across_the_first_chunk(project, end, before)
    assert body[CHUNK_SIZE - before : CHUNK_SIZE] == end[:before]
    args = main_with(project, body)

    result = run_doit(project, *args, *NO_COMMIT)

    assert result.status == 0, result.text
    assert (project / PUBLISHED_MAIN).read_bytes() == body
    lock = json.loads((project / "web-assets.lock.json").read_text())
    (main,) = [entry for entry in lock["files"] if entry["path"] == PUBLISHED_MAIN]
    assert main["rows"] == body.count(b"\n") - 1


def test_a_cr_alone_at_a_chunk_boundary_is_refused(tmp_path, project):
    body = padded_across_the_first_chunk(project, b"\rX\r\n", 1)
    assert body[CHUNK_SIZE - 1 : CHUNK_SIZE + 1] == b"\rX"
    args = main_with(project, body)
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")
    result = run_doit(project, *args)
    said = ("new.csv ends a line with a CR alone", f"at byte {CHUNK_SIZE - 1} ")
    assert_refused(result, before, snapshot(tmp_path), head, project, *said)
