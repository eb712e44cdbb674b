"""Why an .xlsx file cannot be opened, told from its first bytes.

An XLSX workbook is a zip archive whose directory sits at its end, so a file cut short
(a download or copy that stopped) fails inside the zip reader with "File is not a zip file",
a text file or web page named .xlsx fails the same way, and an old .xls or a password-protected
workbook is an OLE2 file. Each gets its own message and remedy instead of a traceback.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from cxlens.ingest.sniff import ReadError

#: Exceptions openpyxl lets through from a damaged archive, on opening or while reading rows.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ParseError)
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and encrypted .xlsx


def unreadable(path: Path, exc: Exception) -> ReadError:
    """The error for a workbook that ``exc`` says cannot be read."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE2):
        return ReadError(f"{path}: an old .xls workbook, or a password-protected one, not .xlsx",
                         "open it in Excel and save it as Excel Workbook (.xlsx) without a "
                         "password")
    if not head or head.startswith(_ZIP):
        return ReadError(f"{path}: not a complete Excel workbook (the file is cut short or "
                         f"damaged: {exc})",
                         "download or export it again from its source, and check that it "
                         "opens in Excel")
    return ReadError(f"{path}: not an Excel workbook (it does not start like one)",
                     "if it is text (CSV or tab-separated), rename it .csv; otherwise export it "
                     "again as Excel Workbook (.xlsx)")
