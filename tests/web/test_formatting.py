"""What people read on the dashboard goes through the one formatter (cxlens.format):
tables show each figure in its metric's unit (durations as h:mm:ss, not raw seconds like
"408.21"), counts without decimals, metric names not ids, no scientific notation, no more than
two decimals (p-values aside), no "None"/"nan"/"null"; theme shares read as percentages."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from cxlens.metrics.catalogue import resolve
from cxlens.present.pages.vendors import VENDOR_KPIS
from cxlens.targets import HEADLINE

#: Pages whose tables and cards are checked (each renders from the page model).
PAGES = ("overview", "touchpoints", "journey", "vendors", "drivers", "cohorts", "impact",
         "themes", "sentiment")
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
TOO_PRECISE = re.compile(r"(?<![\d.:])\d[\d,]*\.\d{3,}(?![\d.])")
WORDS = re.compile(r"^(None|nan|NaN|null|NaT)$")
#: p- and q-values are the one figure with three decimals ("0.003", "q < 0.001", "p = 0.012").
P_VALUE = re.compile(r"(\b[pq] (= )?|^)(< 0\.001|0\.0\d\d)\b")


def _table(html: str, table_id: str) -> list[list[str]]:
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [[unescape(c).strip() for c in CELL.findall(r)] for r in rows if "<td" in r]


@pytest.mark.parametrize("name", PAGES)
def test_no_raw_numbers_in_tables_or_cards(analyst: httpx.Client, name: str) -> None:
    page = analyst.get(f"/{name}")
    assert page.status_code == 200, page.text[:300]
    body = re.sub(r"<script.*?</script>", "", page.text, flags=re.S)
    cells = [unescape(c).strip() for c in CELL.findall(body)]
    cards = [unescape(v).strip() for v in re.findall(
        r'<div class="(?:value|ci)">(.*?)</div>', body, re.S)]
    assert cells or cards
    for text in cells + cards:
        assert not SCIENTIFIC.search(text), (name, text)
        assert not TOO_PRECISE.search(P_VALUE.sub("", text)), (name, text)
        assert not WORDS.match(text), (name, text)


@pytest.mark.parametrize(("path", "table"), [("/overview", "table-trend"),
                                           ("/vendors", "table-kpis")])
def test_metric_tables_read_in_metric_units(analyst: httpx.Client, path: str,
                                            table: str) -> None:
    html = analyst.get(path).text
    rows = _table(html, table)
    header = re.search(rf'<table id="{table}">\s*<thead><tr>(.*?)</tr>', html, re.S)
    assert header and rows
    columns = [unescape(c) for c in re.findall(r"<th>(.*?)</th>", header.group(1))]
    # headings in words ("Metric", "CI low"), not the names the CSV keeps ("ci_low")
    assert "ci_low" not in columns and "CI low" in columns, columns
    metric, value, n = columns.index("Metric"), columns.index("Value"), columns.index("n")
    units = {m.label: m.unit.value for m in map(resolve, (*HEADLINE, *VENDOR_KPIS))}
    seen = set()
    for row in rows:
        assert row[metric] in units, row  # names ("CSAT"), not ids ("csat")
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", row[n]), row  # never "162,421.00"
        unit = units[row[metric]]
        seen.add(unit)
        pattern = {"seconds": r"\d+:\d\d:\d\d",  # AHT as h:mm:ss, never "408.21"
                   "percent": r"\d{1,3}\.\d %", "points": r"[+-]?\d{1,3}\.\d",
                   "score": r"\d\.\d", "count": r"\d{1,3}(,\d{3})*"}[unit]
        assert re.fullmatch(f"{pattern}|—", row[value]), row
    assert "percent" in seen
    assert "seconds" in seen or path == "/overview"


def test_theme_shares_are_percentages_not_fractions(analyst: httpx.Client) -> None:
    body = analyst.get("/api/pages/themes").json()
    share = body["tables"]["themes"][0]["share"]  # a fraction of comments, 0–1
    assert 0 < share < 1
    page = unescape(analyst.get("/themes").text)
    # the card of the largest theme: e.g. 0.2315 of comments reads "23.2 %", not "0.2 %"
    card = re.search(r'data-metric="share:1">.*?<div class="value">(.*?)</div>', page, re.S)
    assert card, "no card for theme 1"
    assert card.group(1) == f"{100 * share:.1f} %"
    volume = next(c for c in body["charts"] if c["name"] == "volume")
    values = [v["value"] for v in volume["spec"]["data"]["values"]]
    assert values[0] == pytest.approx(100 * share)  # the chart's axis is "% of comments"
