"""The shopping journey: web sessions (anonymous and logged-in visitors, traffic sources),
carts (most abandoned, the rest turned into orders), store visits (some with a purchase) and
orders with right-skewed amounts in the customer's (or the store's) currency."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxlens.demo import frames
from cxlens.demo import timeline as tl
from cxlens.demo.customers import CURRENCIES, Customers, Sampler
from cxlens.demo.handling import lognormal

Arr = npt.NDArray[Any]

SESSIONS_PER_SCALE = 360_000
STORE_VISITS_PER_SCALE = 48_000
SOURCES = ("organic", "direct", "referral", "paid", "social", "email")
SOURCE_P = np.array([[0.38, 0.18, 0.09, 0.20, 0.12, 0.03],  # anonymous
                     [0.25, 0.35, 0.06, 0.10, 0.08, 0.16]])  # logged in
LOGGED_IN = 0.42
CART_RATE = np.array([0.14, 0.32])  # anonymous, logged in
ORDER_RATE = np.array([0.18, 0.42])
STORES = ("Lumen London Oxford Street", "Lumen Manchester Arndale", "Lumen Leeds Trinity",
          "Lumen Dublin Grafton Street", "Lumen Berlin Mitte", "Lumen Madrid Gran Vía")
STORE_P = np.array([0.26, 0.16, 0.12, 0.12, 0.18, 0.16])
STORE_CURRENCY = np.array([0, 0, 0, 2, 2, 2])  # GBP, EUR (see customers.CURRENCIES)
STORE_KNOWN, STORE_PURCHASE = 0.38, 0.30
STATUSES = ("completed", "refunded", "cancelled")
STATUS_P = np.array([0.90, 0.06, 0.04])
SEGMENT_SPEND = np.array([1.0, 1.8, 4.0, 1.0])  # consumer, smb, enterprise, unknown


def _orders(rng: np.random.Generator, numbers: Arr, customer: Arr, at_us: Arr, store: bool,
            currency: Arr, customers: Customers) -> pa.Table:
    n = len(numbers)
    segment = np.where(customer >= 0, customers.segment[np.maximum(customer, 0)], 3)
    amount = lognormal(rng, 55.0 * SEGMENT_SPEND[segment] * (1.2 if store else 1.0), 0.85, n)
    return frames.table("orders", {
        "order_id": frames.ids("O", numbers, 9),
        "customer_id": frames.take(customers.ids, np.maximum(customer, 0), customer >= 0),
        "ordered_at": frames.timestamps(at_us),
        "amount": frames.floats(np.round(np.maximum(amount, 1.0), 2)),
        "currency": frames.labels(CURRENCIES, currency),
        "channel": frames.constant("store" if store else "online", n),
        "status": frames.labels(STATUSES, rng.choice(3, n, p=STATUS_P)),
    })


def _customer_currency(customers: Customers, customer: Arr) -> Arr:
    return np.where(customer >= 0, customers.currency[np.maximum(customer, 0)], 1)


def web(rng: np.random.Generator, chunk: tl.Chunk, scale: float, customers: Customers,
        sampler: Sampler, ids: frames.Counters) -> dict[str, pa.Table]:
    """Sessions, carts and the online orders they became, for one chunk."""
    n = round(SESSIONS_PER_SCALE * scale * chunk.share(tl.RETAIL_DAY))
    started = np.sort(tl.sample_times(rng, n, chunk, tl.RETAIL_DAY, tl.SHOP_HOURS))
    customer = np.where(rng.random(n) < LOGGED_IN, sampler.draw(rng, n), -1)
    logged = (customer >= 0).astype(np.int64)
    devices = 2 * np.maximum(customer, 0) + (rng.random(n) < 0.3)
    anonymous = 2 * customers.n + (4 * customers.n * rng.random(n) ** 2.2).astype(np.int64)
    visitor = np.where(logged == 1, devices, anonymous)
    cum = SOURCE_P.cumsum(axis=1)
    source = np.minimum((rng.random(n)[:, None] > cum[logged]).sum(axis=1), len(SOURCES) - 1)
    sessions = ids.take("session", n)
    session_ids = frames.ids("S", sessions, 9)

    carted = np.flatnonzero(rng.random(n) < CART_RATE[logged])
    created = started[carted] + tl.whole_seconds(lognormal(rng, 180.0, 1.0, len(carted)))
    ordered_at = created + tl.whole_seconds(lognormal(rng, 480.0, 0.9, len(carted)))
    converts = ((rng.random(len(carted)) < ORDER_RATE[logged[carted]])
                & (ordered_at < tl.END_US) & (created < tl.END_US))
    cart_customer = customer[carted]
    at_checkout = sampler.draw(rng, len(carted))
    cart_customer = np.where((cart_customer < 0) & converts, at_checkout, cart_customer)
    created = np.minimum(created, tl.END_US - tl.SECOND)
    order_numbers = np.zeros(len(carted), dtype=np.int64)
    order_numbers[converts] = ids.take("order", int(converts.sum()))
    which = np.flatnonzero(converts)
    return {
        "web_sessions": frames.table("web_sessions", {
            "session_id": session_ids,
            "visitor_id": frames.ids("W", visitor + 1, 8),
            "customer_id": frames.take(customers.ids, np.maximum(customer, 0), customer >= 0),
            "started_at": frames.timestamps(started),
            "source": frames.labels(SOURCES, source),
        }),
        "carts": frames.table("carts", {
            "cart_id": frames.ids("K", ids.take("cart", len(carted)), 9),
            "customer_id": frames.take(customers.ids, np.maximum(cart_customer, 0),
                                       cart_customer >= 0),
            "session_id": frames.take(session_ids, carted),
            "created_at": frames.timestamps(created),
            "order_id": frames.take(frames.ids("O", order_numbers, 9), np.arange(len(carted)),
                                    converts),
        }),
        "orders": _orders(rng, order_numbers[which], cart_customer[which], ordered_at[which],
                          False, _customer_currency(customers, cart_customer[which]), customers),
    }


def stores(rng: np.random.Generator, chunk: tl.Chunk, scale: float, customers: Customers,
           sampler: Sampler, ids: frames.Counters) -> dict[str, pa.Table]:
    """Store visits and the purchases made during them, for one chunk."""
    n = round(STORE_VISITS_PER_SCALE * scale * chunk.share(tl.RETAIL_DAY))
    visited = np.sort(tl.sample_times(rng, n, chunk, tl.RETAIL_DAY, tl.STORE_HOURS))
    store = rng.choice(len(STORES), n, p=STORE_P)
    customer = np.where(rng.random(n) < STORE_KNOWN, sampler.draw(rng, n), -1)
    ordered_at = visited + tl.whole_seconds(lognormal(rng, 900.0, 0.7, n))
    buys = (rng.random(n) < STORE_PURCHASE) & (ordered_at < tl.END_US)
    numbers = np.zeros(n, dtype=np.int64)
    numbers[buys] = ids.take("order", int(buys.sum()))
    which = np.flatnonzero(buys)
    order_ids = frames.ids("O", numbers, 9)
    return {
        "store_visits": frames.table("store_visits", {
            "visit_id": frames.ids("SV", ids.take("visit", n), 8),
            "store": frames.labels(STORES, store),
            "visited_at": frames.timestamps(visited),
            "customer_id": frames.take(customers.ids, np.maximum(customer, 0), customer >= 0),
            "order_id": frames.take(order_ids, np.arange(n), buys),
        }),
        "orders": _orders(rng, numbers[which], customer[which], ordered_at[which], True,
                          STORE_CURRENCY[store[which]], customers),
    }
