"""cxlens report on the demo: self-contained HTML that renders offline in Chromium, a PDF with
the sections, and a vendor's report that holds no other vendor's rows."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from html.parser import HTMLParser
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
from tests.web.conftest import Server, chromium_path
from tests.web.test_browser import ARTIFACTS

runner = CliRunner()
#: Every table the report prints, and its leftovers: the verbatims show the latest 40 of the
#: period's comments, the leaderboard the top and bottom 15 agents.
SHOWN_COMMENTS, SHOWN_AGENTS = 40, 30
SECTIONS = ("Executive summary", "What moved it", "Touchpoints", "Customer journey", "KPIs by vendor",
            "KPIs by site", "CSAT by ticket type", "Agent leaderboard", "Key drivers of CSAT",
            "Relational NPS by support history", "Initiative impact on CSAT",
            "Customers: lifetime value and churn risk", "Voice of the customer", "Definitions")


@pytest.fixture(scope="module")
def written(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("report")
    html, pdf = out / "report.html", out / "report.pdf"
    from cxlens.present.filters import Filters
    from cxlens.reports.html import render_html, write_pdf
    from cxlens.reports.model import build_report

    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        html.write_text(render_html(build_report(server.wh, Filters())), encoding="utf-8")
    write_pdf(html, pdf, numbered=True)
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
    from cxlens.present.filters import Filters
    from cxlens.reports.html import render_html
    from cxlens.reports.model import build_report

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
    pages = PdfReader(str(pdf)).pages
    assert len(pages) >= 4
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1].extract_text()  # the CLI numbers
    with store.connect(db) as wh:
        assert wh.query("SELECT action, detail FROM cxlens_audit WHERE action = 'export'") == [
            ("export", f"report {html} vendor=Acme BPO")]


class _Tables(HTMLParser):
    """The rows of every <table> of the report's HTML, each a list of its cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table {len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr":
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(html: Path) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser.tables


def _squeeze(text: str) -> str:
    """Text without whitespace (where a cell wraps is the printer's business)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _pages(pdf: Path) -> list[str]:
    return [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(str(pdf)).pages]


def test_the_pdf_prints_every_row_of_every_table(written: tuple[Path, Path],
                                                 server: Server) -> None:
    text = _squeeze("".join(_pages(written[1])))
    tables = _tables(written[0])
    assert len(tables) >= 10
    for name, rows in tables.items():
        for row in rows:  # each row's cells, in order, in the printed text: nothing clipped
            assert _squeeze("".join(row)) in text, (name, row)
    (channels,) = [rows for name, rows in tables.items() if name.startswith("scorecard-touch")]
    assert sorted(r[0] for r in channels[1:]) == [
        "chat", "email", "in_app", "in_store", "phone", "sms", "social"]
    # the stated top N and the rest counted, against counts made here in plain SQL
    [[agents]] = server.wh.query(
        "SELECT count(DISTINCT i.agent_id) FROM survey_responses s JOIN interactions i "
        "USING (interaction_id) WHERE s.survey = 'csat' AND s.score IS NOT NULL")
    board = tables["leaderboard-leaderboard"][1:]
    assert len(board) == SHOWN_AGENTS
    assert len({r[1] for r in board}) == SHOWN_AGENTS  # distinct agents
    assert all(int(r[0]) >= agents - 14 for r in board[-15:])  # the worst 15 (ties share)
    assert _squeeze(f"and {agents - SHOWN_AGENTS} more agents, ranked 16–{agents - 15}") in text
    [[comments]] = server.wh.query(  # detractors, passives and CSAT 1–3 with a comment
        "SELECT count(*) FROM survey_responses WHERE comment IS NOT NULL AND score IS NOT NULL "
        "AND ((survey = 'nps' AND score <= 8) OR (survey = 'csat' AND score <= 3))")
    assert len(tables["verbatims-comments"]) - 1 == SHOWN_COMMENTS
    assert _squeeze(f"and {comments - SHOWN_COMMENTS:,} more comments") in text


def test_each_pdf_page_carries_its_number(written: tuple[Path, Path]) -> None:
    pages = _pages(written[1])
    assert len(pages) >= 15
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page, (i, page[-200:])


def test_the_pdf_lists_the_alerts(written: tuple[Path, Path], server: Server) -> None:
    [[count, opened]] = server.wh.query(
        "SELECT count(*), count(*) FILTER (WHERE status = 'open') FROM cxlens_alerts")
    messages = [m for (m,) in server.wh.query("SELECT message FROM cxlens_alerts")]
    assert count >= 1  # the demo's alerts
    text = _squeeze("".join(_pages(written[1])))
    plural = "" if count == 1 else "s"
    assert _squeeze(f"{count} alert{plural} ({opened} open), as the dashboard's Alerts") in text
    assert len(_tables(written[0])["alerts-alerts"]) - 1 == count
    for message in messages:
        assert _squeeze(message) in text


def test_a_vendor_report_lists_only_its_alerts_and_all_its_agents(server: Server) -> None:
    from cxlens.present.filters import Filters
    from cxlens.reports.html import render_html
    from cxlens.reports.model import build_report

    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        report = build_report(server.wh, Filters(), vendor="Acme BPO")
        [[count]] = server.wh.query(
            "SELECT count(*) FROM cxlens_alerts WHERE segment LIKE '%vendor=Acme BPO%'")
        [[agents]] = server.wh.query(
            "SELECT count(DISTINCT i.agent_id) FROM survey_responses s JOIN interactions i "
            "USING (interaction_id) WHERE s.survey = 'csat' AND s.score IS NOT NULL "
            "AND i.vendor = 'Acme BPO'")
    html = render_html(report)
    rows = re.findall(r'<table id="alerts-alerts">.*?</table>', html, re.S)
    assert count >= 1 and len(rows) == 1
    assert rows[0].count("<tr>") - 1 == count
    assert f"{count} alert{'' if count == 1 else 's'} (" in html
    assert '<p class="scope">Vendor Acme BPO only</p>' in html  # the cover names the scope
    assert 15 < agents <= SHOWN_AGENTS  # top and bottom 15 overlap: every agent, said so
    assert f"All {agents} agents by shrunk CSAT" in html and 'id="more-leaderboard' not in html


def test_the_cover_names_the_period_and_scope_and_lists_the_contents(
        written: tuple[Path, Path], server: Server) -> None:
    [[first, last]] = server.wh.query(
        "SELECT min(responded_at), max(responded_at) FROM survey_responses")
    cover, contents = _pages(written[1])[:2]
    assert f"{first:%B %Y} to {last:%B %Y}, by month" in cover  # October 2025 to September 2026
    assert "All vendors" in cover
    assert "Contents" in contents
    for title in SECTIONS:
        assert title in contents, title


def _ink(pdf: Path, page: int, tmp: Path) -> float:
    """The share of a printed page's pixels that are not near white (30 dpi greyscale)."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(tmp / "p")], check=True)
    data = (tmp / "p.pgm").read_bytes()
    header = data.split(maxsplit=4)  # P5, width, height, maxval, pixels
    pixels = header[4]
    return sum(1 for b in pixels if b < 200) / len(pixels)


def test_the_charts_print(written: tuple[Path, Path], tmp_path: Path) -> None:
    pages = _pages(written[1])
    text = "".join(pages)
    assert "Chart failed" not in text
    assert text.count("Oct 2025") >= 4  # the x axis of each of the summary's four trends
    [page] = [i for i, p in enumerate(pages, 1) if "Contact volume by channel" in p]
    for channel in ("phone", "chat", "email", "in_app", "social", "sms", "in_store"):
        assert channel in pages[page - 1]  # the bars' labels
    assert _ink(written[1], page, tmp_path) > 0.05  # the bars themselves (a blank page: ~1 %)
