"""cxlens report on the demo: self-contained HTML that renders offline in Chromium, a PDF with
the sections, and a vendor's report that holds no other vendor's rows."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from pypdf import PdfReader
from typer.testing import CliRunner

from cxlens import store
from cxlens.cli import app
from cxlens.demo import build_demo
from cxlens.metrics.query import query
from cxlens.reports.html import CHROMIUM_ARGS
from tests.web.conftest import Server
from tests.web.test_browser import ARTIFACTS, chromium_path

runner = CliRunner()
SECTIONS = ("Executive summary", "Touchpoints", "Customer journey", "Vendors by vendor",
            "Vendors by site", "CSAT by ticket type", "Agent leaderboard", "Key drivers of CSAT",
            "Relational NPS by support history", "Initiative impact on CSAT",
            "Customers: lifetime value and churn risk", "Voice of the customer", "Definitions")


@pytest.fixture(scope="module")
def written(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("report")
    html, pdf = out / "report.html", out / "report.pdf"
    from cxlens.reports.html import render_html, write_pdf
    from cxlens.reports.model import build_report
    from cxlens.web.filters import Filters

    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        html.write_text(render_html(build_report(server.wh, Filters())), encoding="utf-8")
    write_pdf(html, pdf)
    return html, pdf


def test_html_is_self_contained(written: tuple[Path, Path]) -> None:
    text = written[0].read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', text)
    assert "<script src" not in text and "<link" not in text
    for title in SECTIONS:
        assert title in text, title


def test_html_renders_offline_without_errors(written: tuple[Path, Path]) -> None:
    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(written[0].as_uri())
        page.wait_for_selector("body[data-charts-ready]", timeout=60_000)
        assert page.locator(".vega svg").count() == page.locator(".vega").count() >= 6
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert [u for u in requests if not u.startswith("file:")] == []
    assert errors == []


def test_pdf_has_the_sections(written: tuple[Path, Path], server: Server) -> None:
    reader = PdfReader(str(written[1]))
    assert len(reader.pages) >= 6
    # NFKC: the PDF's text uses typographic ligatures ("ﬁ" in "Deﬁnitions")
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    for title in SECTIONS:
        assert title in text, title
    csat = query("csat", db=server.wh)
    assert f"{csat['value'].iloc[0]:.1f} %" in text  # the headline figure, as computed
    assert f"n = {int(csat['n'].iloc[0]):,}" in text


def test_summary_says_whether_changes_are_significant(written: tuple[Path, Path]) -> None:
    text = written[0].read_text(encoding="utf-8")
    sentences = re.findall(r"<li>([^<]*statistically significant[^<]*)</li>", text)
    assert len(sentences) >= 3
    assert all(re.search(r"\(p = [0-9.]+, ", s) for s in sentences)


def test_a_vendor_report_holds_only_that_vendor(server: Server, tmp_path: Path) -> None:
    from cxlens.reports.html import render_html
    from cxlens.reports.model import build_report
    from cxlens.web.filters import Filters

    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        report = build_report(server.wh, Filters(), vendor="Acme BPO")
        agents = [a for (a,) in server.wh.query(
            "SELECT DISTINCT agent_id FROM interactions WHERE vendor <> 'Acme BPO' "
            "AND agent_id IS NOT NULL")]
    text = render_html(report)
    assert "vendor Acme BPO only" in text
    assert "Northwind" not in text and "in-house" not in text
    assert not [a for a in agents if a in text]
    assert "Relational NPS" not in text.split('id="definitions"')[0]  # no vendor on it


def test_the_report_command_writes_html_and_pdf(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    with store.connect(db) as wh:
        build_demo(wh, scale=0.01, seed=3)
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    result = runner.invoke(app, ["report", "--db", db, "--out", str(html), "--pdf", str(pdf),
                                 "--from", "2026-01-01", "--to", "2026-06-30",
                                 "--vendor", "Acme BPO"])
    assert result.exit_code == 0, result.output
    assert f"report written to {html}" in result.stdout and "PDF written" in result.stdout
    assert "2026-01-01 to 2026-06-30" in html.read_text(encoding="utf-8")
    assert len(PdfReader(str(pdf)).pages) >= 4
    with store.connect(db) as wh:
        assert wh.query("SELECT action, detail FROM cxlens_audit WHERE action = 'export'") == [
            ("export", f"report {html} vendor=Acme BPO")]
