"""How a text file is written, told from its first bytes and lines: the encoding its
byte-order mark states and the delimiter that splits its header and rows alike.

A file read with the wrong encoding or delimiter does not fail loudly: UTF-16 read as UTF-8
is one garbled column, a semicolon file read with commas is one column named "a;b;c". So a
mismatch is refused here, naming what the file is and the option that reads it.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from cxlens.errors import CxlensError
from cxlens.ingest.hints import add_to_mapping

DELIMITERS = (",", ";", "\t", "|")  # in order of preference when they split a file equally
#: (byte-order mark, encoding, byte order, codec names that read it)
_BOMS = [
    (codecs.BOM_UTF32_LE, "UTF-32", "little-endian", ("utf-32", "utf-32-le")),
    (codecs.BOM_UTF32_BE, "UTF-32", "big-endian", ("utf-32", "utf-32-be")),
    (codecs.BOM_UTF16_LE, "UTF-16", "little-endian", ("utf-16", "utf-16-le")),
    (codecs.BOM_UTF16_BE, "UTF-16", "big-endian", ("utf-16", "utf-16-be")),
    (codecs.BOM_UTF8, "UTF-8", "", ("utf-8", "utf-8-sig")),
]


class ReadError(CxlensError):
    """A file cannot be read as it is (type, encoding, delimiter, damage)."""

    code = "read_error"


def check_encoding(path: Path, head: bytes, encoding: str | None) -> None:
    """Refuse ``encoding`` (None = UTF-8) when the file's byte-order mark says otherwise."""
    try:
        given = codecs.lookup(encoding or "utf-8").name
    except LookupError:
        raise ReadError(f"{path}: unknown encoding {encoding!r}",
                        "give a Python codec name, e.g. utf-8, cp1252, latin-1 or utf-16"
                        ) from None
    for bom, name, order, readers in _BOMS:
        if head.startswith(bom):
            if given in readers:
                return
            what = f"{name} ({order + ', ' if order else ''}with a byte-order mark)"
            told = f", not {encoding}" if encoding else (
                '; cxlens reads UTF-8 unless told (Excel\'s "Unicode text" is UTF-16)')
            option = readers[0]
            raise ReadError(f"{path}: the file is {what}{told}",
                            f"pass --encoding {option}, or "
                            f"{add_to_mapping({'encoding': option})}")


def _records(head: str) -> list[str]:
    """The complete lines of ``head`` (the last may be cut off mid-line), at most 50."""
    lines = head.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")) and len(lines) > 1:
        lines.pop()
    return lines[:50]


def _score(lines: list[str], delimiter: str) -> tuple[bool, int, int]:
    """(header splits, rows with the header's number of fields, header's fields)."""
    counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
    if not counts:
        return False, 0, 0
    return counts[0] > 1, sum(c == counts[0] for c in counts[1:]), counts[0]


def _shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else f'"{delimiter}"'


def delimiter_for(path: Path, head: str, given: str | None) -> str:
    """The delimiter to read ``path`` with: ``given``, tab for .tsv, else the candidate that
    splits the header into the most columns that the rows repeat (quotes respected).

    A given delimiter (or a .tsv's tab) that leaves the header one column, where another
    splits it, is refused with that one."""
    lines = _records(head)
    if given is None and path.suffix.lower() != ".tsv":
        return max(DELIMITERS, key=lambda d: _score(lines, d))
    chosen = given or "\t"
    if len(chosen) != 1 or _score(lines, chosen)[0]:
        return chosen
    better = max(DELIMITERS, key=lambda d: _score(lines, d))
    splits, _, fields = _score(lines, better)
    if splits:
        header = lines[0].rstrip("\r\n").lstrip("\ufeff")
        why = "" if given else " (the .tsv extension means tab)"
        raise ReadError(
            f'{path}: the header reads as one column, "{header}", with delimiter '
            f"{_shown(chosen)}{why}; it splits into {fields} columns with {_shown(better)}",
            f"read it with that delimiter: {add_to_mapping({'delimiter': better})}")
    return chosen
