"""The report's sections in print order, by name: the one list that ``build_report`` computes
in, the dashboard's progress page counts ("Computing key drivers… 8 of 14 sections") and
``cxlens report`` shows on a terminal. Data only (no builders; ``more`` notes a cut table
on a page), so anything may import it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cxlens.present.model import Page


@dataclass(frozen=True)
class Section:
    name: str
    #: Its heading, as the progress lists it.
    title: str
    #: About every vendor's customers (relational NPS, CLV, themes...): not in a vendor's report.
    company_wide: bool = False

    @property
    def doing(self) -> str:
        """"Computing key drivers of CSAT": what the progress says while it is computed."""
        title = self.title if self.title[:2].isupper() else self.title[0].lower() + self.title[1:]
        return f"Computing {title}"


SECTIONS = (
    Section("summary", "Executive summary"),
    Section("moved", "What moved it"),
    Section("touchpoints", "Touchpoints"),
    Section("journey", "Customer journey"),
    Section("scorecard", "Vendor scorecard"),
    Section("vendors", "Vendors"),
    Section("sites", "Sites"),
    Section("csat_by_category", "CSAT by ticket type"),
    Section("leaderboard", "Agent leaderboard"),
    Section("drivers", "Key drivers of CSAT"),
    Section("cohorts", "Relational NPS by support history", company_wide=True),
    Section("impact", "Initiative impact on CSAT", company_wide=True),
    Section("customers", "Customers: lifetime value and churn risk", company_wide=True),
    Section("themes", "Themes in customer comments", company_wide=True),
    Section("alerts", "Alerts"),
    Section("verbatims", "Voice of the customer"),
)

#: Told before each section is computed: (section, how many are done, how many in all).
Progress = Callable[[Section, int, int], None]


def sections_for(vendor: str | None) -> list[Section]:
    """The sections of the report for ``vendor`` (None: every vendor)."""
    return [s for s in SECTIONS if vendor is None or not s.company_wide]


def more(page: Page, table: str, text: str) -> None:
    """Say under ``table`` what it leaves out ("and 30 more agents ..."): a printed table
    shows every row or a stated top N with the rest counted, never a silent cut."""
    page.extra.setdefault("more", {})[table] = text


def section(name: str) -> Section:
    return next(s for s in SECTIONS if s.name == name)
