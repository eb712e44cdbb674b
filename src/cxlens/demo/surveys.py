"""Transactional surveys: CSAT (1–5) sent right after a ticket closes to a sample of customers,
a CES question (1–7) for some of them, and the "Why?" comment."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxlens.demo import frames, invitations, text
from cxlens.demo import timeline as tl
from cxlens.demo.contacts import PRODUCTS, Contacts
from cxlens.demo.customers import Customers
from cxlens.demo.handling import Handled, lognormal
from cxlens.demo.org import Org
from cxlens.demo.satisfaction import CES_CUTS, CSAT_CUTS, ces_latent, csat_latent, ordinal
from cxlens.schema import SURVEY_CHANNELS, SURVEY_SCALES

Arr = npt.NDArray[Any]

#: Share of closed interactions whose customer answers the CSAT survey, by channel.
RESPONSE_RATE = np.array([0.13, 0.14, 0.20, 0.12, 0.08, 0.18, 0.15])
CES_SHARE = 0.35
#: Chance of a "Why?" comment by CSAT score 1..5.
COMMENT_RATE = np.array([0.65, 0.60, 0.40, 0.30, 0.40])
_EMAIL, _SMS, _IVR, _WEB, _IN_APP = range(len(SURVEY_CHANNELS))
#: How the survey reaches the customer, by interaction channel: (usual, other, P(other)).
_ROUTE = np.array([[_IVR, _SMS, 40], [_EMAIL, _EMAIL, 0], [_WEB, _EMAIL, 20], [_SMS, _SMS, 0],
                   [_WEB, _WEB, 0], [_IN_APP, _EMAIL, 10], [_EMAIL, _SMS, 40]])


def survey_table(*, numbers: Arr, survey: str, score: Arr, sent_us: Arr, responded_us: Arr,
                 customer_ids: pa.Array, interaction_ids: pa.Array | None, channel: Arr,
                 touchpoint: str, resolved_reported: Arr | None,
                 comments: list[str | None]) -> pa.Table:
    n = len(score)
    lo, hi = SURVEY_SCALES[survey]
    kind = "relational" if interaction_ids is None else "transactional"
    return frames.table("survey_responses", {
        "response_id": frames.ids("R", numbers, 9),
        "survey": frames.constant(survey, n),
        "score": frames.ints(score),
        "scale_min": frames.ints(np.full(n, lo)),
        "scale_max": frames.ints(np.full(n, hi)),
        "responded_at": frames.timestamps(responded_us),
        "sent_at": frames.timestamps(sent_us),
        "customer_id": customer_ids,
        "interaction_id": interaction_ids if interaction_ids is not None
        else frames.constant(None, n),
        "survey_channel": frames.labels(SURVEY_CHANNELS, channel),
        "kind": frames.constant(kind, n),
        "touchpoint": frames.constant(touchpoint, n),
        "resolved_reported": frames.bools(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
        if resolved_reported is None else frames.bools(resolved_reported),
        "comment": frames.texts(comments),
    })


def with_comments(rng: np.random.Generator, wanted: Arr, theme: Arr, product: list[str],
                  agent: list[str | None]) -> list[str | None]:
    rows = np.flatnonzero(wanted)
    written = text.comments(rng, theme[rows], [product[i] for i in rows],
                            [agent[i] for i in rows])
    out: list[str | None] = [None] * len(wanted)
    for i, comment in zip(rows.tolist(), written, strict=True):
        out[i] = comment
    return out


def transactional(rng: np.random.Generator, ids: frames.Counters, interaction_ids: pa.Array,
                  c: Contacts, h: Handled, org: Org, customers: Customers,
                  invite_rng: np.random.Generator,
                  emerging_rng: np.random.Generator) -> tuple[list[pa.Table], pa.Table]:
    """CSAT rows, then CES rows, for the interactions of one chunk that were surveyed; and the
    invitations: every closed, handled contact of a known customer is invited.
    ``emerging_rng`` plants the emerging complaint (:func:`cxlens.demo.text.plant_emerging`)."""
    invitable = h.handled & (h.closed_us >= 0) & (c.customer >= 0)
    answered = invitable & (rng.random(c.n) < RESPONSE_RATE[c.channel])
    sent = h.closed_us + tl.whole_seconds(lognormal(rng, 900.0, 0.8, c.n))
    responded = sent + tl.whole_seconds(lognormal(rng, 7200.0, 1.4, c.n))
    rows = np.flatnonzero(answered & (responded < tl.END_US))
    invited = invitable & (sent < tl.END_US)
    if not len(rows):
        none = np.empty(0, dtype=np.int64)
        return [], _invitations(invite_rng, ids, invited, rows, none, none, sent, responded, c,
                                customers, interaction_ids)
    csat = ordinal(rng, csat_latent(c, h, org)[rows], CSAT_CUTS, 1)
    ces = ordinal(rng, ces_latent(c, h, org)[rows], CES_CUTS, 1)
    fcr = h.fcr[rows]
    reported = np.where(fcr, rng.random(len(rows)) < 0.92, rng.random(len(rows)) < 0.12)
    route = _ROUTE[c.channel[rows]]
    channel = np.where(rng.integers(0, 100, len(rows)) < route[:, 2], route[:, 1], route[:, 0])

    band = np.where(csat <= 2, 0, np.where(csat == 3, 1, 2))
    theme = text.choose_themes(rng, band, fcr=fcr, wait_z=h.wait_z[rows],
                               category=c.category[rows], escalated=h.escalated[rows],
                               policy_denial=h.policy_denial[rows], relational=False)
    theme = text.plant_emerging(emerging_rng, theme, band, responded[rows])
    product = [PRODUCTS[p] for p in c.product[rows]]
    agent: list[str | None] = [org.agent_names[a] for a in c.agent[rows]]
    comments = with_comments(rng, rng.random(len(rows)) < COMMENT_RATE[csat - 1], theme, product,
                             agent)
    customer_ids = frames.take(customers.ids, c.customer[rows])
    inter_ids = frames.take(interaction_ids, rows)
    numbers = ids.take("response", len(rows))
    out = [survey_table(numbers=numbers, survey="csat", score=csat,
                        sent_us=sent[rows], responded_us=responded[rows],
                        customer_ids=customer_ids, interaction_ids=inter_ids, channel=channel,
                        touchpoint="support", resolved_reported=reported, comments=comments)]
    ces_rows = np.flatnonzero(rng.random(len(rows)) < CES_SHARE)
    if len(ces_rows):
        out.append(survey_table(
            numbers=ids.take("response", len(ces_rows)), survey="ces", score=ces[ces_rows],
            sent_us=sent[rows][ces_rows], responded_us=responded[rows][ces_rows],
            customer_ids=frames.take(customer_ids, ces_rows),
            interaction_ids=frames.take(inter_ids, ces_rows), channel=channel[ces_rows],
            touchpoint="support", resolved_reported=reported[ces_rows],
            comments=[None] * len(ces_rows)))
    return out, _invitations(invite_rng, ids, invited, rows,
                             numbers, channel, sent, responded, c, customers, interaction_ids)


def _invitations(rng: np.random.Generator, ids: frames.Counters, invited: Arr, rows: Arr,
                 numbers: Arr, channel: Arr, sent: Arr, responded: Arr, c: Contacts,
                 customers: Customers, interaction_ids: pa.Array) -> pa.Table:
    """One invitation per invited contact; ``rows`` (answered, a subset) keep the survey
    channel their answer came through, the others draw one by the same routes."""
    inv = np.flatnonzero(invited)
    answered = np.isin(inv, rows)
    route = _ROUTE[c.channel[inv]]
    how = np.where(rng.integers(0, 100, len(inv)) < route[:, 2], route[:, 1], route[:, 0])
    how[answered] = channel
    return invitations.invitation_table(
        rng, ids, survey="csat", programme="support-csat", sent_us=sent[inv],
        customer_ids=frames.take(customers.ids, c.customer[inv]),
        interaction_ids=frames.take(interaction_ids, inv), channel=how,
        touchpoint=["support"] * len(inv), responded_us=responded[inv], answered=answered,
        response_ids=frames.ids("R", numbers, 9))
