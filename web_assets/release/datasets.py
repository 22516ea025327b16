"""The datasets the web app reads: where each goes, and whether it is a CSV it can parse."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import NamedTuple, TextIO

from web_assets.config.settings import Settings
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError

HEADER_SCAN_LIMIT = 1 << 20
# A row of a dataset the web app reads is a few KB. Read whole, a longer line would cost its size
# in memory several times over before csv's own field limit refused it.
MAX_CSV_LINE = 1 << 20
HEADER_CHUNK = 16 << 10
BOMS = {
    b"\xef\xbb\xbf": "UTF-8",
    b"\xff\xfe": "UTF-16 LE",
    b"\xfe\xff": "UTF-16 BE",
}


class Copy(NamedTuple):
    """One file published byte for byte; `name` is its doit subtask name."""

    name: str
    source: Path
    target: Path


def dataset_copies(settings: Settings) -> list[Copy]:
    """The main and financial datasets, then the team cache files, each with its destination."""
    copies = [
        Copy(
            "main", settings.dataset, settings.data_dir / f"Dataset_Version_{settings.version}.csv"
        ),
        Copy("financial", settings.financial_dataset, settings.data_dir / "financial_dataset.csv"),
    ]
    if settings.team_cache is not None:
        if not settings.team_cache.is_dir():
            raise PublishError(
                f"team_cache {settings.team_cache} is not a folder: point `team_cache` at the folder "
                "of {LEAGUE}_{season}.json files, or leave it unset."
            )
        for source in sorted(settings.team_cache.glob("*.json")):
            copies.append(
                Copy(
                    f"team_cache/{source.name}",
                    source,
                    settings.data_dir / "team_cache" / source.name,
                )
            )
    return copies


def read_csv_header(path: Path, setting: str, entry: Entry = Entry.DOIT) -> list[str]:
    """The column names of a CSV the web app will parse; a PublishError if it could not use it."""
    if not path.is_file():
        state = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise PublishError(
            f"{entry.name_of(setting)} {path} {state}: {entry.pass_(setting, 'PATH')} naming the "
            "CSV exported by training."
        )
    head = _first_line(path)
    if not head.strip():
        raise PublishError(f"{setting} {path} is empty: export the dataset again.")
    for bom, encoding in BOMS.items():
        if head.startswith(bom):
            raise PublishError(
                f"{setting} {path} starts with a {encoding} byte-order mark, which the web app's CSV "
                "parser would glue to the first column name. Save it as UTF-8 without BOM "
                "(pandas: `to_csv(..., encoding='utf-8')`)."
            )
    first_line = head.split(b"\n", 1)[0].rstrip(b"\r")
    if b"\r" in first_line:
        raise PublishError(
            f"{setting} {path} ends its lines with a CR alone, and the web app splits rows on LF "
            "only: export it as UTF-8 with LF or CRLF line ends."
        )
    try:
        header = next(csv.reader([first_line.decode("utf-8")]))
    except UnicodeDecodeError:
        raise PublishError(f"{setting} {path} is not UTF-8 text: export it as UTF-8 CSV.") from None
    except csv.Error as err:
        raise PublishError(
            f"{setting} {path}: its header row is not CSV the web app can read ({err}): "
            "export it again as UTF-8 CSV."
        ) from None
    except StopIteration:
        header = []
    names = [name.strip() for name in header if name.strip()]
    if not names or all(_looks_numeric(name) for name in names):
        raise PublishError(
            f"{setting} {path} has no header row (its first line is {first_line[:80]!r}): "
            "export it with column names on the first line."
        )
    return header


def _first_line(path: Path) -> bytes:
    """The bytes up to the first line end (reading a small chunk at a time), or up to the limit."""
    head = b""
    with path.open("rb") as stream:
        while len(head) < HEADER_SCAN_LIMIT and (chunk := stream.read(HEADER_CHUNK)):
            head += chunk
            if b"\n" in chunk:
                break
    return head


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def bounded_lines(stream: TextIO, path: Path) -> Iterator[str]:
    """The lines of a CSV opened as text; one over MAX_CSV_LINE characters is refused unread."""
    number = 0
    while line := stream.readline(MAX_CSV_LINE + 1):
        number += 1
        if len(line) > MAX_CSV_LINE:
            raise PublishError(
                f"{path} line {number} is longer than {MAX_CSV_LINE:,} characters, the limit for a "
                "row the web app reads: export the dataset again (a quote left open, or a column "
                "of blobs, makes such a line)."
            )
        yield line


def leading_fields(
    stream: Iterable[str], fields: int
) -> Iterator[tuple[list[str], str | list[str]]]:
    """Each record's first `fields` fields, and the record: its line, or its fields when quoted.

    A line without quotes splits on commas exactly as csv reads it, and splitting only the first
    few fields leaves the other 200 of a row unparsed: most of the time of a read.
    """
    lines = iter(stream)
    for line in lines:
        if '"' in line:
            # csv takes the continuation lines of a multi-line field from the same iterator.
            row = next(csv.reader(chain([line], lines)), [])
            if row:
                yield row, row
        elif line.strip("\r\n"):
            yield line.rstrip("\r\n").split(",", fields), line
