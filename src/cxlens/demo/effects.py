"""The effects planted in the demo data, in one place: the generator reads its parameters from
here and ``DemoSummary.planted`` describes them, so the two cannot disagree.

Analysis code (key drivers, support-cohort NPS, initiative impact, vendor drift alerts) is
expected to *recover* these from the data without being told; the tests and docs/demo.md
state the sizes as measured in a build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxlens.demo import timeline as tl
from cxlens.demo.org import ACME, NORTHWIND, VENDOR_NAMES


@dataclass(frozen=True)
class SatisfactionModel:
    """Latent CSAT (and CES) = sum of these effects + logistic noise, cut into a 1–5 (1–7)
    scale. Wait is measured as z = (ln wait − ln channel median) / channel spread, where wait is
    speed of answer for phone and chat and first-response time for written channels."""

    fcr: float = 1.95  # resolved on first contact (resolved and never reopened)
    wait_per_sd: float = -0.55
    policy_denial: float = -0.60
    escalated: float = -0.25
    ces_fcr: float = 1.30
    ces_wait_per_sd: float = -0.45
    ces_per_extra_reply: float = -0.30
    ces_escalated: float = -0.50


@dataclass(frozen=True)
class CohortModel:
    """Relational NPS latent = customer loyalty + these effects of the customer's support
    contacts in the 90 days before the survey (0 with no contact)."""

    window_days: int = 90
    last_contact_fcr: float = 0.06
    last_contact_not_fcr: float = -0.30
    wait_per_sd: float = -0.12
    any_reopen: float = -0.15
    unresolved_escalation: float = -0.42


@dataclass(frozen=True)
class Initiative:
    """Empathy training at one vendor: a lift of latent CSAT from its start date."""

    name: str = "Empathy training at Acme BPO"
    vendor: int = ACME
    start: dt.date = dt.date(2026, 4, 1)
    csat_shift: float = 0.50  # latent; ≈ +6 points of CSAT top-2-box at Acme's pre-period level
    empathy_qa_shift: float = 0.55  # QA "empathy" criterion (1–5 scale) rises too

    @property
    def start_us(self) -> int:
        return tl.micros(self.start)


@dataclass(frozen=True)
class Slip:
    """One vendor gets worse for three consecutive months, then recovers."""

    vendor: int = NORTHWIND
    months: tuple[int, ...] = (7, 8, 9)  # month numbers of the period: 2026-05, 2026-06, 2026-07
    fcr: float = -1.05  # logit of solving on first contact
    reopen: float = 1.10  # logit of reopening a solved ticket
    aht: float = 1.30  # handle-time multiplier
    wait: float = 1.60  # queue-wait multiplier
    csat: float = -0.40  # latent CSAT, on top of what worse FCR and waits already cost
    summary_rate: float = 0.45  # share of escalations with a case summary (normally 0.84)
    qa: float = -0.90  # logit of passing process-compliance criteria

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(tl.MONTHS[m] for m in self.months)


@dataclass(frozen=True)
class FollowupModel:
    """The closed loop: how fast owners contact the customers of follow-up cases."""

    median_hours: tuple[float, float, float] = (8.0, 14.0, 30.0)  # in-house, Acme, Northwind
    slip_factor: float = 2.5  # Northwind's slip months: that much slower again
    unreachable: float = 0.10  # share of customers never reached

    @property
    def slow_months(self) -> tuple[str, ...]:
        return SLIP.labels


@dataclass(frozen=True)
class CherryPicker:
    """One agent who picks easy tickets: in the first team of a vendor's skill, the agent
    whose own skill, warmth and speed are closest to average hands most of their hard
    contacts to team-mates and takes team-mates' easy ones (easy: these ticket types at these
    priorities), so their raw CSAT and AHT look better than their team's while, adjusted for
    case mix, they are an average agent."""

    vendor: int = ACME
    skill: str = "technical"
    easy_categories: tuple[str, ...] = ("product_question",)
    easy_priorities: tuple[str, ...] = ("low", "normal")
    keep_hard: float = 0.25  # share of their own hard contacts they keep
    take_easy: float = 0.6  # share of team-mates' easy contacts they take


@dataclass(frozen=True)
class ScriptSkipper:
    """One team skips the script in its transcripts: its agents rarely greet the customer
    and rarely recap the next steps (AutoQA's greeting and recap checks should find it). The
    other behaviours of the transcripts follow the agents' warmth and care, and empathy
    statements rise with the empathy training (:data:`EMPATHY`)."""

    vendor: int = NORTHWIND
    skill: str = "orders"
    greeting_rate: float = 0.30  # share of its conversations with a greeting
    recap_rate: float = 0.20  # share with a recap of next steps


@dataclass(frozen=True)
class EmergingTheme:
    """A complaint that appears in the demo's last month: the Lumen app's version 5.0, released
    on ``release``, crashes and freezes. From that day a share of the low-score answers
    (CSAT 1–2, NPS 0–6) and of the middle ones (CSAT 3, NPS 7–8) comment on it instead of what
    they would have said; before it no comment does. ``cxlens themes track`` run to the end of
    August and again to the end of September finds it as one new theme, and the example
    ``themes-emerging`` alert rule opens an alert for it."""

    theme: str = "app_crash"  # its templates are in cxlens.demo.text.THEMES
    release: dt.date = dt.date(2026, 9, 1)
    low_share: float = 0.50
    middle_share: float = 0.20

    @property
    def release_us(self) -> int:
        return tl.micros(self.release)


SATISFACTION = SatisfactionModel()
COHORT = CohortModel()
EMPATHY = Initiative()
SLIP = Slip()
FOLLOWUP = FollowupModel()
CHERRY = CherryPicker()
SKIPPER = ScriptSkipper()
EMERGING = EmergingTheme()
SELF_SERVICE_NAME = "Self-service help centre relaunch"


def planted(cherry_picker: str = "",
            skipper_team: str = "") -> dict[str, dict[str, str | float]]:
    """A description of every planted effect and its parameters (for ``DemoSummary``);
    ``cherry_picker`` is the id of the agent chosen to pick easy tickets, ``skipper_team``
    the team that skips the script in its transcripts."""
    d = tl.DEFLECTION
    return {
        "emerging_theme": {
            "what": f"From {EMERGING.release.isoformat()} (the app's version 5.0) about "
                    f"{EMERGING.low_share:.0%} of the low-score and {EMERGING.middle_share:.0%} "
                    "of the middle-score survey comments complain that the new app crashes or "
                    "freezes; no comment does before. Kept themes (cxlens themes track) run to "
                    "the end of August and then of September find it as one new theme and the "
                    "themes-emerging alert rule opens an alert for it.",
            "theme": EMERGING.theme,
            "release": EMERGING.release.isoformat(),
            "low_share": EMERGING.low_share,
            "middle_share": EMERGING.middle_share,
        },
        "script_skipping_team": {
            "what": f"In the transcripts, team {skipper_team or '(chosen by the build)'} of "
                    f"{VENDOR_NAMES[SKIPPER.vendor]} greets the customer in about "
                    f"{SKIPPER.greeting_rate:.0%} of its conversations and recaps the next "
                    f"steps in about {SKIPPER.recap_rate:.0%} (other teams greet in nine "
                    "conversations out of ten and recap in about four out of ten); AutoQA's "
                    "greeting and recap checks find it. Empathy statements "
                    f"rise at {VENDOR_NAMES[EMPATHY.vendor]} from {EMPATHY.start.isoformat()}.",
            "team": skipper_team,
            "vendor": VENDOR_NAMES[SKIPPER.vendor],
            "greeting_rate": SKIPPER.greeting_rate,
            "recap_rate": SKIPPER.recap_rate,
        },
        "cherry_picker": {
            "what": f"Agent {cherry_picker or '(chosen by the build)'} of "
                    f"{VENDOR_NAMES[CHERRY.vendor]}'s first {CHERRY.skill} team keeps only "
                    f"{CHERRY.keep_hard:.0%} of their hard contacts and takes "
                    f"{CHERRY.take_easy:.0%} of their team-mates' easy ones "
                    f"({', '.join(CHERRY.easy_categories)} at "
                    f"{' or '.join(CHERRY.easy_priorities)} "
                    "priority): better raw AHT and CSAT than the team, average once adjusted "
                    "for case mix.",
            "agent": cherry_picker,
            "vendor": VENDOR_NAMES[CHERRY.vendor],
            "keep_hard": CHERRY.keep_hard,
            "take_easy": CHERRY.take_easy,
        },
        "fcr_drives_satisfaction": {
            "what": "The strongest driver of transactional CSAT (and CES) and of relational NPS "
                    "is resolution on first contact (resolved and reopen_count = 0); wait time "
                    "(speed of answer / first response) is second; policy denial and escalation "
                    "matter less.",
            "csat_latent_fcr": SATISFACTION.fcr,
            "csat_latent_wait_per_sd": SATISFACTION.wait_per_sd,
            "nps_latent_last_contact_fcr_vs_not": COHORT.last_contact_fcr
            - COHORT.last_contact_not_fcr,
            "nps_latent_wait_per_sd": COHORT.wait_per_sd,
        },
        "support_cohort_nps": {
            "what": "Relational NPS of customers with zero reopens in the 90 days before the "
                    "survey is about 20-25 points higher than NPS of customers with an "
                    "unresolved escalation (escalated and not resolved) in that window.",
            "window_days": float(COHORT.window_days),
            "expected_gap_points": 22.0,
        },
        "acme_empathy_initiative": {
            "what": f"'{EMPATHY.name}' lifts {VENDOR_NAMES[EMPATHY.vendor]}'s CSAT top-2-box by "
                    "about 6 points for interactions created from its start date; other vendors "
                    "are unchanged, so a difference-in-differences against the in-house team "
                    "recovers it (Northwind's slip months, inside the post period, must be "
                    "excluded if Northwind is used as a control).",
            "vendor": VENDOR_NAMES[EMPATHY.vendor],
            "start": EMPATHY.start.isoformat(),
            "csat_top2_lift_points": 6.0,
        },
        "northwind_slip": {
            "what": f"{VENDOR_NAMES[SLIP.vendor]} performs clearly worse in "
                    f"{', '.join(SLIP.labels)} (lower FCR, more reopens, higher AHT, longer "
                    "waits, lower CSAT, fewer escalation summaries, worse QA), then recovers.",
            "vendor": VENDOR_NAMES[SLIP.vendor],
            "months": ",".join(SLIP.labels),
            "aht_multiplier": SLIP.aht,
            "escalation_summary_rate": SLIP.summary_rate,
        },
        "followup_speed": {
            "what": "Follow-up cases (NPS 0-6, CSAT 1-2) are first contacted after a median of "
                    f"{FOLLOWUP.median_hours[0]:g} h in-house, {FOLLOWUP.median_hours[1]:g} h "
                    f"at {VENDOR_NAMES[ACME]} and {FOLLOWUP.median_hours[2]:g} h at "
                    f"{VENDOR_NAMES[NORTHWIND]} ({FOLLOWUP.slip_factor:g}× slower again in its "
                    f"slip months), so Northwind has the most overdue cases; "
                    f"{FOLLOWUP.unreachable:.0%} of customers are never reached.",
            "vendor": VENDOR_NAMES[NORTHWIND],
            "median_hours_northwind": FOLLOWUP.median_hours[2],
        },
        "self_service_deflection": {
            "what": f"'{SELF_SERVICE_NAME}' (all scope) cuts {' and '.join(d.categories)} "
                    f"contacts by {d.reduction:.0%} from {d.start.isoformat()}; satisfaction "
                    "is unaffected.",
            "start": d.start.isoformat(),
            "volume_reduction": d.reduction,
        },
    }
