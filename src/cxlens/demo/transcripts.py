"""Transcripts of a share of the demo's conversations (``transcript_turns``), with planted
behaviour for AutoQA to find (:data:`cxlens.demo.effects.SKIPPER`).

Every QA-reviewed conversation gets a transcript (so AutoQA can be compared with the human
reviews), and so does a share (:data:`SHARE`) of the other handled, closed contacts outside
the store. A transcript is a fixed sequence of slots (opening message, greeting, the
customer's issue, a complaint, empathy, apology, hold, solution, recap, the customer's last
word, closing), each present or not; what each slot says comes from small phrase pools. The
demo's human reviews were generated before the transcripts, so the transcripts are made to
agree with them: where a conversation was reviewed, the reviewer's scores set how likely each
behaviour is (an empathy score of 4 or 5 → an empathy statement is likely, 3 or less →
unlikely); elsewhere the agent's
warmth and care, as the reviews' own model uses them. On top of that the planted team skips
the greeting and the recap whatever the reviewers said, and empathy statements rise with the
empathy training (through the reviewers' empathy scores and the same shift elsewhere).

Everything is vectorised over the conversations of a chunk: ~9 turns each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cxlens.demo import frames
from cxlens.demo import timeline as tl
from cxlens.demo.contacts import CATEGORIES, CHAT, IN_STORE, PHONE, WRITTEN, Contacts
from cxlens.demo.effects import EMPATHY, SKIPPER
from cxlens.demo.handling import Handled, sigmoid
from cxlens.demo.org import SKILLS, Org

Arr = npt.NDArray[Any]

#: Share of the handled, closed contacts (outside the store) with a transcript, beyond the
#: reviewed ones (which always have one).
SHARE = 0.08

_POOLS: dict[str, tuple[str, ...]] = {
    "opening_phone": ("Thank you for calling Lumen. Your call may be recorded for training.",),
    "opening_chat": ("You're now chatting with Lumen support. An agent will join shortly.",),
    "greeting": ("Hello, you're through to Lumen support, how can I help you today?",
                 "Hi there, welcome to Lumen support! What can I do for you?",
                 "Good morning, thanks for contacting Lumen. How can I help?"),
    "issue_billing": ("I was charged twice on my last invoice.",
                      "My bill is higher than usual this month."),
    "issue_technical": ("My Lumen hub keeps dropping off the wifi.",
                        "The camera app won't connect to my cam any more."),
    "issue_delivery": ("My order hasn't arrived yet.", "The tracking hasn't moved for days."),
    "issue_returns": ("I want to return a bulb that doesn't work.",
                      "How do I send back the thermostat?"),
    "issue_account": ("I can't log in to my account.", "I need to change the e-mail on my "
                      "account."),
    "issue_order_change": ("Can I change the address on my order?",
                           "I ordered the wrong colour, can I swap it?"),
    "issue_product_question": ("Does the hub work with my old bulbs?",
                               "Which thermostat fits my boiler?"),
    "complaint": ("This is really frustrating, it's the second time.",
                  "Honestly this is annoying, I've waited long enough.",
                  "I'm not happy about this at all."),
    "question": ("Can you give me your order or account number?",
                 "Which e-mail address is the account under?"),
    "empathy": ("I understand how frustrating that must be.",
                "I can imagine how annoying that is.",
                "That must be really inconvenient for you."),
    "apology": ("I'm sorry about that.", "I apologise for the trouble.",
                "Sorry for the inconvenience."),
    "answer": ("Sure, it's the one ending 4471.", "It's under my work e-mail.",
               "Yes, it's LUM-20931."),
    "hold": ("Let me check that for you, one moment please.",
             "Please hold while I look into it."),
    "solution": ("I've fixed it on our side and it works now.",
                 "I've issued a refund for the duplicate charge.",
                 "I've arranged a replacement to be sent out."),
    "no_solution": ("I'll pass this on to the team.", "You'll have to wait, I can't do more."),
    "recap": ("To recap: the change is done and you'll get a confirmation e-mail within the "
              "hour.",
              "So, next steps: keep an eye on your inbox, the team will follow up in two days.",
              "Just to summarise, the refund takes three to five working days."),
    "end_positive": ("Great, thank you so much, that's really helpful!",
                     "Perfect, thanks a lot, brilliant service."),
    "end_neutral": ("OK.", "Right, fine."),
    "end_negative": ("This is useless, I'm really unhappy with this.",
                     "Terrible, nothing has been solved and I'm angry."),
    "closing": ("Thanks for contacting Lumen, have a great day!",
                "Is there anything else I can help with? Take care, goodbye."),
}
_NAMES = tuple(_POOLS)
_TEXTS = pa.array([t for n in _NAMES for t in _POOLS[n]], type=pa.string())
_START = dict(zip(_NAMES, np.cumsum([0, *[len(_POOLS[n]) for n in _NAMES[:-1]]]), strict=True))

#: The slots of a conversation, in order: (name, speaker).
SLOTS = (("opening", "system"), ("greeting", "agent"), ("issue", "customer"),
         ("complaint", "customer"), ("question", "agent"), ("answer", "customer"),
         ("empathy", "agent"), ("apology", "agent"), ("hold", "agent"),
         ("solution", "agent"), ("recap", "agent"), ("end", "customer"), ("closing", "agent"))
_SPEAKERS = ("agent", "customer", "system")
_SLOT = {name: i for i, (name, _) in enumerate(SLOTS)}
_LONG_HOLD = 60.0  # seconds: holds longer than this become a silence in the transcript


def skipper_team(org: Org) -> int:
    """The planted team: the first team of the skipping vendor's skill."""
    return int(org.pods[(SKIPPER.vendor, SKILLS.index(SKIPPER.skill))][0])


def _human(reviews: list[pa.Table], inter_ids: pa.Array, n: int) -> dict[str, Arr]:
    """Per contact of the chunk, the first reviewer's score of each criterion (NaN when not
    reviewed or N/A)."""
    out: dict[str, Arr] = {}
    for table in reviews:
        if table.num_rows == 0:
            continue
        where = pc.index_in(table["interaction_id"], value_set=inter_ids).to_numpy(
            zero_copy_only=False)
        review = table["review_id"].to_numpy(zero_copy_only=False)
        criterion = table["criterion"].to_numpy(zero_copy_only=False)
        score = table["score"].to_numpy(zero_copy_only=False).astype(float)
        for name in np.unique(criterion):
            values = np.full(n, np.nan)
            rows = np.flatnonzero(criterion == name)
            rows = rows[np.argsort(review[rows], kind="stable")[::-1]]  # first review wins
            values[where[rows].astype(np.int64)] = score[rows]
            out[str(name)] = values
    return out


def _or(human: dict[str, Arr], name: str, idx: Arr, fallback: Arr) -> Arr:
    values = human.get(name)
    if values is None:
        return fallback
    picked = values[idx]
    return np.where(np.isnan(picked), fallback, picked)


def transcripts(rng: np.random.Generator, inter_ids: pa.Array, c: Contacts, h: Handled,
                org: Org, reviews: list[pa.Table]) -> pa.Table | None:
    """The turns of the chunk's transcripts (see the module docstring)."""
    human = _human(reviews, inter_ids, c.n)
    reviewed = ~np.isnan(human["followed_sop"]) if "followed_sop" in human \
        else np.zeros(c.n, dtype=bool)
    drawn = rng.random(c.n) < SHARE
    idx = np.flatnonzero(h.handled & (h.closed_us >= 0) & (c.channel != IN_STORE)
                         & (drawn | reviewed))
    k = len(idx)
    if not k:
        return None
    agent, ch = c.agent[idx], c.channel[idx]
    warmth, care = org.agent_warmth[agent], org.agent_care[agent]
    trained = h.empathy[idx]

    def score(shift: float | Arr) -> Arr:  # a 1–5 score like the reviews' model
        raw = 3.6 + 2.0 * warmth + shift + rng.normal(0.0, 0.6, k)
        return np.asarray(np.clip(np.rint(raw), 1, 5))

    empathy = _or(human, "empathy", idx, score(-0.1 + EMPATHY.empathy_qa_shift * trained))
    guidance = _or(human, "proactive_guidance", idx, score(-0.3))
    tone = _or(human, "tone", idx, score(0.2))
    clarity = _or(human, "clarity", idx, score(0.1))
    sop = _or(human, "followed_sop", idx,
              (rng.random(k) < sigmoid(2.2 + care)).astype(float))

    skipper = org.agent_team[agent] == skipper_team(org)
    resolved, fcr = h.resolved[idx], h.fcr[idx]
    complaint = h.policy_denial[idx] | ~fcr | (h.wait_z[idx] > 1.0)
    hold_s = np.nan_to_num(h.hold_s[idx]) * (ch == PHONE)
    hold_s = np.where((ch == CHAT) & (rng.random(k) < 0.08), rng.uniform(90, 300, k), hold_s)
    u = rng.random((k, len(SLOTS)))
    p = np.zeros((k, len(SLOTS)))
    p[:, _SLOT["opening"]] = np.isin(ch, (PHONE, CHAT))
    p[:, _SLOT["greeting"]] = np.where(skipper, SKIPPER.greeting_rate,
                                       np.where(sop > 0.5, 0.99, 0.3))
    p[:, _SLOT["issue"]] = 1.0
    p[:, _SLOT["complaint"]] = complaint
    p[:, _SLOT["question"]] = 1.0
    p[:, _SLOT["answer"]] = 1.0
    p[:, _SLOT["empathy"]] = sigmoid(4.0 * (empathy - 3.5))
    p[:, _SLOT["apology"]] = complaint * sigmoid(4.0 * (tone - 3.5))
    p[:, _SLOT["hold"]] = hold_s > _LONG_HOLD
    p[:, _SLOT["solution"]] = 1.0
    p[:, _SLOT["recap"]] = np.where(skipper, SKIPPER.recap_rate, sigmoid(4.0 * (guidance - 3.5)))
    p[:, _SLOT["end"]] = 1.0
    p[:, _SLOT["closing"]] = np.where(sop > 0.5, 0.99, 0.3)
    present = u < p

    solved = rng.random(k) < sigmoid(4.0 * (clarity - 3.5) + np.where(resolved, 0.5, -1.0))
    mood = np.where(fcr, np.where(rng.random(k) < 0.85, 2, 1),
                    np.where(resolved, np.where(rng.random(k) < 0.5, 1, 2),
                             np.where(rng.random(k) < 0.7, 0, 1)))
    text = np.zeros((k, len(SLOTS)), dtype=np.int64)
    for name, _ in SLOTS:
        if name in ("opening", "issue", "solution", "end"):
            continue
        text[:, _SLOT[name]] = _START[name] + rng.integers(0, len(_POOLS[name]), k)
    text[:, _SLOT["opening"]] = np.where(ch == PHONE, _START["opening_phone"],
                                         _START["opening_chat"])
    cat_start = np.array([_START[f"issue_{x}"] for x in CATEGORIES])
    text[:, _SLOT["issue"]] = cat_start[c.category[idx]] + rng.integers(0, 2, k)
    text[:, _SLOT["solution"]] = np.where(solved, _START["solution"] + rng.integers(0, 3, k),
                                          _START["no_solution"] + rng.integers(0, 2, k))
    ends = np.array([_START["end_negative"], _START["end_neutral"], _START["end_positive"]])
    text[:, _SLOT["end"]] = ends[mood] + rng.integers(0, 2, k)

    # seconds between turns: a few on the phone, tens in a chat, hours in writing
    written = WRITTEN[ch]
    gap = np.where(written[:, None], rng.uniform(600, 6 * 3600, (k, len(SLOTS))),
                   np.where((ch == PHONE)[:, None], rng.uniform(3, 25, (k, len(SLOTS))),
                            rng.uniform(10, 50, (k, len(SLOTS)))))
    gap[:, 0] = 0.0
    hold_slot = _SLOT["hold"] + 1  # the silence comes after the hold message
    gap[:, hold_slot] += np.where(present[:, _SLOT["hold"]], hold_s, 0.0)
    offset = np.cumsum(np.where(present, gap, 0.0), axis=1)
    offset -= offset[np.arange(k), present.argmax(axis=1)][:, None]  # first turn at 0
    start = np.where(h.answered_us[idx] >= 0, h.answered_us[idx], c.created_us[idx])
    # a written thread ends by the time the contact was closed
    span = np.maximum((h.closed_us[idx] - start) / tl.SECOND, 1.0)
    shrink = np.where(written, np.minimum(1.0, span / np.maximum(offset.max(axis=1), 1.0)), 1.0)
    offset *= shrink[:, None]
    turn = np.cumsum(present, axis=1) - 1
    rows, slots = np.nonzero(present)
    seconds = offset[rows, slots]
    speaker = np.array([_SPEAKERS.index(s) for _, s in SLOTS])[slots]
    return frames.table("transcript_turns", {
        "interaction_id": frames.take(inter_ids, idx[rows]),
        "turn": frames.ints(turn[rows, slots]),
        "speaker": frames.labels(_SPEAKERS, speaker),
        "spoken_at": frames.timestamps(start[rows] + (seconds * tl.SECOND).astype(np.int64)),
        "offset_seconds": frames.floats(np.round(seconds, 1)),
        "text": pc.take(_TEXTS, pa.array(text[rows, slots])),
    })
