"""Imports into a running dashboard. ``/uploads`` (admins and analysts; a vendor viewer gets
403): upload CSV, XLSX or JSON files, choose the table and a preset or a saved mapping, check
them (a dry run: every problem with file, row, column and fix, nothing written), then import
them and see the import's quarantine on ``/uploads/{import_id}``. ``POST /api/imports``:
``cxlens import`` run in another terminal while this server holds the DuckDB file hands its
files here (cxlens.handoff: the local token, loopback clients only).

Both run in this process, on the dashboard's connection under its lock, through the one
pipeline (``cxlens.ingest.upload``: files copied into a temporary folder removed after the
request); the pipeline bumps the data version, so every cached page is recomputed. The form is
read only after the role (and, for the hand-off, the token) is checked, so nobody else makes
the server read a file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.errors import ConfigError, CxlensError, Forbidden
from cxlens.ingest import saved
from cxlens.ingest.mapping import Mapping, mapping_from_text
from cxlens.ingest.pipeline import ImportResult
from cxlens.ingest.upload import Upload, base_name, run_import, uploaded_source
from cxlens.ingest.wire import result_json
from cxlens.present.pages import uploads as model
from cxlens.present.scope import limited
from cxlens.web.bespoke import build
from cxlens.web.handoff_guard import check_handoff, form_text
from cxlens.web.pages import Source, html
from cxlens.web.security import check_csrf, require_user, state
from cxlens.web.state import WebState

router = APIRouter()
NAV_PAGE = {"name": "uploads"}  # the menu entry these pages belong to
#: Problems listed after a check (all of them are in the JSON answer and, after the import,
#: in the quarantine).
SHOWN = 500


def require_uploader(request: Request) -> User:
    """Admins and analysts; a vendor viewer gets 403."""
    user = require_user(request)
    if limited(user):
        raise Forbidden("uploads are for the CX team's admins and analysts",
                        "ask an admin or an analyst to import the file")
    return user


Uploader = Annotated[User, Depends(require_uploader)]


async def closing_form(request: Request) -> AsyncIterator[None]:
    """Close the request's form when it is answered, refused included: its files' spooled
    copies go at once, not whenever the collector finds them."""
    try:
        yield
    finally:
        await request.close()


@router.get("/uploads", response_class=HTMLResponse)
def uploads_page(request: Request, user: Uploader) -> HTMLResponse:
    """The upload form and the latest imports."""
    return _page(request, user)


@router.get("/uploads/{import_id}", response_class=HTMLResponse)
def import_page(request: Request, user: Uploader, import_id: str) -> HTMLResponse:
    """One import: its files' counts and its quarantine (rejected, flagged, skipped rows)."""
    page = build(request, model.detail, user, import_id=import_id)
    return html(request, "upload_import.html", user=user, page=NAV_PAGE, **page.extra)


@router.post("/uploads", dependencies=[Depends(closing_form), Depends(require_uploader),
                                       Depends(check_csrf)])
async def upload(request: Request, user: Uploader) -> Response:
    """``action=check``: the dry run's problems; ``action=commit``: the import, then its page.
    From the page's HTMX form the check answers with the result alone (the form keeps the
    chosen file, so the import sends it again)."""
    form = await request.form()
    hx = request.headers.get("hx-request") == "true"
    commit = form.get("action") == "commit"
    try:  # in a worker thread: the import waits for the warehouse lock, not the event loop
        result = await run_in_threadpool(_upload, state(request), user, form, commit)
    except CxlensError as exc:
        return _answer(request, user, hx, 200 if hx else 400, error=exc)
    if not commit:
        return _answer(request, user, hx, 200, result=result)
    target = f"/uploads/{result.import_id}"
    if hx:
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _upload(st: WebState, user: User, form: FormData, commit: bool) -> ImportResult:
    """The form's check or import; an import also saves the uploaded mapping under the name
    given and is recorded in the audit log."""
    files = [Upload(base_name(f.filename or ""), uploaded_source(f.filename or ""), f.file)
             for f in _files(form, "file")]
    if not files:
        raise ConfigError("no file was chosen", "choose a CSV, XLSX or JSON file to upload")
    mapping, name, keep = _mapping(st, form)
    with st.lock:
        result = run_import(st.wh, form_text(form, "table") or None, files, dry_run=not commit,
                            mapping=mapping, mapping_name=name,
                            timezone=form_text(form, "timezone") or None)
        if commit:
            if keep is not None:
                with st.wh.transaction():
                    saved.save(st.wh, *keep)
            audit.record(st.wh, user.username, "import",
                         _audit_detail(result, "dashboard upload"))
    return result


@router.post("/api/imports", tags=["imports"], dependencies=[Depends(closing_form)])
async def handed_off(request: Request) -> dict[str, Any]:
    """An import handed over by ``cxlens import`` while this server holds the DuckDB file
    (cxlens.handoff; the local token of the hand-off file, from a loopback address only).
    Form: ``table``, ``mapping`` (a preset) or ``mapping_text`` and ``mapping_name``,
    ``timezone``, ``encoding``, ``strict``, then per file a ``source`` (its path on the
    client, as the import records it) and a ``file`` part; ``absent`` names a path that is no
    file. Answers ``{"result": ...}`` (cxlens.ingest.wire) or the app's JSON error."""
    check_handoff(request, "cxlens import")
    form = await request.form(max_files=10_000, max_fields=10_000)
    result = await run_in_threadpool(_handed_off, state(request), form)
    return {"result": result_json(result)}


def _handed_off(st: WebState, form: FormData) -> ImportResult:
    sources = [str(s) for s in form.getlist("source")]
    parts = _files(form, "file", named=False)
    if len(parts) != len(sources):
        raise ConfigError(f"{len(parts)} file(s) for {len(sources)} source(s)",
                          "send one source field per file part (cxlens.handoff)")
    files = [Upload(base_name(src), src, part.file)
             for src, part in zip(sources, parts, strict=True)]
    mapping: str | Mapping | None = form_text(form, "mapping") or None
    name = form_text(form, "mapping_name") or None
    if "mapping_text" in form:
        mapping = mapping_from_text(form_text(form, "mapping_text"), name or "mapping")
    with st.lock:
        result = run_import(st.wh, form_text(form, "table") or None, files,
                            absent={str(a) for a in form.getlist("absent")}, mapping=mapping,
                            mapping_name=name, timezone=form_text(form, "timezone") or None,
                            encoding=form_text(form, "encoding") or None,
                            strict=bool(form_text(form, "strict")))
        audit.record(st.wh, None, "import", _audit_detail(result, "cxlens import, handed off"))
    return result


def _files(form: FormData, field: str, named: bool = True) -> list[UploadFile]:
    """The form's file parts ``field`` (with a file chosen, when ``named``)."""
    return [f for f in form.getlist(field)
            if isinstance(f, UploadFile) and (f.filename or not named)]


def _mapping(st: WebState, form: FormData,
             ) -> tuple[str | Mapping | None, str | None, tuple[str, str] | None]:
    """(mapping, its name for the import log, (name, YAML) to save): an uploaded YAML file
    wins over the list's choice (``preset:NAME`` or ``saved:NAME``)."""
    uploaded = _files(form, "mapping_file")
    save_as = form_text(form, "save_as")
    if uploaded:
        text = uploaded[0].file.read().decode("utf-8", errors="replace")
        where = uploaded_source(uploaded[0].filename or "mapping.yaml")
        mapping = mapping_from_text(text, where)
        if save_as:
            saved.check_name(save_as)  # before the import, which the name cannot undo
        return mapping, where, ((save_as, text) if save_as else None)
    if save_as:
        raise ConfigError("a name to save a mapping under, but no mapping file",
                          "choose the mapping's YAML file, or leave the name empty")
    kind, _, name = form_text(form, "mapping").partition(":")
    if kind == "preset" and name:
        return name, name, None
    if kind == "saved" and name:
        with st.lock:
            return saved.load(st.wh, name), f"saved:{name}", None
    return None, None, None


def _audit_detail(result: ImportResult, how: str) -> str:
    files = ", ".join(f.path for f in result.files)
    return (f"{result.table} {result.import_id} ({how}): {files}; {result.rows_read} read, "
            f"{result.loaded} loaded, {result.rejected} quarantined, {result.flagged} flagged")


def _page(request: Request, user: User, status: int = 200, **context: Any) -> HTMLResponse:
    page = build(request, model.form, user)
    return html(request, "uploads.html", status, user=user, page=NAV_PAGE, shown=SHOWN,
                **page.extra, **context)


def _answer(request: Request, user: User, hx: bool, status: int,
            result: ImportResult | None = None, error: CxlensError | None = None) -> Response:
    """A check's result or a refusal: the result part alone for HTMX, else the whole page."""
    if hx:
        return html(request, "upload_result.html", status, user=user, result=result,
                    error=error, shown=SHOWN, oob=True)
    return _page(request, user, status, result=result, error=error)


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/uploads": Source(model.form, "uploads.html"),
           "/uploads/{import_id}": Source(model.detail, "upload_import.html")}
