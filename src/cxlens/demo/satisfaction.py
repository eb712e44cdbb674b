"""Score models: latent satisfaction from what happened, plus logistic noise, cut into the
survey's scale (an ordered-logit model). The effect sizes come from ``effects``."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxlens.demo.contacts import Contacts
from cxlens.demo.effects import COHORT, EMPATHY, SATISFACTION, SLIP
from cxlens.demo.handling import Handled
from cxlens.demo.org import VENDORS, Org

Arr = npt.NDArray[Any]

#: Cut points of latent + noise for CSAT 2, 3, 4, 5 (below the first = 1).
CSAT_CUTS = np.array([-1.95, -1.05, -0.15, 1.35])
#: Cut points for CES 2..7 ("The company made it easy for me to handle my issue", 1–7).
CES_CUTS = np.array([-2.7, -1.9, -1.1, -0.35, 0.55, 1.6])


def _logit(p: Arr) -> Arr:
    return np.asarray(np.log(p / (1 - p)))


#: Relational NPS with latent 0: 18 % detractors (0–6), 37 % passives, 45 % promoters.
NPS_CUTS = _logit(np.array([0.02, 0.035, 0.05, 0.07, 0.09, 0.12, 0.18, 0.33, 0.55, 0.80]))
NPS_SEGMENT = np.array([0.0, -0.05, 0.10, 0.0])  # consumer, smb, enterprise, unknown
_VENDOR_CSAT = np.array([v.csat for v in VENDORS])


def ordinal(rng: np.random.Generator, latent: Arr, cuts: Arr, lowest: int) -> Arr:
    """Scores ``lowest`` .. ``lowest + len(cuts)`` from an ordered-logit model."""
    y = latent + rng.logistic(0.0, 1.0, len(latent))
    return np.asarray(lowest + (y[:, None] > cuts[None, :]).sum(axis=1))


def csat_latent(c: Contacts, h: Handled, org: Org) -> Arr:
    s = SATISFACTION
    latent = (s.fcr * h.fcr + s.wait_per_sd * h.wait_z + s.policy_denial * h.policy_denial
              + s.escalated * h.escalated + _VENDOR_CSAT[c.vendor] + org.agent_warmth[c.agent]
              + np.where(h.slip, SLIP.csat, 0.0) + np.where(h.empathy, EMPATHY.csat_shift, 0.0))
    return np.asarray(latent)


def ces_latent(c: Contacts, h: Handled, org: Org) -> Arr:
    s = SATISFACTION
    extra = np.clip(h.agent_replies - 1, 0, 5)
    latent = (s.ces_fcr * h.fcr + s.ces_wait_per_sd * h.wait_z + s.ces_per_extra_reply * extra
              + s.ces_escalated * h.escalated + 0.5 * org.agent_warmth[c.agent])
    return np.asarray(latent)


def nps_latent(loyalty: Arr, segment: Arr, *, has_contact: Arr, last_fcr: Arr,
               last_wait_z: Arr, any_reopen: Arr, unresolved_escalation: Arr) -> Arr:
    m = COHORT
    contact = np.where(last_fcr, m.last_contact_fcr, m.last_contact_not_fcr) \
        + m.wait_per_sd * last_wait_z
    latent = (loyalty + NPS_SEGMENT[segment] + np.where(has_contact, contact, 0.0)
              + m.any_reopen * any_reopen + m.unresolved_escalation * unresolved_escalation)
    return np.asarray(latent)
