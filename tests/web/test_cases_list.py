"""The follow-up cases list pages (issue 17): 50 cases a page, the total counted over every
case the filters keep, and page links that keep the filters — on the shared demo server, with
a real login. Expected orders and counts are plain SQL on the demo warehouse."""

from __future__ import annotations

import re
from html import unescape

import httpx

from tests.web.server import Server

ORDER = "ORDER BY (status = 'open') DESC, due_at, case_id"


def _ids(page: str) -> list[str]:
    table = page.split('<table id="cases">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/cases/([^"]+)">', table)


def test_cases_list_pages_in_order_with_the_total(server: Server,
                                                   analyst: httpx.Client) -> None:
    every = [str(r[0]) for r in server.wh.query(
        f"SELECT case_id FROM followup_cases {ORDER}")]
    total = int(server.wh.scalar("SELECT count(*) FROM followup_cases"))
    assert total > 100, "the demo needs three pages of cases for this test"
    first = analyst.get("/cases")
    second = analyst.get("/cases?page=2")
    assert first.status_code == second.status_code == 200
    assert _ids(first.text) == every[:50]
    assert _ids(second.text) == every[50:100]
    assert f"{total} case(s), 51–100 shown" in unescape(second.text)
    assert 'href="/cases?page=3"' in second.text and 'href="/cases?page=1"' in second.text


def test_cases_page_links_keep_the_filters(server: Server, analyst: httpx.Client) -> None:
    where = "status = 'resolved'"
    every = [str(r[0]) for r in server.wh.query(
        f"SELECT case_id FROM followup_cases WHERE {where} {ORDER}")]
    assert len(every) > 50, "the demo needs two pages of resolved cases"
    page = analyst.get("/cases?status=resolved&page=2")
    assert page.status_code == 200
    assert _ids(page.text) == every[50:100]
    assert f"{len(every)} case(s), 51–" in unescape(page.text)
    assert 'href="/cases?status=resolved&amp;page=1"' in page.text


def test_a_page_that_is_not_a_number_is_refused(analyst: httpx.Client) -> None:
    response = analyst.get("/cases?page=0")
    assert response.status_code in (400, 422), response.text[:300]
