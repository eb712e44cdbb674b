"""Imports of files that arrive as bytes rather than as paths (an upload in the dashboard,
``cxlens import`` handed to a running server). Each file is copied into a fresh temporary
folder under its own base name — so format detection and the ``{_file}`` token see the name
the user chose — checked or imported, and the folder is removed whatever happens: an upload is
never written anywhere else. The problems, the quarantine and the import log name each file as
the caller says (``Upload.source``), not by its temporary copy."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from cxlens.ingest.mapping import Mapping
from cxlens.ingest.pipeline import ImportResult, import_files, validate_files
from cxlens.store.base import Warehouse

#: How the dashboard records an uploaded file (quarantine, import log, problems).
UPLOAD_PREFIX = "upload/"


@dataclass(frozen=True)
class Upload:
    """One file: ``name`` as chosen (only its base name is used), ``source`` as the import
    records it, ``data`` its bytes."""

    name: str
    source: str
    data: BinaryIO


def base_name(name: str) -> str:
    """The file name without any folder (a browser or a client may send ``..\\x/../y.csv``),
    reduced to characters safe in a path; ``upload`` when nothing is left."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]", "_", base).strip(". ")
    return base or "upload"


def uploaded_source(name: str) -> str:
    """How a file uploaded in the dashboard is recorded: ``upload/NAME``."""
    return UPLOAD_PREFIX + base_name(name)


def run_import(wh: Warehouse, table: str | None, uploads: Sequence[Upload], *,
               dry_run: bool = False, mapping: str | Mapping | None = None,
               mapping_name: str | None = None, timezone: str | None = None,
               strict: bool = False, encoding: str | None = None,
               absent: Collection[str] = ()) -> ImportResult:
    """Check (``dry_run``: nothing is written) or import ``uploads`` into ``table`` through
    the one pipeline (:func:`cxlens.ingest.pipeline.import_files`). The uploads whose source
    is ``absent`` (a path the client found no file at) get no copy, so the pipeline refuses
    them as it refuses a missing file."""
    with tempfile.TemporaryDirectory(prefix="cxlens-upload-") as folder:
        paths = []
        for i, upload in enumerate(uploads):
            own = Path(folder) / str(i)  # two files of the same name stay apart
            own.mkdir()
            path = own / base_name(upload.name)
            if upload.source not in absent:
                with path.open("wb") as out:
                    shutil.copyfileobj(upload.data, out, 1 << 20)
            paths.append(path)
        options = {"mapping": mapping, "mapping_name": mapping_name, "timezone": timezone,
                   "strict": strict, "encoding": encoding,
                   "sources": [u.source for u in uploads]}
        if dry_run:
            return validate_files(wh, table, paths, **options)
        return import_files(wh, table, paths, **options)  # type: ignore[arg-type]
