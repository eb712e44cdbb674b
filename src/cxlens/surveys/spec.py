"""Survey programmes as data: one YAML file (``programmes.yaml``) declares the programmes, the
contact-frequency (fatigue) rules, how invitations are delivered, the closed-loop rules and the
outgoing webhooks. ``load`` reports every problem of the file at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cxlens.errors import ConfigError, did_you_mean
from cxlens.schema import SURVEY_CHANNELS, SURVEY_SCALES
from cxlens.specfile import parse_yaml

Text = dict[str, str]  # language → text
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
DEMOGRAPHICS = {"age_group": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
                "gender": ("female", "male", "non-binary", "prefer not to say")}
EVENTS = ("response.created", "case.created", "case.overdue", "case.reminder", "alert.opened",
          "alert.resolved")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScoreQuestion(_Model):
    text: Text = Field(description="The score question per language.")
    low_label: Text = Field(default_factory=dict, description="Label of the lowest score.")
    high_label: Text = Field(default_factory=dict, description="Label of the highest score.")


class Extra(_Model):
    id: str = Field(description="Answer name; stored as its own survey_responses row.")
    text: Text
    type: Literal["yes_no", "scale", "choice"] = "scale"
    min: int = 1
    max: int = 5
    options: dict[str, list[str]] = Field(default_factory=dict,
                                          description="For type choice: options per language.")

    @model_validator(mode="after")
    def _check(self) -> Extra:
        if not _NAME.match(self.id):
            raise ValueError(f"question id {self.id!r} must be lower-case letters, digits, - or _")
        if self.type == "choice" and not self.options:
            raise ValueError(f"question {self.id}: a choice question needs options")
        if self.type == "scale" and self.min >= self.max:
            raise ValueError(f"question {self.id}: min must be below max")
        return self

    def scale(self, language: str) -> tuple[int, int]:
        if self.type == "yes_no":
            return 0, 1
        if self.type == "choice":
            return 1, len(self.options.get(language) or next(iter(self.options.values())))
        return self.min, self.max


class Questions(_Model):
    score: ScoreQuestion
    why: Text | None = Field(default=None, description='The open "Why?" question (optional).')
    extra: tuple[Extra, ...] = ()
    demographics: tuple[Literal["age_group", "gender"], ...] = ()


class Milestone(_Model):
    event: Literal["onboarding", "renewal"] = Field(
        description="onboarding: after acquired_at; renewal: after each yearly anniversary.")
    days_after: int = Field(default=30, ge=0)


class Trigger(_Model):
    type: Literal["interaction_closed", "cadence", "milestone"]
    delay_hours: float = Field(default=0, ge=0, description="Wait after the close.")
    resend_after_reopen: bool = Field(default=False, description="Invite again when a "
                                      "reopened interaction closes again.")
    interaction_channels: tuple[str, ...] = Field(default=(), description="Only interactions "
                                                  "on these channels (empty: all).")
    categories: tuple[str, ...] = ()
    every_days: int | None = Field(default=None, ge=1, description="Cadence (relational).")
    milestones: tuple[Milestone, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Trigger:
        if self.type == "cadence" and not self.every_days:
            raise ValueError("a cadence trigger needs every_days (e.g. 90 for quarterly)")
        if self.type == "milestone" and not self.milestones:
            raise ValueError("a milestone trigger needs milestones (onboarding, renewal)")
        return self


class Reminders(_Model):
    max: int = Field(default=1, ge=0, le=5)
    after_days: float = Field(default=3, gt=0, description="Minimum days between sends.")


class Programme(_Model):
    name: str
    survey: str = Field(description="csat, nps, ces or a custom survey name.")
    scale: tuple[int, int] | None = Field(default=None, description="[min, max]; standard "
                                          "surveys default to csat 1–5, nps 0–10, ces 1–7.")
    touchpoint: str | None = None
    trigger: Trigger
    channels: tuple[str, ...] = ("email",)
    questions: Questions
    subject: Text = Field(default_factory=dict)
    min_gap_days: float = Field(default=0, ge=0, description="Per-customer gap between two "
                                "invitations of this programme (e.g. 90 for NPS).")
    reminders: Reminders = Reminders(max=0)
    link_days: float = Field(default=14, gt=0, description="Days a link stays valid.")
    active: bool = True

    @model_validator(mode="after")
    def _check(self) -> Programme:
        if not _NAME.match(self.name):
            raise ValueError(f"programme name {self.name!r} must be lower-case letters, "
                             "digits, - or _")
        if self.scale is None and self.survey not in SURVEY_SCALES:
            raise ValueError(f"custom survey {self.survey!r} needs a scale: [min, max]")
        lo, hi = self.bounds
        if lo >= hi:
            raise ValueError("scale: min must be below max")
        for ch in self.channels:
            if ch not in SURVEY_CHANNELS or ch == "web":
                raise ValueError(f"unknown channel {ch!r}.{did_you_mean(ch, SURVEY_CHANNELS)} "
                                 "(email, sms, ivr, in_app)")
        return self

    @property
    def bounds(self) -> tuple[int, int]:
        return self.scale or SURVEY_SCALES[self.survey]

    @property
    def kind(self) -> str:
        return "transactional" if self.trigger.type == "interaction_closed" else "relational"

    @property
    def languages(self) -> list[str]:
        return list(self.questions.score.text)

    def text(self, texts: Text, language: str) -> str:
        return texts.get(language) or texts.get(self.languages[0]) or next(iter(texts.values()))


class AttributeRule(_Model):
    when: dict[str, list[str]] = Field(description="Customer attributes, e.g. "
                                       "{segment: [enterprise]}.")
    min_gap_days: float = Field(ge=0)


class Cap(_Model):
    max: int = Field(ge=1)
    days: float = Field(gt=0)


class Fatigue(_Model):
    min_gap_days: float = Field(default=7, ge=0, description="Between any two invitations "
                                "to one customer, across programmes.")
    per_account: Cap | None = None
    rules: tuple[AttributeRule, ...] = ()


class Email(_Model):
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "cxlens <surveys@localhost>"
    starttls: bool = False
    username: str | None = None
    password_env: str | None = Field(default=None, description="Environment variable "
                                     "holding the SMTP password.")
    timeout: float = 10


class ProviderWebhook(_Model):
    url: str
    secret_env: str | None = None


class Delivery(_Model):
    base_url: str = Field(default="http://127.0.0.1:8000",
                          description="Where the hosted survey pages are reached.")
    email: Email | None = None
    webhook: ProviderWebhook | None = Field(default=None, description="SMS, IVR and in-app "
                                            "invitations are posted here.")


class CaseRule(_Model):
    name: str
    survey: str | None = None
    score_max: int | None = None
    keywords: tuple[str, ...] = ()
    due_hours: float = Field(default=48, gt=0)

    @model_validator(mode="after")
    def _check(self) -> CaseRule:
        if self.score_max is None and not self.keywords:
            raise ValueError(f"case rule {self.name}: give score_max or keywords")
        return self


class Owners(_Model):
    when: dict[str, list[str]] = Field(default_factory=dict)
    chain: tuple[str, ...] = Field(description="Owner templates in escalation order, e.g. "
                                   "'{vendor} / {team} lead'.")


DEFAULT_RULES = (CaseRule(name="nps-detractor", survey="nps", score_max=6, due_hours=24),
                 CaseRule(name="csat-unhappy", survey="csat", score_max=2, due_hours=48))


class Loop(_Model):
    rules: tuple[CaseRule, ...] = DEFAULT_RULES
    owners: tuple[Owners, ...] = (Owners(chain=("{vendor} / {team} lead", "cx-lead")),)
    remind_before_hours: float = Field(default=4, ge=0)
    escalate_hours: float = Field(default=24, gt=0, description="Due time after an escalation.")
    root_causes: tuple[str, ...] = ("product", "policy", "agent", "process", "billing",
                                    "delivery", "other")
    lookback_days: float = Field(default=7, gt=0, description="Responses this recent without "
                                 "a case are checked against the rules on each run.")


class Webhook(_Model):
    url: str
    events: tuple[str, ...] = EVENTS
    format: Literal["json", "slack"] = "json"
    secret_env: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Webhook:
        for e in self.events:
            if e not in EVENTS:
                raise ValueError(f"unknown event {e!r}.{did_you_mean(e, EVENTS)}")
        return self


class Config(_Model):
    programmes: tuple[Programme, ...] = ()
    fatigue: Fatigue = Fatigue()
    delivery: Delivery = Delivery()
    loop: Loop = Loop()
    webhooks: tuple[Webhook, ...] = ()
    default_language: str = "en"

    def programme(self, name: str) -> Programme:
        for p in self.programmes:
            if p.name == name:
                return p
        names = [p.name for p in self.programmes]
        raise ConfigError(f"no programme {name!r}.{did_you_mean(name, names)}",
                          f"programmes: {', '.join(names) or 'none'}")


def parse(text: str, where: str = "programmes.yaml") -> Config:
    """The configuration in ``text``; every problem is reported at once."""
    config = parse_yaml(text, Config, where, "see docs/surveys.md for every field",
                        shape="a mapping (programmes:, fatigue:, ...)")
    names = [p.name for p in config.programmes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{where}: programme names must be unique: {', '.join(dupes)}",
                          "rename one of them")
    return config


def load(path: str | Path) -> Config:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"no programmes file {p}", "create it (see docs/surveys.md) or "
                          "pass the right path")
    return parse(p.read_text(encoding="utf-8"), str(p))
