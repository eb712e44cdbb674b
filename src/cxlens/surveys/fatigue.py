"""Contact-frequency (fatigue) rules, decided in one pass over the candidates in due order:
a customer who opted out, has no address for the channel, was invited too recently (by any
programme, or by this one), or whose account reached its cap is not invited; the invitation is
recorded as suppressed with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cxlens.surveys.spec import Fatigue, Programme


@dataclass(frozen=True)
class Contact:
    customer_id: str
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    account_id: str | None = None
    opted_out: bool = False
    attributes: Mapping[str, str | None] = field(default_factory=dict)


class Sent(NamedTuple):
    """An earlier invitation that reached (or was sent to) the customer (the ledger keeps it as
    a plain tuple: see :class:`Ledger`)."""

    customer_id: str
    programme: str
    sent_at: dt.datetime
    account_id: str | None = None


@dataclass(frozen=True)
class Decision:
    channel: str | None  # None: suppressed
    reason: str | None = None


def _days(delta: dt.timedelta) -> str:
    d = delta.total_seconds() / 86400
    return f"{d:.1f}".rstrip("0").rstrip(".")


def customer_gap(fatigue: Fatigue, contact: Contact) -> float:
    """The global gap for this customer: the largest of the rules that match them."""
    gap = fatigue.min_gap_days
    for rule in fatigue.rules:
        if all((contact.attributes.get(k) or "") in {v.lower() for v in vals}
               for k, vals in rule.when.items()):
            gap = max(gap, rule.min_gap_days)
    return gap


def channel_for(programme: Programme, contact: Contact) -> str | None:
    for ch in programme.channels:
        if (ch == "email" and contact.email) or (ch in ("sms", "ivr") and contact.phone) \
                or ch == "in_app":
            return ch
    return None


class Ledger:
    """Invitations so far, per customer and per account, updated as candidates are accepted.

    The earlier invitations are learnt a customer and an account at a time (``learn``), just
    before the first decision about them, so a run reads the history of the customers it
    decides about, not every recent invitation. A customer's or account's history must be
    learnt before anything is ``add``-ed for them (this run's own invitations would else count
    twice); :func:`cxlens.surveys.run.invite` learns a whole batch before deciding it."""

    def __init__(self, history: Iterable[Sent] = ()) -> None:
        # Plain tuples of atoms, which the garbage collector stops tracking (it untracks exact
        # tuples only, not NamedTuples nor lists): a wave's ledger holds hundreds of thousands
        # of invitations, and each full collection walked them all holding the GIL (0.7 s).
        self.by_customer: dict[str, tuple[tuple[Any, ...], ...]] = {}
        self.by_account: dict[str, tuple[dt.datetime, ...]] = {}
        self.customers: set[str] = set()  # whose history is learnt
        self.accounts: set[str] = set()
        for s in history:
            self.add(s)

    def learn(self, customers: Iterable[str], accounts: Iterable[str],
              by_customer: Iterable[Sent], by_account: Iterable[tuple[str, dt.datetime]],
              ) -> None:
        """The earlier invitations of ``customers`` (``by_customer``) and of ``accounts``
        (``by_account``: account, sent at), fetched together for the ids not learnt yet."""
        self.customers.update(customers)
        self.accounts.update(accounts)
        for s in by_customer:
            self._remember(s)
        for account, at in by_account:
            self._count(account, at)

    def _remember(self, s: Sent) -> None:
        self.by_customer[s.customer_id] = (*self.by_customer.get(s.customer_id, ()), tuple(s))

    def _count(self, account: str, at: dt.datetime) -> None:
        self.by_account[account] = (*self.by_account.get(account, ()), at)

    def add(self, s: Sent) -> None:
        self._remember(s)
        if s.account_id:
            self._count(s.account_id, s.sent_at)

    def decide(self, fatigue: Fatigue, programme: Programme, contact: Contact,
               at: dt.datetime) -> Decision:
        if contact.opted_out:
            return Decision(None, "opted_out: the customer asked not to be surveyed")
        channel = channel_for(programme, contact)
        if channel is None:
            return Decision(None, f"no_address: no contact for {', '.join(programme.channels)}")
        earlier = [Sent._make(t) for t in self.by_customer.get(contact.customer_id, ())]
        gap = customer_gap(fatigue, contact)
        last = max(earlier, key=lambda s: s.sent_at, default=None)
        if last and at - last.sent_at < dt.timedelta(days=gap):
            return Decision(None, f"global_gap: invited by {last.programme} "
                            f"{_days(at - last.sent_at)} days ago (minimum {gap:g})")
        own = [s for s in earlier if s.programme == programme.name]
        last_own = max(own, key=lambda s: s.sent_at, default=None)
        if last_own and at - last_own.sent_at < dt.timedelta(days=programme.min_gap_days):
            return Decision(None, f"programme_gap: {programme.name} {_days(at - last_own.sent_at)}"
                            f" days ago (minimum {programme.min_gap_days:g})")
        cap = fatigue.per_account
        if cap and contact.account_id:
            since = at - dt.timedelta(days=cap.days)
            used = sum(1 for t in self.by_account.get(contact.account_id, []) if t > since)
            if used >= cap.max:
                return Decision(None, f"account_cap: account {contact.account_id} had {used} "
                                f"invitations in {cap.days:g} days (cap {cap.max})")
        return Decision(channel)
