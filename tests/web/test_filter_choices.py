"""A vendor viewer's filter bar offers only values from their own vendor's data (issue 16):
two vendors with nothing in common but the channel, a real server, real logins; every
dropdown of every page a vendor viewer may open is read from the HTML."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import closing

import pytest

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.web.app import create_app
from tests.web.conftest import login
from tests.web.server import PASSWORD, Server, running

DAY = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
#: vendor -> (customer, segment, site, channel, category, product)
ROWS = {"Acme BPO": ("c-acme", "smb", "Leeds", "phone", "billing", "router"),
        "Northwind BPO": ("c-north", "enterprise", "Porto", "phone", "returns", "sofa")}
SHOWN = ("vendor", "site", "channel", "category", "product", "segment")
#: Northwind's values that Acme shares no part of.
FOREIGN = ("Porto", "returns", "sofa", "enterprise", "Northwind")
#: Pages a vendor viewer may open that carry the filter bar.
PAGES = ("overview", "touchpoints", "vendors", "verbatims", "surveys", "loop", "drivers")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    wh = store.connect(str(tmp_path_factory.mktemp("choices") / "c.duckdb"))
    accounts.ensure(wh)
    for vendor, (customer, segment, site, channel, category, product) in ROWS.items():
        wh.execute("INSERT INTO customers (customer_id, segment) VALUES (?, ?)",
                   [customer, segment])
        for i in range(3):
            wh.execute("INSERT INTO interactions (interaction_id, customer_id, channel, vendor, "
                       "site, category, product, created_at, closed_at) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [f"{customer}-{i}", customer, channel, vendor, site, category, product,
                        DAY + dt.timedelta(days=i), DAY + dt.timedelta(days=i, hours=1)])
    users.add(wh, "admin", PASSWORD, "admin")
    users.add(wh, "acme", PASSWORD, "vendor", "Acme BPO")
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


def offered(html: str) -> dict[str, set[str]]:
    """Each filter dropdown's values (without "all")."""
    out = {}
    for name, body in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', html, re.S):
        out[name] = {v.strip() for v in re.findall(r"<option[^>]*>([^<]*)</option>", body)
                     } - {"all"}
    return out


def test_a_vendor_viewer_is_offered_only_their_own_values(server: Server) -> None:
    with closing(login(server, "acme")) as acme:
        for name in PAGES:
            page = acme.get(f"/{name}")
            assert page.status_code == 200, (name, page.text[:300])
            choices = offered(page.text)
            shown = {dim: choices[dim] for dim in SHOWN if dim in choices}
            assert shown, f"/{name} has no filter bar"
            for dim, values in shown.items():
                assert values == _own(dim), (name, dim, values)
            for foreign in FOREIGN:
                assert foreign not in page.text, (name, foreign)


def _own(dim: str) -> set[str]:
    """Acme's one value of ``dim`` (written out by hand)."""
    return {"vendor": {"Acme BPO"}, "site": {"Leeds"}, "channel": {"phone"},
            "category": {"billing"}, "product": {"router"}, "segment": {"smb"}}[dim]


def test_an_analyst_or_admin_is_offered_every_vendor_s_values(server: Server) -> None:
    with closing(login(server, "admin")) as admin:
        choices = offered(admin.get("/overview").text)
    assert choices["vendor"] == {"Acme BPO", "Northwind BPO"}
    assert choices["category"] == {"billing", "returns"}
    assert choices["product"] == {"router", "sofa"}
    assert choices["segment"] == {"enterprise", "smb"}
    assert choices["site"] == {"Leeds", "Porto"}


def test_no_page_or_json_route_names_another_vendor_s_values(server: Server) -> None:
    """The JSON twins and the other pages with dropdowns (their vendor lists are the viewer's
    own; the rest are statuses and scorecards, not data values)."""
    others = ("/api/pages/overview", "/api/pages/vendors", "/api/pages/touchpoints", "/cases",
              "/api/cases", "/qa", "/api/qa", "/qa/disputes", "/qa/coaching", "/alerts",
              "/api/alerts", "/contracts", "/report")
    with closing(login(server, "acme")) as acme:
        for name in others:
            body = acme.get(name)
            assert body.status_code == 200, (name, body.text[:300])
            for foreign in FOREIGN:
                assert foreign not in body.text, (name, foreign)

