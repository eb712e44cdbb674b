"""QA scorecards as data: a scorecard has sections, each with criteria (a scale, a weight, and
whether the criterion may be N/A, is critical or is a bonus). ``builtin()`` gives the two
frameworks that ship with cxlens (``scorecards.yaml`` beside this module: process compliance
and communication quality, matching the demo's reviews); ``load`` reads a file of your own.
Every problem of a file is reported at once, in one :class:`ConfigError`."""

from __future__ import annotations

import re
import typing
from collections import Counter
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from cxlens.errors import ConfigError, did_you_mean

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: Criterion id used by calibration for the review score as a whole; no criterion may take it.
RESERVED = ("overall",)
T = TypeVar("T")
_HINT = "see the built-in src/cxlens/qa/scorecards.yaml for every field"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _name(kind: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"{kind} {value!r} must be lower-case letters, digits or _, "
                             "starting with a letter")
        if kind == "criterion id" and value in RESERVED:
            raise ValueError(f"criterion id {value!r} is reserved (calibration uses it for "
                             "the review score), rename the criterion")
        return value
    return check


def _non_empty(what: str) -> Callable[[tuple[T, ...]], tuple[T, ...]]:
    def check(value: tuple[T, ...]) -> tuple[T, ...]:
        if not value:
            raise ValueError(f"give at least one {what}")
        return value
    return check


def _dupes(names: list[str]) -> list[str]:
    return sorted(n for n, k in Counter(names).items() if k > 1)


def _criterion_problems(cid: str, bonus: Any, critical: Any, weight: Any) -> list[str]:
    """Rules that tie several fields of a criterion together (shared with the raw check)."""
    problems = []
    if bonus is True and critical is True:
        problems.append(f"criterion {cid}: a bonus criterion cannot be critical (a bonus only "
                        "ever raises the score)")
    if bonus is True and isinstance(weight, int | float) and weight == 0:
        problems.append(f"criterion {cid}: a bonus criterion needs a weight above 0")
    return problems


def _section_problems(sections: list[str], criteria: list[str]) -> list[str]:
    problems = []
    if _dupes(criteria):
        problems.append("criterion ids must be unique within a scorecard: "
                        + ", ".join(_dupes(criteria)))
    if _dupes(sections):
        problems.append("section ids must be unique: " + ", ".join(_dupes(sections)))
    return problems


def _names_problem(names: list[str]) -> list[str]:
    return [f"scorecard names must be unique: {', '.join(_dupes(names))}"] if _dupes(names) \
        else []


class Scale(_Model):
    """Integer scale of a criterion. In YAML: ``binary`` (0–1), ``{min: 1, max: 5}`` or
    ``[1, 5]``."""

    min: int = 0
    max: int = 1

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().lower() == "binary":
                return {"min": 0, "max": 1}
            raise ValueError(f"unknown scale {value!r}.{did_you_mean(value, ['binary'])} "
                             "Use binary, {min: 1, max: 5} or [1, 5]")
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError("a scale list needs two numbers: [min, max]")
            return {"min": value[0], "max": value[1]}
        return value

    @model_validator(mode="after")
    def _check(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self

    @property
    def binary(self) -> bool:
        return (self.min, self.max) == (0, 1)


class Criterion(_Model):
    id: Annotated[str, AfterValidator(_name("criterion id"))] = Field(
        description="Name of the criterion as stored in qa_reviews.criterion.")
    label: str = Field(default="", description="What the reviewer is asked; defaults to the "
                       "id in words.")
    scale: Scale = Field(default_factory=Scale, description="binary (0–1) or {min, max}.")
    weight: float = Field(default=1.0, ge=0, description="Weight in the review score.")
    na_allowed: bool = Field(default=False, description="The reviewer may mark it N/A.")
    critical: bool = Field(default=False, description="Below 50 % sets the review score to 0.")
    bonus: bool = Field(default=False, description="Counts only when it raises the score.")
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        problems = _criterion_problems(self.id, self.bonus, self.critical, self.weight)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def title(self) -> str:
        return self.label or self.id.replace("_", " ").capitalize()


class Section(_Model):
    id: Annotated[str, AfterValidator(_name("section id"))]
    label: str = ""
    criteria: Annotated[tuple[Criterion, ...], AfterValidator(_non_empty("criterion"))]


def _unique_sections(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    problems = _section_problems([s.id for s in sections],
                                 [c.id for s in sections for c in s.criteria])
    if problems:
        raise ValueError("; ".join(problems))
    return sections


def _unique_names(cards: tuple[Scorecard, ...]) -> tuple[Scorecard, ...]:
    problems = _names_problem([c.name for c in cards])
    if problems:
        raise ValueError(problems[0])
    return cards


class Scorecard(_Model):
    name: Annotated[str, AfterValidator(_name("scorecard name"))] = Field(
        description="As stored in qa_reviews.scorecard.")
    label: str = ""
    description: str = ""
    sections: Annotated[tuple[Section, ...], AfterValidator(_non_empty("section")),
                        AfterValidator(_unique_sections)]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for s in self.sections for c in s.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        ids = [c.id for c in self.criteria]
        raise ConfigError(f"scorecard {self.name} has no criterion {criterion_id!r}."
                          f"{did_you_mean(criterion_id, ids)}", f"criteria: {', '.join(ids)}")

    @property
    def bonus(self) -> tuple[str, ...]:
        """Ids of the bonus criteria."""
        return tuple(c.id for c in self.criteria if c.bonus)


class Scorecards(_Model):
    scorecards: Annotated[tuple[Scorecard, ...], AfterValidator(_non_empty("scorecard")),
                          AfterValidator(_unique_names)]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scorecards]

    def get(self, name: str) -> Scorecard:
        for s in self.scorecards:
            if s.name == name:
                return s
        raise ConfigError(f"no scorecard {name!r}.{did_you_mean(name, self.names)}",
                          f"scorecards: {', '.join(self.names)}")

    @property
    def bonus(self) -> list[tuple[str, str]]:
        """(scorecard, criterion) of every bonus criterion."""
        return [(s.name, c) for s in self.scorecards for c in s.bonus]


# -- reading files --------------------------------------------------------------------------
def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``tuple[Criterion, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """Field names of the model at ``loc`` (for "did you mean" on unknown keys)."""
    model: type[BaseModel] | None = Scorecards
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return []
        model = _model_of(model.model_fields[part].annotation)
    return list(model.model_fields) if model is not None else []


def _message(error: Any) -> str:
    loc = tuple(error["loc"])
    where = ".".join(str(p) for p in loc) or "(top)"
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        fields = _fields_at(loc[:-1])
        return (f"{where}: unknown field {key!r}.{did_you_mean(key, fields)}"
                f" (fields: {', '.join(fields)})")
    return f"{where}: {error['msg'].removeprefix('Value error, ')}"


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] \
        if isinstance(value, list) else []


def _raw_problems(doc: dict[str, Any]) -> list[str]:
    """The rules that tie several values together, checked on the raw document too: pydantic
    applies them only where everything else is valid, and every problem is reported at once.
    Messages are word for word those of the models, so the two sets merge without repeats."""
    cards = _dicts(doc.get("scorecards"))
    problems = [f"scorecards: {p}" for p in _names_problem([str(c["name"]) for _, c in cards
                                                             if "name" in c])]
    for i, card in cards:
        sections = _dicts(card.get("sections"))
        crits = [(j, k, c) for j, s in sections for k, c in _dicts(s.get("criteria"))]
        found = _section_problems([str(s["id"]) for _, s in sections if "id" in s],
                                  [str(c["id"]) for _, _, c in crits if "id" in c])
        if found:
            problems.append(f"scorecards.{i}.sections: {'; '.join(found)}")
        for j, k, c in crits:
            found = _criterion_problems(str(c.get("id")), c.get("bonus"), c.get("critical"),
                                        c.get("weight", 1))
            if found:
                problems.append(f"scorecards.{i}.sections.{j}.criteria.{k}: {'; '.join(found)}")
    return problems


def parse(text: str, where: str = "scorecards.yaml") -> Scorecards:
    """The scorecards in ``text``; every problem is reported at once."""
    try:
        doc: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}", "fix the indentation or "
                          "quoting at the line shown") from exc
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: the file must be a mapping with a list under "
                          "scorecards:", _HINT)
    try:
        return Scorecards.model_validate(doc)
    except ValidationError as exc:
        problems = list(dict.fromkeys([_message(e) for e in exc.errors()] + _raw_problems(doc)))
    raise ConfigError(f"{where} has {len(problems)} problem(s): " + "; ".join(problems), _HINT)


@cache
def builtin() -> Scorecards:
    """The two frameworks that ship with cxlens: process_compliance, communication_quality."""
    text = resources.files("cxlens.qa").joinpath("scorecards.yaml").read_text("utf-8")
    return parse(text, "cxlens/qa/scorecards.yaml")


def load(path: str | Path) -> Scorecards:
    """Scorecards from a YAML file of your own (same layout as the built-in file)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"no scorecards file {p}", "create it (copy the built-in "
                          "src/cxlens/qa/scorecards.yaml) or pass the right path")
    return parse(p.read_text(encoding="utf-8"), str(p))


__all__ = ["Criterion", "Scale", "Scorecard", "Scorecards", "Section", "builtin", "load",
           "parse"]
