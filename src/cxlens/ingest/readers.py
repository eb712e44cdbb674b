"""Read source files in chunks: CSV/TSV, Parquet, JSON, JSON Lines and XLSX.

Every reader yields :class:`Chunk` objects: a DataFrame of raw values (text for CSV, native
values for the typed formats) plus the spreadsheet row number of its first record, so every
problem can name the row a person would look at. ``progress`` is told the bytes consumed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cxlens.errors import NotFound, did_you_mean
from cxlens.ingest.sniff import ReadError as ReadError
from cxlens.ingest.sniff import check_encoding, delimiter_for
from cxlens.ingest.workbook import DAMAGED, unreadable

Progress = Callable[[int], None]
NOT_UTF8 = ("the file is not UTF-8: pass --encoding (e.g. cp1252 or latin-1) or set "
            "encoding: in the mapping, or re-save the file as UTF-8")
CHUNK_ROWS = 200_000

FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".gz": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
}


@dataclass
class Chunk:
    data: pd.DataFrame
    first_row: int  # spreadsheet row number of data.iloc[0]

    @property
    def rows(self) -> pd.Series:
        return pd.Series(range(self.first_row, self.first_row + len(self.data)),
                         index=self.data.index)


class _Counting(io.RawIOBase):
    """File wrapper that reports bytes read, for progress bars."""

    def __init__(self, raw: BinaryIO, progress: Progress | None) -> None:
        self.raw, self.progress = raw, progress

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        b[: len(data)] = data
        if self.progress and data:
            self.progress(len(data))
        return len(data)


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".gz":
        suffix = Path(path.stem).suffix.lower() or ".csv"
    if suffix not in FORMATS:
        raise ReadError(
            f"{path}: cannot tell the file type from the extension {suffix or '(none)'}."
            f"{did_you_mean(suffix, FORMATS)}",
            "rename the file with one of " + ", ".join(sorted(set(FORMATS) - {'.gz'})),
        )
    return FORMATS[suffix]


def read_chunks(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
                sheet: str | None = None, chunk_rows: int = CHUNK_ROWS,
                progress: Progress | None = None) -> Iterator[Chunk]:
    """Yield the records of ``path`` in chunks of at most ``chunk_rows``."""
    if not path.is_file():
        raise NotFound(f"{path}: no such file", "check the path (relative to the current folder)")
    kind = file_format(path)
    if kind == "csv":
        yield from _csv(path, encoding, delimiter, chunk_rows, progress)
    elif kind == "parquet":
        yield from _parquet(path, chunk_rows, progress)
    elif kind == "json":
        yield from _json(path, encoding, chunk_rows, progress)
    elif kind == "jsonl":
        yield from _jsonl(path, encoding, chunk_rows, progress)
    else:
        yield from _xlsx(path, sheet, chunk_rows, progress)


def _head(path: Path, size: int = 64 * 1024) -> bytes:
    """The first ``size`` bytes of the file's content (decompressed for .gz)."""
    if path.suffix.lower() == ".gz":
        import gzip

        with gzip.open(path) as gz:
            return gz.read(size)
    with open(path, "rb") as fh:
        return fh.read(size)


def _sniff(path: Path, encoding: str, delimiter: str | None) -> tuple[str, list[str]]:
    opener = _open_text_gz if path.suffix.lower() == ".gz" else _open_text
    with opener(path, encoding) as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        raise ReadError(f"{path}: the file is empty",
                        "export the data again; a header row is needed")
    head = head.lstrip("\ufeff")
    delimiter = delimiter_for(path, head, delimiter)
    header = next(csv.reader([head.splitlines()[0]], delimiter=delimiter))
    return delimiter, header


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    return open(path, encoding=encoding, errors="replace")


def _open_text_gz(path: Path, encoding: str) -> io.TextIOWrapper:
    import gzip

    return io.TextIOWrapper(gzip.open(path), encoding=encoding, errors="replace")


def _csv(path: Path, encoding: str | None, delimiter: str | None, chunk_rows: int,
         progress: Progress | None) -> Iterator[Chunk]:
    check_encoding(path, _head(path, 4), encoding)
    enc = encoding or "utf-8"
    delimiter, header = _sniff(path, enc, delimiter)
    names = [h.strip() for h in header]
    dupes = sorted({h for h in names if names.count(h) > 1})
    if dupes:
        raise ReadError(f"{path}: the header names {', '.join(dupes)} more than once",
                        "rename the repeated columns so each name is unique")
    raw = open(path, "rb")  # noqa: SIM115
    stream: Any = _Counting(raw, progress)
    if path.suffix.lower() == ".gz":
        import gzip

        stream = gzip.GzipFile(fileobj=io.BufferedReader(stream))
    try:
        reader = pacsv.open_csv(
            io.BufferedReader(stream) if not isinstance(stream, io.BufferedIOBase) else stream,
            read_options=pacsv.ReadOptions(encoding=enc, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in {*header, *names}},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
        first_row = 2
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= chunk_rows:
                yield Chunk(_strip_names(pa.Table.from_batches(pending).to_pandas()), first_row)
                first_row += pending_rows
                pending, pending_rows = [], 0
        if pending:
            yield Chunk(_strip_names(pa.Table.from_batches(pending).to_pandas()), first_row)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        text = str(exc)
        hint = ("every row needs as many fields as the header; check quoting of values that "
                "contain the delimiter or line breaks")
        if "UTF8" in text or "utf-8" in text.lower() or isinstance(exc, UnicodeDecodeError):
            hint = NOT_UTF8
        raise ReadError(f"{path}: cannot parse the CSV: {text}", hint) from exc
    finally:
        raw.close()


def _strip_names(df: pd.DataFrame) -> pd.DataFrame:
    df.columns = [str(c).lstrip("\ufeff").strip() for c in df.columns]
    return df


def _parquet(path: Path, chunk_rows: int, progress: Progress | None) -> Iterator[Chunk]:
    try:
        pf = pq.ParquetFile(path)
    except pa.ArrowInvalid as exc:
        raise ReadError(f"{path}: not a readable Parquet file: {exc}",
                        "check the file is complete and really Parquet") from exc
    size, total = path.stat().st_size, max(pf.metadata.num_rows, 1)
    first_row = 2
    for batch in pf.iter_batches(batch_size=chunk_rows):
        df = batch.to_pandas(timestamp_as_object=False)
        yield Chunk(_strip_names(df), first_row)
        first_row += batch.num_rows
        if progress:
            progress(int(size * batch.num_rows / total))


def _records_frame(records: list[Any], path: Path) -> pd.DataFrame:
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise ReadError(f"{path}: record {bad + 1} is not a JSON object",
                        "give a list of objects, one per row, or JSON Lines with one object a line")
    return _strip_names(pd.json_normalize(records, sep="."))


def _json(path: Path, encoding: str | None, chunk_rows: int,
          progress: Progress | None) -> Iterator[Chunk]:
    check_encoding(path, _head(path, 4), encoding)
    try:
        doc = json.loads(path.read_text(encoding=encoding or "utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: not valid JSON: {exc}",
                        "check the file; for one object per line use the .jsonl extension") from exc
    if isinstance(doc, dict):
        lists = [k for k, v in doc.items() if isinstance(v, list)]
        if len(lists) != 1:
            raise ReadError(
                f"{path}: the JSON object holds {len(lists)} lists ({', '.join(lists) or 'none'}); "
                "cannot tell which one holds the rows",
                "give a JSON list of records, or an object with exactly one list "
                "(as API exports do)",
            )
        doc = doc[lists[0]]
    if not isinstance(doc, list):
        raise ReadError(f"{path}: the JSON is neither a list nor an object holding a list",
                        "give a list of records")
    if progress:
        progress(path.stat().st_size)
    for start in range(0, len(doc), chunk_rows):
        yield Chunk(_records_frame(doc[start : start + chunk_rows], path), start + 2)


def _jsonl(path: Path, encoding: str | None, chunk_rows: int,
           progress: Progress | None) -> Iterator[Chunk]:
    """Lines are split after decoding: in UTF-16 a newline is two bytes."""
    check_encoding(path, _head(path, 4), encoding)
    enc = encoding or "utf-8"
    records: list[Any] = []
    first_row = 2
    lineno = 0
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(io.BufferedReader(_Counting(raw, progress)), encoding=enc)
        try:
            for line in text:
                lineno += 1
                if not line.strip():
                    continue
                records.append(json.loads(line.lstrip("\ufeff")))
                if len(records) >= chunk_rows:
                    yield Chunk(_records_frame(records, path), first_row)
                    first_row += len(records)
                    records = []
        except json.JSONDecodeError as exc:
            raise ReadError(f"{path}: line {lineno} is not valid JSON: {exc}",
                            "fix or remove that line; each line must be one JSON "
                            "object") from exc
        except UnicodeDecodeError as exc:
            raise ReadError(f"{path}: not {enc} text (after line {lineno}): {exc}",
                            NOT_UTF8 if enc == "utf-8" else
                            "pass the file's encoding with --encoding or encoding: in the "
                            "mapping") from exc
    if records:
        yield Chunk(_records_frame(records, path), first_row)


def _xlsx(path: Path, sheet: str | None, chunk_rows: int,
          progress: Progress | None) -> Iterator[Chunk]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError) as exc:
        raise ReadError(f"{path}: not a readable XLSX workbook: {exc}",
                        "save it from Excel as .xlsx (old .xls files are not supported)") from exc
    except DAMAGED as exc:
        raise unreadable(path, exc) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ReadError(f"{path}: no sheet named {sheet!r}."
                            f"{did_you_mean(sheet, book.sheetnames)}",
                            f"sheets: {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise ReadError(f"{path}: the sheet {ws.title!r} is empty", "put a header row first")
        header = [str(h).strip() if h is not None else "" for h in header_row]
        while header and header[-1] == "":
            header.pop()
        buf: list[tuple[Any, ...]] = []
        first_row = 2
        for values in rows:
            buf.append(tuple(values[: len(header)]) + (None,) * (len(header) - len(values)))
            if len(buf) >= chunk_rows:
                yield Chunk(pd.DataFrame(buf, columns=header, dtype=object), first_row)
                first_row += len(buf)
                buf = []
        # trailing empty rows are formatting, not data
        while buf and all(v is None or (isinstance(v, str) and not v.strip()) for v in buf[-1]):
            buf.pop()
        if buf:
            yield Chunk(pd.DataFrame(buf, columns=header, dtype=object), first_row)
        if progress:
            progress(path.stat().st_size)
    except DAMAGED as exc:  # a damaged sheet inside a readable archive
        raise unreadable(path, exc) from exc
    finally:
        book.close()
