"""Odd query values never reach a 500 (issue 16): every GET route, every query parameter it
reads, odd values, as a logged-in admin and as a vendor viewer. A 4xx answer is the one JSON
error shape with a remedy (``hint``); the app's error page when a browser asks.

Every parameter gets the hostile values; dates, months and numbers get those of their kind
besides (a vendor named "2026-13" is not odd, a month is). The filter dimensions, and the
page options, are each read by one loop (present/filters.py, pages.OPTIONS), so they are sent
all at once: walking them one by one over every page would take minutes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest

from cxlens.present.filters import DIMENSIONS
from cxlens.web.pages import OPTIONS
from tests.web.conftest import Server, login
from tests.web.routes import Route, get_routes

#: Every parameter: a NUL byte, another control character, an overlong value, quotes and
#: markup, blanks.
HOSTILE = ("a\x00b", "\x1b[31m", "x" * 3000, "'\"<x>%", " ")
#: Dates (from, to): the calendar's far ends, a week that does not exist, impossible days.
#: (An accepted value costs every page a computation: ISO week dates, which are accepted,
#: are checked below and in tests/test_dates.py.)
DATES = ("9999-12-31", "0001-01-01", "2026-W54", "2026-13-01", "2026-02-30", "2026-1-5", "-1",
         "0")
#: Months: out of range, signed, too long, the far ends, trailing junk.
MONTHS = ("0", "13", "99999", "-1", "2026-13", "2026-00", "0001-01", "9999-12", "2026-01xyz",
          "2026-1")
#: Numbers: zero and negatives, huge, float spellings, full-width digits.
NUMBERS = ("0", "-1", "99999999999999999999", "1e999", "nan", "１２", "1.5")
KINDS = {"from": DATES, "to": DATES, "month": MONTHS}
GROUPS = {"dimensions": DIMENSIONS, "options": OPTIONS}


def cases(route: Route) -> Iterator[tuple[str, dict[str, str]]]:
    """(label, query) pairs for ``route``."""
    grouped = {p for names in GROUPS.values() for p in names}
    for param in route.params:
        if param in grouped:
            continue
        extra = NUMBERS if param in route.numbers else KINDS.get(param, ())
        for value in HOSTILE + extra:
            yield f"{param}={value[:20]!r}", {param: value}
    for label, names in GROUPS.items():
        if chosen := [p for p in names if p in route.params]:
            for value in HOSTILE:
                yield f"{label}={value[:20]!r}", dict.fromkeys(chosen, value)


def problems(response: httpx.Response, where: str) -> list[str]:
    """What is wrong with ``response``: a 5xx, or a 4xx not in the one error shape."""
    where = f"{where} -> {response.status_code}"
    if response.status_code >= 500:
        return [f"{where}: {response.text[:200]}"]
    if response.status_code < 400:
        return []
    if "text/html" in response.headers.get("content-type", ""):
        # a page: the error page, or the page's own form saying what is wrong (the
        # statement's month, the survey's token); never a traceback
        ok = not response.url.path.startswith("/api/")
        return [] if ok and "Traceback" not in response.text else \
            [f"{where}: an HTML answer: {response.text[:200]}"]
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return [f"{where}: not the JSON error shape: {response.text[:200]}"]
    if error.get("status") != response.status_code or not error.get("message") \
            or not error.get("hint") or not error.get("code"):
        return [f"{where}: {error}"]
    return []


@pytest.fixture(params=["admin", "acme"])
def user(request: pytest.FixtureRequest, server: Server) -> Iterator[httpx.Client]:
    with closing(login(server, request.param)) as client:
        yield client


def test_odd_query_values_on_every_route_are_4xx_with_a_remedy(
        server: Server, user: httpx.Client) -> None:
    found: list[str] = []
    routes = get_routes(server.app, server.wh)  # type: ignore[arg-type]
    assert len({r.template for r in routes}) > 40  # the walk does go over the app
    for route in routes:
        for label, query in cases(route):
            try:
                response = user.get(route.path, params=query)
            except httpx.TransportError as exc:  # a crash the server could not answer
                found.append(f"GET {route.path}?{label}: {exc!r}")
                continue
            found += problems(response, f"GET {route.path}?{label}")
    assert found == [], "\n".join(found[:60]) + f"\n({len(found)} in all)"


@pytest.mark.parametrize(("path", "query", "says"), [
    ("/overview", {"from": "2026-06-01", "to": "2026-01-31"}, "after to"),
    ("/api/pages/overview", {"from": "2026-06-01", "to": "2026-01-31"}, "after to"),
    ("/api/qa", {"from": "2026-06-01", "to": "2026-01-31"}, "after to"),
    ("/api/pages/overview", {"to": "9999-12-31"}, "outside the years 1900–2199"),
    ("/api/pages/overview", {"from": "0001-01-01"}, "outside the years 1900–2199"),
    ("/api/qa", {"to": "9999-12-31"}, "outside the years 1900–2199"),
    ("/api/contracts/statement", {"month": "13"}, "is not a month"),
    ("/api/contracts/statement", {"month": "2026-13"}, "is not a month"),
    ("/api/contracts/statement", {"month": "2026-01xyz"}, "is not a month"),
    ("/api/contracts/compare", {"month": "0001-01"}, "outside the years 1900–2199"),
    ("/api/pages/overview", {"vendor": "a\x00b"}, "control character '\\x00'"),
    ("/api/cases", {"owner": "y" * 1001}, "1001 characters long"),
])
def test_the_known_odd_inputs_are_400_with_a_remedy(
        analyst: httpx.Client, path: str, query: dict[str, str], says: str) -> None:
    response = analyst.get(path, params=query)
    assert response.status_code == 400, response.text[:300]
    error = response.json()["error"]
    assert says in error["message"] and error["hint"], error


def test_iso_week_dates_mean_the_weeks_monday_to_sunday(analyst: httpx.Client) -> None:
    """2026-W10 runs from Monday 2 March to Sunday 8 March 2026 (ISO 8601)."""
    page = analyst.get("/api/pages/overview", params={"from": "2026-W10", "to": "2026-W10"})
    assert page.status_code == 200, page.text[:300]
    assert page.json()["filters"] == "from=2026-03-02&to=2026-03-08"


def test_a_browser_gets_the_error_page(analyst: httpx.Client) -> None:
    response = analyst.get("/overview", params={"from": "2026-W10", "to": "2026-02-30"},
                           headers={"accept": "text/html"})
    assert response.status_code == 400
    assert "<h1>400: to &#39;2026-02-30&#39; is not a date</h1>" in response.text
    assert "<strong>Fix:</strong> dates like 2026-01-31 or ISO weeks" in response.text


def test_a_blank_page_option_is_the_default(analyst: httpx.Client) -> None:
    """level=" " is the vendors page's default level, as a blank filter is no filter."""
    blank = analyst.get("/api/pages/vendors", params={"level": " "})
    assert blank.status_code == 200, blank.text[:300]
    assert blank.json() == analyst.get("/api/pages/vendors").json()
