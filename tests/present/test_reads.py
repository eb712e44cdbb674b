"""The tables each page declares it reads (present.registry.READS) cannot be wrong silently
(issue 18): a page is cached per version of its declared tables only, so a table it reads but
does not declare would leave stale figures on screen after that table changes. Every page
(with its options' choices, the vendor drill-down, a vendor viewer's view and an agent) is built
on the demo warehouse while every statement it runs is recorded (store/trace.py: the
warehouse's own methods and ibis's compiled queries), and the tables those statements name
must be among the declared ones. So must the tables of the shared results
(store.shared.READS)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cxlens import store
from cxlens.accounts.users import User
from cxlens.insights.churn import days
from cxlens.metrics import partials
from cxlens.present import registry
from cxlens.present.filters import Filters
from cxlens.present.model import PageCtx
from cxlens.present.pages.impact import IMPACT_METRICS
from cxlens.present.pages.sentiment import SOURCES
from cxlens.store import memo
from cxlens.store import registry as tables
from cxlens.store.duck import DuckDBWarehouse
from cxlens.store.trace import Statements, recording, tables_in

ANALYST = User("t", "analyst")
#: Holds the versions themselves: a settings change there bumps everything.
EXEMPT = {"cxlens_meta"}
REGISTERED = {t.name for t in tables.tables()} - EXEMPT


@pytest.fixture(scope="module")
def copy(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo warehouse under a path of its own: no result shared in this process
    (store.shared, keyed by the warehouse) is reused, so every statement is run and seen."""
    path = str(tmp_path_factory.mktemp("reads") / "demo.duckdb")
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(scope="module")
def wh(copy: str) -> Iterator[DuckDBWarehouse]:
    with store.connect(copy) as w:
        assert isinstance(w, DuckDBWarehouse)
        yield w


def read_by(statements: Statements) -> set[str]:
    return statements.read() & REGISTERED


def undeclared(declared: frozenset[str] | None, read: set[str]) -> set[str]:
    """The tables read but not declared (none when nothing is declared: everything is)."""
    return set() if declared is None else read - declared


def build(wh: DuckDBWarehouse, name: str, filters: Filters | None = None,
          options: dict[str, str] | None = None, user: User = ANALYST) -> set[str]:
    # statistics, churn days and results kept from an earlier page would run no SQL to record
    partials.clear()
    days.clear()
    memo.clear()
    with recording(wh) as (traced, statements):
        registry.build(name, PageCtx(traced, user, filters or Filters(), options or {}))
    return read_by(statements)


def cases(wh: DuckDBWarehouse) -> list[tuple[str, Filters, dict[str, str], User]]:
    vendor = str(wh.scalar("SELECT min(vendor) FROM interactions"))
    agent = str(wh.scalar("SELECT min(agent_id) FROM interactions"))
    found = [(n, Filters(), {}, ANALYST) for n in registry.PAGES if n != "agent"]
    found += [("agent", Filters(agent_id=agent), {}, ANALYST),
              ("vendors", Filters(vendor=vendor), {}, ANALYST),
              ("overview", Filters(vendor=vendor), {}, User("t", "vendor", vendor))]
    found += [("sentiment", Filters(), {"source": s}, ANALYST) for s in SOURCES]
    found += [("impact", Filters(), {"metric": m}, ANALYST) for m in IMPACT_METRICS]
    return found


def test_every_page_declares_the_tables_it_reads(wh: DuckDBWarehouse) -> None:
    assert set(registry.READS) == set(registry.PAGES)  # every page cached by its own tables
    for name, declared in registry.READS.items():
        assert declared <= REGISTERED, f"{name} declares unknown tables"
    wrong = {}
    for name, filters, options, user in cases(wh):
        read = build(wh, name, filters, options, user)
        assert read or name == "catalogue", f"nothing recorded for {name}"
        if missing := undeclared(registry.reads(name), read):
            wrong[(name, filters.key(), tuple(options.items()), user.role)] = sorted(missing)
    assert wrong == {}


def test_an_omitted_table_is_found(wh: DuckDBWarehouse) -> None:
    """The check fails when a declaration leaves out a table the page reads: /surveys reads
    the invitations (its response rates)."""
    read = build(wh, "surveys")
    declared = registry.READS["surveys"]
    assert "survey_invitations" in read
    assert undeclared(declared, read) == set()
    assert undeclared(declared - {"survey_invitations"}, read) == {"survey_invitations"}


def test_the_recording_sees_ibis_queries_and_the_warehouse_s_own(wh: DuckDBWarehouse) -> None:
    with recording(wh) as (traced, statements):
        traced.query("SELECT count(*) FROM customers")
        traced.ibis().table("orders").count().execute()
    assert read_by(statements) == {"customers", "orders"}


def test_shared_results_declare_the_tables_they_read(wh: DuckDBWarehouse) -> None:
    """The case mix every agent page and statement shares, and the agents' CSAT ranking (as
    the agent page computes it; store.shared.READS). The case mix reads the customers too:
    this test found that omission in the first declaration."""
    from cxlens.casemix.shared import agents_table
    from cxlens.metrics.query import leaderboard
    from cxlens.store.shared import READS

    end = dt.date(2026, 1, 1)
    partials.clear()  # (see build)
    with recording(wh) as (traced, statements):
        agents_table(traced, end - dt.timedelta(days=90), end)
    read = read_by(statements)
    assert {"interactions", "customers"} <= read
    assert undeclared(READS["casemix"], read) == set()
    partials.clear()
    with recording(wh) as (traced, statements):
        leaderboard("csat", by=["agent_id"], db=traced)
    read = read_by(statements)
    assert "survey_responses" in read
    assert undeclared(READS["csat_rank"], read) == set()


def test_tables_in_names_reads_and_writes_not_ctes() -> None:
    named, written = tables_in(
        "WITH t AS (SELECT * FROM interactions) INSERT INTO followup_cases "
        "SELECT * FROM t JOIN customers USING (customer_id)")
    assert named == {"interactions", "followup_cases", "customers"}
    assert written == {"followup_cases"}
    assert tables_in("UPDATE survey_invitations SET x = 1")[1] == {"survey_invitations"}


@pytest.fixture(scope="module")
def fresh(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBWarehouse]:
    """Another copy: the statements' shared case mix is computed inside their recording."""
    path = str(tmp_path_factory.mktemp("entries") / "demo.duckdb")
    shutil.copy(demo_db, path)
    with store.connect(path) as w:
        assert isinstance(w, DuckDBWarehouse)
        yield w


def test_entries_pages_keep_declare_the_tables_they_read(fresh: DuckDBWarehouse) -> None:
    """What pages keep in the dashboard's cache themselves (registry.ENTRIES): every vendor's
    statement, the contracts compared, the QA scores (with and without the machine's) and
    the machine's page; the tables of each entry are those its computation's statements name
    (nested entries count for the outer one too)."""
    from cxlens.present.pages import contracts as contract_pages
    from cxlens.present.pages import qa as qa_pages
    from cxlens.present.pages import qa_machine

    found: dict[str, set[str]] = {}
    with recording(fresh) as (traced, statements):
        def cache(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
            start = len(statements.sql)
            value = compute()
            found.setdefault(str(key[0]), set()).update(
                *(tables_in(s)[0] & REGISTERED for s in statements.sql[start:]))
            return value

        ctx = PageCtx(traced, ANALYST, Filters(), {}, cache)
        vendors = sorted({c.vendor for c in contract_pages.usable(ctx)})
        assert vendors
        for vendor in vendors:
            contract_pages.statement_page(PageCtx(traced, ANALYST, Filters(vendor=vendor),
                                                  {"vendor": vendor}, cache))
        contract_pages.comparison(ctx)
        qa_pages.index(ctx)
        qa_pages.index(PageCtx(traced, ANALYST, Filters(), {"machine": "1"}, cache))
        qa_machine.machine_page(ctx)
    assert {"statement", "contracts", "compare", "qa", "qa_machine"} <= set(found)
    assert "interactions" in found["statement"]
    assert set(registry.ENTRIES) <= set(found)
    wrong = {k: sorted(undeclared(registry.ENTRIES.get(k, frozenset()), v))
             for k, v in found.items()}
    assert {k: v for k, v in wrong.items() if v} == {}
