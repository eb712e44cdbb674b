"""One chunk of interactions: draw the contacts, handle them, and lay them out as rows of the
canonical ``interactions`` table."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxlens.demo import frames, text
from cxlens.demo.contacts import CATEGORIES, PRIORITIES, PRODUCTS, QUEUES, Contacts
from cxlens.demo.customers import LANGUAGES, Customers
from cxlens.demo.handling import Handled
from cxlens.demo.org import VENDOR_NAMES, Org
from cxlens.schema import CHANNELS

Arr = npt.NDArray[Any]


def interaction_ids(ids: frames.Counters, n: int) -> pa.Array:
    return frames.ids("T", ids.take("interaction", n), 9)


def interaction_table(rng: np.random.Generator, ids: pa.Array, c: Contacts, h: Handled,
                      org: Org, customers: Customers) -> pa.Table:
    n = c.n
    with_summary = np.flatnonzero(h.summary)
    summaries: list[str | None] = [None] * n
    written = text.escalation_summaries(rng, c.category[with_summary],
                                        [PRODUCTS[p] for p in c.product[with_summary]])
    for i, summary in zip(with_summary.tolist(), written, strict=True):
        summaries[i] = summary

    def ts(values: Arr) -> pa.Array:
        return frames.timestamps(values, values >= 0)

    def seconds(values: Arr) -> pa.Array:
        return frames.floats(values, ~np.isnan(values))

    return frames.table("interactions", {
        "interaction_id": ids,
        "customer_id": frames.take(customers.ids, np.maximum(c.customer, 0), c.customer >= 0),
        "channel": frames.labels(CHANNELS, c.channel),
        "direction": frames.labels(("inbound", "outbound"), c.outbound.astype(np.int64)),
        "vendor": frames.labels(VENDOR_NAMES, c.vendor),
        "site": frames.labels(org.sites, c.vendor),
        "team": frames.labels(org.team_names, c.team),
        "agent_id": frames.labels(org.agent_ids, c.agent, h.handled),
        "queue": frames.labels(QUEUES, c.queue),
        "category": frames.labels(CATEGORIES, c.category),
        "product": frames.labels(PRODUCTS, c.product),
        "priority": frames.labels(PRIORITIES, c.priority),
        "language": frames.labels(LANGUAGES, c.language),
        "created_at": frames.timestamps(c.created_us),
        "answered_at": ts(h.answered_us),
        "abandoned_at": ts(h.abandoned_us),
        "first_response_at": ts(h.first_response_us),
        "resolved_at": ts(h.resolved_us),
        "closed_at": ts(h.closed_us),
        "reopen_count": frames.ints(h.reopen_count),
        "agent_replies": frames.ints(h.agent_replies),
        "talk_seconds": seconds(h.talk_s),
        "hold_seconds": seconds(h.hold_s),
        "wrap_seconds": seconds(h.wrap_s),
        "escalated": frames.bools(h.escalated),
        "escalation_tier": frames.ints(np.full(n, 2), h.escalated),
        "escalated_at": ts(h.escalated_us),
        "escalation_accepted_at": ts(h.accepted_us),
        "escalation_summary": frames.texts(summaries),
        "resolved": frames.bools(h.resolved),
        "upsell": frames.bools(h.upsell),
        "cross_sell": frames.bools(h.cross_sell),
        "policy_denial": frames.bools(h.policy_denial),
        "complexity": frames.floats(c.complexity),
    })
