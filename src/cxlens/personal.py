"""Personal-data policies: what ``cxlens erase`` does with each table's rows about a customer.

Every table cxlens keeps declares one on its :class:`cxlens.schema.Table` (field
``personal``), so a new table cannot be added without deciding: delete the customer's rows,
redact named columns on them, or keep them with a written reason. A row is the customer's
when any of the policy's links matches (:class:`Link`); the links are resolved before
anything changes, so the order tables are erased in does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What erased free text becomes.
ERASED = "[erased]"
#: What a link can point at: the customer, or the ids of what is theirs (their interactions
#: and those they answered a survey about, their answers, their follow-up cases, the QA
#: reviews of their interactions), or ``mention``: free text quoting them (their id as a JSON
#: value, their e-mail address or phone number).
KINDS = ("customer", "interaction", "response", "case", "review", "mention")
ACTIONS = ("delete", "redact", "none")
Value = str | bool | None


@dataclass(frozen=True)
class Link:
    """``column`` holds one of the customer's ``kind`` ids (a comma-separated list of them
    when ``listed``), or — kind ``mention`` — text that quotes them."""

    column: str
    kind: str
    listed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"link kind {self.kind!r} is not one of {KINDS}")

    def __str__(self) -> str:
        if self.kind == "mention":
            return f"`{self.column}` quotes them"
        what = "customer id" if self.kind == "customer" else f"{self.kind} id"
        return f"`{self.column}` {'lists' if self.listed else 'is'} their {what}" + (
            "s" if self.listed else "")


@dataclass(frozen=True)
class Redaction:
    """``column`` becomes ``to`` (``part``: only that word of the text does)."""

    column: str
    to: Value = ERASED
    part: str = ""

    def __str__(self) -> str:
        to = "null" if self.to is None else str(self.to).lower() if isinstance(
            self.to, bool) else self.to
        return (f"`{self.part}` in `{self.column}` → `{to}`" if self.part
                else f"`{self.column}` → `{to}`")


@dataclass(frozen=True)
class Personal:
    """A table's policy; build it with :func:`delete`, :func:`redact` or :func:`keep`."""

    action: str
    links: tuple[Link, ...] = ()
    redactions: tuple[Redaction, ...] = ()
    reason: str = ""

    def __post_init__(self) -> None:
        problems = [
            self.action not in ACTIONS and f"action {self.action!r} is not one of {ACTIONS}",
            self.action != "none" and not self.links and "delete and redact need links",
            self.action == "redact" and not self.redactions and "redact needs columns",
            self.action == "none" and not self.reason.strip() and "none needs a reason",
        ]
        if any(problems):
            raise ValueError("; ".join(p for p in problems if p))

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the policy names (checked against the table's columns)."""
        return (*(x.column for x in self.links), *(x.column for x in self.redactions))

    def __str__(self) -> str:
        if self.action == "none":
            return f"kept: {self.reason}"
        rows = " or ".join(str(link) for link in self.links)
        if self.action == "delete":
            return f"deleted where {rows}"
        return f"redacted ({', '.join(str(r) for r in self.redactions)}) where {rows}"


def delete(*links: Link) -> Personal:
    return Personal("delete", links)


def redact(links: Link | tuple[Link, ...], *columns: str | Redaction) -> Personal:
    """Redact ``columns`` (names become ``[erased]``) on the rows ``links`` match."""
    return Personal("redact", links if isinstance(links, tuple) else (links,),
                    tuple(Redaction(c) if isinstance(c, str) else c for c in columns))


def keep(reason: str) -> Personal:
    return Personal("none", reason=reason)


def by(kind: str, column: str = "", *, listed: bool = False) -> Link:
    """A link on ``column`` (default ``<kind>_id``)."""
    return Link(column or f"{kind}_id", kind, listed)
