"""Relational NPS on a quarterly cadence, never triggered by a ticket, and the support history
it depends on: each customer's contacts in the 90 days before the survey (the support-cohort
effect). The history is kept per customer across chunks, so memory stays bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from cxlens.demo import frames, invitations, text
from cxlens.demo import timeline as tl
from cxlens.demo.contacts import PRODUCTS, Contacts
from cxlens.demo.customers import Customers
from cxlens.demo.effects import COHORT
from cxlens.demo.handling import Handled, lognormal
from cxlens.demo.satisfaction import NPS_CUTS, nps_latent, ordinal
from cxlens.demo.surveys import survey_table, with_comments

Arr = npt.NDArray[Any]

#: Share of active customers invited each quarter, and of those, the share who answer.
INVITED, ANSWERING = 0.6, 0.35
COMMENT_RATE = np.array([0.6, 0.35, 0.45])  # detractors, passives, promoters
SURVEY_CHANNEL_P = np.array([0.7, 0.1, 0.0, 0.0, 0.2])  # email, sms, ivr, web, in_app
ONBOARDING_DAYS = 90
_SHIFT = 36  # customer number << 36 | seconds since the start: one sortable key


@dataclass(frozen=True, eq=False)
class Events:
    """The contacts of one chunk from identified customers, sorted by (customer, time)."""

    customer: Arr
    created_us: Arr
    key: Arr
    fcr: Arr
    wait_z: Arr
    category: Arr
    last_reopen_us: Arr  # running latest reopened contact of the same customer, -1 = none
    last_unresolved_us: Arr  # same for unresolved escalations


def _key(customer: Arr, t_us: Arr) -> Arr:
    return np.asarray((customer.astype(np.int64) << _SHIFT) + (t_us - tl.START_US) // tl.SECOND)


def _running_max(customer: Arr, values: Arr) -> Arr:
    return pd.Series(values).groupby(customer).cummax().to_numpy()


def support_events(c: Contacts, h: Handled) -> Events:
    known = np.flatnonzero(c.customer >= 0)
    key = _key(c.customer[known], c.created_us[known])
    order = known[np.argsort(key, kind="stable")]
    cust, created = c.customer[order], c.created_us[order]
    reopened = h.reopen_count[order] > 0
    unresolved = h.escalated[order] & ~h.resolved[order]
    return Events(
        customer=cust, created_us=created, key=np.sort(key, kind="stable"), fcr=h.fcr[order],
        wait_z=h.wait_z[order], category=c.category[order],
        last_reopen_us=_running_max(cust, np.where(reopened, created, -1)),
        last_unresolved_us=_running_max(cust, np.where(unresolved, created, -1)),
    )


class SupportHistory:
    """Per customer: the latest contact (its FCR, wait and category) and the latest reopened
    contact and unresolved escalation, as of the start of the chunk being generated."""

    def __init__(self, n: int) -> None:
        self.last_contact_us = np.full(n, -1, dtype=np.int64)
        self.last_fcr = np.zeros(n, dtype=bool)
        self.last_wait_z = np.zeros(n)
        self.last_category = np.full(n, -1, dtype=np.int64)
        self.last_reopen_us = np.full(n, -1, dtype=np.int64)
        self.last_unresolved_us = np.full(n, -1, dtype=np.int64)

    def features(self, customer: Arr, at_us: Arr, ev: Events) -> dict[str, Arr]:
        """What each (customer, instant) had experienced in the window before the instant."""
        since = at_us - COHORT.window_days * tl.DAY
        if len(ev.key):
            pos = np.searchsorted(ev.key, _key(customer, at_us), side="left") - 1
            safe = np.maximum(pos, 0)
            in_chunk = (pos >= 0) & (ev.customer[safe] == customer)
        else:
            safe = np.zeros(len(customer), dtype=np.int64)
            in_chunk = np.zeros(len(customer), dtype=bool)

        def latest(values: Arr, otherwise: Arr) -> Arr:
            return np.where(in_chunk, values[safe], otherwise) if len(values) else otherwise

        before = ~in_chunk & (self.last_contact_us[customer] >= since)
        reopen = latest(ev.last_reopen_us, np.full(len(customer), -1))
        unresolved = latest(ev.last_unresolved_us, np.full(len(customer), -1))
        return {
            "has_contact": in_chunk | before,
            "last_fcr": latest(ev.fcr, self.last_fcr[customer] & before),
            "last_wait_z": latest(ev.wait_z, np.where(before, self.last_wait_z[customer], 0.0)),
            "last_category": latest(ev.category,
                                    np.where(before, self.last_category[customer], -1)),
            "any_reopen": (reopen >= since) | (self.last_reopen_us[customer] >= since),
            "unresolved_escalation": (unresolved >= since)
            | (self.last_unresolved_us[customer] >= since),
        }

    def update(self, ev: Events) -> None:
        if not len(ev.key):
            return
        last = np.flatnonzero(np.r_[ev.customer[1:] != ev.customer[:-1], True])
        cust = ev.customer[last]
        self.last_contact_us[cust] = ev.created_us[last]
        self.last_fcr[cust] = ev.fcr[last]
        self.last_wait_z[cust] = ev.wait_z[last]
        self.last_category[cust] = ev.category[last]
        self.last_reopen_us[cust] = np.maximum(self.last_reopen_us[cust], ev.last_reopen_us[last])
        self.last_unresolved_us[cust] = np.maximum(self.last_unresolved_us[cust],
                                                   ev.last_unresolved_us[last])


def relational(rng: np.random.Generator, ids: frames.Counters, chunk: tl.Chunk,
               customers: Customers, history: SupportHistory, ev: Events,
               invite_rng: np.random.Generator,
               emerging_rng: np.random.Generator) -> tuple[pa.Table | None, pa.Table | None]:
    """NPS answers whose invitation went out during ``chunk``, history as of the invitation;
    and every invitation sent during ``chunk``, answered or not. ``emerging_rng`` plants the
    emerging complaint (:func:`cxlens.demo.text.plant_emerging`)."""
    quarter_start = int(tl.QUARTER_START_US[chunk.month // 3])
    sent_all = quarter_start + customers.nps_offset_us
    who = np.flatnonzero((sent_all >= chunk.start_us) & (sent_all < chunk.end_us))
    sent = sent_all[who]
    active = customers.active_at(who, sent)
    draw = rng.random(len(who))
    invited_who, invited_sent = who[active & (draw < INVITED)], sent[active & (draw < INVITED)]
    take = active & (draw < INVITED * ANSWERING)
    who, sent = who[take], sent[take]
    responded = sent + tl.whole_seconds(lognormal(rng, 6 * 3600.0, 1.3, len(who)))
    keep = responded < tl.END_US
    who, sent, responded = who[keep], sent[keep], responded[keep]
    if not len(who):
        return None, _invitations(invite_rng, ids, customers, invited_who, invited_sent, who,
                                  np.empty(0, np.int64), np.empty(0, np.int64), responded)
    f = history.features(who, sent, ev)
    segment = customers.segment[who]
    latent = nps_latent(customers.loyalty[who], segment, has_contact=f["has_contact"],
                        last_fcr=f["last_fcr"], last_wait_z=f["last_wait_z"],
                        any_reopen=f["any_reopen"],
                        unresolved_escalation=f["unresolved_escalation"])
    score = ordinal(rng, latent, NPS_CUTS, 0)
    band = np.where(score <= 6, 0, np.where(score <= 8, 1, 2))
    theme = text.choose_themes(
        rng, band, fcr=f["last_fcr"] | ~f["has_contact"], wait_z=f["last_wait_z"],
        category=f["last_category"], escalated=f["unresolved_escalation"],
        policy_denial=np.zeros(len(who), dtype=bool), relational=True)
    theme = text.plant_emerging(emerging_rng, theme, band, responded)
    product = [PRODUCTS[p] for p in rng.integers(0, len(PRODUCTS), len(who))]
    comments = with_comments(rng, rng.random(len(who)) < COMMENT_RATE[band], theme, product,
                             [None] * len(who))
    tenure_days = (sent - customers.acquired_us[who]) // tl.DAY
    onboarding = tenure_days < ONBOARDING_DAYS
    channel = rng.choice(len(SURVEY_CHANNEL_P), len(who), p=SURVEY_CHANNEL_P)
    tables = []
    numbers = np.zeros(len(who), dtype=np.int64)
    for flag, touchpoint in ((onboarding, "onboarding"), (~onboarding, "renewal")):
        rows = np.flatnonzero(flag)
        if not len(rows):
            continue
        numbers[rows] = ids.take("response", len(rows))
        tables.append(survey_table(
            numbers=numbers[rows], survey="nps", score=score[rows],
            sent_us=sent[rows], responded_us=responded[rows],
            customer_ids=frames.take(customers.ids, who[rows]),
            interaction_ids=None, channel=channel[rows], touchpoint=touchpoint,
            resolved_reported=None, comments=[comments[i] for i in rows]))
    return pa.concat_tables(tables), _invitations(invite_rng, ids, customers, invited_who,
                                                  invited_sent, who, numbers, channel,
                                                  responded)


def _invitations(rng: np.random.Generator, ids: frames.Counters, customers: Customers,
                 invited: Arr, sent: Arr, answered_who: Arr, numbers: Arr, channel: Arr,
                 responded: Arr) -> pa.Table | None:
    """Every relational invitation: those answered (``answered_who``, ascending like
    ``invited``) keep their response, channel and answer time."""
    if not len(invited):
        return None
    answered = np.isin(invited, answered_who)
    how = rng.choice(len(SURVEY_CHANNEL_P), len(invited), p=SURVEY_CHANNEL_P)
    how[answered] = channel
    when = np.zeros(len(invited), dtype=np.int64)
    when[answered] = responded
    tenure_days = (sent - customers.acquired_us[invited]) // tl.DAY
    touchpoint = np.where(tenure_days < ONBOARDING_DAYS, "onboarding", "renewal").tolist()
    return invitations.invitation_table(
        rng, ids, survey="nps", programme="relational-nps", sent_us=sent,
        customer_ids=frames.take(customers.ids, invited), interaction_ids=None, channel=how,
        touchpoint=touchpoint, responded_us=when, answered=answered,
        response_ids=frames.ids("R", numbers, 9))
