"""Records already in memory (a page of a helpdesk API), imported exactly as a file is.

A connector hands :func:`cxlens.ingest.pipeline.import_files` a :class:`Records` in place of a
path, so API records go through the same mapping, validation, quarantine and upsert as a file.
Two things differ from a file, and both are why this type exists:

- ``name`` stands where a file's path would (problems, quarantine, import log), e.g.
  ``zendesk:tickets``; it is the same for every page of a stream, so problems read the same
  whichever page a record came in.
- a problem's row is the record's own id (a ticket id), not its position in the page; the
  quarantine entries of a stream are replaced record by record (a ticket fixed at the source
  leaves quarantine on the next sync) instead of file by file, which for a stream named the
  same on every page would wipe the problems of the pages before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxlens.ingest.readers import Chunk


@dataclass(frozen=True)
class Records:
    """``records`` (flat or nested dicts; nested keys read as ``a.b``) under the label ``name``;
    ``ids[i]`` is the row number problems and quarantine give ``records[i]``."""

    name: str
    records: Sequence[dict[str, Any]]
    ids: Sequence[int]

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.records):
            raise ValueError("Records: one id per record")

    def __str__(self) -> str:
        return self.name

    def chunks(self) -> Iterator[Chunk]:
        frame = pd.json_normalize(list(self.records), sep=".")
        yield _IdChunk(frame, 1, pd.Series(list(self.ids), index=frame.index, dtype="int64"))


@dataclass
class _IdChunk(Chunk):
    """A chunk whose rows are the records' ids."""

    ids: pd.Series

    @property
    def rows(self) -> pd.Series:
        return self.ids
