"""The dashboard's CSV downloads cannot be turned against their reader (OWASP "CSV
Injection"): sites and agents named like formulas come back from a page table's CSV and from
the contract comparison's CSV with a leading quote; numbers as numbers.

A server of its own: the sites and an agent of a small demo warehouse are renamed first."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from cxlens import accounts, store
from cxlens.accounts import users
from cxlens.demo import build_demo
from cxlens.web.app import create_app
from tests.web.conftest import login
from tests.web.server import PASSWORD, Server, running

SITES = {"Manila": '=HYPERLINK("http://x")', "Bogotá": "+1+2", "Leeds": "-2+3"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    wh = store.connect(str(Path(tmp_path_factory.mktemp("csvsafe")) / "web.duckdb"))
    build_demo(wh, scale=0.03, seed=11)
    tables = wh.query("SELECT table_name, column_name FROM information_schema.columns "
                      "WHERE column_name IN ('site', 'agent_id')")
    (agent,) = wh.query("SELECT min(agent_id) FROM interactions")[0]
    for table, column in tables:
        if column == "site":
            for old, new in SITES.items():
                wh.execute(f'UPDATE "{table}" SET site = ? WHERE site = ?', [new, old])
        else:
            wh.execute(f'UPDATE "{table}" SET agent_id = ? WHERE agent_id = ?',
                       ["@SUM(A1)", agent])
    accounts.ensure(wh)
    users.add(wh, "ann", PASSWORD, "analyst", None)
    app = create_app(wh)
    with running(app) as url:
        yield Server(url, wh, app)
    wh.close()


@pytest.fixture
def client(hostile: Server) -> Iterator[httpx.Client]:
    with closing(login(hostile, "ann")) as c:
        yield c


def _rows(client: httpx.Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text, newline="")))


def _numbers_untouched(rows: list[dict[str, str]]) -> None:
    """No cell is a quoted number, and the numbers are still there."""
    cells = [v for r in rows for v in r.values() if v]
    assert not [v for v in cells if v.startswith("'") and _number(v[1:])]
    assert sum(_number(v) for v in cells) > len(rows)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_page_table_csv_neutralises_sites_and_agents(client: httpx.Client) -> None:
    sites = _rows(client, "/api/pages/vendors/tables/kpis.csv?level=site")
    assert {r["site"] for r in sites} == {"'" + v for v in SITES.values()}
    _numbers_untouched(sites)
    agents = _rows(client, "/api/pages/vendors/tables/kpis.csv?level=agent_id")
    assert "'@SUM(A1)" in {r["agent_id"] for r in agents}
    assert not [r for r in agents if r["agent_id"].startswith(("=", "+", "-", "@"))]


def test_contract_comparison_csv_neutralises_sites(client: httpx.Client) -> None:
    table = _rows(client, "/api/contracts/compare.csv?month=2026-06&by=site&year=true")
    assert {r["site"] for r in table} == {"'" + v for v in SITES.values()}
    _numbers_untouched(table)
