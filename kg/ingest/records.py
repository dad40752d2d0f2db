"""Read the posts to ingest: one a line (txt), or records with text, author, date and url
(jsonl, csv). Every problem names the file and the line; nothing is read half."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError, Problem

FORMATS = ("txt", "jsonl", "csv")
_BREAKS = str.maketrans({c: " " for c in "\r\n\u2028\u2029\x85\x0b\x0c"})


@dataclass(frozen=True)
class Record:
    """One post or report as received, with the line of the input it came from."""

    text: str
    line: int
    author: str | None = None
    date: str | None = None
    url: str | None = None


def one_line(text: str) -> str:
    """The text on one line (a corpus file holds one post a line): line breaks become spaces.

    >>> one_line("first line\\r\\nsecond\\u2028third")
    'first line  second third'
    """
    return text.translate(_BREAKS)


def guess_format(path: Path) -> str:
    """The format named by the file's suffix; txt when the suffix says nothing."""
    suffix = path.suffix.lower().lstrip(".")
    return {"jsonl": "jsonl", "ndjson": "jsonl", "csv": "csv"}.get(suffix, "txt")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KGError([Problem("no such file", path)]) from None
    except IsADirectoryError:
        raise KGError([Problem("is a folder, not a file of posts", path)]) from None
    except OSError as error:
        raise KGError([Problem(f"cannot read: {error.strerror or error}", path)]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise KGError([Problem("not UTF-8 text (save the file as UTF-8)", path, line)]) from None


def _field(value: object, name: str, path: Path, line: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str | int | float):
        raise KGError([Problem(f"field {name!r} must be a string", path, line)])
    return str(value)


def _from_mapping(row: dict, path: Path, line: int) -> Record | None:
    text = row.get("text")
    if text is None:
        raise KGError([Problem("record has no 'text' field", path, line)])
    if not isinstance(text, str):
        raise KGError([Problem("field 'text' must be a string", path, line)])
    text = one_line(text)
    if not text.strip():
        return None
    return Record(text, line, _field(row.get("author"), "author", path, line),
                  _field(row.get("date"), "date", path, line),
                  _field(row.get("url"), "url", path, line))


def read_records(path: Path, fmt: str | None = None) -> list[Record]:
    """The non-empty records of ``path`` in order; a KGError with file and line otherwise."""
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise KGError([Problem(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}",
                               path)])
    text = _read_text(path)
    records: list[Record] = []
    if fmt == "txt":
        for number, line in enumerate(text.split("\n"), start=1):
            line = one_line(line.rstrip("\r"))
            if line.strip():
                records.append(Record(line, number))
    elif fmt == "jsonl":
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise KGError([Problem(f"not a JSON record: {error.msg} (column {error.colno})",
                                       path, number)]) from None
            if not isinstance(row, dict):
                raise KGError([Problem("a JSON line must be an object with a 'text' field",
                                       path, number)])
            record = _from_mapping(row, path, number)
            if record:
                records.append(record)
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise KGError([Problem("the CSV header needs a 'text' column "
                                   "(and may have author, date, url)", path, 1)])
        ended = reader.line_num  # the header's last line
        try:
            for row in reader:
                record = _from_mapping(row, path, ended + 1)  # the record's first line
                ended = reader.line_num
                if record:
                    records.append(record)
        except csv.Error as error:
            raise KGError([Problem(f"bad CSV: {error}", path, reader.line_num)]) from None
    return records
