"""Free text: "Why?" survey comments chosen by theme from what actually happened, fake personal
data in a few of them (for redaction tests), escalation case summaries and social mentions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cxlens.demo.effects import EMERGING

Arr = npt.NDArray[Any]

THEMES: dict[str, tuple[str, ...]] = {
    "not_resolved": (
        "Still not fixed. I had to contact you {n} times about my {product}.",
        "The problem with my {product} is not solved and nobody followed up.",
        "You closed my ticket without fixing anything.",
        "The issue came back two days later and I had to explain it all again.",
    ),
    "slow_response": (
        "Waited {minutes} minutes before anyone answered.",
        "Far too slow to reply, {hours} hours for a simple question.",
        "Response time is terrible.",
        "I was on hold forever before I got through.",
    ),
    "billing_error": (
        "I was charged twice for {product}.",
        "My invoice is wrong again, please fix your billing.",
        "Billing error on my subscription and the refund is still pending.",
    ),
    "login_problems": (
        "Cannot log in to the app since the last update.",
        "The password reset link never arrives.",
        "Locked out of my account for {days} days.",
    ),
    "delivery_delay": (
        "My order is {days} days late and tracking shows nothing.",
        "Delivery delayed again with no updates.",
        "Parcel marked as delivered but it never arrived.",
    ),
    "refund_refused": (
        "You refused my return even though the {product} is faulty.",
        "Policy this, policy that, and no refund.",
        "They would not refund me for a product that does not work.",
    ),
    "transferred": (
        "Transferred three times and still no answer.",
        "Passed to another team and never heard back.",
        "Escalated to second line and then silence for {days} days.",
    ),
    "unhelpful_agent": (
        "The agent did not understand my problem.",
        "Felt like talking to a script.",
        "The agent was rude and dismissive.",
    ),
    "friendly_agent": (
        "{agent} was friendly and patient.",
        "Lovely agent who really cared about my problem.",
        "{agent} was great, thank you!",
    ),
    "quick_fix": (
        "Fixed in minutes, thanks!",
        "Quick and easy, problem solved first time.",
        "Sorted straight away, no fuss.",
    ),
    "knowledgeable": (
        "{agent} knew exactly what to do with my {product}.",
        "Very knowledgeable support.",
        "Clear explanation of the settings, now I understand how it works.",
    ),
    "product_love": (
        "Love my {product}, it works perfectly.",
        "Great products and great service.",
        "The {product} changed how I run my home.",
    ),
    "ok_but_slow": (
        "Got there in the end but it took a while.",
        "Resolved, but the wait was long.",
    ),
    "fine": (
        "It was ok.",
        "Fine.",
        "Nothing special, the issue was handled.",
        "Average experience.",
    ),
    "price": (
        "Too expensive compared to Corvid.",
        "The subscription price went up again.",
        "Good kit but the lumen plus plan is overpriced.",
    ),
    # the emerging complaint (effects.EMERGING): no comment has it before the app's release.
    # Every template says "the new app keeps crashing": words of its own, so it is not the
    # login complaint above, and one theme rather than one per template.
    EMERGING.theme: (
        "The new app keeps crashing, useless.",
        "The new app keeps crashing on my phone. Awful.",
        "The new app keeps crashing when I open it, so annoying.",
        "Since version 5.0 the new app keeps crashing. Terrible.",
        "The new app keeps crashing and freezing, really frustrating.",
    ),
}
THEME_NAMES = tuple(THEMES)
THEME = {name: i for i, name in enumerate(THEME_NAMES)}
_CHOSEN = len(THEME_NAMES) - 1  # choose_themes picks among all but the last, the emerging one
_TEMPLATES = tuple(THEMES.values())

_FIRST = ("jane", "john", "maria", "ahmed", "li", "sofia", "peter", "olga", "carlos", "emma")
_LAST = ("doe", "smith", "garcia", "khan", "wong", "rossi", "novak", "silva", "brown", "meyer")
PII_SHARE = 0.05


def card_number(rng: np.random.Generator) -> str:
    """A 16-digit, Luhn-valid, card-like number (test ranges only: it starts with 4000)."""
    digits = [4, 0, 0, 0, *[int(d) for d in rng.integers(0, 10, 11)]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[i:i + 4] for i in range(0, 16, 4))


def pii_snippet(rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 3))
    if kind == 0:
        first, last = _FIRST[rng.integers(0, 10)], _LAST[rng.integers(0, 10)]
        return f"You can reach me at {first}.{last}@example.com."
    if kind == 1:
        number = (f"+44 7700 900{rng.integers(0, 1000):03d}" if rng.random() < 0.5
                  else f"+1 555 01{rng.integers(0, 100):02d} {rng.integers(0, 10000):04d}")
        return f"Call me back on {number}."
    return f"My card {card_number(rng)} was charged twice."


def comments(rng: np.random.Generator, theme: Arr, product: Sequence[str],
             agent: Sequence[str | None]) -> list[str]:
    """One comment per row, from a random template of the row's theme."""
    n = len(theme)
    pick = rng.integers(0, 1 << 30, n)
    n_, days = rng.integers(2, 6, n), rng.integers(2, 13, n)
    minutes, hours = rng.integers(10, 56, n), rng.integers(6, 73, n)
    pii = rng.random(n) < PII_SHARE
    out: list[str] = []
    for i in range(n):
        options = _TEMPLATES[theme[i]]
        text = options[pick[i] % len(options)].format(
            n=n_[i], days=days[i], minutes=minutes[i], hours=hours[i], product=product[i],
            agent=agent[i] or "The agent")
        out.append(f"{text} {pii_snippet(rng)}" if pii[i] else text)
    return out


def plant_emerging(rng: np.random.Generator, theme: Arr, band: Arr, responded_us: Arr) -> Arr:
    """``theme`` with the emerging complaint planted (:data:`cxlens.demo.effects.EMERGING`): a
    share of the low and middle score answers given from the app's release on take its theme.
    ``rng`` is a stream of its own, so every other draw of the demo stays as it was."""
    share = np.where(band == 0, EMERGING.low_share,
                     np.where(band == 1, EMERGING.middle_share, 0.0))
    hit = (responded_us >= EMERGING.release_us) & (rng.random(len(theme)) < share)
    return np.where(hit, THEME[EMERGING.theme], theme)


def choose_themes(rng: np.random.Generator, band: Arr, *, fcr: Arr, wait_z: Arr, category: Arr,
                  escalated: Arr, policy_denial: Arr, relational: bool) -> Arr:
    """A theme per comment, weighted by what happened. ``band``: 0 low, 1 middle, 2 high score;
    ``category`` uses ``contacts.CATEGORIES`` numbering, -1 = none. Never the emerging
    complaint (:func:`plant_emerging` plants it)."""
    n = len(band)
    w = np.zeros((n, _CHOSEN))
    low, mid, high = band == 0, band == 1, band == 2
    slow = wait_z > 0.8
    neg = {
        "not_resolved": 4.0 * ~fcr + 0.2,
        "slow_response": 3.0 * slow + 0.3,
        "billing_error": 2.0 * (category == 0) + 0.1,
        "login_problems": 2.0 * np.isin(category, (1, 4)) + 0.1,
        "delivery_delay": 2.0 * (category == 2) + 0.1,
        "refund_refused": 3.0 * policy_denial + 0.5 * (category == 3) + 0.05,
        "transferred": 2.5 * escalated + 0.05,
        "unhelpful_agent": np.full(n, 0.6),
    }
    for name, weight in neg.items():
        w[:, THEME[name]] = np.where(low, weight, np.where(mid, 0.25 * weight, 0.0))
    w[:, THEME["ok_but_slow"]] = np.where(mid, 1.0 + 2.0 * slow, 0.0)
    w[:, THEME["fine"]] = np.where(mid, 1.5, np.where(high, 0.3, 0.0))
    w[:, THEME["friendly_agent"]] = np.where(high, 1.5, 0.0)
    w[:, THEME["quick_fix"]] = np.where(high, 1.5 * fcr + 0.2, 0.0)
    w[:, THEME["knowledgeable"]] = np.where(high, 1.0, 0.0)
    w[:, THEME["product_love"]] = np.where(high, 1.5 if relational else 0.3, 0.0)
    if relational:
        w[:, THEME["price"]] = np.where(low | mid, 1.2, 0.0)
        has_contact = category >= 0
        for name in ("friendly_agent", "knowledgeable"):
            w[:, THEME[name]] *= np.where(has_contact, 1.0, 0.2)
    cum = w.cumsum(axis=1)
    u = rng.random(n) * cum[:, -1]
    return np.asarray(np.minimum((u[:, None] >= cum).sum(axis=1), _CHOSEN - 1))


# -- escalation summaries --------------------------------------------------------------------
_ISSUE = (
    ("duplicate charge on the {product} plan", "invoice shows the wrong amount",
     "refund not received"),
    ("{product} drops off Wi-Fi every few hours", "{product} firmware update failed",
     "app cannot find the {product}"),
    ("parcel lost in transit", "courier says delivered, customer has nothing",
     "order stuck in the warehouse"),
    ("return label not generated", "faulty {product} outside the return window",
     "refund for the returned {product} missing"),
    ("account locked after password reset", "two accounts need merging",
     "two-factor codes not arriving"),
    ("address change after dispatch", "wants to swap the {product} colour",
     "order placed twice by mistake"),
    ("compatibility of the {product} with an older router", "{product} installation question",
     "feature request about the {product}"),
)
_CHECKED = ("verified identity", "checked the order history", "ran remote diagnostics",
            "power-cycled the device with the customer", "checked the payment logs",
            "confirmed the firmware version", "checked the courier tracking")
_ASK = ("a refund", "a replacement", "an engineer to look at the logs", "a manual account fix",
        "a call back today", "a goodwill credit")


def escalation_summaries(rng: np.random.Generator, category: Arr,
                         product: Sequence[str]) -> list[str]:
    n = len(category)
    a, b, c, d = (rng.integers(0, 1 << 30, n) for _ in range(4))
    out: list[str] = []
    for i in range(n):
        issues = _ISSUE[category[i]]
        issue = issues[a[i] % len(issues)].format(product=product[i])
        first, second = _CHECKED[b[i] % 7], _CHECKED[(b[i] + 1 + c[i] % 5) % 7]
        out.append(f"Issue: {issue}. Tier 1 {first} and {second}; not solvable at tier 1. "
                   f"Customer expects {_ASK[d[i] % len(_ASK)]}.")
    return out


# -- social mentions -------------------------------------------------------------------------
_MENTION = (
    ("Really happy with my new {brand} {item}, setup took five minutes.",
     "{brand} support sorted my problem in one call. Impressed.",
     "Switched from {other} to {brand} and not looking back.",
     "The {brand} {item} just works. Recommended."),
    ("Anyone tried the {brand} {item}? Thinking about getting one.",
     "{brand} announced a new {item} today.",
     "Comparing {brand} and {other} for a smart home setup, any advice?",
     "Is the {brand} {item} on sale this week?"),
    ("{brand} app down again, can't control my lights.",
     "Been waiting {days} days for {brand} to reply to my email.",
     "My {brand} {item} stopped working after the update. Not impressed.",
     "Second faulty {brand} {item} in a month. Done with them."),
)
_ITEMS = {"Lumen": ("hub", "bulb", "cam", "thermostat"),
          "Corvid": ("doorbell", "hub", "camera"),
          "Halcyon": ("speaker", "thermostat", "smart plug")}
_HANDLE_A = ("quiet", "urban", "sunny", "smart", "nerdy", "happy", "tired", "cosy", "techy", "bold")
_HANDLE_B = ("fox", "home", "owl", "dad", "mum", "geek", "panda", "otter", "coder", "wren")


def mention_texts(rng: np.random.Generator, brand: Sequence[str], sentiment: Arr) -> list[str]:
    """``sentiment``: 0 positive, 1 neutral, 2 negative."""
    n = len(brand)
    pick, item, other, days = (rng.integers(0, 1 << 30, n) for _ in range(4))
    out: list[str] = []
    names = tuple(_ITEMS)
    for i in range(n):
        options = _MENTION[sentiment[i]]
        items = _ITEMS[brand[i]]
        rivals = [b for b in names if b != brand[i]]
        out.append(options[pick[i] % len(options)].format(
            brand=brand[i], item=items[item[i] % len(items)], other=rivals[other[i] % 2],
            days=2 + days[i] % 9))
    return out


def handles(rng: np.random.Generator, n: int) -> list[str]:
    a, b, num = rng.integers(0, 10, n), rng.integers(0, 10, n), rng.integers(1, 1000, n)
    return [f"@{_HANDLE_A[a[i]]}{_HANDLE_B[b[i]]}{num[i]}" for i in range(n)]
