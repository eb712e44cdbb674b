"""The customer base: who they are (segment, country, demographics), how and when they were
acquired (with referrers), who churned, and how often each one contacts support or shops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxlens.demo import frames
from cxlens.demo import timeline as tl

Arr = npt.NDArray[Any]

#: Customers at scale 1.0.
CUSTOMERS_PER_SCALE = 80_000

COUNTRIES = ("GB", "US", "DE", "FR", "ES", "MX", "CO", "IE", "CA", "AU")
COUNTRY_P = (0.34, 0.20, 0.10, 0.08, 0.07, 0.05, 0.04, 0.05, 0.04, 0.03)
LANGUAGES = ("en", "de", "fr", "es")
COUNTRY_LANGUAGE = np.array([0, 0, 1, 2, 3, 3, 3, 0, 0, 0])
REGIONS = ("europe", "north america", "latin america", "asia pacific")
COUNTRY_REGION = np.array([0, 1, 0, 0, 0, 2, 2, 0, 1, 3])
CURRENCIES = ("GBP", "USD", "EUR", "CAD", "AUD")
COUNTRY_CURRENCY = np.array([0, 1, 2, 2, 2, 1, 1, 2, 3, 4])
SEGMENTS = ("consumer", "smb", "enterprise")
SEGMENT_P = (0.82, 0.14, 0.04)
CONSUMER, SMB, ENTERPRISE = 0, 1, 2
AGE_GROUPS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_P = (0.12, 0.26, 0.23, 0.18, 0.13, 0.08)
GENDERS = ("female", "male", "non-binary")
GENDER_P = (0.49, 0.48, 0.015)  # the rest did not say
SOURCES = ("referral", "organic", "direct", "paid", "social", "store")
SOURCE_P = (0.12, 0.27, 0.20, 0.19, 0.11, 0.11)
REFERRAL = 0

_EXISTING = 0.80  # share of customers acquired before the period
_CHURNED_BEFORE = 0.12  # of the existing base, gone before the period starts
_CHURN_IN_PERIOD = np.array([0.15, 0.11, 0.06])  # by segment
_CONTACT_BY_SEGMENT = np.array([1.0, 1.6, 3.0])
_SHOP_BY_SEGMENT = np.array([1.0, 1.3, 0.8])


@dataclass(frozen=True, eq=False)
class Customers:
    """Parallel arrays, index = customer number (ordered by acquisition time)."""

    ids: pa.Array
    acquired_us: Arr
    churned_us: Arr  # -1 = still a customer
    segment: Arr
    country: Arr
    age_group: Arr  # -1 = not recorded
    gender: Arr  # -1 = not recorded
    source: Arr
    referred_by: Arr  # -1 = none
    contact_weight: Arr
    shop_weight: Arr
    loyalty: Arr  # the customer's own lean on the NPS scale (latent units)
    nps_offset_us: Arr  # when in each quarter the relational survey reaches this customer

    @property
    def n(self) -> int:
        return len(self.acquired_us)

    @property
    def currency(self) -> Arr:
        return COUNTRY_CURRENCY[self.country]

    def active(self, at_us: int) -> Arr:
        """Which customers are customers at the instant ``at_us``."""
        return (self.acquired_us < at_us) & ((self.churned_us < 0) | (self.churned_us > at_us))

    def active_at(self, customer: Arr, at_us: Arr) -> Arr:
        churned = self.churned_us[customer]
        return (self.acquired_us[customer] < at_us) & ((churned < 0) | (churned > at_us))

    def sampler(self, at_us: int, weights: Arr) -> Sampler:
        idx = np.flatnonzero(self.active(at_us))
        return Sampler(idx, np.cumsum(weights[idx]))

    def to_arrow(self, lo: int, hi: int) -> pa.Table:
        sl = slice(lo, hi)
        churned = self.churned_us[sl]
        age, gender, ref = self.age_group[sl], self.gender[sl], self.referred_by[sl]
        return frames.table("customers", {
            "customer_id": self.ids[lo:hi],
            "acquired_at": frames.timestamps(self.acquired_us[sl]),
            "churned_at": frames.timestamps(churned, churned >= 0),
            "segment": frames.labels(SEGMENTS, self.segment[sl]),
            "region": frames.labels(REGIONS, COUNTRY_REGION[self.country[sl]]),
            "country": frames.labels(COUNTRIES, self.country[sl]),
            "age_group": frames.labels(AGE_GROUPS, np.maximum(age, 0), age >= 0),
            "gender": frames.labels(GENDERS, np.maximum(gender, 0), gender >= 0),
            "acquisition_source": frames.labels(SOURCES, self.source[sl]),
            "referred_by": frames.take(self.ids, np.maximum(ref, 0), ref >= 0),
        })


@dataclass(frozen=True, eq=False)
class Sampler:
    """Draws active customers in proportion to a weight."""

    index: Arr
    cumulative: Arr

    def draw(self, rng: np.random.Generator, n: int) -> Arr:
        if not len(self.index):
            return np.full(n, -1, dtype=np.int64)
        u = rng.random(n) * self.cumulative[-1]
        pos = np.minimum(np.searchsorted(self.cumulative, u, side="right"), len(self.index) - 1)
        return np.asarray(self.index[pos])


def customer_count(scale: float) -> int:
    return max(60, round(CUSTOMERS_PER_SCALE * scale))


def build_customers(rng: np.random.Generator, scale: float) -> Customers:
    n = customer_count(scale)
    existing = rng.random(n) < _EXISTING
    years_before = 5.0 * rng.random(n) ** 1.7
    before = tl.START_US - (years_before * 365.25 * tl.DAY).astype(np.int64) - tl.HOUR
    during = tl.sample_times(rng, n, tl.Chunk(0, 0, 0, tl.N_DAYS, n), tl.RETAIL_DAY,
                             tl.SHOP_HOURS)
    acquired = np.where(existing, before, during)
    acquired = np.sort(acquired - acquired % tl.SECOND)
    existing = acquired < tl.START_US  # re-read after sorting

    segment = rng.choice(3, n, p=SEGMENT_P)
    country = rng.choice(len(COUNTRIES), n, p=COUNTRY_P)
    personal = segment != ENTERPRISE
    age = np.where(personal, rng.choice(len(AGE_GROUPS), n, p=AGE_P), -1)
    g = rng.random(n)
    gender = np.where(personal, np.searchsorted(np.cumsum(GENDER_P), g, side="right"), -1)
    gender = np.where(gender >= len(GENDERS), -1, gender)
    source = rng.choice(len(SOURCES), n, p=SOURCE_P)
    position = np.arange(n)
    source = np.where((source == REFERRAL) & (position == 0), SOURCES.index("organic"), source)
    referred_by = np.where(source == REFERRAL, (rng.random(n) * position).astype(np.int64), -1)

    churned = np.full(n, -1, dtype=np.int64)
    gone_before = existing & (rng.random(n) < _CHURNED_BEFORE)
    span = tl.START_US - acquired
    churned = np.where(gone_before, acquired + (span * rng.uniform(0.3, 0.99, n)).astype(np.int64),
                       churned)
    leaves = ~gone_before & (rng.random(n) < _CHURN_IN_PERIOD[segment])
    when = np.where(existing, rng.integers(tl.START_US, tl.END_US, n),
                    acquired + (np.exp(rng.normal(np.log(100.0), 0.7, n)) * tl.DAY)
                    .astype(np.int64))
    churned = np.where(leaves & (when < tl.END_US), when, churned)
    churned = np.where(churned >= 0, churned - churned % tl.SECOND, churned)

    offsets = (rng.integers(0, 85, n) * tl.DAY + rng.integers(8, 18, n) * tl.HOUR
               + rng.integers(0, 3600, n) * tl.SECOND)
    return Customers(
        ids=frames.ids("C", np.arange(1, n + 1), 7),
        acquired_us=acquired,
        churned_us=churned,
        segment=segment,
        country=country,
        age_group=age,
        gender=gender,
        source=source,
        referred_by=referred_by,
        contact_weight=rng.gamma(0.55, 1 / 0.55, n) * _CONTACT_BY_SEGMENT[segment] + 0.02,
        shop_weight=rng.gamma(0.8, 1 / 0.8, n) * _SHOP_BY_SEGMENT[segment] + 0.02,
        loyalty=rng.normal(0.0, 0.35, n),
        nps_offset_us=offsets,
    )
