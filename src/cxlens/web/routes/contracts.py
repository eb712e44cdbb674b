"""Contracts in the dashboard: the saved contracts with their KPIs and problems (admins edit or
upload the YAML; every problem is shown at once and nothing is saved unless all is right), a
vendor's monthly statement inside the dashboard with its downloads (HTML, PDF, CSV, JSON), and
vendors or sites side by side on the contracts' KPIs. A vendor viewer sees only their own
vendor's contracts, statement and rows. The pages' models: ``cxlens.present.pages.contracts``;
here are the forms, the charts and the downloads."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxlens.accounts import audit
from cxlens.accounts.users import User
from cxlens.contracts import store as contract_store
from cxlens.contracts.compare import Comparison
from cxlens.contracts.spec import Contract
from cxlens.contracts.statement import BRAND_WARNING, Statement
from cxlens.csvsafe import frame_csv
from cxlens.errors import ConfigError, CxlensError, NotFound, did_you_mean
from cxlens.present import charts
from cxlens.present import statement as render
from cxlens.present.model import Page
from cxlens.present.pages import contracts as model
from cxlens.web.bespoke import build
from cxlens.web.pages import Source, html
from cxlens.web.security import AdminUser, CurrentUser, check_csrf, state

router = APIRouter()
FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "csv": "text/csv; charset=utf-8", "json": "application/json"}
NAV_PAGE = {"name": "contracts"}  # the menu entry these pages belong to


# -- the page models (cxlens.present.pages.contracts) --------------------------------------------
def _statement(request: Request, user: User, vendor: str | None,
               month: str | None) -> Statement:
    s: Statement = build(request, model.statement_page, user, vendor,
                         month=month).extra["statement"]
    return s


def _comparison(request: Request, user: User, month: str | None, by: str,
                contract: str | None) -> Page:
    return build(request, model.comparison, user, month=month, by=by, contract=contract)


def _query(**params: str | None) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _audit(request: Request, user: User, detail: str) -> None:
    st = state(request)
    with st.lock:
        audit.record(st.wh, user.username, "export", detail)


# -- contracts -----------------------------------------------------------------------------------
def _contracts_page(request: Request, user: User, status: int = 200,
                    problems: list[str] | None = None,
                    draft: dict[str, str] | None = None) -> HTMLResponse:
    data = build(request, model.contracts, user).extra
    return html(request, "contracts.html", status, user=user, page=NAV_PAGE, rows=data["rows"],
                history=data["history"], problems=problems or [], draft=draft or {},
                saved=request.query_params.get("saved"), month=data["month"])


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(request: Request, user: CurrentUser) -> HTMLResponse:
    """The saved contracts with their KPIs and problems; admins edit and upload them."""
    return _contracts_page(request, user)


@router.post("/contracts", dependencies=[Depends(check_csrf)])
def contracts_save(request: Request, user: AdminUser, name: str = Form(""),
                   text: str = Form(""), action: str = Form("save"),
                   files: Annotated[list[UploadFile] | None, File()] = None,
                   ) -> Response:
    """Save (or retire) one contract, or upload YAML files, all or nothing."""
    texts: dict[str, str] = {}
    problems: list[str] = []
    for f in files or []:
        if not f.filename:
            continue  # the empty file part of a form without a file chosen
        path = Path(f.filename)
        if path.suffix.lower() not in (".yaml", ".yml"):
            problems.append(f"{path.name}: a contract file ends in .yaml or .yml")
            continue
        try:
            texts[path.stem] = f.file.read().decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{path.name}: not UTF-8 text")
    name = name.strip()
    retire = (name,) if action == "retire" and name else ()
    if not retire and text.strip():
        if name:
            texts[name] = text
        else:
            problems.append("give the contract a name (e.g. acme) to save its text")
    if not texts and not retire and not problems:
        problems.append("nothing to save: write a contract or choose YAML files")
    st = state(request)
    try:
        with st.lock:
            contract_store.save(st.wh, texts, user.username, retire=retire,
                                problems=tuple(problems))
    except contract_store.ContractProblems as exc:
        return _contracts_page(request, user, 400, exc.problems, {"name": name, "text": text})
    except CxlensError as exc:
        return _contracts_page(request, user, 400, [f"{exc.message} ({exc.hint})"],
                               {"name": name, "text": text})
    return RedirectResponse("/contracts?saved=1", status_code=303)


def _contract_json(row: tuple[contract_store.Saved, Contract | None, str | None],
                   history: list[contract_store.Saved]) -> dict[str, Any]:
    s, c, problem = row
    return {"name": s.name, "version": s.version, "saved_by": s.saved_by,
            "saved_at": s.saved_at.isoformat(), "yaml": s.text, "problem": problem,
            "contract": c.model_dump(mode="json", exclude_none=True) if c else None,
            "history": [{"version": v.version, "saved_by": v.saved_by,
                         "saved_at": v.saved_at.isoformat(), "retired": v.text is None}
                        for v in history]}


@router.get("/api/contracts", tags=["contracts"])
def api_contracts(request: Request, user: CurrentUser) -> dict[str, Any]:
    """The saved contracts (a vendor viewer gets their own), with every version's date."""
    data = build(request, model.contracts, user).extra
    return {"contracts": [_contract_json(r, data["history"].get(r[0].name, []))
                          for r in data["rows"]]}


# -- statements ----------------------------------------------------------------------------------
def _year_charts(s: Statement) -> list[list[tuple[str, str, dict[str, Any] | None]]]:
    """Per contract, per KPI: the last twelve months with their intervals and the target
    (no chart for a KPI without a figure in any of them)."""
    out = []
    for i, months in enumerate(s.year):
        specs: list[tuple[str, str, dict[str, Any] | None]] = []
        for j, line in enumerate(months[-1].lines):
            frame = pd.DataFrame([{
                "period": m.month, "value": m.lines[j].actual.value,
                "ci_low": m.lines[j].actual.ci_low, "ci_high": m.lines[j].actual.ci_high,
                "n": m.lines[j].actual.n, "flag": m.lines[j].status} for m in months])
            title = line.label + (f" ({line.kpi.where})" if line.kpi.where else "")
            if frame["value"].isna().all():
                specs.append((f"c{i}-{line.kpi.name}", title, None))
                continue
            spec = charts.trend(frame, title, unit=line.unit,
                                min_n=line.kpi.min_sample or months[-1].contract.min_sample)
            spec["height"] = 160
            spec["layer"].append({"mark": {"type": "rule", "strokeDash": [6, 4],
                                           "color": "#cf222e"},
                                  "encoding": {"y": {"datum": line.kpi.target}}})
            specs.append((f"c{i}-{line.kpi.name}", title, spec))
        out.append(specs)
    return out


def money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


@router.get("/statement", response_class=HTMLResponse)
def statement_page(request: Request, user: CurrentUser, vendor: str | None = None,
                   month: str | None = None) -> HTMLResponse:
    """A vendor's monthly statement in the dashboard (a vendor viewer gets their own)."""
    vendors = build(request, model.vendors_page, user).extra["vendors"]
    try:
        s = _statement(request, user, vendor, month)
    except NotFound:
        raise
    except ConfigError as exc:  # e.g. a month before the contract's start: choose another
        return html(request, "statement.html", 400, user=user, page=NAV_PAGE, s=None,
                    vendors=vendors, vendor=vendor or "", month_text=month or "",
                    error=f"{exc.message} — {exc.hint}")
    query = _query(vendor=s.vendor, month=f"{s.month:%Y-%m}")
    return html(request, "statement.html", user=user, page=NAV_PAGE, s=s, vendors=vendors,
                vendor=s.vendor, month_text=f"{s.month:%Y-%m}", error=None, query=query,
                charts=_year_charts(s), money=money, brand_warning=BRAND_WARNING,
                formats=list(FORMATS))


@router.get("/api/contracts/statement", tags=["contracts"])
def api_statement(request: Request, user: CurrentUser, vendor: str | None = None,
                  month: str | None = None) -> dict[str, Any]:
    """The statement as JSON (the page's twin)."""
    return _statement(request, user, vendor, month).as_dict()


@router.get("/api/contracts/statement.{fmt}", tags=["contracts"])
def statement_download(request: Request, user: CurrentUser, fmt: str,
                       vendor: str | None = None, month: str | None = None) -> Response:
    """The statement as a file: html (self-contained), pdf (printed by Chromium), csv or
    json (recorded in the audit log)."""
    if fmt not in FORMATS:
        raise NotFound(f"no statement format {fmt!r}.{did_you_mean(fmt, FORMATS)}",
                       f"formats: {', '.join(FORMATS)}")
    s = _statement(request, user, vendor, month)
    slug = "".join(ch if ch.isalnum() else "-" for ch in s.vendor.lower()).strip("-")
    filename = f"statement-{slug}-{s.month:%Y-%m}.{fmt}"
    body: str | bytes
    if fmt == "json":
        body = json.dumps(s.as_dict(), indent=2, default=str)
    elif fmt == "csv":
        body = render.csv_text(s)
    elif fmt == "html":
        body = render.html(s)
    else:
        body = _pdf(render.html(s))
    _audit(request, user, f"statement.{fmt}?{_query(vendor=s.vendor, month=f'{s.month:%Y-%m}')}")
    return Response(body, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _pdf(page: str) -> bytes:
    from cxlens.reports.html import write_pdf

    with tempfile.TemporaryDirectory(prefix="cxlens-statement-") as tmp:
        source, target = Path(tmp) / "statement.html", Path(tmp) / "statement.pdf"
        source.write_text(page, encoding="utf-8")
        write_pdf(source, target)
        return target.read_bytes()


# -- comparison ----------------------------------------------------------------------------------
def _compare_charts(c: Comparison) -> list[tuple[str, dict[str, Any] | None]]:
    """Per KPI: each segment's actual with its interval, in the month (None: no figures)."""
    out: list[tuple[str, dict[str, Any] | None]] = []
    for i, d in enumerate(c.definitions):
        frame = pd.DataFrame([{
            "segment": seg.label, "value": c.cell(seg, d.name).actual.value,
            "ci_low": c.cell(seg, d.name).actual.ci_low,
            "ci_high": c.cell(seg, d.name).actual.ci_high,
            "n": c.cell(seg, d.name).actual.n, "flag": c.cell(seg, d.name).flag}
            for seg in c.segments])
        if frame.empty or frame["value"].isna().all():
            out.append((f"k{i}", None))
            continue
        out.append((f"k{i}", charts.intervals(frame, "segment", d.label, unit=d.unit)))
    return out


@router.get("/contracts/compare", response_class=HTMLResponse)
def compare_page(request: Request, user: CurrentUser, month: str | None = None,
                 by: str = "vendor", contract: str | None = None) -> HTMLResponse:
    """Vendors or sites side by side on the contracts' KPIs."""
    data = _comparison(request, user, month, by, contract).extra
    c, labels = data["comparison"], data["labels"]
    query = _query(month=f"{c.month:%Y-%m}", by=c.by, contract=contract)
    return html(request, "contract_compare.html", user=user, page=NAV_PAGE, c=c,
                labels=labels, contract=contract or "", query=query,
                charts=_compare_charts(c))


@router.get("/api/contracts/compare", tags=["contracts"])
def api_compare(request: Request, user: CurrentUser, month: str | None = None,
                by: str = "vendor", contract: str | None = None) -> dict[str, Any]:
    """The comparison as JSON: the month's rows and the year view's (a vendor viewer gets
    their own vendor's rows only)."""
    comparison: Comparison = _comparison(request, user, month, by, contract).extra["comparison"]
    return comparison.as_dict()


@router.get("/api/contracts/compare.csv", tags=["contracts"])
def compare_csv(request: Request, user: CurrentUser, month: str | None = None,
                by: str = "vendor", contract: str | None = None,
                year: bool = False) -> Response:
    """The comparison as CSV (``year=true``: with the twelve months before; recorded in the
    audit log)."""
    c: Comparison = _comparison(request, user, month, by, contract).extra["comparison"]
    _audit(request, user, "contracts/compare.csv?" + _query(
        month=f"{c.month:%Y-%m}", by=c.by, contract=contract, year="true" if year else None))
    return Response(frame_csv(c.frame(year)), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="cxlens-compare-{c.by}-'
                               f'{c.month:%Y-%m}.csv"'})


#: Where this module's pages come from (docs/pages.md): builder, template, JSON twin.
SOURCES = {"/contracts": Source(model.contracts, "contracts.html", "/api/contracts"),
           "/statement": Source(model.statement_page, "statement.html",
                                "/api/contracts/statement"),
           "/contracts/compare": Source(model.comparison, "contract_compare.html",
                                        "/api/contracts/compare")}
