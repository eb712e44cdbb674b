"""Survey invitations: every transactional CSAT invitation (one per closed, handled contact of
a known customer, as Zendesk sends them) and every relational NPS invitation, answered or not.
The answered ones point at the response they produced; a few e-mails bounce.

Drawn from their own random stream, so adding invitations leaves every other demo table as it
was."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cxlens.demo import frames
from cxlens.schema import SURVEY_CHANNELS

Arr = npt.NDArray[Any]

#: Share of unanswered e-mail invitations that bounced.
EMAIL_BOUNCE = 0.03
_EMAIL = SURVEY_CHANNELS.index("email")


def invitation_table(rng: np.random.Generator, ids: frames.Counters, *, survey: str,
                     programme: str, sent_us: Arr, customer_ids: pa.Array,
                     interaction_ids: pa.Array | None, channel: Arr, touchpoint: list[str],
                     responded_us: Arr, answered: Arr, response_ids: pa.Array) -> pa.Table:
    """``answered`` marks invitations with a response; ``responded_us`` and ``response_ids``
    are only read there (``response_ids`` holds one id per answered invitation, in order)."""
    n = len(sent_us)
    bounced = ~answered & (channel == _EMAIL) & (rng.random(n) < EMAIL_BOUNCE)
    status = np.where(bounced, 1, 0)
    position = np.cumsum(answered) - 1
    kind = "relational" if interaction_ids is None else "transactional"
    return frames.table("survey_invitations", {
        "invitation_id": frames.ids("V", ids.take("invitation", n), 10),
        "survey": frames.constant(survey, n),
        "programme": frames.constant(programme, n),
        "sent_at": frames.timestamps(sent_us),
        "customer_id": customer_ids,
        "interaction_id": interaction_ids if interaction_ids is not None
        else frames.constant(None, n),
        "survey_channel": frames.labels(SURVEY_CHANNELS, channel),
        "kind": frames.constant(kind, n),
        "touchpoint": frames.texts(touchpoint),
        "status": frames.labels(("sent", "bounced"), status),
        "reason": frames.labels(("mailbox unavailable",), np.zeros(n), bounced),
        "responded_at": frames.timestamps(responded_us, answered),
        "response_id": frames.take(response_ids, np.maximum(position, 0), answered)
        if len(response_ids) else frames.constant(None, n),
    })
