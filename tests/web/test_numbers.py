"""Issue 17, formatting everywhere: every page of the menu (and the pages reached from it: a
statement, the contract comparison, the QA lists, one agent, one case) in real Chromium at
1440 and 390 px, as an admin and as a vendor viewer, shows numbers as people read them. The
sweep reads what is visible — the page's text with every table opened, and the text Vega-Lite
drew into each chart's SVG — and fails on more than two decimals, more than one decimal on a
percentage, scientific notation, "null"/"None"/"NaN"/"undefined"/"inf", a metric id where its
label belongs, a duration metric's value in raw seconds (tiles and table cells), and a duration
chart whose axis counts seconds. A CSV download keeps the raw values."""

from __future__ import annotations

import re
from contextlib import closing
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser

from cxlens.metrics.catalogue import catalogue
from cxlens.web.pages import COMPANY_WIDE, NAV
from tests.web.conftest import Server, login
from tests.web.test_browser import ARTIFACTS, Watched, log_in
from tests.web.test_phone import LAPTOP, PHONE, settle

#: The menu's pages, then the pages one reaches from them.
EXTRA = ("statement", "contracts/compare", "qa/disputes", "qa/coaching", "qa/calibration",
         "qa/machine")
#: Pages a vendor viewer may not open (the calibration sessions are the QA team's).
NOT_VENDOR = ("qa/calibration",)
SCIENTIFIC = re.compile(r"(?<![\w.-])\d+(\.\d+)?[eE][+-]?\d+(?![\w.])")
TOO_PRECISE = re.compile(r"(?<![\d.:\w-])\d[\d,]*\.\d{3,}(?![\d.])")
PERCENT = re.compile(r"(?<![\d.])\d[\d,]*\.\d{2,}\s?%")
WORDS = re.compile(r"\b(null|None|NaN|nan|undefined|inf|Infinity|NaT)\b")
#: p- and q-values are the one figure with three decimals ("0.003", "q < 0.001", "p = 0.012").
P_VALUE = re.compile(r"\b[pq]\s*(=|<)?\s*0\.\d{1,3}(?!\d)")
P_CELL = re.compile(r"^(< 0\.001|0\.0\d\d)$")
#: A duration as cxlens/format.py writes it: words ("6 min 43 s") or a clock ("0:06:43").
DURATION = re.compile(r"^-?(\d+ s|\d+ min \d\d s|\d+ h \d\d min|\d+ d \d\d h|\d+:\d\d:\d\d|—)$")
METRICS = catalogue()
SECONDS = {k for k, m in METRICS.items() if m.unit.value == "seconds"}
#: Ids that are not also ordinary words: shown, they are an id where a label belongs.
IDS = sorted({k for k in METRICS if "_" in k} | {f"{k}:{v}" for k, m in METRICS.items()
                                                  for v in m.variants}, key=len, reverse=True)
ID = re.compile(r"(?<![\w/=?&.-])(" + "|".join(map(re.escape, IDS)) + r")(?![\w/=&-])")

#: Read after the screenshot: opens every table and blanks code (a contract's KPI name, a
#: command, YAML): an identifier written as code is meant to be one.
READ = """() => {
  document.querySelectorAll('details.table').forEach(d => { d.open = true; });
  document.querySelectorAll('main code, main pre, main textarea').forEach(c => {
    c.textContent = ''; });
  // a chart in a box that scrolls sideways on its own (the scorecard grid on a phone) may
  // reach past the window; the box itself may not
  const boxed = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll')
        return p.getBoundingClientRect().right <= window.innerWidth + 1;
    }
    return false;
  };
  const charts = Array.from(document.querySelectorAll('.vega')).map(el => {
    let spec = {};
    const src = document.getElementById(el.dataset.spec);
    if (src) spec = JSON.parse(src.textContent);
    return {id: el.id, unit: spec.usermeta ? spec.usermeta.unit : null, title: spec.title,
            text: Array.from(el.querySelectorAll('svg text')).map(t => t.textContent),
            axis: Array.from(el.querySelectorAll('svg .role-axis-label text'))
                    .map(t => t.textContent),
            wide: el.getBoundingClientRect().right > window.innerWidth + 1 && !boxed(el)};
  });
  const tiles = Array.from(document.querySelectorAll('.figure[data-metric]')).map(f => ({
    metric: f.dataset.metric, value: f.querySelector('.value').innerText.trim()}));
  const cells = [];
  document.querySelectorAll('table').forEach(t => {
    const head = Array.from(t.querySelectorAll('thead th')).map(h => h.innerText.trim());
    const m = head.indexOf('metric'), v = head.indexOf('value');
    t.querySelectorAll('tbody tr').forEach(r => {
      const tds = Array.from(r.children).map(c => c.innerText.trim());
      if (m >= 0 && v >= 0) cells.push({metric: tds[m], value: tds[v]});
    });
  });
  return {text: document.querySelector('main').innerText, charts, tiles, cells};
}"""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, what: str, text: str) -> None:
        problem = f"{where}: {what}: {text!r}"
        if problem not in self.problems:
            self.problems.append(problem)


def check_text(f: Findings, where: str, text: str) -> None:
    """The number rules on one piece of visible text."""
    for line in re.split(r"[\n\t]", text):  # a table row's cells are tab-separated
        line = line.strip()
        plain = P_VALUE.sub("", P_CELL.sub("", line))
        for rule, what in ((SCIENTIFIC, "scientific notation"),
                           (TOO_PRECISE, "more than two decimals"),
                           (PERCENT, "a percentage with more than one decimal"),
                           (WORDS, "a missing value's raw word"), (ID, "a metric id")):
            for found in rule.finditer(plain):
                f.add(where, what, plain[max(0, found.start() - 30):found.end() + 10])


def seconds_label(metric: str) -> bool:
    """Whether a table cell / tile metric (an id or a label) is a duration metric."""
    return metric in SECONDS or any(METRICS[k].label == metric for k in SECONDS)


def check_page(f: Findings, where: str, seen: dict[str, object]) -> None:
    check_text(f, where, str(seen["text"]))
    for tile in seen["tiles"]:  # type: ignore[attr-defined]
        if tile["metric"].split(":")[0] in SECONDS and not DURATION.match(tile["value"]):
            f.add(where, f"tile {tile['metric']} not a duration", tile["value"])
    for c in seen["cells"]:  # type: ignore[attr-defined]
        if seconds_label(c["metric"]) and not DURATION.match(c["value"]):
            f.add(where, f"cell of {c['metric']} not a duration", c["value"])
    for chart in seen["charts"]:  # type: ignore[attr-defined]
        name = f"{where} chart {chart['id']}"
        check_text(f, name, "\n".join(chart["text"]))
        if chart["wide"]:
            f.add(name, "wider than the window", "")
        title = str(chart["title"])
        if chart["unit"] == "seconds" or any(METRICS[k].label in title for k in SECONDS):
            raw = [a for a in chart["axis"] if re.fullmatch(r"[\d,.]+", a) and
                   float(a.replace(",", "")) >= 60]
            if raw:
                f.add(name, "a duration axis in seconds", ", ".join(raw))


def pages_for(server: Server, username: str) -> list[str]:
    vendor = "Acme BPO"
    with server.app.state.cxlens.lock:  # type: ignore[attr-defined]
        agent = server.wh.query("SELECT min(agent_id) FROM interactions WHERE vendor = ?",
                                [vendor])[0][0]
        case = server.wh.query("SELECT min(case_id) FROM followup_cases WHERE vendor = ?",
                               [vendor])[0][0]
    menu = [n for n, _ in NAV if not (username == "acme" and n in COMPANY_WIDE)]
    extra = [p for p in EXTRA if not (username == "acme" and p in NOT_VENDOR)]
    return [*menu, *extra, f"agent?agent_id={agent}", f"cases/{case}"]


@pytest.mark.parametrize("username", ["admin", "acme"])
def test_every_page_shows_numbers_as_people_read_them(browser: Browser, server: Server,
                                                      username: str) -> None:
    context = browser.new_context(viewport=LAPTOP)
    w = Watched(context.new_page(), server)
    f = Findings()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_in(w, username)
    for name in pages_for(server, username):
        for size, viewport in (("1440", LAPTOP), ("390", PHONE)):
            where = f"/{name}" + (" at 390 px" if size == "390" else "")
            w.page.set_viewport_size(viewport)
            response = w.page.goto(f"{server.url}/{name}")
            assert response is not None and response.status == 200, (name, username)
            settle(w.page)
            slug = re.sub(r"\W+", "-", name.split("?")[0])
            w.page.screenshot(path=str(ARTIFACTS / f"numbers-{username}-{slug}-{size}.png"),
                              full_page=True)
            check_page(f, where, w.page.evaluate(READ))
    assert f.problems == [], "\n".join(f.problems)
    w.check()
    context.close()


def test_a_csv_download_keeps_raw_values(server: Server) -> None:
    """The CSV of the vendors' KPIs holds the raw figures: an AHT in seconds with its
    decimals, never "6 min 43 s"."""
    with closing(login(server, "ann")) as client:
        text = client.get("/api/pages/vendors/tables/kpis.csv").text
    header, *rows = text.splitlines()
    columns = header.split(",")
    metric, value = columns.index("metric"), columns.index("value")
    aht = [r.split(",")[value] for r in rows if r.split(",")[metric] == "aht"]
    assert aht and all(re.fullmatch(r"\d+(\.\d+)?", v) for v in aht), aht[:3]
    assert any("." in v for v in aht), "raw seconds keep their decimals"
