"""``build_demo``: replace the canonical tables with a deterministic demo operation.

The year is generated chunk by chunk (a month, or part of one at large scales): interactions,
the surveys, QA reviews, relational NPS, shopping and social mentions of that chunk are built
and written before the next chunk starts, so memory stays bounded at any scale. Every part of
every chunk draws from its own random stream derived from the seed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from cxlens.alerts import config as alert_config
from cxlens.alerts import run as alert_run
from cxlens.alerts import store as alert_store
from cxlens.contracts import store as contract_store
from cxlens.demo import (
    cherry,
    commerce,
    followup,
    frames,
    handling,
    interactions,
    nps,
    qa,
    social,
    surveys,
    transcripts,
)
from cxlens.demo import timeline as tl
from cxlens.demo.contacts import DEFLECT_SHARE, draw_contacts
from cxlens.demo.customers import Customers, build_customers
from cxlens.demo.effects import EMPATHY, SELF_SERVICE_NAME, planted
from cxlens.demo.org import VENDOR_NAMES, Org, build_org
from cxlens.errors import ConfigError
from cxlens.loop import cases
from cxlens.schema import TABLES
from cxlens.sqltext import equals
from cxlens.store.base import Warehouse
from cxlens.store.ddl import quote
from cxlens.store.migrate import bump_data_version
from cxlens.surveys import config as surveys_config

Progress = Callable[[str, int, int], None]
#: Random stream numbers, one per part of the build.
ORG, CUSTOMERS, CONTACTS, HANDLING, TEXT, SURVEYS, NPS, QA, WEB, STORES, MENTIONS = range(1, 12)
INVITATIONS, NPS_INVITATIONS = 12, 13  # streams added later: earlier tables stay as they were
CASES = 14
CHERRY = 15  # the planted cherry-picker's ticket swaps
TRANSCRIPTS = 16  # the transcripts of a share of the conversations (issue 19)
#: the emerging complaint planted in the last month's comments, CSAT and NPS (issue 19)
EMERGING, EMERGING_NPS = 17, 18
CUSTOMER_ROWS_PER_WRITE = 500_000


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` wrote: rows per table, the period, and the planted effects."""

    rows: Mapping[str, int]
    start: dt.date
    end: dt.date
    seed: int
    scale: float
    planted: Mapping[str, Mapping[str, str | float]] = field(default_factory=dict)

    @property
    def interactions(self) -> int:
        return self.rows.get("interactions", 0)


def planned_interactions(scale: float) -> int:
    """How many interactions a build at ``scale`` writes (known before generating)."""
    return sum(c.interactions for c in tl.plan(_check_scale(scale), DEFLECT_SHARE))


def _check_scale(scale: float) -> float:
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ConfigError(f"--scale must be a positive number, not {scale!r}",
                          "use e.g. --scale 0.05 for a small warehouse, 1 for ≈ 240,000 "
                          "interactions, 42 for ≈ 10 million")
    if round(tl.INTERACTIONS_PER_SCALE * scale) < 1:
        raise ConfigError(f"--scale {scale} is too small to generate any interaction",
                          "use --scale 0.01 or more (≈ 2,400 interactions)")
    return float(scale)


class _Writer:
    """Appends Arrow tables to the warehouse and counts the rows per table."""

    def __init__(self, wh: Warehouse) -> None:
        self.wh = wh
        self.rows = dict.fromkeys(TABLES, 0)

    def write(self, name: str, table: pa.Table | None) -> None:
        if table is None or table.num_rows == 0:
            return
        self.wh.insert_arrow(name, table)
        self.rows[name] += table.num_rows


def _initiatives() -> pa.Table:
    return frames.table("initiatives", {
        "initiative_id": frames.texts(["INIT-001", "INIT-002"]),
        "name": frames.texts([SELF_SERVICE_NAME, EMPATHY.name]),
        "started_at": frames.timestamps(np.array([tl.micros(tl.DEFLECTION.start),
                                                  EMPATHY.start_us])),
        "ended_at": frames.timestamps(np.zeros(2, dtype=np.int64), np.zeros(2, dtype=bool)),
        "scope": frames.texts([None, equals({"vendor": VENDOR_NAMES[EMPATHY.vendor]})]),
    })


def build_demo(wh: Warehouse, *, scale: float = 1.0, seed: int = 7,
               progress: Progress | None = None) -> DemoSummary:
    """Replace the contents of the ten canonical tables with the demo operation.

    The same ``scale`` and ``seed`` always give the same data. Each chunk is committed on its
    own so memory stays bounded at any scale (one transaction would keep every written row in
    memory until the end: ~10 GB at 10 M interactions). The warehouse records
    ``demo = incomplete`` in ``cxlens_meta`` until the last chunk is in; a build that was
    interrupted says so, and running it again replaces everything.
    """
    scale = _check_scale(scale)
    chunks = tl.plan(scale, DEFLECT_SHARE)
    total = sum(c.interactions for c in chunks)
    org = cherry.neutral(build_org(tl.stream(seed, ORG), scale))
    customers = build_customers(tl.stream(seed, CUSTOMERS), scale)
    history = nps.SupportHistory(customers.n)
    ids = frames.Counters()
    out = _Writer(wh)
    done = 0
    with wh.transaction():
        for name in TABLES:
            wh.execute(f"DELETE FROM {quote(name)}")
        _mark(wh, "incomplete")
        # metric parameter defaults for this warehouse: our brand among the tracked ones
        wh.execute("DELETE FROM cxlens_meta WHERE key = 'param.our_brand'")
        wh.execute("INSERT INTO cxlens_meta VALUES ('param.our_brand', ?)", [social.BRANDS[0]])
        out.write("initiatives", _initiatives())
        cases.ensure(wh)
        wh.execute("DELETE FROM cxlens_case_events")  # the history of the cases just deleted
    for chunk in chunks:
        with wh.transaction():
            _chunk(seed, scale, chunk, org, customers, history, ids, out)
        done += chunk.interactions
        if progress:
            progress(f"demo data {chunk.label}", done, total)
    with wh.transaction():
        _closed_loop(wh, tl.stream(seed, CASES), out)
    if progress:
        progress("follow-up cases", total, total)
    for lo in range(0, customers.n, CUSTOMER_ROWS_PER_WRITE):
        with wh.transaction():
            out.write("customers", customers.to_arrow(lo, min(lo + CUSTOMER_ROWS_PER_WRITE,
                                                              customers.n)))
        if progress:
            progress("customers", min(lo + CUSTOMER_ROWS_PER_WRITE, customers.n), customers.n)
    _alerts(wh, progress)
    with wh.transaction():
        _mark(wh, f"complete: scale {scale:g}, seed {seed}")
    return DemoSummary(rows=MappingProxyType(dict(out.rows)), start=tl.START.date(),
                       end=(tl.END - dt.timedelta(days=1)).date(), seed=seed, scale=scale,
                       planted=MappingProxyType(planted(
                           org.agent_ids[cherry.picker(org)],
                           org.team_names[transcripts.skipper_team(org)])))


def _closed_loop(wh: Warehouse, rng: np.random.Generator, out: _Writer) -> None:
    """Load the example survey programmes and play their closed loop over the year."""
    config = surveys_config.save(wh, surveys_config.example_text(), "cxlens demo")
    contract_store.load_examples(wh, "cxlens demo")  # so the dashboard shows statements
    table, events = followup.followup_cases(rng, wh, config)
    out.write("followup_cases", table)
    wh.insert_arrow("cxlens_case_events", pa.table(
        {c: [e[k] for e in events] for k, c in enumerate(cases.EVENT_COLUMNS)},
        schema=cases.EVENTS_ARROW))
    cases.record_recoveries(wh, config)


def _alerts(wh: Warehouse, progress: Progress | None) -> None:
    """Load the example alert rules and replay their monthly checks over the year, as a
    monthly schedule would have run them (no delivery: the demo has no recipients)."""
    alert_config.save(wh, alert_config.example_text(), "cxlens demo")
    alert_store.ensure(wh)
    wh.execute("DELETE FROM cxlens_alerts")
    months = len(tl.MONTHS)

    def step(run: alert_run.Run) -> None:
        if progress:
            progress("alert checks", tl.MONTHS.index(f"{run.month:%Y-%m}") + 1, months)

    alert_run.replay(wh, tl.START.date(), tl.END.date(), deliver=False, progress=step)


def _mark(wh: Warehouse, state: str) -> None:
    bump_data_version(wh)
    wh.execute("DELETE FROM cxlens_meta WHERE key = 'demo'")
    wh.execute("INSERT INTO cxlens_meta VALUES ('demo', ?)", [state])


def _chunk(seed: int, scale: float, chunk: tl.Chunk, org: Org, customers: Customers,
           history: nps.SupportHistory, ids: frames.Counters, out: _Writer) -> None:
    def rng(part: int) -> np.random.Generator:
        return tl.stream(seed, part, chunk.index)

    contacts = draw_contacts(rng(CONTACTS), chunk, org, customers,
                             customers.sampler(chunk.start_us, customers.contact_weight))
    contacts = cherry.plant(rng(CHERRY), contacts, org)
    handled = handling.handle(rng(HANDLING), contacts, org)
    inter_ids = interactions.interaction_ids(ids, contacts.n)
    out.write("interactions", interactions.interaction_table(rng(TEXT), inter_ids, contacts,
                                                             handled, org, customers))
    answers, invited = surveys.transactional(rng(SURVEYS), ids, inter_ids, contacts, handled,
                                             org, customers, rng(INVITATIONS),
                                             rng(EMERGING))
    for table in answers:
        out.write("survey_responses", table)
    out.write("survey_invitations", invited)
    events = nps.support_events(contacts, handled)
    answers_nps, invited_nps = nps.relational(rng(NPS), ids, chunk, customers, history, events,
                                              rng(NPS_INVITATIONS), rng(EMERGING_NPS))
    out.write("survey_responses", answers_nps)
    out.write("survey_invitations", invited_nps)
    history.update(events)
    reviews = qa.reviews(rng(QA), ids, inter_ids, contacts, handled, org)
    for table in reviews:
        out.write("qa_reviews", table)
    out.write("transcript_turns", transcripts.transcripts(
        rng(TRANSCRIPTS), inter_ids, contacts, handled, org, reviews))
    shoppers = customers.sampler(chunk.start_us, customers.shop_weight)
    for part, make in ((WEB, commerce.web), (STORES, commerce.stores)):
        for name, table in make(rng(part), chunk, scale, customers, shoppers, ids).items():
            out.write(name, table)
    out.write("mentions", social.mentions(rng(MENTIONS), chunk, scale, ids))


__all__ = ["DemoSummary", "build_demo", "planned_interactions"]
