"""A problem found in an input: what, where (file, row, column, value) and how to fix it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "skipped"]


@dataclass(frozen=True)
class Problem:
    """``error`` rejects the row (it goes to quarantine); ``warning`` keeps and flags it;
    ``skipped`` records a row the mapping deliberately leaves out (e.g. a survey offered but
    not answered), so it is accounted for rather than lost."""

    file: str
    row: int | None  # spreadsheet numbering: the header is row 1, the first record row 2
    column: str | None
    value: str | None
    rule: str
    message: str
    hint: str
    severity: Severity = "error"

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{self.where}: {self.message}{value}. Fix: {self.hint}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def show_value(value: object, limit: int = 80) -> str | None:
    """The raw value as the user typed it, shortened for messages."""
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summarise(problems: Iterable[Problem], per_rule: int = 3) -> list[str]:
    """Human summary: count per rule with the first few examples of each."""
    problems = list(problems)
    counts = Counter((p.severity, p.rule) for p in problems)
    lines: list[str] = []
    for (severity, rule), n in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1])):
        lines.append(f"{severity}: {rule} — {n} row(s)")
        shown = [p for p in problems if p.rule == rule and p.severity == severity][:per_rule]
        lines.extend(f"    {p}" for p in shown)
        if n > per_rule:
            lines.append(f"    … and {n - per_rule} more (cxlens quarantine lists them all)")
    return lines
