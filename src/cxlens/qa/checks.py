"""AutoQA checks as data: a YAML list (``checks.yaml`` beside this module, or a file of your
own) of simple, explainable rules that read a conversation's transcript, each mapped to a
criterion of a QA scorecard. Three kinds:

* ``phrase``: one of ``phrases`` is said by ``speaker`` in the turns ``where`` says (the
  ``first`` or ``last`` ``turns`` of that speaker, or ``any``). With ``due``, the check
  applies only when the ``due`` speaker said one of the ``due`` phrases (an apology is due
  when the customer complains); otherwise it is n/a.
* ``silence``: no gap between two consecutive turns longer than ``max_seconds`` (only in
  ``channels``, when given: a day between two e-mails is no silence).
* ``sentiment``: the ``speaker``'s last turn is not negative by cxlens's default sentiment
  model (:func:`cxlens.text.sentiment.score`).

Phrases match whole words and are case-insensitive; a trailing ``*`` matches any ending.
The file is read with the house YAML loader, every problem reported at once, and each
``criterion`` (``scorecard.criterion``) must exist in the scorecards in use.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from cxlens.errors import ConfigError
from cxlens.qa.scorecards import Scorecards
from cxlens.specfile import parse_yaml, read

HINT = "see the built-in src/cxlens/qa/checks.yaml and docs/autoqa.md for every field"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
Speaker = Literal["agent", "customer", "system"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"check id {value!r} must be lower-case letters, digits or _, "
                         "starting with a letter")
    return value


def _phrases(value: tuple[str, ...]) -> tuple[str, ...]:
    blank = [p for p in value if not p.strip(" *")]
    if blank:
        raise ValueError("a phrase cannot be empty")
    return value


def pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for ``phrases``: whole words, case-insensitive, a trailing
    ``*`` for any ending; inner spaces match any run of spaces. ``'`` matches ’ too."""
    parts = []
    for phrase in phrases:
        open_end = phrase.rstrip().endswith("*")
        words = phrase.strip().rstrip("*").strip().split()
        body = r"\s+".join(re.escape(w).replace("'", "['’]") for w in words)
        parts.append(body + (r"\w*" if open_end else r"\b"))
    return re.compile(r"\b(?:" + "|".join(parts) + ")", re.IGNORECASE)


class Due(_Model):
    """When a phrase check applies: ``speaker`` said one of ``phrases``."""

    speaker: Speaker = "customer"
    phrases: Annotated[tuple[str, ...], Field(min_length=1), AfterValidator(_phrases)]


class Check(_Model):
    id: Annotated[str, AfterValidator(_id)]
    label: str = ""
    description: str = ""
    kind: Literal["phrase", "silence", "sentiment"]
    criterion: str = Field(description="scorecard.criterion it scores, e.g. "
                           "communication_quality.empathy")
    speaker: Speaker = "agent"
    where: Literal["first", "last", "any"] = "any"
    turns: int = Field(default=1, ge=1)
    phrases: Annotated[tuple[str, ...], AfterValidator(_phrases)] = ()
    due: Due | None = None
    max_seconds: float = Field(default=60.0, gt=0)
    channels: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Check:
        if self.kind == "phrase" and not self.phrases:
            raise ValueError(f"check {self.id}: a phrase check needs phrases")
        if self.kind != "phrase" and (self.phrases or self.due):
            raise ValueError(f"check {self.id}: phrases and due belong to phrase checks only")
        if self.criterion.count(".") != 1:
            raise ValueError(f"check {self.id}: criterion must be scorecard.criterion, e.g. "
                             f"communication_quality.empathy (got {self.criterion!r})")
        return self

    @property
    def scorecard(self) -> str:
        return self.criterion.split(".")[0]

    @property
    def criterion_id(self) -> str:
        return self.criterion.split(".")[1]

    @property
    def title(self) -> str:
        return self.label or self.id.replace("_", " ").capitalize()


def _unique(checks: tuple[Check, ...]) -> tuple[Check, ...]:
    if not checks:
        raise ValueError("give at least one check")
    ids = [c.id for c in checks]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"check ids must be unique: {', '.join(dupes)}")
    return checks


class Checks(_Model):
    checks: Annotated[tuple[Check, ...], AfterValidator(_unique)]

    def validate_against(self, cards: Scorecards, where: str = "checks") -> Checks:
        """Refuse a check whose criterion is not in ``cards`` (every one named at once)."""
        problems = []
        for c in self.checks:
            if c.scorecard not in cards.names:
                problems.append(f"check {c.id}: no scorecard {c.scorecard!r} (scorecards: "
                                f"{', '.join(cards.names)})")
            elif c.criterion_id not in [x.id for x in cards.get(c.scorecard).criteria]:
                problems.append(f"check {c.id}: scorecard {c.scorecard} has no criterion "
                                f"{c.criterion_id!r}")
        if problems:
            raise ConfigError(f"{where} has {len(problems)} problem(s): " + "; ".join(problems),
                              "name an existing scorecard.criterion (cxlens qa scorecards "
                              "lists them)")
        return self


def parse(text: str, where: str = "checks.yaml") -> Checks:
    return parse_yaml(text, Checks, where, HINT, "a mapping with a list under checks:")


@cache
def builtin() -> Checks:
    """The eight built-in checks (``checks.yaml``)."""
    text = resources.files("cxlens.qa").joinpath("checks.yaml").read_text("utf-8")
    return parse(text, "cxlens/qa/checks.yaml")


def load(path: str | Path) -> Checks:
    """Checks from a YAML file of your own (same layout as the built-in file)."""
    return parse(read(path, "AutoQA checks", "create it (copy the built-in "
                      "src/cxlens/qa/checks.yaml) or pass the right path"), str(path))


__all__ = ["Check", "Checks", "Due", "builtin", "load", "parse", "pattern"]
