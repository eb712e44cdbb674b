"""QA reviews of a sample of closed interactions with two scorecards: ``process_compliance``
(binary criteria, two of them critical) and ``communication_quality`` (1–5 scales). Several
reviewers with their own leniency; a share of interactions is reviewed twice for calibration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxlens.demo import frames
from cxlens.demo import timeline as tl
from cxlens.demo.contacts import IN_STORE, PHONE, Contacts
from cxlens.demo.effects import EMPATHY, SLIP
from cxlens.demo.handling import Handled, sigmoid
from cxlens.demo.org import VENDORS, Org

Arr = npt.NDArray[Any]

REVIEWERS = ("qa.hannah", "qa.ramon", "qa.lucia", "qa.owen", "qa.mei")
_REVIEWER_SCALE_BIAS = np.array([0.0, 0.3, -0.25, 0.1, -0.1])
_REVIEWER_PASS_BIAS = np.array([0.0, 0.35, -0.3, 0.15, -0.1])
SAMPLE_RATE = np.array([0.015, 0.025, 0.025])  # by vendor: partners are sampled more
CALIBRATION_SHARE = 0.08
#: Response-time targets used by the "met_response_sla" criterion, by channel (seconds).
SLA_SECONDS = np.array([60, 8 * 3600, 60, 3600, 2 * 3600, 4 * 3600, 0])


@dataclass(frozen=True)
class Criterion:
    name: str
    weight: float = 1.0
    critical: bool = False


PROCESS = (Criterion("followed_sop", 2.0, True), Criterion("right_template"),
           Criterion("correct_status", 1.0, True), Criterion("met_response_sla"),
           Criterion("escalation_summary"))
COMMUNICATION = (Criterion("tone"), Criterion("empathy"), Criterion("proactive_guidance"),
                 Criterion("policy_denial_handling"), Criterion("clarity"))
_COMM_OFFSET = np.array([0.2, -0.1, -0.3, -0.4, 0.1])
_VENDOR_QA = np.array([v.qa for v in VENDORS])
_VENDOR_COMM = np.array([0.2, -0.1, 0.0])


def _rows(numbers: Arr, interaction_ids: pa.Array, reviewer: Arr, reviewed_us: Arr,
          scorecard: str, criteria: tuple[Criterion, ...], score: Arr, na: Arr,
          scale: tuple[float, float]) -> pa.Table:
    k, m = score.shape
    review = np.repeat(numbers, m)
    flat = np.tile(np.arange(m), k)
    return frames.table("qa_reviews", {
        "review_id": frames.ids("QA", review, 8),
        "interaction_id": frames.take(interaction_ids, np.repeat(np.arange(k), m)),
        "scorecard": frames.constant(scorecard, k * m),
        "criterion": frames.labels([c.name for c in criteria], flat),
        "score": frames.floats(score.ravel(), ~na.ravel()),
        "min_score": frames.floats(np.full(k * m, scale[0])),
        "max_score": frames.floats(np.full(k * m, scale[1])),
        "weight": frames.floats(np.array([c.weight for c in criteria])[flat]),
        "critical": frames.bools(np.array([c.critical for c in criteria])[flat]),
        "not_applicable": frames.bools(na.ravel()),
        "reviewer": frames.labels(REVIEWERS, np.repeat(reviewer, m)),
        "reviewed_at": frames.timestamps(np.repeat(reviewed_us, m)),
    })


def reviews(rng: np.random.Generator, ids: frames.Counters, interaction_ids: pa.Array,
            c: Contacts, h: Handled, org: Org) -> list[pa.Table]:
    """Both scorecards for each sampled interaction (and its calibration double)."""
    sampled = np.flatnonzero(h.handled & (h.closed_us >= 0)
                             & (rng.random(c.n) < SAMPLE_RATE[c.vendor]))
    double = rng.random(len(sampled)) < CALIBRATION_SHARE
    twice = sampled[double]
    rows = np.concatenate([sampled, twice])
    first = rng.integers(0, len(REVIEWERS), len(sampled))
    second = (first[double] + rng.integers(1, len(REVIEWERS), len(twice))) % len(REVIEWERS)
    reviewer = np.concatenate([first, second])
    delay = rng.integers(1, 11, len(rows)) * tl.DAY + rng.integers(0, 8 * 3600, len(rows)) \
        * tl.SECOND + np.r_[np.zeros(len(sampled), dtype=np.int64),
                            rng.integers(1, 4, len(twice)) * tl.DAY]
    reviewed = h.closed_us[rows] + delay
    keep = reviewed < tl.END_US
    rows, reviewer, reviewed = rows[keep], reviewer[keep], reviewed[keep]
    k = len(rows)
    if not k:
        return []
    ch, agent, vendor, slip = c.channel[rows], c.agent[rows], c.vendor[rows], h.slip[rows]

    care = (org.agent_care[agent] + _VENDOR_QA[vendor] + _REVIEWER_PASS_BIAS[reviewer]
            + np.where(slip, SLIP.qa, 0.0))
    p_pass = np.stack([sigmoid(2.2 + care), sigmoid(2.4 + care),
                       sigmoid(2.6 + care - 1.2 * (h.reopen_count[rows] > 0))], axis=1)
    passed = (rng.random((k, 3)) < p_pass).astype(float)
    sla = (h.wait_s[rows] <= SLA_SECONDS[ch]).astype(float)
    summary = h.summary[rows].astype(float)
    process = np.column_stack([passed, sla, summary])
    process_na = np.zeros((k, len(PROCESS)), dtype=bool)
    process_na[:, 1] = np.isin(ch, (PHONE, IN_STORE))
    process_na[:, 3] = (ch == IN_STORE) | c.outbound[rows]
    process_na[:, 4] = ~h.escalated[rows]

    base = (3.6 + 2.0 * org.agent_warmth[agent] + _VENDOR_COMM[vendor]
            + _REVIEWER_SCALE_BIAS[reviewer] + np.where(slip, -0.3, 0.0))
    raw = base[:, None] + _COMM_OFFSET[None, :] + rng.normal(0.0, 0.6, (k, len(COMMUNICATION)))
    raw[:, 1] += np.where(h.empathy[rows], EMPATHY.empathy_qa_shift, 0.0)
    comm = np.clip(np.rint(raw), 1, 5)
    comm_na = np.zeros((k, len(COMMUNICATION)), dtype=bool)
    comm_na[:, 3] = ~h.policy_denial[rows]

    reviewed_ids = frames.take(interaction_ids, rows)
    return [
        _rows(ids.take("review", k), reviewed_ids, reviewer, reviewed, "process_compliance",
              PROCESS, np.where(process_na, np.nan, process), process_na, (0.0, 1.0)),
        _rows(ids.take("review", k), reviewed_ids, reviewer, reviewed, "communication_quality",
              COMMUNICATION, np.where(comm_na, np.nan, comm), comm_na, (1.0, 5.0)),
    ]

