"""The upload pages' models (admins and analysts): ``/uploads`` (the form's choices — the
canonical tables, the built-in presets and the saved mappings — and the latest imports) and
``/uploads/{import_id}`` (one import's files and its quarantine). The check and the import
themselves run through the one pipeline (``cxlens.ingest.upload``)."""

from __future__ import annotations

from cxlens.errors import NotFound
from cxlens.ingest import saved
from cxlens.ingest.mapping import load_mapping, preset_names
from cxlens.ingest.quarantine import import_log_of, quarantine_of, recent_imports
from cxlens.present.model import Page, PageCtx
from cxlens.schema import TABLES

#: Imports listed on /uploads (the rest: the import_log table).
RECENT = 20


def form(ctx: PageCtx) -> Page:
    """``extra``: ``tables`` (canonical table names), ``presets`` ((name, table,
    description)), ``saved`` (saved mappings' names), ``recent`` (the latest ``RECENT``
    imports: id, table, files, rows read, loaded, rejected, flagged, finished)."""
    page = Page("uploads", "Uploads")
    presets = [(name, m.table or "", m.description or "")
               for name in preset_names() for m in (load_mapping(name),)]
    page.extra.update(tables=list(TABLES), presets=presets, saved=saved.names(ctx.wh),
                      recent=recent_imports(ctx.wh, RECENT).to_dict("records"))
    return page


def detail(ctx: PageCtx) -> Page:
    """Option ``import_id``; ``extra``: ``files`` (its import-log rows) and ``quarantine``
    (its quarantined rows, every status, in file order)."""
    import_id = ctx.options.get("import_id", "")
    files = import_log_of(ctx.wh, import_id)
    if files.empty:
        raise NotFound(f"no import {import_id!r}",
                       "the latest imports are listed on /uploads")
    page = Page("upload", f"Import {import_id}")
    page.extra.update(import_id=import_id, files=files.to_dict("records"),
                      quarantine=quarantine_of(ctx.wh, import_id).to_dict("records"))
    return page
