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
    """Human summary, one block per rule: how many problems in how many rows (a row with three
    problems is one row), the count per column, and examples from every column at fault."""
    problems = list(problems)
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.severity, p.rule), []).append(p)
    lines: list[str] = []
    for (severity, rule), found in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
        rows = len({(p.file, p.row) for p in found})
        columns = Counter(p.column or "-" for p in found)
        by_column = ", ".join(f"{c} {n}" for c, n in columns.most_common())
        lines.append(f"{severity}: {rule} — {len(found)} problem(s) in {rows} row(s)"
                     + (f"; by column: {by_column}" if len(columns) > 1 or rule != "skipped"
                        else ""))
        shown = _examples(found, max(per_rule, len(columns)))
        lines.extend(f"    {p}" for p in shown)
        if len(found) > len(shown):
            lines.append(f"    … and {len(found) - len(shown)} more "
                         "(cxlens quarantine lists them all)")
    return lines


def _examples(found: list[Problem], n: int) -> list[Problem]:
    """The first problem of every column, then more in file order, ``n`` at most."""
    firsts: dict[str | None, int] = {}
    for i, p in enumerate(found):
        firsts.setdefault(p.column, i)
    picked = set(firsts.values())
    for i in range(len(found)):
        if len(picked) >= n:
            break
        picked.add(i)
    return sorted((found[i] for i in picked), key=lambda p: (p.file, p.row or 0))
