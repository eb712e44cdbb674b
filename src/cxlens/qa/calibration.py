"""Calibration: do reviewers who score the same interaction with the same scorecard agree?

A *unit* is one interaction scored with one scorecard by several reviewers (a calibration
session, or the double reviews of everyday sampling). For every criterion, and overall on the
review scores, cxlens reports:

* **Krippendorff's α** (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):
  α = 1 − D_o / D_e from the coincidence matrix of the values paired within units; any number
  of reviewers, missing ratings allowed (an N/A is a missing rating, not a disagreement).
  Level of measurement: ordinal by default (scores are ordered categories; a 4 against a 5 is
  a smaller disagreement than a 1 against a 5), or nominal, interval or ratio. The estimate
  comes from the ``krippendorff`` package.
* **A bootstrap interval**: units are resampled with replacement (seeded; 1,000 resamples by
  default) and α recomputed — the same coincidence formulas vectorised over the resamples
  (:func:`alpha_resampled`) — the percentile interval is given when at least half the
  resamples define α. ``n_units`` counts the units with two or more ratings.
* **A label**: α ≥ 0.80 ``reliable``, ≥ 0.667 ``tentative``, else ``unreliable``
  (Krippendorff's thresholds); ``undefined`` when the ratings do not vary at all (α is 0/0).
* **Each reviewer's deviation from the consensus**: for every rating, the reviewer's score
  minus the mean of the other reviewers' scores of the same unit and criterion; per reviewer
  and criterion the mean deviation, n, a Student-t interval and a flag — ``lenient`` when the
  mean deviation is above ``threshold``, ``strict`` when below −``threshold``, and
  ``insufficient_sample`` instead when fewer than ``min_sample`` (default 5) ratings can be
  compared: one or two ratings say nothing about a reviewer's habits.

The warehouse function puts every criterion on Zendesk's 0–100 criterion score (and the review
score is 0–100 too), so one threshold fits all scales: the default of 10 points is a tenth of
the scale — 0.4 of a step on a 1–5 scale, or a pass rate 10 points off the colleagues'.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import krippendorff
import numpy as np
import numpy.typing as npt
import pandas as pd

from cxlens.errors import ConfigError, did_you_mean
from cxlens.qa import scoring
from cxlens.qa.scorecards import RESERVED, Scorecards, builtin
from cxlens.stats import t_interval
from cxlens.store.base import Warehouse

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = get_args(Level)
OVERALL = RESERVED[0]
RELIABLE, TENTATIVE = 0.80, 0.667
THRESHOLD = 10.0
MIN_SAMPLE = 5
RESAMPLES = 1000
_CHUNK = 250  # resamples computed at once (bounds memory)
_DENSE_LIMIT = 20_000_000  # the package builds a units × values × values array
RELIABILITY_COLUMNS = ["criterion", "level", "alpha", "ci_low", "ci_high", "n_units",
                       "n_ratings", "label"]
REVIEWER_COLUMNS = ["reviewer", "criterion", "deviation", "n", "ci_low", "ci_high", "flag"]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Calibration:
    """Agreement per criterion (``reliability``) and each reviewer's deviation from the
    consensus (``reviewers``); see the module docstring for the columns' meaning."""

    reliability: pd.DataFrame
    reviewers: pd.DataFrame


def label(alpha: float) -> str:
    """reliable (α ≥ 0.80), tentative (≥ 0.667), unreliable, or undefined (NaN)."""
    if not np.isfinite(alpha):
        return "undefined"
    return "reliable" if alpha >= RELIABLE else "tentative" if alpha >= TENTATIVE \
        else "unreliable"


# -- α on one variable ------------------------------------------------------------------------
@dataclass(frozen=True)
class Coded:
    """The pairable ratings of one variable: units with two or more ratings only."""

    units: list[Any]  # the units, in the order of ``counts``' rows
    domain: Floats  # the distinct values, sorted
    counts: Ints  # units × values: how many reviewers gave the unit that value
    pair_unit: Ints  # every ordered pair of ratings within a unit: its unit,
    pair_a: Ints  # the index of its first value,
    pair_b: Ints  # of its second value,
    pair_w: Floats  # and its weight 1 / (m_u − 1)

    @property
    def n_units(self) -> int:
        return int(self.counts.shape[0])

    @property
    def n_ratings(self) -> int:
        return int(self.counts.sum())


def code(units: Sequence[Any] | pd.Series, values: Sequence[float] | pd.Series) -> Coded:
    """Code (unit, value) ratings; missing values (NaN) and units rated once are left out."""
    frame = pd.DataFrame({"u": list(units), "v": pd.to_numeric(pd.Series(list(values)),
                                                                errors="coerce")})
    frame = frame[frame["v"].notna()]
    frame = frame[frame.groupby("u")["u"].transform("size") >= 2]
    domain = np.unique(frame["v"].to_numpy(dtype=float))
    codes, labels = pd.factorize(frame["u"])
    u = codes.astype(np.int64)
    v = np.searchsorted(domain, frame["v"].to_numpy(dtype=float)).astype(np.int64)
    n_units = int(u.max()) + 1 if len(u) else 0
    counts = np.zeros((n_units, len(domain)), dtype=np.int64)
    np.add.at(counts, (u, v), 1)
    m = np.bincount(u, minlength=n_units)
    order = np.argsort(u, kind="stable")
    u, v = u[order], v[order]
    first = np.r_[0, np.cumsum(m)[:-1]] if n_units else np.zeros(0, dtype=np.int64)
    i_idx, j_idx = [], []
    for size in np.unique(m):  # all ordered pairs of each unit, vectorised per unit size
        starts = first[m == size]
        a, b = np.nonzero(~np.eye(size, dtype=bool))
        i_idx.append((starts[:, None] + a[None, :]).ravel())
        j_idx.append((starts[:, None] + b[None, :]).ravel())
    i = np.concatenate(i_idx) if i_idx else np.zeros(0, dtype=np.int64)
    j = np.concatenate(j_idx) if j_idx else np.zeros(0, dtype=np.int64)
    weight = (1.0 / (m[u[i]] - 1.0)).astype(np.float64)
    return Coded(list(labels), domain, counts, u[i], v[i], v[j], weight)


def alpha(coded: Coded, level: Level = "ordinal") -> float:
    """Krippendorff's α of the coded ratings (the ``krippendorff`` package); NaN when it is
    undefined (fewer than two distinct values, or no unit with two ratings)."""
    _check_level(level)
    if coded.n_units == 0 or len(coded.domain) < 2:
        return float("nan")
    if coded.n_units * len(coded.domain) ** 2 > _DENSE_LIMIT:  # too big for the package
        return float(alpha_resampled(coded, np.ones((1, coded.n_units)), level)[0])
    return float(krippendorff.alpha(value_counts=coded.counts, value_domain=coded.domain,
                                    level_of_measurement=level))


def alpha_resampled(coded: Coded, weights: npt.ArrayLike, level: Level = "ordinal") -> Floats:
    """α for each row of ``weights`` (resamples × units: how often each unit was drawn),
    straight from the coincidence formulas: α = 1 − (n − 1)·Σ_pairs w·δ / Σ_c Σ_k n_c·n_k·δ_ck.
    Ordinal δ is the interval δ on the values' mid-ranks, which depend on the resample."""
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    n_v = w @ coded.counts  # resamples × values: pairable values
    n = n_v.sum(axis=1)
    pw = w[:, coded.pair_unit] * coded.pair_w  # resamples × pairs
    x = coded.domain
    a, b = coded.pair_a, coded.pair_b
    if level == "nominal":
        observed = pw @ (a != b).astype(float)
        expected = n ** 2 - (n_v ** 2).sum(axis=1)
        size = n ** 2
    elif level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = np.nan_to_num(((x[:, None] - x[None, :]) / (x[:, None] + x[None, :])) ** 2)
        observed = pw @ delta[a, b]
        expected = np.einsum("rv,vw,rw->r", n_v, delta, n_v)
        size = n ** 2
    else:
        if level == "interval":
            pos = np.broadcast_to(x, n_v.shape)
            observed = pw @ (x[a] - x[b]) ** 2
        else:  # ordinal
            pos = np.cumsum(n_v, axis=1) - n_v / 2
            observed = (pw * (pos[:, a] - pos[:, b]) ** 2).sum(axis=1)
        size = n * (n_v * pos ** 2).sum(axis=1)
        expected = 2 * (size - (n_v * pos).sum(axis=1) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1 - (n - 1) * observed / expected
    # no variation at all (α is 0/0); the tolerance absorbs rounding in the sums of squares
    return np.where(expected > 1e-9 * size, out, np.nan)


def bootstrap(coded: Coded, level: Level = "ordinal", resamples: int = RESAMPLES,
              seed: int | Sequence[int] = 0, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval of α over ``resamples`` draws of units with replacement; NaN when
    fewer than half the resamples define α (or there are no units)."""
    if coded.n_units == 0 or resamples <= 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    found = []
    k = coded.n_units
    for start in range(0, resamples, _CHUNK):
        r = min(_CHUNK, resamples - start)
        draws = rng.integers(0, k, (r, k)) + (np.arange(r) * k)[:, None]
        weights = np.bincount(draws.ravel(), minlength=r * k).reshape(r, k)
        found.append(alpha_resampled(coded, weights, level))
    return percentile_interval(np.concatenate(found), resamples, confidence)


def percentile_interval(values: Floats, resamples: int, confidence: float
                        ) -> tuple[float, float]:
    """The percentile interval of bootstrap ``values`` (undefined draws left out); no
    interval when fewer than half of the ``resamples`` gave a value."""
    values = values[np.isfinite(values)]
    if len(values) < resamples / 2:
        return float("nan"), float("nan")
    tail = (1 - confidence) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ConfigError(f"unknown level of measurement {level!r}.{did_you_mean(level, LEVELS)}",
                          f"use one of: {', '.join(LEVELS)} (ordinal suits rating scales)")


# -- ratings tables ---------------------------------------------------------------------------
def _check_ratings(ratings: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in ratings.columns]
    if missing:
        raise ConfigError(f"{what} lacks the column(s) {', '.join(missing)}",
                          f"give a table with the columns {', '.join(columns)}")
    frame = ratings[list(columns)].copy()
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    keys = [c for c in columns if c != "score"]
    dupes = frame[frame.duplicated(keys, keep=False)]
    if not dupes.empty:
        first = ", ".join(f"{k}={dupes.iloc[0][k]}" for k in keys)
        raise ConfigError(f"{what}: {dupes[keys].drop_duplicates().shape[0]} rating(s) given "
                          f"more than once by the same reviewer (first: {first})",
                          "keep one rating per unit, reviewer and criterion (e.g. the latest "
                          "review)")
    return frame


def _deviations(frame: pd.DataFrame, threshold: float, min_sample: int,
                confidence: float) -> pd.DataFrame:
    """Per reviewer and criterion: mean (own − mean of the others), n, interval, flag."""
    rated = frame[frame["score"].notna()].copy()
    group = rated.groupby(["criterion", "unit"])["score"]
    rated["m"] = group.transform("size")
    rated = rated[rated["m"] >= 2].copy()
    others = (rated.groupby(["criterion", "unit"])["score"].transform("sum") - rated["score"]) \
        / (rated["m"] - 1)
    rated["deviation"] = rated["score"] - others
    stats = rated.groupby(["reviewer", "criterion"], sort=False)["deviation"].agg(
        ["mean", "size", "std"]).reset_index()
    n = stats["size"].to_numpy(dtype=float)
    low, high = t_interval(n, stats["mean"].to_numpy(dtype=float),
                           stats["std"].to_numpy(dtype=float), confidence)
    mean = stats["mean"].to_numpy(dtype=float)
    return pd.DataFrame({
        "reviewer": stats["reviewer"], "criterion": stats["criterion"], "deviation": mean,
        "n": n.astype(np.int64), "ci_low": low, "ci_high": high,
        "flag": np.where(n < min_sample, scoring.INSUFFICIENT, np.where(
            mean > threshold, "lenient", np.where(mean < -threshold, "strict", ""))),
    }, columns=REVIEWER_COLUMNS)


def seed_of(seed: int, criterion: str) -> list[int]:
    """Each criterion's own random stream, so adding one does not change the others."""
    return [seed, zlib.crc32(criterion.encode())]


def calibrate(ratings: pd.DataFrame, overall: pd.DataFrame | None = None, *,
              level: Level = "ordinal", resamples: int = RESAMPLES, seed: int = 0,
              threshold: float = THRESHOLD, min_sample: int = MIN_SAMPLE,
              confidence: float = 0.95) -> Calibration:
    """Agreement and reviewer deviations from ``ratings`` (columns unit, reviewer, criterion,
    score; NaN = N/A or not rated), and overall from ``overall`` (unit, reviewer, score: the
    review scores), listed last as criterion ``overall``. ``threshold`` is in the scores'
    units. Units scored by one reviewer only are ignored."""
    _check_level(level)
    frames = [_check_ratings(ratings, ("unit", "reviewer", "criterion", "score"), "ratings")]
    if overall is not None:
        review = _check_ratings(overall, ("unit", "reviewer", "score"), "overall")
        frames.append(review.assign(criterion=OVERALL))
    frame = pd.concat(frames, ignore_index=True)
    rows = []
    for criterion, part in frame.groupby("criterion", sort=False):
        coded = code(part["unit"], part["score"])
        low, high = bootstrap(coded, level, resamples, seed_of(seed, str(criterion)), confidence)
        value = alpha(coded, level)
        rows.append((criterion, level, value, low, high, coded.n_units, coded.n_ratings,
                     label(value)))
    reliability = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)
    return Calibration(reliability, _deviations(frame, threshold, min_sample, confidence))


# -- on the warehouse -----------------------------------------------------------------------------
def _units_sql(rows: scoring.Filter, source: str) -> tuple[str, list[Any]]:
    """(interaction, scorecard) pairs scored by two or more reviewers."""
    where, params = rows.sql()
    return (f"SELECT q.interaction_id AS m_interaction, q.scorecard AS m_scorecard "
            f"FROM {source} q WHERE {where} GROUP BY q.interaction_id, q.scorecard "
            "HAVING count(DISTINCT q.reviewer) > 1"), params


def _read(wh: Warehouse, rows: scoring.Filter, cards: Scorecards,
          source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    units, unit_params = _units_sql(rows, source)
    rated, rated_params = scoring.rated_sql(rows, cards, source)
    scored, scored_params = scoring.scored_sql(rows, cards, source)
    join = "JOIN ({}) m ON m.m_interaction = x.interaction_id AND m.m_scorecard = x.scorecard"
    criteria = wh.query_df(
        f"SELECT x.review_id, x.criterion, x.pct FROM ({rated}) x {join.format(units)}",
        rated_params + unit_params)
    reviews = wh.query_df(
        "SELECT x.review_id, x.interaction_id, x.scorecard, x.reviewer, x.reviewed_at, "
        f"x.score FROM ({scored}) x {join.format(units)}", scored_params + unit_params)
    # a reviewer who scored the same interaction twice: their latest review counts
    reviews["reviewed_at"] = pd.to_datetime(reviews["reviewed_at"], utc=True)
    reviews = reviews.sort_values(["reviewed_at", "review_id"]).drop_duplicates(
        ["interaction_id", "scorecard", "reviewer"], keep="last")
    reviews["score"] = pd.to_numeric(reviews["score"], errors="coerce")
    criteria["pct"] = pd.to_numeric(criteria["pct"], errors="coerce")
    return reviews, criteria.merge(reviews.drop(columns="score"), on="review_id")


def _order(names: Iterable[str], card: str, cards: Scorecards) -> list[str]:
    known = [c.id for c in cards.get(card).criteria] if card in cards.names else []
    present = set(names)
    return [c for c in known if c in present] + sorted(present - set(known))


def calibrate_reviews(wh: Warehouse, scorecard: str | None = None,
                      interaction_ids: Iterable[str] | None = None,
                      start: scoring.When = None, end: scoring.When = None, *,
                      level: Level = "ordinal", resamples: int = RESAMPLES, seed: int = 0,
                      threshold: float = THRESHOLD, min_sample: int = MIN_SAMPLE,
                      confidence: float = 0.95, scorecards: Scorecards | None = None,
                      source: str = scoring.SOURCE) -> Calibration:
    """Calibration from ``qa_reviews``: every interaction scored with the same scorecard by two
    or more reviewers (only ``interaction_ids``, when given: a calibration session), per
    scorecard. Criteria are compared on their 0–100 criterion score, overall on the review
    score; both tables get a leading ``scorecard`` column."""
    _check_level(level)
    cards = scorecards or builtin()
    rows = scoring.Filter.of(start, end, scorecard, interaction_ids)
    reviews, criteria = _read(wh, rows, cards, source)
    reliability: list[Any] = []
    deviations: list[Any] = []
    for card in sorted(reviews["scorecard"].unique()):
        crit = criteria[criteria["scorecard"] == card]
        review = reviews[reviews["scorecard"] == card]
        result = calibrate(
            crit.rename(columns={"interaction_id": "unit", "pct": "score"}),
            review.rename(columns={"interaction_id": "unit"}), level=level,
            resamples=resamples, seed=seed, threshold=threshold, min_sample=min_sample,
            confidence=confidence)
        rank = {c: i for i, c in enumerate([*_order(crit["criterion"], card, cards), OVERALL])}
        rel = result.reliability.sort_values("criterion", key=lambda s: s.map(rank))
        dev = result.reviewers.sort_values(
            ["reviewer", "criterion"], key=lambda s: s.map(rank) if s.name == "criterion" else s)
        reliability += rel.assign(scorecard=card).to_dict("records")
        deviations += dev.assign(scorecard=card).to_dict("records")
    return Calibration(
        pd.DataFrame(reliability, columns=["scorecard", *RELIABILITY_COLUMNS]),
        pd.DataFrame(deviations, columns=["scorecard", *REVIEWER_COLUMNS]))
