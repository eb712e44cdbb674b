"""How each contact was handled: queue wait or first response, abandonment, talk / hold / wrap
times, escalation, first solve, reopens, closing, replies and sales outcomes.

Durations are log-normal (right-skewed). Vendor, agent and the planted Northwind slip shift
the outcome models; the data is then cut at the end of the period as an export would be:
anything that had not happened by then is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxlens.demo import timeline as tl
from cxlens.demo.contacts import IN_STORE, LIVE, PHONE, TECHNICAL, WRITTEN, Contacts
from cxlens.demo.effects import EMPATHY, SLIP
from cxlens.demo.org import INHOUSE, VENDORS, Org

Arr = npt.NDArray[Any]
NONE = -1  # "no timestamp" in the int64 microsecond arrays

#: Median speed of answer (phone, chat) or first-response time (written channels), seconds.
WAIT_MEDIAN = np.array([28.0, 3 * 3600.0, 22.0, 1800.0, 2700.0, 5400.0, 0.0])
WAIT_SD = np.array([0.95, 1.0, 0.9, 1.0, 1.0, 1.0, 1.0])
TALK_MEDIAN = np.array([290.0, 200.0, 540.0, 150.0, 160.0, 190.0, 420.0])
TALK_SD = np.array([0.55, 0.6, 0.55, 0.6, 0.6, 0.6, 0.5])
WRAP_MEDIAN = np.array([45.0, 60.0, 35.0, 40.0, 40.0, 45.0, 60.0])
CATEGORY_TALK = np.array([1.0, 1.35, 0.8, 0.95, 0.85, 0.75, 0.9])
POLICY_DENIAL = np.array([0.07, 0.02, 0.05, 0.15, 0.03, 0.02, 0.02])
SALES_CATEGORY = np.array([1.6, 0.6, 0.5, 0.6, 1.4, 0.9, 2.0])
_VENDOR = {f: np.array([getattr(v, f) for v in VENDORS]) for f in
           ("fcr", "aht", "wait", "summary_rate")}


def sigmoid(x: Arr) -> Arr:
    return 1.0 / (1.0 + np.exp(-x))


def lognormal(rng: np.random.Generator, median: Arr | float, sd: Arr | float, n: int) -> Arr:
    return np.asarray(np.asarray(median) * np.exp(rng.normal(0.0, 1.0, n) * np.asarray(sd)))


@dataclass(frozen=True, eq=False)
class Handled:
    """Outcome facts of one chunk, parallel to its ``Contacts``. Timestamps: -1 = none."""

    handled: Arr  # reached an agent (not abandoned)
    wait_s: Arr  # speed of answer / first-response time (0 for in-store and outbound)
    wait_z: Arr  # wait on the channel's standardised log scale (the CSAT driver)
    answered_us: Arr
    abandoned_us: Arr
    first_response_us: Arr
    resolved_us: Arr
    closed_us: Arr
    escalated_us: Arr
    accepted_us: Arr
    talk_s: Arr  # NaN = none
    hold_s: Arr
    wrap_s: Arr
    escalated: Arr
    summary: Arr  # the escalation carried a case summary
    resolved: Arr
    reopen_count: Arr
    agent_replies: Arr
    upsell: Arr
    cross_sell: Arr
    policy_denial: Arr
    slip: Arr  # handled by the slipping vendor in a slip month
    empathy: Arr  # handled by the empathy-trained vendor after the training started

    @property
    def fcr(self) -> Arr:
        """Resolved on first contact: resolved and never reopened."""
        return np.asarray(self.resolved & (self.reopen_count == 0))


def handle(rng: np.random.Generator, c: Contacts, org: Org) -> Handled:
    n, ch = c.n, c.channel
    slip = (c.vendor == SLIP.vendor) & np.isin(tl.MONTH_OF_DAY[c.day], SLIP.months)
    empathy = (c.vendor == EMPATHY.vendor) & (c.created_us >= EMPATHY.start_us)
    speed = org.agent_speed[c.agent] * _VENDOR["aht"][c.vendor] * np.where(slip, SLIP.aht, 1.0)
    live, written = LIVE[ch] & ~c.outbound, WRITTEN[ch] & ~c.outbound

    # -- waiting ---------------------------------------------------------------------------
    load = tl.SUPPORT_LOAD[c.day] * tl.HOUR_LOAD[c.hour]
    pressure = _VENDOR["wait"][c.vendor] * np.where(slip, SLIP.wait, 1.0) * load ** 1.4
    sd = WAIT_SD[ch]
    waits = live | written
    median = np.where(waits, WAIT_MEDIAN[ch], 1.0)
    drawn = median * pressure * np.exp(sd * rng.normal(0.0, 1.0, n))
    wait_s = np.where(waits, np.rint(drawn), 0.0)
    wait_z = np.where(waits, (np.log(np.maximum(wait_s, 1.0)) - np.log(median)) / sd, 0.0)
    abandoned = live & (rng.random(n) < sigmoid(-3.55 + 1.0 * wait_z))
    handled = ~abandoned
    short = rng.random(n) < 0.3
    patience = np.where(short, rng.uniform(1.0, 4.9, n), wait_s * rng.uniform(0.1, 0.9, n))
    abandoned_us = np.where(abandoned, c.created_us + tl.whole_seconds(np.maximum(patience, 1)),
                            NONE)
    live_any = LIVE[ch]
    answered_us = np.where(live_any & handled, c.created_us + tl.whole_seconds(wait_s), NONE)
    first_response_us = np.where(WRITTEN[ch], c.created_us + tl.whole_seconds(wait_s), NONE)

    # -- handle time -----------------------------------------------------------------------
    talk = np.rint(lognormal(rng, TALK_MEDIAN[ch] * CATEGORY_TALK[c.category]
                             * (c.complexity / 3.4) ** 0.4 * speed, TALK_SD[ch], n))
    talk = np.maximum(talk, 5.0)
    holds = (ch == PHONE) & (rng.random(n) < np.where(slip, 0.55, 0.42))
    hold = np.where(holds, np.rint(lognormal(rng, 50.0 * speed, 0.8, n)), 0.0)
    wrap = np.rint(lognormal(rng, WRAP_MEDIAN[ch] * speed, 0.6, n))
    start_handle = np.where(answered_us >= 0, answered_us,
                            np.where(first_response_us >= 0, first_response_us, c.created_us))
    end_contact = np.where(WRITTEN[ch], first_response_us,
                           start_handle + tl.whole_seconds(talk + hold))

    # -- escalation, first solve, reopens ----------------------------------------------------
    hard = np.isin(c.priority, (2, 3))
    escalated = handled & (rng.random(n) < sigmoid(
        -2.95 + 0.5 * c.complexity_z + 0.7 * (c.category == TECHNICAL) + 0.5 * hard))
    skill = org.agent_skill[c.agent] + _VENDOR["fcr"][c.vendor]
    solved = handled & (rng.random(n) < sigmoid(
        2.45 + skill - 0.35 * c.complexity_z - 1.5 * escalated + np.where(slip, SLIP.fcr, 0.0)))
    reopened = solved & (rng.random(n) < sigmoid(
        -2.55 - 0.6 * skill + 0.3 * c.complexity_z + np.where(slip, SLIP.reopen, 0.0)))
    reopen_count = np.where(reopened, rng.geometric(0.72, n), 0)
    resolved = solved & (~reopened | (rng.random(n) < 0.8))

    escalated_us = np.where(written, first_response_us + tl.whole_seconds(
        lognormal(rng, 7200.0, 1.0, n)), start_handle + tl.whole_seconds(
        talk * rng.uniform(0.3, 0.9, n)))
    accept_median = np.where(written, 9000.0, 1500.0) * _VENDOR["wait"][c.vendor] \
        * np.where(slip, SLIP.wait, 1.0)
    accepted_us = escalated_us + tl.whole_seconds(lognormal(rng, accept_median, 0.9, n))
    escalated_us = np.where(escalated, escalated_us, NONE)
    accepted_us = np.where(escalated, accepted_us, NONE)
    summary_rate = np.where(slip, SLIP.summary_rate, _VENDOR["summary_rate"][c.vendor])
    summary = escalated & (rng.random(n) < summary_rate)

    later = rng.random(n) < np.where(written, 0.6, 0.2)
    follow_up = tl.whole_seconds(lognormal(rng, np.where(written, 8 * 3600.0, 5 * 3600.0), 1.1, n))
    resolved_us = np.where(later, end_contact + follow_up, end_contact)
    resolved_us = np.where(escalated, accepted_us + tl.whole_seconds(
        lognormal(rng, 18 * 3600.0, 1.0, n)), resolved_us)
    resolved_us = np.where(solved, resolved_us, NONE)
    cycles = tl.whole_seconds(lognormal(rng, 1.5 * 86400, 0.8, n) * reopen_count ** 0.8)
    give_up = c.created_us + tl.whole_seconds(lognormal(rng, 2.5 * 86400, 0.9, n))
    give_up = np.maximum(give_up, np.maximum(end_contact, accepted_us) + tl.HOUR)
    closed_us = np.where(solved, resolved_us + cycles, give_up)
    closed_us = np.where(handled, closed_us, NONE)

    # -- replies and sales -------------------------------------------------------------------
    fcr = resolved & (reopen_count == 0)
    extra = rng.poisson(np.where(fcr, 0.35, 1.5), n)
    replies = np.where(WRITTEN[ch], 1 + extra + reopen_count + escalated, 1 + reopen_count)
    replies = np.where(handled, replies, 0)
    sales = (SALES_CATEGORY[c.category] * np.where(LIVE[ch] | (ch == IN_STORE), 1.4, 0.6)
             * np.where(c.vendor == INHOUSE, 1.25, 1.0))
    upsell = handled & (rng.random(n) < 0.03 * sales)
    cross_sell = handled & (rng.random(n) < 0.022 * sales)
    policy_denial = handled & (rng.random(n) < POLICY_DENIAL[c.category])

    out = Handled(
        handled=handled, wait_s=wait_s, wait_z=wait_z, answered_us=answered_us,
        abandoned_us=abandoned_us, first_response_us=first_response_us, resolved_us=resolved_us,
        closed_us=closed_us, escalated_us=escalated_us, accepted_us=accepted_us,
        talk_s=np.where(handled, talk, np.nan), hold_s=np.where(handled, hold, np.nan),
        wrap_s=np.where(handled, wrap, np.nan), escalated=escalated, summary=summary,
        resolved=resolved, reopen_count=reopen_count, agent_replies=replies, upsell=upsell,
        cross_sell=cross_sell, policy_denial=policy_denial, slip=slip, empathy=empathy,
    )
    return _cut_at_export(out)


def _cut_at_export(h: Handled) -> Handled:
    """Blank out whatever happened after the end of the period (the moment of the export)."""
    def cut(t: Arr) -> Arr:
        return np.where(t >= tl.END_US, NONE, t)

    answered = cut(h.answered_us)
    unanswered = (h.answered_us >= 0) & (answered < 0)
    escalated_us = cut(h.escalated_us)
    escalated = h.escalated & (escalated_us >= 0)
    resolved_us = cut(h.resolved_us)
    return Handled(
        handled=h.handled, wait_s=h.wait_s, wait_z=h.wait_z, answered_us=answered,
        abandoned_us=cut(h.abandoned_us), first_response_us=cut(h.first_response_us),
        resolved_us=resolved_us, closed_us=cut(h.closed_us), escalated_us=escalated_us,
        accepted_us=cut(h.accepted_us),
        talk_s=np.where(unanswered, np.nan, h.talk_s),
        hold_s=np.where(unanswered, np.nan, h.hold_s),
        wrap_s=np.where(unanswered, np.nan, h.wrap_s), escalated=escalated,
        summary=h.summary & escalated, resolved=h.resolved & (resolved_us >= 0),
        reopen_count=h.reopen_count, agent_replies=h.agent_replies, upsell=h.upsell,
        cross_sell=h.cross_sell, policy_denial=h.policy_denial, slip=h.slip, empathy=h.empathy,
    )

