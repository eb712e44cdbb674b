"""Who contacts support, when, through which channel, about what, and who takes it: the
"arrival" half of an interaction (the handling half is in ``handling``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxlens.demo import timeline as tl
from cxlens.demo.customers import COUNTRY_LANGUAGE, LANGUAGES, Customers, Sampler
from cxlens.demo.org import INHOUSE, NORTHWIND, RETAIL, SKILLS, Org
from cxlens.schema import CHANNELS

Arr = npt.NDArray[Any]

PHONE, EMAIL, CHAT, SMS, SOCIAL, IN_APP, IN_STORE = range(len(CHANNELS))
CHANNEL_P = np.array([0.34, 0.20, 0.22, 0.05, 0.06, 0.09, 0.04])
LIVE = np.array([True, False, True, False, False, False, False])
WRITTEN = np.array([False, True, False, True, True, True, False])
HOURS = (tl.OFFICE_HOURS, tl.ASYNC_HOURS, tl.OFFICE_HOURS, tl.ASYNC_HOURS, tl.ASYNC_HOURS,
         tl.ASYNC_HOURS, tl.STORE_HOURS)
KNOWN_CUSTOMER = np.array([0.96, 0.99, 0.93, 0.97, 0.72, 1.0, 0.85])
OUTBOUND = np.array([0.03, 0.03, 0.0, 0.0, 0.0, 0.0, 0.0])
QUEUE_KINDS = ("voice", "digital", "chat", "digital", "digital", "digital", "store")
QUEUES = tuple(f"{s}-{k}" for s in SKILLS for k in ("voice", "chat", "digital", "store"))

CATEGORIES = ("billing", "technical", "delivery", "returns", "account", "order_change",
              "product_question")
BILLING, TECHNICAL, DELIVERY, RETURNS, ACCOUNT, ORDER_CHANGE, PRODUCT_QUESTION = range(7)
CATEGORY_P = np.array([0.21, 0.22, 0.16, 0.12, 0.14, 0.08, 0.07])
CATEGORY_SKILL = np.array([0, 1, 2, 2, 0, 2, 1])
DEFLECTED = np.array([c in tl.DEFLECTION.categories for c in CATEGORIES])
DEFLECT_SHARE = float(CATEGORY_P[DEFLECTED].sum())
CATEGORY_COMPLEXITY = np.array([3.5, 5.5, 2.8, 3.6, 3.0, 2.4, 3.2])

PRODUCTS = ("lumen hub", "lumen bulb", "lumen cam", "lumen thermostat", "lumen plus")
PRODUCT_P = np.array([
    [0.15, 0.10, 0.10, 0.10, 0.55],
    [0.30, 0.20, 0.25, 0.20, 0.05],
    [0.30, 0.30, 0.20, 0.20, 0.00],
    [0.25, 0.30, 0.25, 0.20, 0.00],
    [0.20, 0.05, 0.10, 0.05, 0.60],
    [0.30, 0.30, 0.20, 0.20, 0.00],
    [0.30, 0.20, 0.20, 0.20, 0.10],
])
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_P = np.array([  # by customer segment (consumer, smb, enterprise), then unknown
    [0.20, 0.60, 0.15, 0.05],
    [0.12, 0.58, 0.22, 0.08],
    [0.05, 0.45, 0.35, 0.15],
    [0.20, 0.60, 0.15, 0.05],
])
PRIORITY_COMPLEXITY = np.array([0.9, 1.0, 1.2, 1.45])
#: English contacts are shared between the vendors; Spanish goes to Bogotá, German and French
#: to Leeds; in-store contacts are logged by the in-house retail support team.
ENGLISH_SHARE = np.array([0.26, 0.49, 0.25])
LANGUAGE_VENDOR = {LANGUAGES.index("es"): NORTHWIND, LANGUAGES.index("de"): INHOUSE,
                   LANGUAGES.index("fr"): INHOUSE}
_LOG_CX_MEAN, _LOG_CX_SD = np.log(3.4), 0.48


@dataclass(frozen=True, eq=False)
class Contacts:
    """Arrival facts of one chunk of interactions, ordered by ``created_us``."""

    created_us: Arr
    channel: Arr
    customer: Arr  # -1 = not identified
    segment: Arr  # -1 = unknown customer
    language: Arr
    outbound: Arr
    category: Arr
    product: Arr
    priority: Arr
    vendor: Arr
    skill: Arr
    team: Arr
    agent: Arr
    queue: Arr
    complexity: Arr
    complexity_z: Arr

    @property
    def n(self) -> int:
        return len(self.created_us)

    @property
    def day(self) -> Arr:
        return tl.day_index(self.created_us)

    @property
    def hour(self) -> Arr:
        return (self.created_us % tl.DAY) // tl.HOUR


def category_p(deflected: bool) -> Arr:
    p = np.where(DEFLECTED, CATEGORY_P * (1 - tl.DEFLECTION.reduction), CATEGORY_P) \
        if deflected else CATEGORY_P
    return np.asarray(p / p.sum())


def draw_contacts(rng: np.random.Generator, chunk: tl.Chunk, org: Org, customers: Customers,
                  sampler: Sampler) -> Contacts:
    n = chunk.interactions
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_P)
    created = np.empty(n, dtype=np.int64)
    for ch in range(len(CHANNELS)):
        rows = np.flatnonzero(channel == ch)
        created[rows] = tl.sample_times(rng, len(rows), chunk, tl.SUPPORT_DAY, HOURS[ch])
    order = np.argsort(created, kind="stable")
    created, channel = created[order], channel[order]

    known = rng.random(n) < KNOWN_CUSTOMER[channel]
    customer = np.where(known, sampler.draw(rng, n), -1)
    known = customer >= 0
    segment = np.where(known, customers.segment[np.maximum(customer, 0)], -1)
    country = customers.country[np.maximum(customer, 0)]
    language = np.where(known, COUNTRY_LANGUAGE[country], LANGUAGES.index("en"))
    outbound = rng.random(n) < OUTBOUND[channel]

    category = rng.choice(len(CATEGORIES), n, p=category_p(tl.deflected(chunk.first_day)))
    cum = PRODUCT_P.cumsum(axis=1)
    product = (rng.random(n)[:, None] > cum[category]).sum(axis=1)
    pcum = PRIORITY_P.cumsum(axis=1)
    priority = (rng.random(n)[:, None] > pcum[np.where(segment >= 0, segment, 3)]).sum(axis=1)
    priority = np.minimum(priority, len(PRIORITIES) - 1)
    product = np.minimum(product, len(PRODUCTS) - 1)

    vendor = rng.choice(3, n, p=ENGLISH_SHARE)
    for lang, v in LANGUAGE_VENDOR.items():
        vendor[language == lang] = v
    vendor[channel == IN_STORE] = INHOUSE
    skill = np.where(channel == IN_STORE, RETAIL, CATEGORY_SKILL[category])
    team = org.pick_team(rng, vendor, skill)
    agent = org.pick_agent(rng, team)
    kinds = np.array([("voice", "chat", "digital", "store").index(k) for k in QUEUE_KINDS])
    queue = skill * 4 + kinds[channel]

    complexity = (CATEGORY_COMPLEXITY[category] * PRIORITY_COMPLEXITY[priority]
                  * np.exp(rng.normal(0.0, 0.35, n)))
    complexity = np.clip(np.round(complexity, 1), 0.5, 10.0)
    return Contacts(
        created_us=created, channel=channel, customer=customer, segment=segment,
        language=language, outbound=outbound, category=category, product=product,
        priority=priority, vendor=vendor, skill=skill, team=team, agent=agent, queue=queue,
        complexity=complexity, complexity_z=(np.log(complexity) - _LOG_CX_MEAN) / _LOG_CX_SD,
    )

